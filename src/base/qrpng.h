/*
 * qrpng.h — QR codes as PNG images in memory, for the printable 扫码上报
 * (scan-to-report) codes on each place of the community tree.
 *
 * The text is encoded by libqrencode in 8-bit (byte) mode at error
 * correction level M, smallest version that fits. The image is an 8-bit
 * grayscale PNG (dark modules 0x00, light 0xFF) with `scale` pixels per
 * module and the standard 4-module light quiet zone on every side, so its
 * width and height are (modules + 8) * scale pixels.
 *
 * Ownership: on success *png is malloc'd and the caller releases it with
 * free(); on failure *png is NULL and *len 0.
 * Thread-safety: no global state; libqrencode is thread-safe for encoding
 * (Debian builds it with pthread), so calls may run concurrently.
 */
#ifndef LINLI_QRPNG_H
#define LINLI_QRPNG_H

#include <stddef.h>

#include "base/err.h"

#define QRPNG_MAX_TEXT  1024 /* bytes of text; fits level M 8-bit mode with room to spare */
#define QRPNG_MIN_SCALE 1
#define QRPNG_MAX_SCALE 32
#define QRPNG_QUIET     4 /* quiet-zone width in modules, as the QR standard asks */

/* Encodes text (UTF-8, 1..QRPNG_MAX_TEXT bytes, NUL-terminated) and renders it
 * with scale pixels per module (QRPNG_MIN_SCALE..QRPNG_MAX_SCALE).
 * Returns 0, or ERR_INVALID (empty or too long text, bad scale, NULL output
 * pointers; field "text" or "scale") or ERR_INTERNAL (encoder/zlib failure). */
int qrpng_render(const char *text, int scale, unsigned char **png, size_t *len, struct err *e);

#endif

/* fuzz_image.c — image recognition and declared dimensions (base/image.h):
 * any bytes as an uploaded photo. */
#include <stddef.h>
#include <stdint.h>

#include "base/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_info info;
	struct err e = {0};
	if (img_probe(data, size, &info, &e) == 0 &&
	    (!info.width || !info.height || info.width > IMG_MAX_SIDE || info.height > IMG_MAX_SIDE))
		__builtin_trap(); /* accepted dimensions are within the limits */
	return 0;
}

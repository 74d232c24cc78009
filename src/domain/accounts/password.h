/*
 * password.h — the password policy (等保 identity checks), applied wherever
 * a password is set: account creation, a user's own change and an
 * administrator's reset, from the API and the CLI alike.
 *
 * A password has at least PASSWORD_MIN_CHARS characters (counted as
 * characters: 中文 counts one each) and at most 256 bytes; is not the
 * username (nor the username with digits or symbols appended); is not one
 * of the common passwords embedded in the binary (tools/gen_passwords.sh),
 * nor one of them with digits or symbols appended (woaini + 1314), all
 * without regard to case; and is not one character repeated, a straight
 * run (1234567890, abcdefghij) or a short pattern repeated (1212121212).
 * Thread-safety: pure functions over read-only data.
 */
#ifndef LINLI_PASSWORD_H
#define LINLI_PASSWORD_H

#include <stdbool.h>

#include "base/err.h"

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 256

/* 0, or ERR_INVALID with field "password" and the reason. username may be NULL. */
int password_check(const char *username, const char *password, struct err *e);
/* Whether the text (any case) is on the embedded list of common passwords. */
bool password_common(const char *text);

#endif

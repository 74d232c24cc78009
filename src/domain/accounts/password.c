/* password.c — the password policy (password.h). */
#include "domain/accounts/password.h"

#include <ctype.h>
#include <string.h>

#include "base/embedded.h"
#include "base/textnorm.h"
#include "base/utf8.h"

#define LIST_PATH "build/gen/common_passwords.txt"

/* The list: one lower-case password a line, sorted bytewise. */
static int cmp_line(const unsigned char *line, size_t n, const char *key, size_t klen)
{
	size_t m = n < klen ? n : klen;
	int c = memcmp(line, key, m);
	return c ? c : (n > klen) - (n < klen);
}

static bool in_list(const char *key, size_t klen)
{
	const struct embedded_file *f = embedded_find(LIST_PATH);
	if (!f || klen == 0)
		return false;
	const unsigned char *d = f->data;
	size_t lo = 0, hi = f->len; /* the line that starts at or after lo, before hi */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, start = mid;
		while (start > lo && d[start - 1] != '\n')
			start--;
		size_t end = start;
		while (end < f->len && d[end] != '\n')
			end++;
		int c = cmp_line(d + start, end - start, key, klen);
		if (c == 0)
			return true;
		if (c < 0)
			lo = end + 1;
		else
			hi = start;
	}
	return false;
}

static void lower(const char *in, char *out, size_t cap)
{
	size_t i = 0;
	for (; in[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = 0;
}

bool password_common(const char *text)
{
	char low[PASSWORD_MAX_BYTES + 1] = "";
	if (!text || strlen(text) > PASSWORD_MAX_BYTES)
		return false;
	lower(text, low, sizeof low);
	return in_list(low, strlen(low));
}

/* The length without what people append to a weak word: digits and ASCII
 * symbols at the end (woaini1314, password!, admin@2024). */
static size_t stem_len(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (isdigit((unsigned char)s[n - 1]) || ispunct((unsigned char)s[n - 1])))
		n--;
	return n;
}

/* One character repeated, a straight run up or down (1234567890,
 * abcdefghij, 9876543210) or a pattern of up to 3 characters repeated. */
static bool trivial(const char *s)
{
	size_t n = strlen(s);
	bool up = true, down = true;
	for (size_t i = 1; i < n; i++) {
		up = up && (unsigned char)s[i] == (unsigned char)s[i - 1] + 1;
		down = down && (unsigned char)s[i] + 1 == (unsigned char)s[i - 1];
	}
	if (up || down)
		return true;
	for (size_t p = 1; p <= 3 && p < n; p++) {
		bool rep = true;
		for (size_t i = p; i < n && rep; i++)
			rep = s[i] == s[i - p];
		if (rep)
			return true;
	}
	return false;
}

int password_check(const char *username, const char *password, struct err *e)
{
	size_t len = password ? strlen(password) : 0;
	if (!password || !utf8_valid(password, len) || utf8_len(password) < PASSWORD_MIN_CHARS ||
	    len > PASSWORD_MAX_BYTES)
		return err_set(e, ERR_INVALID, "password",
			       "密码应为%d-256个字符 / password must have %d to 256 characters", PASSWORD_MIN_CHARS,
			       PASSWORD_MIN_CHARS);
	if (textnorm_scan(password, 0, NULL) != TN_OK)
		return err_set(e, ERR_INVALID, "password",
			       "密码不能含控制字符 / password must not contain control characters");
	char low[PASSWORD_MAX_BYTES + 1] = "";
	lower(password, low, sizeof low);
	size_t stem = stem_len(low);
	if (username && *username) {
		char user[PASSWORD_MAX_BYTES + 1] = "";
		lower(username, user, sizeof user);
		if (strcmp(low, user) == 0 || (stem == strlen(user) && strncmp(low, user, stem) == 0))
			return err_set(e, ERR_INVALID, "password",
				       "密码不能与用户名相同 / password must not be the username");
	}
	if (in_list(low, strlen(low)) || (stem >= 4 && in_list(low, stem)) || trivial(low))
		return err_set(e, ERR_INVALID, "password",
			       "密码过于常见或简单，请换一个 / password is too common or simple: choose another");
	return 0;
}

/* pii.c — encryption, keyed hashing, validation and masking of personal data. */
#include "domain/core/pii.h"

#include "base/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int pii_init(void)
{
	return sodium_init() < 0 ? ERR_INTERNAL : 0;
}

int pii_key_create(const char *path, struct err *e)
{
	unsigned char key[PII_KEY_BYTES];
	randombytes_buf(key, sizeof key);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return err_set(e, ERR_IO, "key", "cannot create key file %s: %s", path, strerror(errno));
	ssize_t n = write(fd, key, sizeof key);
	int rc = fsync(fd);
	close(fd);
	sodium_memzero(key, sizeof key);
	if (n != (ssize_t)sizeof key || rc != 0)
		return err_set(e, ERR_IO, "key", "cannot write key file %s", path);
	return 0;
}

int pii_key_load(const char *path, unsigned char key[PII_KEY_BYTES], struct err *e)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_set(e, ERR_IO, "key", "cannot open key file %s: %s", path, strerror(errno));
	ssize_t n = read(fd, key, PII_KEY_BYTES);
	close(fd);
	if (n != PII_KEY_BYTES)
		return err_set(e, ERR_IO, "key", "key file %s is not %d bytes", path, PII_KEY_BYTES);
	return 0;
}

static int id_card_check(const char *id)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (!isdigit((unsigned char)id[i]))
			return -1;
		sum += (id[i] - '0') * w[i];
	}
	return check[sum % 11] == id[17] ? 0 : -1;
}

bool pii_id_card_birth(const char *id, char birth[11], char *gender)
{
	if (strlen(id) != 18)
		return false;
	snprintf(birth, 11, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	if (gender)
		*gender = ((id[16] - '0') % 2) ? 'M' : 'F';
	return true;
}

int pii_normalise(enum pii_kind kind, const char *in, char *out, size_t cap, struct err *e)
{
	size_t n = 0;
	const char *field = kind == PII_ID_CARD ? "id_card" : "phone";
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (n + 1 >= cap)
			return err_set(e, ERR_INVALID, field, "too long");
		out[n++] = (char)toupper((unsigned char)*p);
	}
	out[n] = 0;
	if (kind == PII_ID_CARD) {
		if (n != 18 || id_card_check(out) != 0)
			return err_set(e, ERR_INVALID, field, "身份证号码无效 / invalid ID-card number");
		char birth[11];
		pii_id_card_birth(out, birth, NULL);
		if (!time_valid_date(birth) || strcmp(birth, "1880-01-01") < 0)
			return err_set(e, ERR_INVALID, field,
				       "身份证号码中的出生日期无效 / invalid birth date in ID card");
		return 0;
	}
	if (n >= 3 && strncmp(out, "+86", 3) == 0) {
		memmove(out, out + 3, n - 2);
		n -= 3;
	}
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)out[i]))
			return err_set(e, ERR_INVALID, field, "电话号码只能包含数字 / phone must be digits");
	bool mobile = n == 11 && out[0] == '1' && out[1] >= '3' && out[1] <= '9';
	bool landline = n >= 7 && n <= 12 && out[0] != '1';
	if (!mobile && !landline)
		return err_set(e, ERR_INVALID, field, "电话号码无效 / invalid phone number");
	return 0;
}

unsigned char *pii_encrypt(const unsigned char *key, const char *plain, size_t *len, struct arena *a)
{
	size_t m = strlen(plain);
	*len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + m;
	unsigned char *c = arena_alloc(a, *len);
	randombytes_buf(c, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(c + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, m, c, key);
	return c;
}

char *pii_decrypt(const unsigned char *key, const unsigned char *c, size_t len, struct arena *a)
{
	if (!c || len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	size_t m = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *p = arena_alloc(a, m + 1);
	if (crypto_secretbox_open_easy((unsigned char *)p, c + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, c, key) != 0)
		return NULL;
	p[m] = 0;
	return p;
}

void pii_hash(const unsigned char *key, enum pii_kind kind, const char *canonical, unsigned char out[PII_HASH_BYTES])
{
	/* A kind prefix keeps an ID number and a phone number from colliding. */
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, PII_KEY_BYTES, PII_HASH_BYTES);
	unsigned char k = (unsigned char)kind;
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(&st, (const unsigned char *)canonical, strlen(canonical));
	crypto_generichash_final(&st, out, PII_HASH_BYTES);
}

/* An ID number keeps its region (6 digits) and nothing after: its birth
 * date, sequence and check digit would, with the birth year and sex a
 * viewer is shown, leave a few dozen candidates (docs/architecture.md,
 * "Masks that cannot be undone"). A phone keeps 3 + 4 digits. */
char *pii_mask(enum pii_kind kind, const char *plain, struct arena *a)
{
	size_t n = strlen(plain);
	char *m = arena_strdup(a, plain);
	size_t keep_head = kind == PII_ID_CARD ? 6 : 3, keep_tail = kind == PII_ID_CARD ? 0 : 4;
	if (n <= keep_head + keep_tail) {
		for (size_t i = n / 2; i < n; i++)
			m[i] = '*';
		return m;
	}
	for (size_t i = keep_head; i < n - keep_tail; i++)
		m[i] = '*';
	return m;
}

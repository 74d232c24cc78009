/*
 * textsearch.c — Chinese full-text search on SQLite FTS5's default unicode61 tokenizer.
 *
 * Every entry point runs the same pipeline. The input is cut to TS_MAX_INPUT bytes and cleaned to valid UTF-8
 * (bad bytes are skipped one at a time), then converted to simplified Chinese by this thread's OpenCC handle.
 * That is all ts_simplified() does. For search the result is then cut into chunks: each CJK ideograph is a
 * chunk of its own, a run of other letters and digits is one chunk (ASCII lower-cased, full-width ASCII folded
 * first), and whitespace, punctuation and symbols only separate chunks and are dropped. ts_index_text() joins
 * the chunks with spaces. ts_match_query() quotes each chunk, joins a whitespace-separated term's chunks with
 * "+" (one FTS5 phrase) and the terms with AND.
 *
 * Index and query pass through the same chunker, so a character classed here as a separator vanishes from both
 * sides alike. The one thing to avoid is the reverse: a chunk that unicode61 reads as no token at all. FTS5 takes
 * such a quoted chunk for an empty phrase, and an empty phrase makes an AND match nothing. So anything that is
 * not clearly a letter or number (symbol blocks, emoji, CJK punctuation) is classed as a separator here.
 *
 * OpenCC handles are kept per thread in thread-specific data (see textsearch.h). Opening and closing are
 * serialised by a mutex because OpenCC keeps its last error message in a global string.
 */
#include "base/textsearch.h"

#include <opencc/opencc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tried in order; the bare name makes OpenCC search its own data directory. */
static const char *const opencc_configs[] = {"/usr/share/opencc/t2s.json", OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP};

/* ---- growable byte buffer (aborts on out-of-memory, like the arena) ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_reserve(struct sbuf *b, size_t more)
{
	if (b->len + more < b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (b->len + more >= cap)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		fprintf(stderr, "textsearch: out of memory\n");
		abort();
	}
	b->p = p;
	b->cap = cap;
}

/* Keeps the buffer NUL-terminated at all times (also when empty). */
static void sb_put(struct sbuf *b, const void *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

static void sb_put_cp(struct sbuf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sb_put(b, u, n);
}

static const char *sb_to_arena(struct arena *a, struct sbuf *b)
{
	const char *s = arena_strndup(a, b->p ? b->p : "", b->len);
	free(b->p);
	*b = (struct sbuf){0};
	return s;
}

/* ---- UTF-8 ---- */

/* Decodes one well-formed sequence (no overlongs, surrogates or values past U+10FFFF) at s, not reading at or
 * past end. Returns its length, or 0 if the byte at s does not start one. */
static size_t decode(const unsigned char *s, const unsigned char *end, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned c = s[0];
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		n = 2, v = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 3, v = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 4, v = c & 0x07;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Appends the well-formed sequences of s[0..n) to b, skipping every byte that does not start one. */
static void put_valid(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	uint32_t cp;

	sb_reserve(b, n);
	while (p < end) {
		size_t len = decode(p, end, &cp);
		if (len) {
			sb_put(b, p, len);
			p += len;
		} else {
			p++;
		}
	}
}

/* ---- per-thread OpenCC converter ---- */

static pthread_once_t cc_once = PTHREAD_ONCE_INIT;
static pthread_key_t cc_key;
static bool cc_key_ok;
static pthread_mutex_t cc_lock = PTHREAD_MUTEX_INITIALIZER;
/* Key value of a thread whose converter could not be opened, so it does not retry on every call. */
static char cc_failed;

static void cc_close(void *h)
{
	if (!h || h == &cc_failed)
		return;
	pthread_mutex_lock(&cc_lock);
	opencc_close(h);
	pthread_mutex_unlock(&cc_lock);
}

static void cc_key_create(void)
{
	cc_key_ok = pthread_key_create(&cc_key, cc_close) == 0;
}

static opencc_t cc_open(void)
{
	opencc_t h = NULL;

	pthread_mutex_lock(&cc_lock);
	for (size_t i = 0; i < sizeof opencc_configs / sizeof opencc_configs[0] && !h; i++) {
		h = opencc_open(opencc_configs[i]);
		if (h == (opencc_t)(intptr_t)-1) /* OpenCC's error value */
			h = NULL;
	}
	pthread_mutex_unlock(&cc_lock);
	return h;
}

/* The calling thread's converter, opened on first use; NULL if OpenCC is unavailable. */
static opencc_t converter(void)
{
	pthread_once(&cc_once, cc_key_create);
	if (!cc_key_ok)
		return NULL;
	void *v = pthread_getspecific(cc_key);
	if (v)
		return v == &cc_failed ? NULL : v;
	opencc_t h = cc_open();
	if (pthread_setspecific(cc_key, h ? h : &cc_failed) != 0) {
		cc_close(h);
		return NULL;
	}
	return h;
}

int ts_init(struct err *e)
{
	pthread_once(&cc_once, cc_key_create);
	if (cc_key_ok && pthread_getspecific(cc_key) == &cc_failed)
		pthread_setspecific(cc_key, NULL); /* try again */
	if (!converter())
		return err_set(e, ERR_INTERNAL, NULL, "cannot load OpenCC's %s (is libopencc-data installed?)",
			       opencc_configs[0]);
	return 0;
}

void ts_thread_cleanup(void)
{
	pthread_once(&cc_once, cc_key_create);
	if (!cc_key_ok)
		return;
	void *v = pthread_getspecific(cc_key);
	if (!v)
		return;
	pthread_setspecific(cc_key, NULL);
	cc_close(v);
}

/* Valid UTF-8 of the first TS_MAX_INPUT bytes of utf8, converted to simplified Chinese, into b. */
static void simplify(struct sbuf *b, const char *utf8)
{
	struct sbuf clean = {0};
	opencc_t cc;
	char *conv;

	sb_reserve(b, 0);
	b->p[0] = '\0';
	if (!utf8)
		return;
	put_valid(&clean, utf8, strnlen(utf8, TS_MAX_INPUT));
	if (clean.len && (cc = converter()) && (conv = opencc_convert_utf8(cc, clean.p, (size_t)-1))) {
		/* OpenCC's output should be valid UTF-8; checking is cheap and the chunker relies on it. */
		put_valid(b, conv, strlen(conv));
		opencc_convert_utf8_free(conv);
	} else if (clean.len) {
		sb_put(b, clean.p, clean.len);
	}
	free(clean.p);
}

/* ---- chunking ---- */

enum cls {
	C_WORD,  /* letter or digit: extends the current chunk */
	C_IDEO,  /* CJK ideograph (or ideograph-like 々〇): a chunk of its own */
	C_MARK,  /* combining mark: extends a word chunk, dropped elsewhere */
	C_SEP,   /* punctuation, symbol, control: ends the chunk */
	C_SPACE, /* whitespace: ends the chunk and the query term */
};

/* Sorted and non-overlapping. Code points past U+007F that are not listed are C_WORD. */
static const struct {
	uint32_t lo, hi;
	enum cls cls;
} ranges[] = {
    {0x0080, 0x0084, C_SEP},    /* C1 controls */
    {0x0085, 0x0085, C_SPACE},  /* next line */
    {0x0086, 0x009F, C_SEP},    /* C1 controls */
    {0x00A0, 0x00A0, C_SPACE},  /* no-break space */
    {0x00A1, 0x00A9, C_SEP},    /* Latin-1 punctuation and symbols ¡..©; ª µ º are letters */
    {0x00AB, 0x00B4, C_SEP},    /* « ¬ ® ¯ ° ± ² ³ ´ (superscripts and fractions dropped too) */
    {0x00B6, 0x00B9, C_SEP},    /* ¶ · ¸ ¹ */
    {0x00BB, 0x00BF, C_SEP},    /* » ¼ ½ ¾ ¿ */
    {0x00D7, 0x00D7, C_SEP},    /* × */
    {0x00F7, 0x00F7, C_SEP},    /* ÷ */
    {0x02B0, 0x02FF, C_SEP},    /* spacing modifier letters (bopomofo tone marks ˊ ˇ ˋ ˙) */
    {0x0300, 0x036F, C_MARK},   /* combining diacritics */
    {0x1680, 0x1680, C_SPACE},  /* ogham space */
    {0x1AB0, 0x1AFF, C_MARK},   /* combining diacritics extended */
    {0x1DC0, 0x1DFF, C_MARK},   /* combining diacritics supplement */
    {0x2000, 0x200A, C_SPACE},  /* general punctuation: spaces */
    {0x200B, 0x2027, C_SEP},    /* ... zero-width characters, dashes, quotes, … */
    {0x2028, 0x2029, C_SPACE},  /* ... line and paragraph separators */
    {0x202A, 0x202E, C_SEP},    /* ... bidi controls */
    {0x202F, 0x202F, C_SPACE},  /* ... narrow no-break space */
    {0x2030, 0x205E, C_SEP},    /* ... ‰ ※ ‼ etc. */
    {0x205F, 0x205F, C_SPACE},  /* ... medium mathematical space */
    {0x2060, 0x214F, C_SEP},    /* invisible operators, super/subscripts, currency, letterlike symbols (℃ №) */
    {0x218A, 0x245F, C_SEP},    /* arrows, mathematical operators, technical, control pictures */
    {0x249C, 0x24E9, C_SEP},    /* parenthesized and circled letters (circled numbers stay) */
    {0x2500, 0x2775, C_SEP},    /* box drawing, blocks, geometric shapes, misc symbols, dingbats */
    {0x2794, 0x2BFF, C_SEP},    /* dingbats, math, arrows, misc symbols (dingbat numbers ❶ stay) */
    {0x2E00, 0x2FFF, C_SEP},    /* supplemental punctuation, CJK and Kangxi radicals, description characters */
    {0x3000, 0x3000, C_SPACE},  /* ideographic space */
    {0x3001, 0x3004, C_SEP},    /* 、。〃〄 */
    {0x3005, 0x3007, C_IDEO},   /* 々〆〇 */
    {0x3008, 0x3020, C_SEP},    /* 〈〉《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟〠 */
    {0x3021, 0x3029, C_IDEO},   /* Suzhou numerals 〡..〩 */
    {0x302A, 0x3037, C_SEP},    /* tone marks, 〰, kana repeat marks */
    {0x3038, 0x303B, C_IDEO},   /* 〸〹〺〻 */
    {0x303C, 0x303F, C_SEP},    /* 〼〽〾〿 */
    {0x3099, 0x309C, C_SEP},    /* kana voicing marks */
    {0x30A0, 0x30A0, C_SEP},    /* ゠ */
    {0x30FB, 0x30FB, C_SEP},    /* katakana middle dot ・ */
    {0x3190, 0x319F, C_SEP},    /* kanbun */
    {0x31C0, 0x31EF, C_SEP},    /* CJK strokes */
    {0x3200, 0x33FF, C_SEP},    /* enclosed CJK letters and months, CJK compatibility (㈱ ㎡) */
    {0x3400, 0x4DBF, C_IDEO},   /* CJK unified ideographs extension A */
    {0x4DC0, 0x4DFF, C_SEP},    /* Yijing hexagram symbols */
    {0x4E00, 0x9FFF, C_IDEO},   /* CJK unified ideographs */
    {0xA490, 0xA4CF, C_SEP},    /* Yi radicals */
    {0xA700, 0xA721, C_SEP},    /* modifier tone letters (Chinese tone marks) */
    {0xA789, 0xA78A, C_SEP},    /* modifier colon, short equals */
    {0xF900, 0xFAFF, C_IDEO},   /* CJK compatibility ideographs */
    {0xFE00, 0xFE1F, C_SEP},    /* variation selectors, vertical forms */
    {0xFE20, 0xFE2F, C_MARK},   /* combining half marks */
    {0xFE30, 0xFE6F, C_SEP},    /* CJK compatibility forms, small form variants */
    {0xFEFF, 0xFEFF, C_SEP},    /* byte order mark */
    {0xFF00, 0xFF65, C_SEP},    /* full-width forms not folded to ASCII, half-width CJK punctuation */
    {0xFFE0, 0xFFFF, C_SEP},    /* full-width signs ￥, half-width arrows, specials (U+FFFD) */
    {0x1F000, 0x1F0FF, C_SEP},  /* mahjong, domino and playing-card symbols */
    {0x1F10D, 0x1FBEF, C_SEP},  /* enclosed letters and ideographs, emoji, pictographs, legacy computing */
    {0x20000, 0x3FFFF, C_IDEO}, /* CJK extensions B..I, compatibility ideographs supplement */
    {0xE0000, 0xE0FFF, C_SEP},  /* tags, variation selectors supplement */
};

static enum cls classify(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
			return C_SPACE;
		if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			return C_WORD;
		return C_SEP;
	}
	size_t lo = 0, hi = sizeof ranges / sizeof ranges[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < ranges[mid].lo)
			hi = mid;
		else if (cp > ranges[mid].hi)
			lo = mid + 1;
		else
			return ranges[mid].cls;
	}
	return C_WORD;
}

/*
 * Writes the chunks of the valid UTF-8 text s into out: chunk_sep between chunks of one whitespace-separated
 * term, term_sep between terms, none at either end. Returns the number of chunks.
 */
static size_t chunk(struct sbuf *out, const char *s, size_t n, char chunk_sep, char term_sep)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t chunks = 0;
	bool in_word = false, new_term = false;
	uint32_t cp;

	sb_reserve(out, 0);
	out->p[0] = '\0';
	while (p < end) {
		size_t len = decode(p, end, &cp);
		if (!len) {
			p++;
			continue;
		}
		p += len;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0; /* full-width ASCII */
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		enum cls c = classify(cp);
		if (c == C_MARK && !in_word)
			continue;
		if (c == C_SPACE || c == C_SEP) {
			in_word = false;
			new_term |= c == C_SPACE;
			continue;
		}
		if (!in_word || c == C_IDEO) {
			/* a new chunk */
			if (chunks)
				sb_putc(out, (char)(new_term ? term_sep : chunk_sep));
			chunks++;
			new_term = false;
		}
		sb_put_cp(out, cp);
		in_word = c != C_IDEO;
	}
	return chunks;
}

/* ---- entry points ---- */

const char *ts_simplified(struct arena *a, const char *utf8)
{
	struct sbuf b = {0};

	simplify(&b, utf8);
	return sb_to_arena(a, &b);
}

const char *ts_index_text(struct arena *a, const char *utf8)
{
	struct sbuf simp = {0}, out = {0};

	simplify(&simp, utf8);
	chunk(&out, simp.p, simp.len, ' ', ' ');
	free(simp.p);
	return sb_to_arena(a, &out);
}

/* Chunk and term separators inside the chunked query; neither can occur in a chunk (both are C_SEP/C_SPACE). */
#define Q_CHUNK '\x1F'
#define Q_TERM  ' '

const char *ts_match_query(struct arena *a, const char *utf8)
{
	struct sbuf simp = {0}, ch = {0}, q = {0};
	const char *res = NULL;

	simplify(&simp, utf8);
	if (chunk(&ch, simp.p, simp.len, Q_CHUNK, Q_TERM) > 0) {
		sb_putc(&q, '"');
		for (const char *p = ch.p; *p; p++) {
			if (*p == Q_TERM)
				sb_put(&q, "\" AND \"", 7);
			else if (*p == Q_CHUNK)
				sb_put(&q, "\" + \"", 5);
			else if (*p == '"')
				sb_put(&q, "\"\"", 2);
			else
				sb_putc(&q, *p);
		}
		sb_putc(&q, '"');
		res = sb_to_arena(a, &q);
	}
	free(simp.p);
	free(ch.p);
	return res;
}

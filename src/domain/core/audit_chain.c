/* audit_chain.c — the keyed hash chain over the audit rows (audit_chain.h). */
#include "domain/core/audit_chain.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

#define ROW_TAG  "linli-audit-v1\n"
#define HEAD_TAG "linli-audit-head-v1\n"
#define PAGE     5000

/* Where each kind of record sits: the SQL giving its community. A kind not
 * listed (accounts, configuration) is above community level: chain 0. */
static const struct {
	const char *entity, *sql;
} where[] = {
    {"node", "SELECT community_id FROM nodes WHERE id = ?"},
    {"person", "SELECT community_id FROM people WHERE id = ?"},
    {"household", "SELECT community_id FROM households WHERE id = ?"},
    {"case", "SELECT community_id FROM cases WHERE id = ?"},
    {"role", "SELECT n.community_id FROM roles r JOIN nodes n ON n.id = r.node_id WHERE r.id = ?"},
    {"org", "SELECT n.community_id FROM orgs o JOIN nodes n ON n.id = o.node_id WHERE o.id = ?"},
    {"org_member", "SELECT n.community_id FROM org_members m JOIN orgs o ON o.id = m.org_id JOIN nodes n ON n.id = "
		   "o.node_id WHERE m.id = ?"},
    {"webhook", "SELECT n.community_id FROM webhooks w JOIN nodes n ON n.id = w.node_id WHERE w.id = ?"},
};

int audit_chain_community(const struct ctx *c, const char *entity, int64_t id, int64_t *out, struct err *e)
{
	*out = 0;
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		if (strcmp(where[i].entity, entity) != 0)
			continue;
		struct store_stmt *st;
		int rc = store_prepare(c->db, where[i].sql, &st, e);
		if (rc)
			return rc;
		store_bind(st, "i", id);
		rc = store_step(st, e);
		if (rc == STORE_ROW && !store_col_null(st, 0))
			*out = store_col_int(st, 0);
		store_done(st);
		return rc < 0 ? rc : 0;
	}
	return 0;
}

static void put_text(crypto_generichash_state *h, const char *s)
{
	if (!s) {
		crypto_generichash_update(h, (const unsigned char *)"~", 1);
		return;
	}
	char len[24];
	int n = snprintf(len, sizeof len, "%zu:", strlen(s));
	crypto_generichash_update(h, (const unsigned char *)len, (size_t)n);
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
}

static void put_int(crypto_generichash_state *h, int64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "%lld", (long long)v);
	put_text(h, s);
}

void audit_chain_hash(const unsigned char *key, const unsigned char prev[AUDIT_HASH_BYTES], const struct audit_row *r,
		      unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, key, 32, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, (const unsigned char *)ROW_TAG, strlen(ROW_TAG));
	crypto_generichash_update(&h, prev, AUDIT_HASH_BYTES);
	put_int(&h, r->community_id);
	put_int(&h, r->seq);
	put_text(&h, r->at);
	put_int(&h, r->user_id);
	put_text(&h, r->username);
	put_text(&h, r->action);
	put_text(&h, r->entity);
	put_int(&h, r->entity_id);
	put_text(&h, r->before);
	put_text(&h, r->after);
	put_text(&h, r->client);
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

static void head_mac(const unsigned char *key, int64_t community, int64_t seq, int64_t head_id,
		     const unsigned char hash[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, key, 32, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, (const unsigned char *)HEAD_TAG, strlen(HEAD_TAG));
	put_int(&h, community);
	put_int(&h, seq);
	put_int(&h, head_id);
	crypto_generichash_update(&h, hash, AUDIT_HASH_BYTES);
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

int audit_chain_next(const struct ctx *c, int64_t community, int64_t *seq, unsigned char prev[AUDIT_HASH_BYTES],
		     struct err *e)
{
	memset(prev, 0, AUDIT_HASH_BYTES);
	/* The UPDATE comes first: it takes the head row's lock, so a second
	 * writer on this chain waits here until the first commits, then reads
	 * the head that one left. */
	int rc = store_run(c->db, e, "UPDATE audit_chains SET seq = seq + 1 WHERE community_id = ?", "i", community);
	if (rc)
		return rc;
	if (store_changes(c->db) == 0) {
		*seq = 1;
		return store_run(c->db, e, "INSERT INTO audit_chains (community_id, seq) VALUES (?, 1)", "i",
				 community);
	}
	struct store_stmt *st;
	rc = store_prepare(c->db, "SELECT seq, head_hash FROM audit_chains WHERE community_id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", community);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		*seq = store_col_int(st, 0);
		size_t n = 0;
		const void *h = store_col_blob(st, 1, &n);
		if (h && n == AUDIT_HASH_BYTES)
			memcpy(prev, h, AUDIT_HASH_BYTES);
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_INTERNAL, NULL, "audit chain %lld vanished", (long long)community);
	return rc < 0 ? rc : 0;
}

int audit_chain_advance(const struct ctx *c, int64_t community, int64_t seq, int64_t row_id,
			const unsigned char hash[AUDIT_HASH_BYTES], struct err *e)
{
	unsigned char mac[AUDIT_HASH_BYTES];
	head_mac(c->audit_key, community, seq, row_id, hash, mac);
	return store_run(c->db, e,
			 "UPDATE audit_chains SET head_id = ?, head_hash = ?, head_mac = ? WHERE community_id = ?",
			 "ibbi", row_id, hash, (size_t)AUDIT_HASH_BYTES, mac, (size_t)AUDIT_HASH_BYTES, community);
}

int audit_chain_exists(const struct ctx *c, bool *exists, struct err *e)
{
	int64_t n = 0;
	int rc = store_int(c->db, e, &n, "SELECT count(*) FROM audit_chains", "");
	*exists = n > 0;
	return rc;
}

#define SELECT_ROW                                                                                                     \
	"SELECT id, coalesce(community_id, 0), coalesce(chain_seq, 0), at, coalesce(user_id, 0), username, action, "   \
	"entity, coalesce(entity_id, 0), before, after, client, prev_hash, hash FROM audit "

static void read_row(struct store_stmt *st, struct audit_row *r)
{
	*r = (struct audit_row){.community_id = store_col_int(st, 1),
				.seq = store_col_int(st, 2),
				.at = store_col_text(st, 3),
				.user_id = store_col_int(st, 4),
				.username = store_col_text(st, 5),
				.action = store_col_text(st, 6),
				.entity = store_col_text(st, 7),
				.entity_id = store_col_int(st, 8),
				.before = store_col_text(st, 9),
				.after = store_col_text(st, 10),
				.client = store_col_text(st, 11)};
}

int audit_chain_seal(const struct ctx *c, int64_t *sealed, struct err *e)
{
	*sealed = 0;
	int rc = store_begin(c->db, e);
	if (rc)
		return rc;
	for (;;) {
		/* A page of unchained rows, copied out before they are updated. */
		struct store_stmt *st;
		rc = store_prepare(c->db, SELECT_ROW "WHERE hash IS NULL ORDER BY id LIMIT 1000", &st, e);
		if (rc)
			break;
		struct arena local;
		arena_init(&local);
		struct arena *a = &local;
		struct {
			int64_t id;
			struct audit_row r;
		} *page = arena_alloc(a, 1000 * sizeof *page);
		int n = 0;
		while ((rc = store_step(st, e)) == STORE_ROW) {
			page[n].id = store_col_int(st, 0);
			read_row(st, &page[n].r);
			struct audit_row *r = &page[n].r;
			const char **texts[] = {&r->at,     &r->username, &r->action, &r->entity,
						&r->before, &r->after,    &r->client};
			for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
				*texts[k] = *texts[k] ? arena_strdup(a, *texts[k]) : NULL;
			n++;
		}
		store_done(st);
		if (rc < 0 || n == 0) {
			arena_free(&local);
			break;
		}
		for (int i = 0; i < n && rc >= 0; i++) {
			struct audit_row *r = &page[i].r;
			unsigned char prev[AUDIT_HASH_BYTES], h[AUDIT_HASH_BYTES];
			rc = audit_chain_community(c, r->entity, r->entity_id, &r->community_id, e);
			if (rc == 0)
				rc = audit_chain_next(c, r->community_id, &r->seq, prev, e);
			if (rc == 0) {
				audit_chain_hash(c->audit_key, prev, r, h);
				rc = store_run(
				    c->db, e,
				    "UPDATE audit SET community_id = ?, chain_seq = ?, prev_hash = ?, hash = ? "
				    "WHERE id = ?",
				    "iibbi", r->community_id, r->seq, prev, (size_t)AUDIT_HASH_BYTES, h,
				    (size_t)AUDIT_HASH_BYTES, page[i].id);
			}
			if (rc == 0)
				rc = audit_chain_advance(c, r->community_id, r->seq, page[i].id, h, e);
			if (rc == 0)
				(*sealed)++;
		}
		arena_free(&local);
		if (rc < 0)
			break;
	}
	if (rc > 0)
		rc = 0;
	if (rc == 0)
		return store_commit(c->db, e);
	store_rollback(c->db);
	return rc;
}

static void say(char *report, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *report, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(report);
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(report + used, cap - used, fmt, ap);
	va_end(ap);
}

/* One chain, page by page in chain order: 0 intact, 1 broken (reported). */
static int verify_chain(const struct ctx *c, int64_t comm, int64_t want_seq, int64_t head_id,
			const unsigned char *head_hash, const unsigned char *mac, char *report, size_t cap,
			int64_t *rows, struct err *e)
{
	unsigned char prev[AUDIT_HASH_BYTES] = {0};
	int64_t expect = 1, last_id = 0;
	for (;;) {
		struct store_stmt *st;
		int rc = store_prepare(
		    c->db, SELECT_ROW "WHERE community_id = ? AND chain_seq >= ? ORDER BY chain_seq LIMIT ?", &st, e);
		if (rc)
			return rc;
		store_bind(st, "iii", comm, expect, (int64_t)PAGE);
		int n = 0;
		const char *broken = NULL;
		int64_t bad_id = 0;
		while (!broken && (rc = store_step(st, e)) == STORE_ROW) {
			n++;
			(*rows)++;
			struct audit_row r;
			read_row(st, &r);
			int64_t id = store_col_int(st, 0);
			size_t pl = 0, hl = 0;
			const void *ph = store_col_blob(st, 12, &pl), *hh = store_col_blob(st, 13, &hl);
			unsigned char calc[AUDIT_HASH_BYTES];
			audit_chain_hash(c->audit_key, prev, &r, calc);
			if (r.seq != expect)
				broken = "行缺失（之前的行被删除） / rows missing before it (deleted)", bad_id = id;
			else if (!ph || pl != AUDIT_HASH_BYTES || sodium_memcmp(ph, prev, AUDIT_HASH_BYTES) != 0)
				broken = "与前一行的链接断开（行被删除、插入或调换） / link to the previous row broken "
					 "(a row deleted, inserted or moved)",
				bad_id = id;
			else if (!hh || hl != AUDIT_HASH_BYTES || sodium_memcmp(hh, calc, AUDIT_HASH_BYTES) != 0)
				broken = "内容被改动（哈希不符） / contents changed (hash mismatch)", bad_id = id;
			else {
				memcpy(prev, hh, AUDIT_HASH_BYTES);
				last_id = id;
				expect++;
			}
		}
		store_done(st);
		if (rc < 0)
			return rc;
		if (broken) {
			say(report, cap, "audit chain %lld: row %lld: %s\n", (long long)comm, (long long)bad_id,
			    broken);
			return 1;
		}
		if (n < PAGE)
			break;
	}
	unsigned char want_mac[AUDIT_HASH_BYTES];
	head_mac(c->audit_key, comm, want_seq, head_id, prev, want_mac);
	if (expect - 1 != want_seq || head_id != last_id || !head_hash ||
	    sodium_memcmp(head_hash, prev, AUDIT_HASH_BYTES) != 0 || !mac ||
	    sodium_memcmp(mac, want_mac, AUDIT_HASH_BYTES) != 0) {
		say(report, cap,
		    "audit chain %lld: row %lld: 链尾不符，之后的行被删除或链头被改 / the chain's head does not match: "
		    "rows cut "
		    "off after it, or the head altered (%lld rows found, %lld recorded)\n",
		    (long long)comm, (long long)last_id, (long long)(expect - 1), (long long)want_seq);
		return 1;
	}
	return 0;
}

static int verify_all(const struct ctx *c, char *report, size_t cap, int64_t *rows, struct err *e);

/* In one read snapshot: a server writing meanwhile moves no head under it. */
int audit_chain_verify(const struct ctx *c, char *report, size_t cap, int64_t *rows, struct err *e)
{
	*rows = 0;
	int rc = store_begin_read(c->db, e);
	if (rc)
		return rc;
	rc = verify_all(c, report, cap, rows, e);
	store_rollback(c->db);
	return rc;
}

static int verify_all(const struct ctx *c, char *report, size_t cap, int64_t *rows, struct err *e)
{
	int problems = 0;
	int64_t unchained = 0;
	int rc = store_int(c->db, e, &unchained, "SELECT coalesce(min(id), 0) FROM audit WHERE hash IS NULL", "");
	if (rc)
		return rc;
	if (unchained) {
		say(report, cap, "audit row %lld: 不在链中 / not chained\n", (long long)unchained);
		problems++;
	}
	/* Rows claiming a chain that has no head. */
	int64_t orphan = 0;
	rc = store_int(c->db, e, &orphan,
		       "SELECT coalesce(min(id), 0) FROM audit WHERE hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
		       "audit_chains h WHERE h.community_id = coalesce(audit.community_id, 0))",
		       "");
	if (rc)
		return rc;
	if (orphan) {
		say(report, cap, "audit row %lld: 所属的链没有链头 / its chain has no head\n", (long long)orphan);
		problems++;
	}
	struct store_stmt *st;
	rc = store_prepare(
	    c->db, "SELECT community_id, seq, head_id, head_hash, head_mac FROM audit_chains ORDER BY community_id",
	    &st, e);
	if (rc)
		return rc;
	/* Heads copied out first: the chains are read with other statements. */
	int nheads = 0, cap_heads = 64;
	struct head {
		int64_t comm, seq, id;
		unsigned char hash[AUDIT_HASH_BYTES], mac[AUDIT_HASH_BYTES];
		bool has_hash, has_mac;
	} *heads = arena_alloc(c->a, (size_t)cap_heads * sizeof *heads);
	while ((rc = store_step(st, e)) == STORE_ROW) {
		if (nheads == cap_heads) {
			struct head *more = arena_alloc(c->a, (size_t)cap_heads * 2 * sizeof *heads);
			memcpy(more, heads, (size_t)nheads * sizeof *heads);
			heads = more;
			cap_heads *= 2;
		}
		struct head *h = &heads[nheads++];
		h->comm = store_col_int(st, 0);
		h->seq = store_col_int(st, 1);
		h->id = store_col_int(st, 2);
		size_t n = 0;
		const void *p = store_col_blob(st, 3, &n);
		h->has_hash = p && n == AUDIT_HASH_BYTES;
		if (h->has_hash)
			memcpy(h->hash, p, AUDIT_HASH_BYTES);
		p = store_col_blob(st, 4, &n);
		h->has_mac = p && n == AUDIT_HASH_BYTES;
		if (h->has_mac)
			memcpy(h->mac, p, AUDIT_HASH_BYTES);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < nheads; i++) {
		struct head *h = &heads[i];
		rc = verify_chain(c, h->comm, h->seq, h->id, h->has_hash ? h->hash : NULL, h->has_mac ? h->mac : NULL,
				  report, cap, rows, e);
		if (rc < 0)
			return rc;
		problems += rc;
	}
	return problems;
}

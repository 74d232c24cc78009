/*
 * audit_chain.h — the audit trail made tamper-evident: every audit row is
 * a link of a hash chain, one chain per community (the community the
 * row's record sits in; rows above community level — street, district,
 * accounts, configuration — form chain 0), so a deployment sharded by
 * community keeps each chain whole on its shard.
 *
 * A row stores its community, its place in the chain (chain_seq, 1, 2, …),
 * the previous row's hash (32 zero bytes for the first) and its own hash:
 * keyed BLAKE2b-256 over "linli-audit-v1", the previous hash and a
 * canonical serialisation of its fields (each field as length:bytes, NULL
 * as "~"). The key is a file outside the database beside the
 * personal-data key (created by `linli init`, mode 0600), so whoever can
 * write the database but not read that file cannot rewrite a row, drop
 * one, reorder them or cut the end off without `linli check` seeing it.
 * The head of each chain (audit_chains: count, last row, its hash and a
 * keyed MAC over them) is read and moved inside the writing transaction,
 * so two writers on one chain serialise on its head row.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_AUDIT_CHAIN_H
#define LINLI_AUDIT_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "domain/core/ctx.h"

#define AUDIT_HASH_BYTES 32

/* The fields of a row that its hash covers, as stored. */
struct audit_row {
	int64_t community_id, seq, user_id, entity_id;
	const char *at, *username, *action, *entity, *before, *after, *client; /* NULL = SQL NULL */
};

/* The community a row about this record belongs to (0: above community level). */
int audit_chain_community(const struct ctx *c, const char *entity, int64_t id, int64_t *out, struct err *e);
void audit_chain_hash(const unsigned char *key, const unsigned char prev[AUDIT_HASH_BYTES], const struct audit_row *r,
		      unsigned char out[AUDIT_HASH_BYTES]);
/* Inside the write transaction: takes the chain's head (locking it), gives
 * the next row's place and the previous hash. */
int audit_chain_next(const struct ctx *c, int64_t community, int64_t *seq, unsigned char prev[AUDIT_HASH_BYTES],
		     struct err *e);
/* Moves the head to the row just written. */
int audit_chain_advance(const struct ctx *c, int64_t community, int64_t seq, int64_t row_id,
			const unsigned char hash[AUDIT_HASH_BYTES], struct err *e);
/* Chains every row without a hash (rows written before the chain existed),
 * in id order, in one transaction; *sealed gets how many. */
int audit_chain_seal(const struct ctx *c, int64_t *sealed, struct err *e);
/* Whether any chain exists yet (a database whose key may be created). */
int audit_chain_exists(const struct ctx *c, bool *exists, struct err *e);
/* Verifies every chain; appends to report one line per broken chain,
 * naming its first broken row. Returns the number of problems (0: intact)
 * or a negative error; *rows gets the rows checked. */
int audit_chain_verify(const struct ctx *c, char *report, size_t cap, int64_t *rows, struct err *e);

#endif

/* lookup.c — counting, limiting and auditing lookups by full numbers. */
#include "domain/core/lookup.h"

#include <string.h>

#include "base/timeutil.h"
#include "domain/core/audit.h"
#include "domain/core/rows.h"
#include "store/store.h"

static bool limited(const struct ctx *c)
{
	return c->who && c->who->user_id > 0;
}

static const char *hour_ago(const struct ctx *c)
{
	char t[21];
	time_iso(time_now() - 3600, t);
	return arena_strdup(c->a, t);
}

int lookup_room(const struct ctx *c, int n, struct err *e)
{
	if (!limited(c))
		return 0;
	int64_t used = 0;
	int rc = store_int(c->db, e, &used, "SELECT coalesce(sum(n), 0) FROM lookups WHERE user_id = ? AND at > ?",
			   "it", c->who->user_id, hour_ago(c));
	if (rc)
		return rc;
	if (used + n > LOOKUP_PER_HOUR)
		return err_set(e, ERR_RATE, "q",
			       "按完整身份证号或电话查找每小时最多%d次，请稍后再试 / at most %d lookups by a full "
			       "ID-card or phone number per hour; try again later",
			       LOOKUP_PER_HOUR, LOOKUP_PER_HOUR);
	return 0;
}

int lookup_record(const struct ctx *c, int64_t node_id, const char *source, enum pii_kind kind, const char *number,
		  int64_t found, int n, struct err *e)
{
	if (!limited(c))
		return 0;
	bool own = !store_in_txn(c->db);
	int rc = own ? store_begin(c->db, e) : 0;
	if (rc)
		return rc;
	rc = store_run(c->db, e, "DELETE FROM lookups WHERE user_id = ? AND at <= ?", "it", c->who->user_id,
		       hour_ago(c));
	if (rc == 0)
		rc = store_run(c->db, e, "INSERT INTO lookups (user_id, at, n) VALUES (?, ?, ?)", "iti",
			       c->who->user_id, rows_now(c), (int64_t)n);
	json_t *what =
	    json_pack("{s:s, s:s, s:s?, s:I, s:i}", "source", source, "kind", kind == PII_ID_CARD ? "id_card" : "phone",
		      "number", number ? pii_mask(kind, number, c->a) : NULL, "found", (json_int_t)found, "n", n);
	if (rc == 0)
		rc = audit_log(c, "lookup", "node", node_id, NULL, what, e);
	json_decref(what);
	return own ? txn_finish(c, rc, e) : rc;
}

/*
 * request_side.c — what only residents' requests have, in their side
 * table `requests`: the channel a request came through, the resident's
 * rating, and the token an Open311 client follows it by; the checks a new
 * request's own input gets.
 */
#include <sodium.h>
#include <string.h>

#include "domain/requests/requests.h"
#include "store/store.h"

#define N(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

/* The seeds' collection channels (民情收集): residents themselves, the
 * heads' and grid workers' rounds, boxes and books, and integrations. */
static const struct enum_val channel_vals[] = {{"self", "居民自报", "self-report"},
					       {"visit", "上门走访", "home visit"},
					       {"box", "民情收集箱", "collection box"},
					       {"book", "居民建议记录本", "suggestion book"},
					       {"wechat", "微信群", "WeChat group"},
					       {"phone", "电话", "phone"},
					       {"walkin", "来访", "walk-in"},
					       {"patrol", "巡查", "patrol"},
					       {"qr", "扫码上报", "QR code"},
					       {"open311", "外部系统", "external system"},
					       {0}};

const struct enum_val REQUEST_RATINGS[] = {{"satisfied", "满意", "satisfied"},
					   {"basic", "基本满意", "basically satisfied"},
					   {"unsatisfied", "不满意", "not satisfied"},
					   {0}};

static const struct field request_fields[] = {
    {"channel", FT_ENUM, FF_NOUPDATE | FF_NOTNULL, 0, channel_vals, "反映渠道", "channel"},
    {"rating", FT_ENUM, FF_READONLY, 0, REQUEST_RATINGS, "评价", "rating"},
    {"rating_comment", FT_TEXT, FF_READONLY, 0, 0, "评价说明", "rating comment"},
    {"rated_at", FT_TEXT, FF_READONLY, 0, 0, "评价时间", "rated at"},
    {"external_token", FT_TEXT, FF_READONLY | FF_NOEXPORT | FF_SECRET, 0, 0, "外部令牌", "external token"},
};
const struct entity ENT_REQUEST = ENTITY("request", "requests", request_fields);

int request_create_check(const struct ctx *c, json_t *side, json_t *internal, const struct case_draft *d, struct err *e)
{
	const char *channel = json_string_value(json_object_get(side, "channel"));
	if (!channel) {
		/* Residents report from home or by a place's QR code; staff record
		 * what they heard on their rounds. */
		channel = d->resident ? (d->place_given ? "qr" : "self") : "visit";
		json_object_set_new(side, "channel", json_string(channel));
	}
	if (d->resident && strcmp(channel, "self") != 0 && strcmp(channel, "qr") != 0)
		return err_set(e, ERR_INVALID, "channel",
			       "居民自报渠道应为self或qr / residents report through self or qr");
	/* Open311 clients follow a new request by a token until it has an id
	 * they can show (GeoReport v2 "token"); it is written with the case. */
	if (!strcmp(channel, "open311")) {
		unsigned char raw[16];
		char token[33];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(token, sizeof token, raw, sizeof raw);
		json_object_set_new(internal, "external_token", json_string(token));
	}
	return 0;
}

int request_find_by_token(const struct ctx *c, const char *token, int64_t *id, struct err *e)
{
	*id = 0;
	if (store_int(c->db, NULL, id, "SELECT case_id FROM requests WHERE external_token = ?", "t", token) || !*id)
		return err_set(e, ERR_NOT_FOUND, "token", "没有这个令牌 / no such token");
	return 0;
}

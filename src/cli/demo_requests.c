/*
 * demo_requests.c — a year of residents' requests for the demo, made
 * through the case engine itself at past times (time_set_fake): reported
 * in each 邻 circle by its residents through the seeds' channels, then
 * accepted, escalated, handed over, resolved and rated in proportions that
 * look like a working community. Deterministic for a given seed.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/demo.h"
#include "domain/cases/cases.h"
#include "domain/core/bulk.h"
#include "domain/people/registry.h"
#include "domain/requests/requests.h"

static const struct {
	const char *category, *text;
} samples[] = {
    {"corridor_light", "楼道灯坏了，晚上上下楼看不清，老人出入不方便"},
    {"sewer", "楼下下水道堵了，污水外溢，气味很大"},
    {"parking", "小区门口乱停车，消防通道被堵"},
    {"charging", "电动车充电桩不够用，希望增设"},
    {"greening", "绿化带杂草丛生，需要修剪"},
    {"sanitation", "垃圾桶满了没人清运"},
    {"noise", "夜间装修噪音扰民"},
    {"safety", "楼道堆放杂物，存在消防隐患"},
    {"neighbour_dispute", "楼上漏水到楼下，两家协商不成"},
    {"property_service", "物业维修不及时，报修三天无人上门"},
    {"facilities", "健身器材损坏，单杠松动"},
    {"other", "希望社区组织老年人智能手机培训"},
};
static const char *const channels[] = {"self", "visit", "box", "book", "wechat", "phone", "walkin", "patrol", "qr"};

static unsigned rnd(unsigned long long *s, unsigned n)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return (unsigned)(*s % n);
}

static int act(const struct ctx *c, int64_t id, const char *action, json_t *in)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_act(c, id, action, in, &out, &e);
	json_decref(out);
	json_decref(in);
	return rc;
}

int demo_requests(struct cli_env *env, int64_t count, int64_t now)
{
	/* Every circle (and unit) with one of its residents as the usual reporter. */
	static const char *const kinds[] = {"circle", "unit", NULL};
	struct place_resident *circles;
	size_t n;
	struct err e = {0};
	if (registry_place_residents(&env->c, 0, kinds, &circles, &n, &e))
		return cli_fail(&e);
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	/* Seconds as int64_t, so the products below are computed in 64 bits. */
	const int64_t hour = 3600, day = 24 * hour;
	struct arena scratch;
	int rc = 0;
	for (int64_t i = 0; i < count && n; i++) {
		arena_init(&scratch);
		struct ctx c = env->c;
		c.a = &scratch;
		const struct place_resident *at = &circles[rnd(&seed, (unsigned)n)];
		int s = (int)rnd(&seed, sizeof samples / sizeof *samples);
		/* Spread over the past year, most of it finished. */
		int64_t t = now - (int64_t)rnd(&seed, (unsigned)(365 * day));
		time_set_fake(t);
		if (i % 5000 == 0 && bulk_begin(&env->c, &e)) {
			rc = cli_fail(&e);
			arena_free(&scratch);
			break;
		}
		json_t *in = json_pack("{s:s, s:s, s:I, s:s, s:I}", "category", samples[s].category, "description",
				       samples[s].text, "place_node_id", (json_int_t)at->node_id, "channel",
				       channels[rnd(&seed, 9)], "reporter_person_id", (json_int_t)at->person_id);
		json_t *out = NULL;
		rc = case_create(&c, &REQUEST_KIND, in, &out, &e);
		json_decref(in);
		if (rc) {
			fprintf(stderr, "linli demo: request: %s\n", e.msg);
			rc = 1;
			arena_free(&scratch);
			break;
		}
		int64_t id = json_integer_value(json_object_get(out, "id"));
		json_decref(out);
		unsigned fate = rnd(&seed, 100);
		bool recent = now - t < 5 * day;
		/* Requests older than two weeks are finished, as in a community
		 * that keeps up; only recent ones may still be open. */
		if (now - t > 14 * day && fate >= 80)
			fate = rnd(&seed, 80);
		time_set_fake(t + hour * (1 + rnd(&seed, 20)));
		if (fate < 85 && !recent)
			act(&c, id, "accept", json_object());
		if (fate < 12 && !recent) {
			time_set_fake(t + hour * (30 + rnd(&seed, 60)));
			act(&c, id, "escalate", json_pack("{s:s}", "reason", "需上级协调 / needs the level above"));
			act(&c, id, "accept", json_object());
		}
		if (fate < 80 && !recent) {
			time_set_fake(t + hour * (4 + rnd(&seed, 90)));
			act(&c, id, "resolve", json_pack("{s:s}", "outcome", "已处理完毕 / done"));
			if (fate < 60) {
				static const char *const ratings[] = {"satisfied", "satisfied", "satisfied", "basic",
								      "unsatisfied"};
				time_set_fake(t + hour * (100 + rnd(&seed, 48)));
				const char *rating = ratings[rnd(&seed, 5)];
				act(&c, id, "rate", json_pack("{s:s}", "rating", rating));
				if (!strcmp(rating, "unsatisfied") && !recent) {
					/* Reopened: done properly the second time. */
					time_set_fake(t + hour * (150 + rnd(&seed, 48)));
					act(&c, id, "resolve", json_pack("{s:s}", "outcome", "返工后已解决 / redone"));
					time_set_fake(t + hour * (200 + rnd(&seed, 48)));
					act(&c, id, "rate", json_pack("{s:s}", "rating", "basic"));
				}
			}
		}
		arena_free(&scratch);
		if ((i + 1) % 5000 == 0 || i + 1 == count) {
			if (bulk_commit(&env->c, &e)) {
				rc = cli_fail(&e);
				break;
			}
			if ((i + 1) % 100000 == 0)
				fprintf(stderr, "  %lld requests\n", (long long)i + 1);
		}
	}
	time_set_fake(0);
	return rc;
}

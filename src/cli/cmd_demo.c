/*
 * cmd_demo.c — `linli demo`: a realistic street (or city) to try and
 * measure linli with.
 *
 * Street scale follows seed 004 (书院路街道): five communities organised
 * 街道—社区—片—组—邻 with 51 片长, 217 组长 and 1112 邻长, each 邻 linked to
 * 5–15 households, plus a sixth community organised by grid, compound,
 * building and unit as in seed 003 (92 楼栋长, 276 单元长). Households have
 * 1–5 members (2.9 on average, as seed 001's 13,000 residents in 4,464
 * households). A parallel party tree mirrors the communities. Each
 * community has its organisations (物业, 业委会, 共建单位, a volunteer team,
 * a people's mediation committee …) with residents as members, and the
 * grid community two compound mediation rooms (seed 000's 睦“麟”调解工作室
 * and a 老黄调解室) whose mediators live in the compound. City scale
 * repeats the pattern to about 1,000,000 residents. The generator is
 * deterministic (fixed seed) and goes through the same domain code as the
 * API, in one bulk transaction per community (core/bulk.h); residents and
 * households are registered as one batch (registry_batch_*), recorded by
 * the one "demo" audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "domain/accounts/accounts.h"
#include "domain/core/bulk.h"
#include "domain/people/registry.h"
#include "domain/roles/org_members.h"
#include "domain/places/tree.h"
#include "domain/roles/roles.h"

static const char usage[] = "usage: linli demo --db FILE [--scale street|city] [--requests N] [--key FILE]\n"
			    "       linli demo --db FILE --add-requests N\n\n"
			    "Creates FILE and fills it with a demo: street scale (~40,000 residents in six\n"
			    "communities, 5,000 requests over the past year) or city scale (~1,000,000\n"
			    "residents, 1,000,000 requests). Prints the demo logins.\n";

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",  "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘",  "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "谭", "毛", "贺", "龚", "单", "欧阳"};
static const char *const given[] = {"贵", "宝", "明", "华", "建", "国", "秀", "英", "芳", "丽", "军", "平", "伟", "强",
				    "敏", "静", "红", "霞", "桂", "兰", "志", "文", "海", "燕", "玲", "斌", "勇", "杰",
				    "娟", "涛", "峰", "春", "梅", "林", "俊", "婷", "浩", "宇", "欣", "怡", "嘉", "子",
				    "晨", "阳", "雪", "德", "福", "荣", "金", "玉", "淑", "珍", "凤", "云", "琴", "翠"};
static const char *const tags[] = {"孤寡老人", "独居老人", "残疾人",   "退役军人",
				   "困难群众", "低保户",   "留守儿童", "高龄老人"};
static const char *const regions[] = {"430302", "430304", "430321", "430381", "430382", "620201", "330402", "421024"};

struct rng {
	unsigned long long s;
};

static unsigned rnd(struct rng *r, unsigned n)
{
	r->s ^= r->s << 13, r->s ^= r->s >> 7, r->s ^= r->s << 17;
	return (unsigned)(r->s % n);
}

struct demo {
	struct cli_env *env;
	struct rng rng;
	struct registry_batch batch; /* residents and households so far */
	int64_t idseq;
	int area_seq, group_seq, circle_seq;
	bool city;
	int64_t sample_resident, sample_circle, sample_area, sample_community;
	int64_t sample_head, sample_grid_worker, sample_secretary;
	int64_t sample_member; /* a resident of the street who serves its 司法所 */
};

static int64_t mk_node(struct demo *d, int64_t parent, const char *kind, const char *name, int64_t linked)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)parent, "kind", kind, "name", name),
	       *out = NULL;
	if (linked)
		json_object_set_new(in, "linked_node_id", json_integer(linked));
	struct err e = {0};
	int rc = tree_create(&d->env->c, in, &out, &e);
	json_decref(in);
	if (rc) {
		fprintf(stderr, "linli demo: node %s: %s\n", name, e.msg);
		exit(1);
	}
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static void id_card(struct demo *d, const char *birth, bool male, char out[19])
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int64_t k = d->idseq++;
	int seq = (int)((k / 8) % 499) * 2 + (male ? 1 : 2); /* odd: male */
	snprintf(out, 19, "%s%.4s%.2s%.2s%03d", regions[k % 8], birth, birth + 5, birth + 8, seq % 1000);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = 0;
}

/* One resident; returns the person id. */
static int64_t mk_person(struct demo *d, const struct ctx *c, int64_t hh, const char *surname, const char *relation,
			 int age, bool male)
{
	struct rng *r = &d->rng;
	char name[32], birth[16], idc[19], phone[12];
	snprintf(name, sizeof name, "%s%s%s", surname, given[rnd(r, 56)], rnd(r, 3) ? given[rnd(r, 56)] : "");
	/* Born age+1 years before this year: never in the future. */
	snprintf(birth, sizeof birth, "%04u-%02u-%02u", (unsigned)(time_year(time_now()) - age - 1) % 10000u,
		 1 + rnd(r, 12), 1 + rnd(r, 28));
	snprintf(phone, sizeof phone, "1%c%09u", "35789"[rnd(r, 5)], rnd(r, 1000000000));
	json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "household_id", (json_int_t)hh, "name", name,
			      "gender", male ? "M" : "F", "birth_date", birth, "relation", relation, "ethnicity",
			      rnd(r, 20) ? "汉族" : "土家族", "residence", rnd(r, 8) ? "permanent" : "floating");
	if (age >= 16)
		json_object_set_new(p, "phone", json_string(phone));
	int party = age >= 18 && rnd(r, 100) < 7;
	json_object_set_new(p, "political_status",
			    json_string(party                                     ? "party_member"
					: age < 28 && age >= 14 && rnd(r, 3) == 0 ? "league_member"
										  : "masses"));
	json_t *tg = json_array();
	if (age >= 80 && rnd(r, 3) == 0)
		json_array_append_new(tg, json_string(tags[7]));
	if (age >= 65 && rnd(r, 30) == 0)
		json_array_append_new(tg, json_string(tags[rnd(r, 2)]));
	if (rnd(r, 60) == 0)
		json_array_append_new(tg, json_string(tags[2]));
	if (age >= 30 && male && rnd(r, 50) == 0)
		json_array_append_new(tg, json_string(tags[3]));
	if (rnd(r, 80) == 0)
		json_array_append_new(tg, json_string(tags[4 + rnd(r, 2)]));
	if (age < 14 && rnd(r, 40) == 0)
		json_array_append_new(tg, json_string(tags[6]));
	json_object_set_new(p, "tags", tg);
	struct err e = {0};
	int64_t id = 0;
	int rc = -1;
	for (int tries = 0; rc && tries < 8; tries++) {
		id_card(d, birth, male, idc);
		json_object_set_new(p, "id_card", json_string(idc));
		rc = registry_batch_person(c, &d->batch, p, &id, &e);
		if (rc && rc != ERR_CONFLICT)
			break;
	}
	json_decref(p);
	if (rc) {
		fprintf(stderr, "linli demo: person %s: %s\n", name, e.msg);
		exit(1);
	}
	return id;
}

/* A household of 1–5 at node; returns its head. */
static int64_t mk_household(struct demo *d, int64_t node, const char *address)
{
	struct rng *r = &d->rng;
	json_t *h = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "address", address, "tenure",
			      rnd(r, 6) == 0 ? "rented" : "owned");
	struct err e = {0};
	int64_t hh;
	/* Per-household scratch memory, so a million residents fit in little. */
	struct arena scratch;
	arena_init(&scratch);
	struct ctx c = d->env->c;
	c.a = &scratch;
	if (registry_batch_household(&c, &d->batch, h, &hh, &e)) {
		fprintf(stderr, "linli demo: household: %s\n", e.msg);
		exit(1);
	}
	json_decref(h);
	/* 1..5 members; the weights give 2.9 on average. */
	static const int sizes[] = {1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 2, 3, 4, 3, 2, 2};
	int n = sizes[rnd(r, 20)];
	const char *sur = surnames[rnd(r, 56)];
	int head_age = 28 + (int)rnd(r, 62);
	bool head_male = rnd(r, 2);
	int64_t head = mk_person(d, &c, hh, sur, "head", head_age, head_male);
	if (n >= 2)
		mk_person(d, &c, hh, surnames[rnd(r, 56)], "spouse", head_age - 3 + (int)rnd(r, 7), !head_male);
	for (int i = 2; i < n; i++) {
		bool older = head_age < 45 && i == 4;
		int age = older ? head_age + 25 + (int)rnd(r, 5) : head_age - 22 - (int)rnd(r, 12);
		if (age < 0)
			age = (int)rnd(r, 6);
		mk_person(d, &c, hh, sur, older ? "parent" : "child", age, rnd(r, 2));
	}
	arena_free(&scratch);
	return head;
}

static void appoint(struct demo *d, int64_t node, int64_t person, const char *role, const char *since)
{
	char phone[16];
	snprintf(phone, sizeof phone, "13%09u", rnd(&d->rng, 1000000000));
	json_t *in = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "node_id", (json_int_t)node, "person_id",
			       (json_int_t)person, "role", role, "start_date", since, "public_phone", phone,
			       "selection", rnd(&d->rng, 2) ? "self" : "mass"),
	       *out = NULL;
	struct err e = {0};
	if (roles_create(&d->env->c, in, &out, &e)) {
		fprintf(stderr, "linli demo: role %s: %s\n", role, e.msg);
		exit(1);
	}
	json_decref(in);
	json_decref(out);
}

static int64_t org(struct demo *d, int64_t node, const char *kind, const char *name, const char *contact)
{
	json_t *in = json_pack("{s:I, s:s, s:s, s:s}", "node_id", (json_int_t)node, "kind", kind, "name", name,
			       "contact_name", contact),
	       *out = NULL;
	struct err e = {0};
	if (orgs_create(&d->env->c, in, &out, &e)) {
		fprintf(stderr, "linli demo: org %s: %s\n", name, e.msg);
		exit(1);
	}
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

/* Members use no randomness, so the residents generated after them stay
 * the same whatever organisations the demo has. */
static void member(struct demo *d, int64_t org_id, int64_t person, const char *role, const char *since)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)person, "role", role, "start_date", since),
	       *out = NULL;
	struct err e = {0};
	if (org_members_add(&d->env->c, org_id, in, &out, &e)) {
		fprintf(stderr, "linli demo: member %s of org %lld: %s\n", role, (long long)org_id, e.msg);
		exit(1);
	}
	json_decref(in);
	json_decref(out);
}

/* Residents picked while a community is generated, to serve in its
 * organisations: one per neighbour circle, from different households. */
struct pool {
	int64_t p[24];
	int n, next;
};

static void pool_add(struct pool *pl, int64_t person)
{
	if (pl->n < (int)(sizeof pl->p / sizeof *pl->p))
		pl->p[pl->n++] = person;
}

static int64_t pool_take(struct pool *pl)
{
	return pl->p[pl->next++ % pl->n];
}

static const char *const community_names[] = {"葩金", "晓塘",   "松涛", "书院", "湘江", "建设", "天星",
					      "林峰", "阳光苑", "岳塘", "宝塔", "东湖", "滨江", "桃园",
					      "和平", "幸福",   "向阳", "红旗", "光明", "新城"};
static const char *const compound_names[] = {"松涛里", "金桂园", "枫林苑", "翠竹", "丽景",
					     "锦绣",   "书香",   "滨湖",   "春晖", "和园"};

/* A community organised 社区—片—组—邻 (seed 004). */
static void gen_three_heads(struct demo *d, int64_t street, int64_t party_street, const char *name, int areas)
{
	char buf[128];
	int64_t comm = mk_node(d, street, "community", name, 0);
	int64_t pcomm =
	    mk_node(d, party_street, "party_general_branch", arena_printf(d->env->c.a, "%s党总支", name), comm);
	if (!d->sample_community)
		d->sample_community = comm;
	int64_t first_head = 0;
	struct pool pl = {0};
	for (int a = 0; a < areas; a++) {
		int ai = d->area_seq++;
		snprintf(buf, sizeof buf, "第%d片区", a + 1);
		int64_t area = mk_node(d, comm, "area", buf, 0);
		int64_t pbranch =
		    mk_node(d, pcomm, "party_branch", arena_printf(d->env->c.a, "%s第%d网格党支部", name, a + 1), area);
		int groups = d->city ? 5 : 4 + (ai < 13);
		int64_t area_head = 0;
		for (int g = 0; g < groups; g++) {
			int gi = d->group_seq++;
			const char *cn = compound_names[(a * 7 + g) % 10];
			snprintf(buf, sizeof buf, "%s%d组", cn, g + 1);
			int64_t grp = mk_node(d, area, "group", buf, 0);
			mk_node(d, pbranch, "party_group", arena_printf(d->env->c.a, "%s党小组", buf), grp);
			int circles = d->city ? 5 : 5 + (gi < 27);
			int64_t group_head = 0;
			for (int c = 0; c < circles; c++) {
				d->circle_seq++;
				snprintf(buf, sizeof buf, "%s%d组第%d邻", cn, g + 1, c + 1);
				int64_t circle = mk_node(d, grp, "circle", buf, 0);
				int nh = 5 + (int)rnd(&d->rng, 11);
				int64_t heads[16];
				for (int h = 0; h < nh; h++) {
					snprintf(buf, sizeof buf, "%s小区%d栋%d单元%d0%d", cn, g * 6 + c + 1, 1 + h / 6,
						 1 + (h % 6) / 2 + 1, 1 + h % 2);
					heads[h] = mk_household(d, circle, buf);
				}
				appoint(d, circle, heads[0], "neighbour_head", "2023-03-01");
				pool_add(&pl, heads[4]);
				if (!d->sample_circle) {
					d->sample_circle = circle;
					d->sample_head = heads[0];
					/* The demo resident holds no role: a household of its own. */
					d->sample_resident =
					    mk_household(d, circle, arena_printf(d->env->c.a, "%s小区1栋1单元808", cn));
				}
				if (!group_head)
					group_head = heads[1];
				if (!area_head && c == 1)
					area_head = heads[2];
				if (!first_head)
					first_head = heads[3];
			}
			appoint(d, grp, group_head, "group_head", "2023-03-01");
		}
		appoint(d, area, area_head, "area_head", "2023-03-01");
		appoint(d, area, area_head + 1, "grid_worker", "2022-07-01");
		if (!d->sample_area) {
			d->sample_area = area;
			d->sample_grid_worker = area_head + 1;
		}
		int64_t property =
		    org(d, area, "property", arena_printf(d->env->c.a, "%s物业服务有限公司", compound_names[a % 10]),
			"物业经理");
		member(d, property, area_head + 2, "liaison", "2023-03-01");
	}
	appoint(d, comm, first_head, "community_secretary", "2021-05-01");
	appoint(d, comm, first_head + 1, "community_director", "2021-05-01");
	appoint(d, comm, first_head + 2, "mediator", "2022-01-01");
	if (!d->sample_secretary)
		d->sample_secretary = first_head;
	/* The people's mediation committee: the community's 调解员 leads it. */
	int64_t mc = org(d, comm, "mediation_committee", arena_printf(d->env->c.a, "%s人民调解委员会", name), "主任");
	member(d, mc, first_head + 2, "lead", "2022-01-01");
	for (int i = 0; i < 3; i++) {
		int64_t p = pool_take(&pl);
		member(d, mc, p == first_head + 2 ? pool_take(&pl) : p, "mediator", "2022-01-01");
	}
	int64_t oc = org(d, comm, "owners_committee", arena_printf(d->env->c.a, "%s业主委员会", name), "业委会主任");
	member(d, oc, pool_take(&pl), "lead", "2023-01-01");
	for (int i = 0; i < 4; i++)
		member(d, oc, pool_take(&pl), "member", "2023-01-01");
	int64_t cb = org(d, comm, "cobuild", arena_printf(d->env->c.a, "%s共建单位·区人民医院", name), "联络员");
	member(d, cb, pool_take(&pl), "liaison", "2022-06-01");
	int64_t vt = org(d, comm, "volunteer_team", arena_printf(d->env->c.a, "%s志愿服务队", name), "队长");
	member(d, vt, pool_take(&pl), "leader", "2022-03-05");
	for (int i = 0; i < 6; i++)
		member(d, vt, pool_take(&pl), "member", "2022-03-05");
	int64_t so = org(d, comm, "social", arena_printf(d->env->c.a, "%s老年协会", name), "会长");
	member(d, so, pool_take(&pl), "lead", "2021-09-01");
	int64_t mt = org(d, comm, "merchant", arena_printf(d->env->c.a, "%s便民超市", name), "店长");
	member(d, mt, pool_take(&pl), "lead", "2020-05-01");
	if (!d->sample_member)
		d->sample_member = pool_take(&pl);
}

/* A community organised 社区—网格—小区—楼栋—单元 (seed 003's "1+1+N"). */
static void gen_grid_units(struct demo *d, int64_t street, int64_t party_street, const char *name)
{
	char buf[128];
	int64_t comm = mk_node(d, street, "community", name, 0);
	mk_node(d, party_street, "party_general_branch", arena_printf(d->env->c.a, "%s党总支", name), comm);
	int building_total = 0;
	int64_t first = 0;
	int64_t rooms[2] = {0, 0}; /* the first two compounds: their mediation rooms */
	struct pool pl[2];
	memset(pl, 0, sizeof pl);
	for (int g = 0; g < 6; g++) {
		snprintf(buf, sizeof buf, "第%d网格", g + 1);
		int64_t grid = mk_node(d, comm, "grid", buf, 0);
		int64_t grid_head = 0;
		for (int c = 0; c < 2; c++) {
			const char *cn = compound_names[(g * 2 + c) % 10];
			int64_t comp = mk_node(d, grid, "compound", arena_printf(d->env->c.a, "%s小区", cn), 0);
			int ci = g * 2 + c;
			int nb =
			    building_total + 8 <= 92 ? (g * 2 + c < 11 ? 8 : 92 - building_total) : 92 - building_total;
			for (int b = 0; b < nb; b++, building_total++) {
				int64_t bld =
				    mk_node(d, comp, "building", arena_printf(d->env->c.a, "%s%d栋", cn, b + 1), 0);
				int64_t bhead = 0;
				for (int u = 0; u < 3; u++) {
					int64_t unit =
					    mk_node(d, bld, "unit",
						    arena_printf(d->env->c.a, "%s%d栋%d单元", cn, b + 1, u + 1), 0);
					int64_t uhead = 0;
					for (int h = 0; h < 4; h++) {
						snprintf(buf, sizeof buf, "%s小区%d栋%d单元%d01", cn, b + 1, u + 1,
							 h + 1);
						int64_t head = mk_household(d, unit, buf);
						if (!uhead)
							uhead = head;
						else if (ci < 2 && h == 3)
							pool_add(&pl[ci], head);
					}
					appoint(d, unit, uhead, "unit_head", "2023-06-01");
					if (!bhead)
						bhead = uhead;
				}
				appoint(d, bld, bhead, "building_head", "2023-06-01");
				if (!grid_head)
					grid_head = bhead;
			}
			org(d, comp, "property", arena_printf(d->env->c.a, "%s物业", cn), "物业经理");
			if (ci < 2)
				rooms[ci] = comp;
		}
		appoint(d, grid, grid_head, "grid_leader", "2022-01-01");
		appoint(d, grid, grid_head + 1, "grid_worker", "2022-01-01");
		if (!first)
			first = grid_head;
	}
	appoint(d, comm, first + 2, "community_secretary", "2021-05-01");
	/* Seed 000: a compound mediation room with local people, legal experts
	 * and party members around one table; and one named after its
	 * mediator, 老黄, an old resident of the second compound. */
	int64_t mulin = org(d, rooms[0], "mediation_room", "睦“麟”调解工作室", "调解室负责人");
	member(d, mulin, pool_take(&pl[0]), "lead", "2021-10-01");
	for (int i = 0; i < 3; i++)
		member(d, mulin, pool_take(&pl[0]), "mediator", "2021-10-01");
	member(d, mulin, pool_take(&pl[0]), "legal_adviser", "2022-03-01");
	int64_t huang = org(d, rooms[1], "mediation_room", "老黄调解室", "黄师傅");
	/* The last rng draws of the demo's places: nothing generated after this uses them. */
	int64_t hh = 0;
	struct err e = {0};
	json_t *h = json_pack("{s:I, s:s}", "node_id", (json_int_t)rooms[1], "address",
			      arena_printf(d->env->c.a, "%s小区1栋1单元102", compound_names[1]));
	if (registry_batch_household(&d->env->c, &d->batch, h, &hh, &e)) {
		fprintf(stderr, "linli demo: household: %s\n", e.msg);
		exit(1);
	}
	json_decref(h);
	member(d, huang, mk_person(d, &d->env->c, hh, "黄", "head", 67, true), "lead", "2019-04-01");
	member(d, huang, pool_take(&pl[1]), "mediator", "2020-01-01");
	member(d, huang, pool_take(&pl[1]), "co_mediator", "2023-05-01");
	int64_t mc = org(d, comm, "mediation_committee", arena_printf(d->env->c.a, "%s人民调解委员会", name), "主任");
	member(d, mc, first + 3, "lead", "2021-05-01");
	member(d, mc, pool_take(&pl[1]), "mediator", "2021-05-01");
	/* Seed 003's "建设姐姐" volunteers, who help people in difficulty one to one. */
	int64_t vt = org(d, comm, "volunteer_team", "“建设姐姐”志愿队", "队长");
	member(d, vt, pool_take(&pl[0]), "leader", "2020-08-01");
	for (int i = 0; i < 5; i++)
		member(d, vt, pool_take(&pl[i % 2]), "member", "2020-08-01");
}

static void street(struct demo *d, int64_t parent, int64_t party_parent, const char *name, int communities,
		   int name_off)
{
	int64_t st = parent ? mk_node(d, parent, "street", name, 0) : 1;
	int64_t pst = party_parent
			  ? mk_node(d, party_parent, "party_committee", arena_printf(d->env->c.a, "%s党工委", name), st)
			  : 0;
	if (!pst) {
		/* The party tree's root, mirroring the street. */
		struct err e = {0};
		const struct ctx *c = &d->env->c;
		if (bulk_begin(c, &e) ||
		    tree_create_root(c, "party_committee", arena_printf(c->a, "%s党工委", name), st, &pst, &e) ||
		    bulk_commit(c, &e))
			exit(cli_fail(&e));
	}
	org(d, st, "department", arena_printf(d->env->c.a, "%s派出所", name), "所长");
	int64_t justice = org(d, st, "department", arena_printf(d->env->c.a, "%s司法所", name), "所长");
	org(d, st, "department", arena_printf(d->env->c.a, "%s城管中队", name), "中队长");
	org(d, st, "department", "供电公司营业所", "客户经理");
	static const int areas[] = {11, 10, 10, 10, 10};
	d->sample_member = 0;
	for (int i = 0; i < communities; i++) {
		struct err e = {0};
		if (bulk_begin(&d->env->c, &e))
			exit(cli_fail(&e));
		const char *cn = arena_printf(d->env->c.a, "%s社区", community_names[(name_off + i) % 20]);
		if (d->city)
			gen_three_heads(d, st, pst, cn, 10);
		else
			gen_three_heads(d, st, pst, cn, areas[i]);
		if (bulk_commit(&d->env->c, &e))
			exit(cli_fail(&e));
		fprintf(stderr, "  %s: %lld residents so far\n", cn, (long long)d->batch.people);
	}
	if (!d->city) {
		struct err e = {0};
		if (bulk_begin(&d->env->c, &e))
			exit(cli_fail(&e));
		gen_grid_units(d, st, pst, "建设社区");
		if (bulk_commit(&d->env->c, &e))
			exit(cli_fail(&e));
	}
	/* A resident of the street serves as the 司法所's liaison (法律明白人). */
	if (d->sample_member)
		member(d, justice, d->sample_member, "liaison", "2023-01-01");
}

static int64_t user(struct demo *d, const char *name, const char *display, int64_t person, bool admin)
{
	json_t *in = json_pack("{s:s, s:s, s:b}", "username", name, "display_name", display, "is_admin", admin),
	       *out = NULL;
	if (person)
		json_object_set_new(in, "person_id", json_integer(person));
	struct err e = {0};
	if (account_create(&d->env->c, in, DEMO_PASSWORD, &out, &e)) {
		fprintf(stderr, "linli demo: user %s: %s\n", name, e.msg);
		exit(1);
	}
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

int cmd_demo(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db"), *scale = cli_opt(argc, argv, "--scale");
	const char *nreq = cli_opt(argc, argv, "--requests");
	if (!db || (scale && strcmp(scale, "street") != 0 && strcmp(scale, "city") != 0)) {
		fputs(usage, stderr);
		return 2;
	}
	bool city = scale && !strcmp(scale, "city");
	const char *add = cli_opt(argc, argv, "--add-requests");
	int64_t requests = city ? 1000000 : 5000, more = 0;
	if ((add && !cli_int("--add-requests", add, 1, INT32_MAX, &more)) ||
	    (nreq && !cli_int("--requests", nreq, 0, INT32_MAX, &requests)))
		return 2;
	if (add) {
		/* More history for an existing demo database (benchmarks). */
		struct cli_env env;
		int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
		if (rc == 0)
			rc = demo_requests(&env, more, time_now());
		if (rc == 0)
			bulk_optimize(&env.c, NULL);
		if (rc == 0)
			printf("added %lld requests to %s\n", (long long)more, db);
		cli_close(&env);
		return rc;
	}
	struct err e = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cli_create_db(db, cli_opt(argc, argv, "--key"), city ? "city" : "street", city ? "示范市" : "书院路街道",
			  "admin", DEMO_ADMIN_PASSWORD, &e))
		return cli_fail(&e);
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	/* Bulk loading: the journal stays on, but commits need not wait for
	 * the disk; the final checkpoint below makes everything durable. */
	bulk_load(&env.c, true, NULL);
	struct demo d = {.env = &env, .rng = {0x5eed1234abcdULL}, .city = city};
	if (city) {
		for (int di = 0; di < 2; di++) {
			int64_t dist = mk_node(&d, 1, "district", di ? "湖滨区" : "岳塘区", 0);
			for (int s = 0; s < 5; s++)
				street(&d, dist, 0, arena_printf(env.c.a, "%s第%d街道", di ? "湖滨" : "岳塘", s + 1),
				       14, di * 5 + s);
		}
	} else {
		street(&d, 0, 0, "书院路街道", 5, 0);
	}
	/* Demo accounts: roles give them their reach (see accounts.h). */
	user(&d, "shuji", "社区书记", d.sample_secretary, false);
	user(&d, "wangge", "网格员", d.sample_grid_worker, false);
	user(&d, "linzhang", "邻长", d.sample_head, false);
	user(&d, "jumin", "居民", d.sample_resident, false);
	int64_t staff = user(&d, "jiedao", "街道干部", 0, false);
	json_t *g = NULL;
	account_grant(&env.c, staff, 1, "officer", &g, &e);
	json_decref(g);
	/* The registry batch's one audit row: the scale and the counts. */
	json_t *summary = json_pack("{s:s}", "scale", city ? "city" : "street");
	rc = bulk_begin(&env.c, &e);
	if (rc == 0)
		rc = registry_batch_audit(&env.c, &d.batch, "demo", 1, summary, &e);
	if (rc == 0)
		rc = bulk_commit(&env.c, &e);
	else
		bulk_rollback(&env.c);
	json_decref(summary);
	if (rc)
		return cli_fail(&e);
	if (requests > 0 && demo_requests(&env, requests, time_now()))
		return 1;
	bulk_optimize(&env.c, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("demo database %s: %lld residents in %lld households, %d 片, %d 组, %d 邻, %lld requests (%.1f s)\n", db,
	       (long long)d.batch.people, (long long)d.batch.households, d.area_seq, d.group_seq, d.circle_seq,
	       (long long)requests, secs);
	printf("logins (password " DEMO_PASSWORD " unless noted):\n"
	       "  admin / " DEMO_ADMIN_PASSWORD "   系统管理员 administrator\n"
	       "  jiedao                  街道干部 street officer (whole street)\n"
	       "  shuji                   社区书记 community secretary (node %lld)\n"
	       "  wangge                  网格员 grid worker (片区 node %lld)\n"
	       "  linzhang                邻长 neighbour head (邻 node %lld)\n"
	       "  jumin                   居民 resident (own household)\n",
	       (long long)d.sample_community, (long long)d.sample_area, (long long)d.sample_circle);
	cli_close(&env);
	return 0;
}

/*
 * authz.c — tree-scoped authorisation.
 *
 * A grant at node N with path P covers every node whose path starts with P.
 * Deny by default: no grant, no access. Administrators hold manager access
 * at every node.
 */
#include "domain/core/ctx.h"

#include <string.h>

enum access authz_access(const struct actor *who, const char *node_path)
{
	if (!who)
		return ACC_NONE;
	if (who->is_admin)
		return ACC_MANAGER;
	enum access best = ACC_NONE;
	for (int i = 0; i < who->ngrants; i++) {
		const char *p = who->grants[i].path;
		if (p && node_path && strncmp(node_path, p, strlen(p)) == 0 && who->grants[i].access > best)
			best = who->grants[i].access;
	}
	return best;
}

int authz_require(const struct actor *who, const char *node_path, enum access need, struct err *e)
{
	if (authz_access(who, node_path) >= need)
		return 0;
	return err_set(e, ERR_FORBIDDEN, NULL, "需要%s权限 / requires %s access here", access_name(need),
		       access_name(need));
}

const char *access_name(enum access a)
{
	static const char *names[] = {"none", "viewer", "worker", "officer", "manager"};
	return a >= ACC_NONE && a <= ACC_MANAGER ? names[a] : "none";
}

int access_parse(const char *s)
{
	for (int a = ACC_VIEWER; a <= ACC_MANAGER; a++)
		if (s && strcmp(s, access_name((enum access)a)) == 0)
			return a;
	return -1;
}

const char *authz_home(const struct actor *who)
{
	if (!who)
		return NULL;
	if (who->is_admin)
		return "/";
	const char *best = NULL;
	for (int i = 0; i < who->ngrants; i++)
		if (!best || strlen(who->grants[i].path) < strlen(best))
			best = who->grants[i].path;
	return best;
}

/* handlers.h — every route handler, one group per resource file. */
#ifndef LINLI_HANDLERS_H
#define LINLI_HANDLERS_H

#include "api/api.h"

/* api_auth.c */
void h_login(struct api *r);
void h_login_totp(struct api *r);
void h_login_totp_setup(struct api *r);
void h_totp_enrol(struct api *r);
void h_totp_confirm(struct api *r);
void h_totp_disable(struct api *r);
void h_users_totp_reset(struct api *r);
void h_logout(struct api *r);
void h_me(struct api *r);
void h_tokens_list(struct api *r);
void h_tokens_delete(struct api *r);
/* api_meta.c */
void h_health(struct api *r);
void h_openapi(struct api *r);
void h_meta_fields(struct api *r);
void h_text_annotate(struct api *r);
/* api_nodes.c */
void h_kinds_list(struct api *r);
void h_kinds_put(struct api *r);
void h_nodes_list(struct api *r);
void h_nodes_create(struct api *r);
void h_nodes_get(struct api *r);
void h_nodes_update(struct api *r);
void h_nodes_move(struct api *r);
void h_nodes_retire(struct api *r);
void h_nodes_children(struct api *r);
void h_nodes_ancestors(struct api *r);
void h_nodes_subtree(struct api *r);
void h_nodes_contacts(struct api *r);
/* api_people.c */
void h_people_list(struct api *r);
void h_people_create(struct api *r);
void h_people_get(struct api *r);
void h_people_update(struct api *r);
void h_people_move(struct api *r);
void h_people_history(struct api *r);
void h_households_list(struct api *r);
void h_households_create(struct api *r);
void h_households_get(struct api *r);
void h_households_update(struct api *r);
/* The residents table's search and filters from the query string, shared by
 * GET /people and its export so both select the same people. The keys it
 * reads, for api_qkeys lists: */
#define PERSON_FILTER_KEYS "q", "tag", "residence", "status", "political_status", "gender", "household", "sort"
struct person_filter;
/* Fills f (leaving node, paging and reveal alone); answers 400 and returns
 * false on a bad value. */
bool api_person_filter(struct api *r, struct person_filter *f);
/* api_roles.c */
void h_role_types(struct api *r);
void h_roles_list(struct api *r);
void h_roles_create(struct api *r);
void h_roles_update(struct api *r);
void h_orgs_list(struct api *r);
void h_orgs_create(struct api *r);
void h_orgs_get(struct api *r);
void h_orgs_update(struct api *r);
/* api_orgs.c */
void h_org_kinds_list(struct api *r);
void h_org_kinds_create(struct api *r);
void h_org_kinds_update(struct api *r);
void h_org_roles_list(struct api *r);
void h_org_roles_create(struct api *r);
void h_org_roles_update(struct api *r);
void h_org_members_list(struct api *r);
void h_org_members_add(struct api *r);
void h_org_members_end(struct api *r);
void h_people_orgs(struct api *r);
void h_nodes_nearest_org(struct api *r);
/* api_users.c */
void h_users_list(struct api *r);
void h_users_create(struct api *r);
void h_users_get(struct api *r);
void h_users_update(struct api *r);
void h_users_password(struct api *r);
void h_users_grant(struct api *r);
void h_grants_delete(struct api *r);
void h_audit_list(struct api *r);
/* api_stats.c */
void h_stats(struct api *r);
/* api_requests.c */
void h_categories_list(struct api *r);
void h_categories_put(struct api *r);
/* api/cases/: every case kind at /api/v1/{kind} (r->kind) */
void h_case_kinds(struct api *r);
void h_cases_list(struct api *r);
void h_cases_create(struct api *r);
void h_cases_get(struct api *r);
void h_cases_act(struct api *r);
void h_cases_orgs(struct api *r);
void h_cases_file_add(struct api *r);
void h_files_get(struct api *r);
void h_requests_stats(struct api *r);
void h_requests_summary(struct api *r);
void h_notifications_list(struct api *r);
void h_notifications_read(struct api *r);
void h_webhooks_list(struct api *r);
void h_webhooks_create(struct api *r);
void h_webhooks_update(struct api *r);
void h_webhooks_deliveries(struct api *r);
void h_nodes_qr(struct api *r);
/* api_open311.c */
void h_o311_discovery(struct api *r);
void h_o311_services(struct api *r);
void h_o311_service(struct api *r);
void h_o311_requests_list(struct api *r);
void h_o311_request_post(struct api *r);
void h_o311_request_get(struct api *r);
void h_o311_token(struct api *r);
/* api_transfer.c */
void h_import_people(struct api *r);
void h_export(struct api *r);

#endif

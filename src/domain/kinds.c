/*
 * kinds.c — the kinds of case there are: one line per kind. Adding a kind
 * is its folder, its migration, its line here, its pages and its rows in
 * the test tables.
 */
#include "domain/cases/case_kind.h"
#include "domain/requests/requests.h"

const struct case_kind *const case_kinds[] = {&REQUEST_KIND, NULL};

/*
 * requests.h — residents' requests (民情诉求), the case engine's first
 * kind: reported from the phone page or recorded on a resident's behalf,
 * handled at the lowest level that can, escalated when not, and closed by
 * the resident's rating (满意/基本满意 close; the first 不满意 reopens it at
 * the same level, a second one escalates it).
 * Thread-safety: the description is read-only.
 */
#ifndef LINLI_REQUESTS_H
#define LINLI_REQUESTS_H

#include "domain/cases/case_kind.h"

extern const struct case_kind REQUEST_KIND;

#endif

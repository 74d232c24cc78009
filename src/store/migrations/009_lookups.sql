-- 009_lookups: the counter of exact-match lookups by a full ID-card or
-- phone number, per account (domain/core/lookup.c). One row per recorded
-- lookup, n = how many numbers it tested (a search: 1; an import: its rows
-- refused as already registered); an account may have LOOKUP_PER_HOUR in
-- any hour. Rows older than an hour are deleted as an account's new ones
-- come. Each lookup also has its audit row; this table only counts.
CREATE TABLE lookups (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  at TEXT NOT NULL,
  n INTEGER NOT NULL
);
CREATE INDEX lookups_user ON lookups(user_id, at);

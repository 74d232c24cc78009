-- 001_foundation: the tree, the registry, roles, organisations, accounts, audit.
-- Times are UTC ISO-8601 text; dates YYYY-MM-DD. Every row that belongs to a
-- place carries node_path (materialised path '/1/7/42/') so a subtree is one
-- index range, and community_id so a city deployment can shard by community.
-- Parts only one engine understands sit in "-- @sqlite" / "-- @postgres"
-- blocks ending with "-- @end"; the rest is shared (store/pg_sql.h).

-- @postgres
-- What SQLite has built in and the shared SQL uses: instr(), sum() over
-- conditions, and the full-text query of base/textsearch.c's FTS5 syntax
-- ("a" + "b" AND "c") as a tsquery.
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT strpos(haystack, needle) $$;
CREATE FUNCTION linli_bool_sum(acc bigint, b boolean) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT acc + CASE WHEN b THEN 1 ELSE 0 END $$;
CREATE AGGREGATE sum(boolean) (SFUNC = linli_bool_sum, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION linli_tsquery(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT to_tsquery('simple', replace(replace(replace(q, '" AND "', ' & '), '" + "', ' <-> '), '"', ''))
$$;
-- Every write changes a named counter (see 003); one statement-level
-- trigger function serves all tables. The counter takes the writing
-- transaction's id, so a transaction of many statements updates its row
-- once instead of piling up row versions of one hot row.
CREATE FUNCTION linli_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE counters SET value = txid_current() WHERE name = TG_ARGV[0] AND value <> txid_current();
  RETURN NULL;
END $$;
-- @end

CREATE TABLE node_kinds (
  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 32),
  tree TEXT NOT NULL CHECK (tree IN ('org', 'party')),
  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 20),
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  is_community INTEGER NOT NULL DEFAULT 0 CHECK (is_community IN (0, 1))
);

CREATE TABLE nodes (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES nodes(id),
  kind TEXT NOT NULL REFERENCES node_kinds(code),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  name_initials TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL UNIQUE,
  depth INTEGER NOT NULL CHECK (depth >= 0),
  community_id INTEGER,
  linked_node_id INTEGER REFERENCES nodes(id),
  address TEXT CHECK (address IS NULL OR length(address) <= 200),
  sort_order INTEGER NOT NULL DEFAULT 0,
  retired_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX nodes_parent ON nodes(parent_id, sort_order, id);
CREATE INDEX nodes_initials ON nodes(name_initials);

CREATE TABLE households (
  id INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  community_id INTEGER,
  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  tenure TEXT NOT NULL DEFAULT 'owned' CHECK (tenure IN ('owned', 'rented', 'public', 'other')),
  head_person_id INTEGER,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  note TEXT CHECK (note IS NULL OR length(note) <= 1000),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX households_path ON households(node_path, id);
CREATE INDEX households_node ON households(node_id);

CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  household_id INTEGER REFERENCES households(id),
  node_id INTEGER REFERENCES nodes(id),
  node_path TEXT NOT NULL DEFAULT '',
  community_id INTEGER,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
  name_initials TEXT NOT NULL DEFAULT '',
  name_pinyin TEXT NOT NULL DEFAULT '',
  gender TEXT CHECK (gender IS NULL OR gender IN ('M', 'F')),
  birth_date TEXT,
  id_card_enc BLOB,
  id_card_hash BLOB,
  phone_enc BLOB,
  phone_hash BLOB,
  ethnicity TEXT,
  political_status TEXT CHECK (political_status IS NULL OR political_status IN
    ('masses', 'party_member', 'probationary_member', 'league_member', 'democratic_party', 'other')),
  relation TEXT CHECK (relation IS NULL OR relation IN
    ('head', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'in_law', 'tenant', 'other')),
  residence TEXT NOT NULL DEFAULT 'permanent' CHECK (residence IN ('permanent', 'floating')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved_out', 'deceased')),
  tags TEXT NOT NULL DEFAULT '',
  note TEXT CHECK (note IS NULL OR length(note) <= 1000),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX people_path ON people(node_path, id);
-- Covering index: subtree statistics read only this index.
CREATE INDEX people_stats ON people(node_path, status, node_id, residence, political_status, gender, birth_date);
CREATE INDEX people_household ON people(household_id);
CREATE INDEX people_initials ON people(name_initials);
CREATE INDEX people_pinyin ON people(name_pinyin);
CREATE INDEX people_name ON people(name);
CREATE INDEX people_id_card ON people(id_card_hash);
CREATE INDEX people_phone ON people(phone_hash);

CREATE TABLE person_tags (
  person_id INTEGER NOT NULL REFERENCES people(id),
  tag TEXT NOT NULL,
  node_path TEXT NOT NULL,
  PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tags_tag ON person_tags(tag, node_path);

-- Moving in and out: one row per stay of a person in a household.
CREATE TABLE residence_history (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id),
  household_id INTEGER REFERENCES households(id),
  node_id INTEGER REFERENCES nodes(id),
  moved_in TEXT NOT NULL,
  moved_out TEXT,
  reason TEXT
);
CREATE INDEX residence_history_person ON residence_history(person_id, moved_in);

CREATE TABLE role_types (
  code TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  grants TEXT CHECK (grants IS NULL OR grants IN ('viewer', 'worker', 'officer', 'manager'))
);
-- @postgres
-- SQLite's implicit rowid: the listing order of role types.
ALTER TABLE role_types ADD COLUMN rowid BIGINT GENERATED BY DEFAULT AS IDENTITY;
-- @end

CREATE TABLE roles (
  id INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  person_id INTEGER NOT NULL REFERENCES people(id),
  role TEXT NOT NULL REFERENCES role_types(code),
  start_date TEXT NOT NULL,
  end_date TEXT,
  public_phone TEXT CHECK (public_phone IS NULL OR length(public_phone) <= 40),
  selection TEXT CHECK (selection IS NULL OR selection IN ('self', 'mass', 'appointed', 'elected')),
  note TEXT,
  created_at TEXT NOT NULL,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX roles_node ON roles(node_id, role);
CREATE INDEX roles_path ON roles(node_path);
CREATE INDEX roles_person ON roles(person_id);

CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('cobuild', 'property', 'owners_committee', 'department', 'social', 'merchant')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  contact_name TEXT,
  contact_phone TEXT,
  address TEXT,
  note TEXT,
  retired_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX orgs_path ON orgs(node_path);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 2 AND 64),
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  person_id INTEGER REFERENCES people(id),
  is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Access granted to an account at a node; reaches that node's subtree.
CREATE TABLE grants (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  access TEXT NOT NULL CHECK (access IN ('viewer', 'worker', 'officer', 'manager')),
  created_at TEXT NOT NULL,
  UNIQUE (user_id, node_id, access)
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name TEXT,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_seen TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
-- @postgres
-- SQLite's implicit rowid: the id of an API token.
ALTER TABLE sessions ADD COLUMN rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE;
-- @end

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id INTEGER,
  username TEXT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER,
  before TEXT,
  after TEXT,
  client TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);
CREATE INDEX audit_user ON audit(user_id, id);

-- 008_org_members: organisation kinds and member roles as data, and the
-- members of organisations (mediators of a 调解室, a volunteer team's
-- leader and members, an owners' committee …).
-- Kinds and roles keep an id beside their unique code so that the field
-- tables' writes and the audit trail address them like every other row.

CREATE TABLE org_kinds (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name_zh TEXT NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 20),
  name_en TEXT NOT NULL CHECK (length(name_en) BETWEEN 1 AND 60),
  sort_order INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE org_member_roles (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name_zh TEXT NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 20),
  name_en TEXT NOT NULL CHECK (length(name_en) BETWEEN 1 AND 60),
  sort_order INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The member roles each kind allows.
CREATE TABLE org_kind_roles (
  kind TEXT NOT NULL REFERENCES org_kinds(code),
  role TEXT NOT NULL REFERENCES org_member_roles(code),
  PRIMARY KEY (kind, role)
);

INSERT INTO org_kinds (code, name_zh, name_en, sort_order, created_at, updated_at) VALUES
  ('cobuild', '共建单位', 'co-building unit', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('property', '物业', 'property company', 20, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('owners_committee', '业委会', 'owners'' committee', 30, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('department', '部门', 'department', 40, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('social', '社会组织', 'social organisation', 50, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('merchant', '商户', 'merchant', 60, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('mediation_committee', '人民调解委员会', 'people''s mediation committee', 70, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('mediation_room', '调解室', 'mediation room', 80, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('volunteer_team', '志愿服务队', 'volunteer team', 90, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO org_member_roles (code, name_zh, name_en, sort_order, created_at, updated_at) VALUES
  ('lead', '负责人', 'lead', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('leader', '队长', 'team leader', 20, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('mediator', '调解员', 'mediator', 30, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('co_mediator', '协助调解员', 'co-mediator', 40, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('legal_adviser', '法律顾问', 'legal adviser', 50, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('liaison', '联络员', 'liaison', 60, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('member', '成员', 'member', 90, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO org_kind_roles (kind, role) VALUES
  ('cobuild', 'liaison'), ('cobuild', 'member'),
  ('property', 'lead'), ('property', 'liaison'), ('property', 'member'),
  ('owners_committee', 'lead'), ('owners_committee', 'member'),
  ('department', 'lead'), ('department', 'liaison'), ('department', 'member'),
  ('social', 'lead'), ('social', 'member'),
  ('merchant', 'lead'), ('merchant', 'member'),
  ('mediation_committee', 'lead'), ('mediation_committee', 'mediator'), ('mediation_committee', 'member'),
  ('mediation_room', 'lead'), ('mediation_room', 'mediator'), ('mediation_room', 'co_mediator'),
  ('mediation_room', 'legal_adviser'),
  ('volunteer_team', 'leader'), ('volunteer_team', 'member');

-- orgs.kind references org_kinds instead of a CHECK listing the codes.
-- @sqlite
-- SQLite cannot drop a CHECK, so orgs is rebuilt. The migration is one
-- transaction with foreign keys on (PRAGMA foreign_keys cannot change
-- inside it); deferring them lets the old table go while users, cases,
-- case_events and case_orgs still refer to "orgs" by name, and copying the
-- rows into the new orgs resolves those references again before the
-- commit checks them. The copy goes through a plain holding table, so no
-- ALTER TABLE … RENAME rewrites the references of the other tables.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE orgs_v7 AS SELECT * FROM orgs;
DROP TABLE orgs;
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  kind TEXT NOT NULL REFERENCES org_kinds(code),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  contact_name TEXT,
  contact_phone TEXT,
  address TEXT,
  note TEXT,
  retired_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO orgs (id, node_id, node_path, kind, name, contact_name, contact_phone, address, note, retired_at,
  created_at, updated_at)
  SELECT id, node_id, node_path, kind, name, contact_name, contact_phone, address, note, retired_at, created_at,
  updated_at FROM orgs_v7 ORDER BY id;
DROP TABLE orgs_v7;
CREATE INDEX orgs_path ON orgs(node_path);
CREATE TRIGGER orgs_insert_bump AFTER INSERT ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER orgs_update_bump AFTER UPDATE ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER orgs_delete_bump AFTER DELETE ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
-- @end
-- @postgres
ALTER TABLE orgs DROP CONSTRAINT orgs_kind_check;
ALTER TABLE orgs ADD CONSTRAINT orgs_kind_fkey FOREIGN KEY (kind) REFERENCES org_kinds(code);
-- @end
CREATE INDEX orgs_kind ON orgs(kind, node_path);

-- A membership is a term: ending it sets end_date (the day from which the
-- person no longer serves); nothing is deleted. Members carry no
-- node_path of their own: their place is their organisation's (one join),
-- so moving a node or an organisation rewrites nothing here.
CREATE TABLE org_members (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  user_id INTEGER REFERENCES users(id),
  role TEXT NOT NULL REFERENCES org_member_roles(code),
  start_date TEXT NOT NULL,
  end_date TEXT,
  note TEXT CHECK (note IS NULL OR length(note) <= 500),
  created_at TEXT NOT NULL,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX org_members_org ON org_members(org_id, id);
CREATE INDEX org_members_person ON org_members(person_id);

-- 004_cases: the generic case engine (residents' requests first; disputes
-- and council topics later as further kinds), categories with their
-- handling level and time limits, the timeline, organisations handling a
-- case, files, in-app notifications and outgoing webhooks.

ALTER TABLE users ADD COLUMN org_id INTEGER REFERENCES orgs(id);

CREATE TABLE case_kinds (
  code TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL
);
INSERT INTO case_kinds (code, name_zh, name_en) VALUES ('request', '民情诉求', 'resident request');

-- level: the deepest node level that may handle the category (node_kinds.level);
-- a case lands at the lowest node at or above that level that has a role holder.
CREATE TABLE categories (
  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40),
  kind TEXT NOT NULL REFERENCES case_kinds(code),
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 20),
  respond_hours INTEGER NOT NULL CHECK (respond_hours > 0),
  resolve_hours INTEGER NOT NULL CHECK (resolve_hours > 0),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  sort_order INTEGER NOT NULL DEFAULT 0
);
INSERT INTO categories (code, kind, name_zh, name_en, level, respond_hours, resolve_hours, sort_order) VALUES
  ('corridor_light', 'request', '楼道灯', 'corridor light', 6, 24, 72, 1),
  ('sewer', 'request', '下水道', 'sewer', 5, 12, 48, 2),
  ('parking', 'request', '停车', 'parking', 5, 24, 168, 3),
  ('charging', 'request', '充电桩', 'e-bike charging', 4, 48, 336, 4),
  ('greening', 'request', '绿化', 'greenery', 5, 48, 168, 5),
  ('sanitation', 'request', '卫生', 'sanitation', 5, 24, 72, 6),
  ('noise', 'request', '噪音', 'noise', 6, 12, 72, 7),
  ('safety', 'request', '安全隐患', 'safety hazard', 4, 4, 24, 8),
  ('neighbour_dispute', 'request', '邻里纠纷', 'neighbour dispute', 6, 24, 168, 9),
  ('property_service', 'request', '物业服务', 'property service', 5, 24, 120, 10),
  ('facilities', 'request', '公共设施', 'public facilities', 5, 48, 240, 11),
  ('other', 'request', '其他', 'other', 6, 48, 168, 99);

CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL REFERENCES case_kinds(code),
  category TEXT NOT NULL REFERENCES categories(code),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  status TEXT NOT NULL CHECK (status IN ('new', 'accepted', 'waiting', 'referred', 'resolved', 'closed')),
  channel TEXT NOT NULL CHECK (channel IN ('self', 'visit', 'box', 'book', 'wechat', 'phone', 'walkin', 'patrol', 'qr', 'open311')),
  place_node_id INTEGER REFERENCES nodes(id),
  address TEXT CHECK (address IS NULL OR length(address) <= 200),
  lat REAL CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90)),
  lng REAL CHECK (lng IS NULL OR (lng BETWEEN -180 AND 180)),
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  community_id INTEGER,
  origin_node_id INTEGER NOT NULL REFERENCES nodes(id),
  origin_path TEXT NOT NULL,
  reporter_person_id INTEGER REFERENCES people(id),
  reporter_user_id INTEGER REFERENCES users(id),
  reporter_name TEXT,
  reporter_phone_enc BLOB,
  reporter_phone_hash BLOB,
  anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
  recorded_by INTEGER REFERENCES users(id),
  is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
  merged_into INTEGER REFERENCES cases(id),
  escalations INTEGER NOT NULL DEFAULT 0,
  reopened INTEGER NOT NULL DEFAULT 0,
  landed_at TEXT NOT NULL,
  paused_at TEXT,
  respond_due TEXT NOT NULL,
  resolve_due TEXT NOT NULL,
  first_response_at TEXT,
  level_responded_at TEXT,
  resolved_at TEXT,
  closed_at TEXT,
  outcome TEXT,
  close_reason TEXT,
  rating TEXT CHECK (rating IS NULL OR rating IN ('satisfied', 'basic', 'unsatisfied')),
  rating_comment TEXT,
  rated_at TEXT,
  overdue INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
  external_token TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX cases_path ON cases(node_path, status, id);
CREATE INDEX cases_open_due ON cases(status, resolve_due);
CREATE INDEX cases_reporter ON cases(reporter_user_id, id);
CREATE INDEX cases_created ON cases(kind, created_at);
CREATE INDEX cases_origin ON cases(origin_path, created_at);

-- The timeline: every change is an event; nothing is deleted.
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  actor_user_id INTEGER,
  actor_name TEXT,
  node_id INTEGER REFERENCES nodes(id),
  to_node_id INTEGER REFERENCES nodes(id),
  org_id INTEGER REFERENCES orgs(id),
  status_from TEXT,
  status_to TEXT,
  note TEXT,
  public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1))
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- Organisations a case was handed to; one lead for joint handling (部门联办).
CREATE TABLE case_orgs (
  case_id INTEGER NOT NULL REFERENCES cases(id),
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL CHECK (role IN ('lead', 'joint')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  assigned_at TEXT NOT NULL,
  done_at TEXT,
  PRIMARY KEY (case_id, org_id)
);
CREATE INDEX case_orgs_org ON case_orgs(org_id, status);

CREATE TABLE case_files (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  event_id INTEGER REFERENCES case_events(id),
  sha256 TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  uploaded_by INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX case_files_case ON case_files(case_id);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  case_id INTEGER REFERENCES cases(id),
  at TEXT NOT NULL,
  text TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  node_path TEXT NOT NULL,
  url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 500),
  secret TEXT NOT NULL,
  events TEXT NOT NULL DEFAULT '*',
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
  case_id INTEGER REFERENCES cases(id),
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at TEXT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);

-- Chinese full-text search over cases: text normalised to simplified
-- characters, one token per character (base/textsearch.c); rowid = case id.
-- @sqlite
CREATE VIRTUAL TABLE cases_fts USING fts5(text);
-- @end
-- @postgres
CREATE TABLE cases_fts (
  rowid bigint PRIMARY KEY,
  text text NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX cases_fts_tsv ON cases_fts USING gin (tsv);
-- @end

-- Request statistics are cached like the registry's (see 003), keyed by
-- their parameters and a counter that every change to cases bumps.
INSERT INTO counters (name, value) VALUES ('cases', 0);
-- @sqlite
CREATE TRIGGER cases_insert_bump AFTER INSERT ON cases BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
CREATE TRIGGER cases_update_bump AFTER UPDATE ON cases BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
-- @end
-- @postgres
CREATE TRIGGER cases_bump AFTER INSERT OR UPDATE ON cases FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('cases');
-- @end
CREATE TABLE case_stats_cache (
  key TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  day TEXT NOT NULL,
  body TEXT NOT NULL
);

-- 007_request_side: what only residents' requests have moves from `cases`
-- to the request kind's side table `requests` (case_id = cases.id): the
-- channel it came through, the resident's rating, and the token an Open311
-- client follows it by. `cases` keeps what every kind has, and its status
-- is no longer checked against the request states (each kind names its own
-- states; src/domain/cases/case_kind.h). The response deadline stays in
-- `cases`: it is the engine's clock, which each kind's states switch on.
-- @rebuild
CREATE TABLE requests (
  case_id INTEGER PRIMARY KEY REFERENCES cases(id),
  channel TEXT NOT NULL CHECK (channel IN ('self', 'visit', 'box', 'book', 'wechat', 'phone', 'walkin', 'patrol', 'qr', 'open311')),
  rating TEXT CHECK (rating IS NULL OR rating IN ('satisfied', 'basic', 'unsatisfied')),
  rating_comment TEXT,
  rated_at TEXT,
  external_token TEXT UNIQUE
);
INSERT INTO requests (case_id, channel, rating, rating_comment, rated_at, external_token)
  SELECT id, channel, rating, rating_comment, rated_at, external_token FROM cases WHERE kind = 'request';

-- SQLite cannot drop a CHECK or a UNIQUE column in place: the table is
-- rebuilt (foreign keys are checked once at the end; see store.c).
-- @sqlite
CREATE TABLE cases_new (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL REFERENCES case_kinds(code),
  category TEXT NOT NULL REFERENCES categories(code),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  status TEXT NOT NULL,
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
  overdue INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  phase TEXT NOT NULL DEFAULT 'open' CHECK (phase IN ('open', 'waiting', 'resolved', 'closed'))
);
INSERT INTO cases_new SELECT id, kind, category, title, description, status, place_node_id, address, lat, lng,
  node_id, node_path, community_id, origin_node_id, origin_path, reporter_person_id, reporter_user_id,
  reporter_name, reporter_phone_enc, reporter_phone_hash, anonymous, recorded_by, is_public, merged_into,
  escalations, reopened, landed_at, paused_at, respond_due, resolve_due, first_response_at, level_responded_at,
  resolved_at, closed_at, outcome, close_reason, overdue, created_at, updated_at, phase FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_path ON cases(node_path, status, id);
CREATE INDEX cases_phase_due ON cases(phase, resolve_due);
CREATE INDEX cases_reporter ON cases(reporter_user_id, id);
CREATE INDEX cases_created ON cases(kind, created_at);
CREATE INDEX cases_origin ON cases(origin_path, created_at);
CREATE TRIGGER cases_insert_bump AFTER INSERT ON cases BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
CREATE TRIGGER cases_update_bump AFTER UPDATE ON cases BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
CREATE TRIGGER requests_insert_bump AFTER INSERT ON requests BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
CREATE TRIGGER requests_update_bump AFTER UPDATE ON requests BEGIN UPDATE counters SET value = value + 1 WHERE name = 'cases'; END;
-- @end
-- @postgres
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases DROP COLUMN channel, DROP COLUMN rating, DROP COLUMN rating_comment, DROP COLUMN rated_at,
  DROP COLUMN external_token;
CREATE TRIGGER requests_bump AFTER INSERT OR UPDATE ON requests FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('cases');
-- @end

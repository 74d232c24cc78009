-- 012_figures: statistics kept current instead of recomputed.
--
-- node_line is the tree's closure: one row per node and per node on its
-- line up to the root, itself included (domain/places/tree.c keeps it on
-- insert and move). figures holds, per node, counts over its whole
-- subtree, optionally split by a key (domain/core/figures.h); the triggers
-- that keep them are generated from the figure definitions at startup
-- (figures_install), which also fills the table, so this migration only
-- makes the tables. figures_delta and figures_pause are a bulk job's:
-- rows it writes count at their own node until the job folds them up the
-- tree before it commits, and never outlive its transaction.
-- The registry's picture no longer needs its cache and the counter every
-- write bumped: both go.
-- (SQLite 3.40's integrity_check misreports NOT NULL on a WITHOUT ROWID
-- table's other columns, so a CHECK says it.)
-- @sqlite
CREATE TABLE node_line (
  node_id INTEGER NOT NULL,
  anc_id INTEGER NOT NULL,
  PRIMARY KEY (node_id, anc_id)
) WITHOUT ROWID;
CREATE TABLE figures (
  node_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  value INTEGER CHECK (value IS NOT NULL),
  PRIMARY KEY (node_id, name, key)
) WITHOUT ROWID;
CREATE TABLE figures_delta (
  node_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  value INTEGER CHECK (value IS NOT NULL),
  PRIMARY KEY (node_id, name, key)
) WITHOUT ROWID;
DROP TRIGGER nodes_insert_bump;
DROP TRIGGER nodes_update_bump;
DROP TRIGGER nodes_delete_bump;
DROP TRIGGER households_insert_bump;
DROP TRIGGER households_update_bump;
DROP TRIGGER households_delete_bump;
DROP TRIGGER people_insert_bump;
DROP TRIGGER people_update_bump;
DROP TRIGGER people_delete_bump;
DROP TRIGGER person_tags_insert_bump;
DROP TRIGGER person_tags_update_bump;
DROP TRIGGER person_tags_delete_bump;
DROP TRIGGER roles_insert_bump;
DROP TRIGGER roles_update_bump;
DROP TRIGGER roles_delete_bump;
DROP TRIGGER orgs_insert_bump;
DROP TRIGGER orgs_update_bump;
DROP TRIGGER orgs_delete_bump;
-- @end
-- @postgres
CREATE TABLE node_line (
  node_id BIGINT NOT NULL,
  anc_id BIGINT NOT NULL,
  PRIMARY KEY (node_id, anc_id)
);
CREATE TABLE figures (
  node_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (node_id, name, key)
);
CREATE TABLE figures_delta (
  node_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (node_id, name, key)
);
DROP TRIGGER nodes_bump ON nodes;
DROP TRIGGER households_bump ON households;
DROP TRIGGER people_bump ON people;
DROP TRIGGER person_tags_bump ON person_tags;
DROP TRIGGER roles_bump ON roles;
DROP TRIGGER orgs_bump ON orgs;
-- @end
CREATE INDEX node_line_anc ON node_line(anc_id, node_id);
CREATE TABLE figures_pause (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  depth INTEGER NOT NULL
);
CREATE TABLE figures_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
WITH RECURSIVE anc(node_id, anc_id) AS (
  SELECT id, id FROM nodes
  UNION ALL
  SELECT anc.node_id, n.parent_id FROM anc JOIN nodes n ON n.id = anc.anc_id WHERE n.parent_id IS NOT NULL
)
INSERT INTO node_line (node_id, anc_id) SELECT node_id, anc_id FROM anc;
-- Ages at a date: the people born in the part of a month before it.
CREATE INDEX people_birth ON people(status, birth_date, node_path);
DROP TABLE stats_cache;
DELETE FROM counters WHERE name = 'registry';

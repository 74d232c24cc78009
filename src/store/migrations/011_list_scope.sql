-- 011_list_scope: lists that cost one page.
--
-- case_scope holds one row per case and per node on the line from the
-- root down to the node handling the case (its node_id), so that "the
-- cases of a subtree, newest first" is one index range in id order
-- instead of a range over node paths sorted by id (domain/cases/
-- case_scope.c keeps it: on landing, on a change of phase, on a move of
-- a part of the tree). is_open = 1 while the case's phase is open or
-- waiting: the inbox's open list has its own, smaller index.
-- A part of the tree that moved before this left its cases' paths behind:
-- they are made the paths of their nodes again.
UPDATE cases SET node_path = (SELECT path FROM nodes WHERE nodes.id = cases.node_id)
WHERE node_path <> (SELECT path FROM nodes WHERE nodes.id = cases.node_id);
UPDATE cases SET origin_path = (SELECT path FROM nodes WHERE nodes.id = cases.origin_node_id)
WHERE origin_path <> (SELECT path FROM nodes WHERE nodes.id = cases.origin_node_id);
-- (SQLite 3.40's integrity_check misreports NOT NULL on a WITHOUT ROWID
-- table's other columns, so a CHECK says it.)
-- @sqlite
CREATE TABLE case_scope (
  anc_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  is_open INTEGER CHECK (coalesce(is_open, -1) IN (0, 1)),
  case_id INTEGER NOT NULL REFERENCES cases(id),
  PRIMARY KEY (anc_id, kind, case_id)
) WITHOUT ROWID;
-- @end
-- @postgres
CREATE TABLE case_scope (
  anc_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  is_open INTEGER NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  PRIMARY KEY (anc_id, kind, case_id)
);
-- @end
CREATE INDEX case_scope_open ON case_scope(anc_id, kind, case_id) WHERE is_open = 1;
CREATE INDEX case_scope_case ON case_scope(case_id);
WITH RECURSIVE anc(node_id, anc_id) AS (
  SELECT id, id FROM nodes
  UNION ALL
  SELECT anc.node_id, n.parent_id FROM anc JOIN nodes n ON n.id = anc.anc_id WHERE n.parent_id IS NOT NULL
)
INSERT INTO case_scope (anc_id, kind, is_open, case_id)
SELECT anc.anc_id, cases.kind, CASE WHEN cases.phase IN ('open', 'waiting') THEN 1 ELSE 0 END, cases.id
FROM cases JOIN anc ON anc.node_id = cases.node_id;

-- A case's paths follow its nodes when a part of the tree moves (the
-- move rewrites them); the organisation list and the public list get
-- indexes in their own id order.
CREATE INDEX case_orgs_org_case ON case_orgs(org_id, case_id);
CREATE INDEX cases_public ON cases(kind, id) WHERE is_public = 1;

-- The registry's lists in place order (the 台账's: building, unit, then
-- registration) and in name order, each one index range in its order.
CREATE INDEX people_place ON people(status, node_path, id);
CREATE INDEX people_name_community ON people(status, community_id, name_pinyin, id);
CREATE INDEX people_name_all ON people(status, name_pinyin, id);
DROP INDEX roles_path;
CREATE INDEX roles_path ON roles(node_path, id);
DROP INDEX orgs_path;
CREATE INDEX orgs_path ON orgs(node_path, id);
CREATE INDEX nodes_parent_id ON nodes(parent_id, id);
CREATE INDEX grants_user ON grants(user_id, id);

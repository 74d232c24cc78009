-- 003_stats_cache: subtree statistics are cached per node and reused until
-- the registry changes. Every write to the tables they read bumps one
-- counter (triggers, so writes from any process count), and a cached
-- picture is valid only for the counter value and day it was computed at.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('registry', 0);

CREATE TABLE stats_cache (
  node_id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  day TEXT NOT NULL,
  body TEXT NOT NULL
);
-- @sqlite
CREATE TRIGGER nodes_insert_bump AFTER INSERT ON nodes BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER nodes_update_bump AFTER UPDATE ON nodes BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER nodes_delete_bump AFTER DELETE ON nodes BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER households_insert_bump AFTER INSERT ON households BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER households_update_bump AFTER UPDATE ON households BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER households_delete_bump AFTER DELETE ON households BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER people_insert_bump AFTER INSERT ON people BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER people_update_bump AFTER UPDATE ON people BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER people_delete_bump AFTER DELETE ON people BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER person_tags_insert_bump AFTER INSERT ON person_tags BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER person_tags_update_bump AFTER UPDATE ON person_tags BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER person_tags_delete_bump AFTER DELETE ON person_tags BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER roles_insert_bump AFTER INSERT ON roles BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER roles_update_bump AFTER UPDATE ON roles BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER roles_delete_bump AFTER DELETE ON roles BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER orgs_insert_bump AFTER INSERT ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER orgs_update_bump AFTER UPDATE ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
CREATE TRIGGER orgs_delete_bump AFTER DELETE ON orgs BEGIN UPDATE counters SET value = value + 1 WHERE name = 'registry'; END;
-- @end
-- @postgres
CREATE TRIGGER nodes_bump AFTER INSERT OR UPDATE OR DELETE ON nodes FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
CREATE TRIGGER households_bump AFTER INSERT OR UPDATE OR DELETE ON households FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
CREATE TRIGGER people_bump AFTER INSERT OR UPDATE OR DELETE ON people FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
CREATE TRIGGER person_tags_bump AFTER INSERT OR UPDATE OR DELETE ON person_tags FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
CREATE TRIGGER roles_bump AFTER INSERT OR UPDATE OR DELETE ON roles FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
CREATE TRIGGER orgs_bump AFTER INSERT OR UPDATE OR DELETE ON orgs FOR EACH STATEMENT EXECUTE FUNCTION linli_bump('registry');
-- @end

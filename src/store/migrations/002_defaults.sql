-- 002_defaults: the default level names and role types. Deployments rename
-- or add level names through /api/v1/node-kinds; role types are listed at
-- /api/v1/role-types.
INSERT INTO node_kinds (code, tree, level, name_zh, name_en, is_community) VALUES
  ('city', 'org', 0, '市', 'city', 0),
  ('district', 'org', 1, '区', 'district', 0),
  ('street', 'org', 2, '街道', 'street office', 0),
  ('community', 'org', 3, '社区', 'community', 1),
  ('area', 'org', 4, '片区', 'area', 0),
  ('grid', 'org', 4, '网格', 'grid', 0),
  ('group', 'org', 5, '组', 'group', 0),
  ('compound', 'org', 5, '小区/院落', 'compound', 0),
  ('circle', 'org', 6, '邻', 'neighbour circle', 0),
  ('building', 'org', 6, '楼栋', 'building', 0),
  ('unit', 'org', 7, '单元', 'unit', 0),
  ('party_committee', 'party', 0, '党委', 'party committee', 0),
  ('party_general_branch', 'party', 1, '党总支', 'party general branch', 0),
  ('party_branch', 'party', 2, '党支部', 'party branch', 0),
  ('party_group', 'party', 3, '党小组', 'party group', 0);

INSERT INTO role_types (code, name_zh, name_en, grants) VALUES
  ('street_secretary', '街道党工委书记', 'street party secretary', 'manager'),
  ('community_secretary', '社区书记', 'community secretary', 'manager'),
  ('community_director', '社区主任', 'community director', 'manager'),
  ('community_staff', '社区工作人员', 'community staff', 'officer'),
  ('grid_leader', '网格长', 'grid leader', 'officer'),
  ('grid_worker', '网格员', 'grid worker', 'worker'),
  ('area_head', '片长', 'area head', 'viewer'),
  ('group_head', '组长', 'group head', 'viewer'),
  ('neighbour_head', '邻长', 'neighbour head', 'viewer'),
  ('building_head', '楼栋长', 'building head', 'viewer'),
  ('unit_head', '单元长', 'unit head', 'viewer'),
  ('mediator', '调解员', 'mediator', NULL),
  ('party_secretary', '支部书记', 'party branch secretary', NULL),
  ('party_group_leader', '党小组长', 'party group leader', NULL),
  ('volunteer_leader', '志愿队长', 'volunteer leader', NULL);

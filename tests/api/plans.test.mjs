// Lists cost one page: every list route's queries, planned by SQLite under
// the statistics of a city (about a million residents and a million
// requests, written below by hand as sqlite_stat1 rows), read no table
// whole and sort no subtree. The server writes each query's plan to
// LINLI_PLAN_LOG (store/store_plan_log.c); each row of LISTS below is one
// request, and the test fails when a list route of the API document has no
// row. On PostgreSQL (LINLI_TEST_PG) the same rows are checked on the
// generic plans of its prepared statements, with sequential scans priced
// out of reach, so that one shows only where no index serves a query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, PG, linli } from './lib.mjs';

// Rows and distinct values per column of a city, table by table.
const CITY = {
  people: { rows: 1e6, node_path: 5e4, node_id: 5e4, household_id: 4e5, status: 3, residence: 3, political_status: 5, gender: 2, birth_date: 3e4, name_initials: 2e4, name_pinyin: 3e5, name: 5e5, community_id: 500 },
  households: { rows: 4e5, node_path: 5e4, node_id: 5e4, tenure: 4, community_id: 500 },
  person_tags: { rows: 3e5, person_id: 2.5e5, tag: 10, node_path: 5e4 },
  roles: { rows: 1e5, node_id: 5e4, role: 10, node_path: 5e4, person_id: 9e4 },
  orgs: { rows: 5e3, node_path: 3e3, kind: 10 },
  org_members: { rows: 5e4, org_id: 5e3, person_id: 4.5e4 },
  users: { rows: 6e4 },
  nodes: { rows: 6e4, parent_id: 1.5e4, sort_order: 100, name_initials: 3e4 },
  cases: { rows: 1e6, node_path: 5e3, status: 8, phase: 4, resolve_due: 9e5, reporter_user_id: 5e4, kind: 2, created_at: 1e6, origin_path: 2e4, is_public: 2 },
  case_scope: { rows: 5e6, anc_id: 1e4, kind: 2, is_open: 2, case_id: 1e6 },
  case_events: { rows: 8e6, case_id: 1e6 },
  case_orgs: { rows: 3e5, case_id: 3e5, org_id: 2e3, status: 3 },
  requests: { rows: 1e6 },
  audit: { rows: 1e7, entity: 20, entity_id: 2e6, user_id: 2e4, community_id: 500 },
  notifications: { rows: 5e6, user_id: 5e4 },
};
const BIG = new Set(Object.keys(CITY));

// One request per row: who asks, and the path ({x} from the demo's ids).
// allow: plan steps a query (sql: a pattern) may have, and why.
const LISTS = [
  { as: 'admin', path: '/api/v1/nodes?q=mei', allow: [{ sql: /instr\(nodes\.name/, step: 'USE TEMP B-TREE FOR ORDER BY', why: "a search of the tree's node names (places, not residents), nearest the top first: its matches are sorted" }] },
  { as: 'admin', path: '/api/v1/nodes?under={street}&limit=25' },
  { as: 'admin', path: '/api/v1/nodes/{community}/children' },
  { as: 'admin', path: '/api/v1/nodes/{street}/subtree?depth=2' },
  { as: 'admin', path: '/api/v1/people?node={community}&limit=25' },
  { as: 'admin', path: '/api/v1/people?node={grid}&limit=25' },
  { as: 'admin', path: '/api/v1/people?node={community}&limit=25&sort=name' },
  { as: 'admin', path: '/api/v1/people?node={street}&limit=25&sort=name&status=all', allow: ['SCAN people USING COVERING INDEX people_pinyin', 'SCAN people USING INDEX people_pinyin'].map((step) => ({ sql: /people_pinyin/, step, why: 'every status in name order above a community: the name index walked from its start, for one window (LIMIT), the first page having no cursor' })) },
  { as: 'admin', path: '/api/v1/people?node={grid}&limit=25&sort=name', allow: [{ sql: /ORDER BY people\.name_pinyin/, step: 'USE TEMP B-TREE FOR ORDER BY', why: 'a subtree of at most 2,000 residents (counted first, to 2,001) sorted by name whole' }] },
  { as: 'admin', path: '/api/v1/people?node={street}&limit=25&gender=female&tag=' + encodeURIComponent('孤寡老人') },
  { as: 'admin', path: '/api/v1/people?node={community}&limit=25&status=all' },
  { as: 'admin', path: '/api/v1/people?node={community}&limit=25&q=wang' },
  { as: 'admin', path: '/api/v1/people?node={street}&limit=25&sort=name&q=' + encodeURIComponent('王') },
  { as: 'admin', path: '/api/v1/people?node={street}&household={household}', allow: [{ sql: /people\.household_id = \?/, step: 'USE TEMP B-TREE FOR ORDER BY', why: "one household's members (a few rows) put in place order" }] },
  { as: 'admin', path: '/api/v1/households?node={community}&limit=25' },
  { as: 'admin', path: '/api/v1/households?node={grid}&limit=25&tenure=rented' },
  { as: 'admin', path: '/api/v1/roles?node={community}&limit=25' },
  { as: 'admin', path: '/api/v1/orgs?node={street}&limit=25' },
  { as: 'admin', path: '/api/v1/orgs/{org}/members' },
  { as: 'admin', path: '/api/v1/users?limit=25', allow: [{ sql: /FROM users WHERE id > \? ORDER BY id LIMIT/, step: 'SEARCH users USING INTEGER PRIMARY KEY (rowid>?)', why: 'every account, no filter: the walk ends with the page' }] },
  { as: 'admin', path: '/api/v1/audit?limit=25', allow: [{ sql: /FROM audit WHERE id < \? ORDER BY id DESC LIMIT/, step: 'SEARCH audit USING INTEGER PRIMARY KEY (rowid<?)', why: 'the whole trail, no filter: the walk ends with the page' }] },
  { as: 'admin', path: '/api/v1/audit?entity=person&id={person}' },
  { as: 'admin', path: '/api/v1/requests?node={community}&limit=25' },
  { as: 'admin', path: '/api/v1/requests?node={street}&limit=25&status=open' },
  { as: 'admin', path: '/api/v1/requests?node={grid}&limit=25&category=sewer' },
  { as: 'admin', path: '/api/v1/requests?node={community}&limit=25&due=overdue' },
  { as: 'admin', path: '/api/v1/requests?node={community}&limit=25&status=closed&channel=phone' },
  { as: 'jumin', path: '/api/v1/requests?mine=1&limit=25' },
  { as: 'org', path: '/api/v1/requests?org=1&limit=25' },
  { as: 'admin', path: '/api/v1/notifications?limit=25' },
  // Not a page, but on every resident's home screen.
  { as: 'jumin', path: '/api/v1/nodes/{circle}/contacts', allow: [{ sql: /r\.node_id IN/, step: 'USE TEMP B-TREE FOR ORDER BY', why: "the role holders of one line of the tree (a few dozen), nearest first" }] },
];

let s, dir, log, ids, setupPlans, clients = {};
const sqlite = (db, sql) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();

// sqlite_stat1 rows for every index of the tables above: "rows, then the
// average rows per distinct value of each prefix of the index's columns".
function cityStats(db) {
  const idx = sqlite(db, "SELECT m.tbl_name, m.name, ii.seqno, coalesce(ii.name, '?') FROM sqlite_master m, pragma_index_info(m.name) ii WHERE m.type = 'index' ORDER BY m.name, ii.seqno")
    .split('\n').map((l) => l.split('|'));
  const byIndex = new Map();
  for (const [tbl, name, , col] of idx) if (CITY[tbl]) byIndex.set(name, [tbl, [...(byIndex.get(name)?.[1] || []), col]]);
  const rows = [];
  for (const [name, [tbl, cols]] of byIndex) {
    const t = CITY[tbl];
    let groups = 1;
    const avg = cols.map((c) => {
      groups = Math.min(t.rows, groups * (t[c] ?? t.rows));
      return Math.max(1, Math.round(t.rows / groups));
    });
    rows.push(`('${tbl}', '${name}', '${[t.rows, ...avg].join(' ')}')`);
  }
  for (const [tbl, t] of Object.entries(CITY)) rows.push(`('${tbl}', NULL, '${t.rows}')`);
  sqlite(db, `ANALYZE; DELETE FROM sqlite_stat1; INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ${rows.join(', ')};`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'linli-plans-'));
  log = join(dir, 'plans.log');
  process.env.LINLI_PLAN_LOG = log;
  if (PG) {
    // PostgreSQL plans with sequential scans priced out of reach
    // (enable_seqscan = off, store_pg.c): one shows only where no index serves.
    s = await Server.start({ demoArgs: ['--requests', '300'] });
  } else {
    s = new Server();
    s.dir = dir;
    s.db = join(dir, 'plans.db');
    s.extra = [];
    linli(['demo', '--db', s.db, '--requests', '300']);
    cityStats(s.db);
    await s.launch();
  }
  delete process.env.LINLI_PLAN_LOG;
  clients.admin = await s.login('admin');
  const a = clients.admin;
  takePlans();
  const first = async (path, pred = () => true) => (await a.get(path)).json.items.find(pred).id;
  const street = (await a.get('/api/v1/nodes?limit=1')).json.items[0].id;
  const community = await first(`/api/v1/nodes/${street}/children`, (n) => n.kind === 'community');
  const grid = await first(`/api/v1/nodes/${community}/children`, (n) => n.kind === 'area' || n.kind === 'grid');
  const group = await first(`/api/v1/nodes/${grid}/children`);
  ids = {
    street, community, grid,
    circle: await first(`/api/v1/nodes/${group}/children`),
    org: await first(`/api/v1/orgs?node=${street}&limit=1`),
    person: await first(`/api/v1/people?node=${community}&limit=1`),
    household: await first(`/api/v1/households?node=${community}&limit=1`),
  };
  // Lists the setup ran: their statements are cached now and would not be
  // planned again when a row runs them.
  setupPlans = takePlans();
  for (const who of new Set(LISTS.map((r) => r.as))) if (who !== 'org' && !clients[who]) clients[who] = await s.login(who);
  // The organisation's account: its cases are the ones handed to it.
  const made = await a.post('/api/v1/users', { username: 'plans_org', display_name: '物业客服', password: 'plans-pass-2', org_id: Number(ids.org) });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  clients.org = await s.login('plans_org', 'plans-pass-2');
});
after(async () => {
  if (s) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// PostgreSQL's plan lines: a sequential scan of a large table. With
// sequential scans priced out of reach one appears only where no index can
// serve the scan at all; whether to sort a few rows or walk an index in
// order is PostgreSQL's own choice from the rows at hand (a test database
// is small), so sorts are checked on SQLite under a city's statistics.
function pgFaults(q) {
  return q.steps.map((l) => l.trim()).filter((l) => BIG.has((l.match(/Seq Scan on (\w+)/) || [])[1]));
}

// The plan blocks written since the log was last emptied.
function takePlans() {
  let text = '';
  try { text = readFileSync(log, 'utf8'); } catch {}
  writeFileSync(log, '');
  const out = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('Q\t')) out.push({ sql: line.slice(2), steps: [] });
    else if (line.startsWith('P\t')) out.at(-1).steps.push(line.slice(2));
  }
  return out;
}

// What is wrong with a plan: a big table read whole, or a sort of rows
// taken from a big table.
function faults(q, allow = []) {
  const alias = new Map();
  for (const m of q.sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    alias.set(m[1], m[1]);
    if (m[2] && !/^(ON|WHERE|JOIN|LEFT|CROSS|INNER|ORDER|GROUP|LIMIT|USING|INDEXED)$/i.test(m[2])) alias.set(m[2], m[1]);
  }
  const touchesBig = q.steps.some((st) => { const m = st.match(/^(?:SCAN|SEARCH) (\w+)/); return m && BIG.has(alias.get(m[1]) || m[1]); });
  const bad = [];
  const allowed = (st) => allow.some((a) => a.step === st && a.sql.test(q.sql));
  for (const st of q.steps) {
    const m = st.match(/^(SCAN|SEARCH) (\w+)(?: USING .*\((.*)\))?/);
    const big = m && BIG.has(alias.get(m[2]) || m[2]);
    // A search whose only bounds are on the row id walks the table from the cursor on.
    const walks = big && m[1] === 'SEARCH' && m[3] && m[3].split(' AND ').every((c) => /^(rowid|id)[<>]/.test(c));
    if (big && (m[1] === 'SCAN' || walks) && !allowed(st)) bad.push(st);
    if (/USE TEMP B-TREE FOR (ORDER BY|RIGHT PART OF ORDER BY)/.test(st) && touchesBig && !allowed(st)) bad.push(st);
  }
  return bad;
}

test('every list route of the API document has a row', () => {
  const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  const missing = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const ref = JSON.stringify(ops.get?.responses?.['200'] || {});
    if (!/Page"/.test(ref)) continue;
    const re = new RegExp('^' + path.replace(/\{[^}]+\}/g, '[^/?]+') + '(\\?|$)');
    if (!LISTS.some((r) => re.test(r.path.replace(/\{(\w+)\}/g, '1')))) missing.push(path);
  }
  assert.deepEqual(missing, [], 'list routes with no row in LISTS');
});

for (const row of LISTS) {
  test(`plan: ${row.as} GET ${row.path}`, async () => {
    takePlans();
    const path = row.path.replace(/\{(\w+)\}/g, (_, k) => ids[k]);
    const r = await clients[row.as].get(path);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const plans = takePlans();
    const bad = plans.map((q) => ({ sql: q.sql, bad: PG ? pgFaults(q) : faults(q, row.allow) })).filter((x) => x.bad.length);
    assert.deepEqual(bad, [], `${path}: plans that read a whole table or sort a subtree`);
  });
}

test('the lists the setup ran', () => {
  const bad = setupPlans.map((q) => ({ sql: q.sql, bad: (PG ? pgFaults : faults)(q) })).filter((x) => x.bad.length);
  assert.deepEqual(bad, []);
  assert.ok(setupPlans.length > 0, 'the plan log is written');
});

test('the checkers themselves: a whole-table scan and a subtree sort are caught', () => {
  assert.deepEqual(faults({ sql: 'SELECT * FROM people p', steps: ['SCAN p'] }), ['SCAN p']);
  assert.deepEqual(faults({ sql: 'SELECT * FROM cases', steps: ['SEARCH cases USING INDEX cases_path (node_path>? AND node_path<?)', 'USE TEMP B-TREE FOR ORDER BY'] }),
    ['USE TEMP B-TREE FOR ORDER BY']);
  assert.deepEqual(pgFaults({ sql: 'SELECT * FROM cases', steps: ['Seq Scan on cases  (cost=10000000000.00..10000000001.00)'] }), ['Seq Scan on cases  (cost=10000000000.00..10000000001.00)']);
  assert.deepEqual(pgFaults({ sql: 'SELECT * FROM case_scope', steps: ['Limit', '  ->  Nested Loop', '        ->  Index Only Scan Backward using case_scope_pkey on case_scope'] }), []);
  assert.deepEqual(faults({ sql: 'SELECT * FROM people', steps: ['SEARCH people USING INTEGER PRIMARY KEY (rowid>?)'] }), ['SEARCH people USING INTEGER PRIMARY KEY (rowid>?)']);
  assert.deepEqual(faults({ sql: 'SELECT * FROM case_scope CROSS JOIN cases', steps: ['SEARCH case_scope USING PRIMARY KEY (anc_id=? AND kind=? AND case_id<?)', 'SEARCH cases USING INTEGER PRIMARY KEY (rowid=?)'] }), []);
});

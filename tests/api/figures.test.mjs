// The kept statistics (domain/core/figures.c): after a random mix of
// registrations, edits, moves in and out, household and organisation
// changes, moves of parts of the tree and imports, every node's figures
// equal a recomputation from the rows (`linli check`), and the picture of
// the nodes the mix touched equals a count made here from the registry's
// own lists, ages included (people born on and around the boundaries of
// the age bands, today). Runs on both engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, linli, listAll, idCard } from './lib.mjs';

let s, admin, comm, areas, circles, households = [], people = [];
// A seeded generator: the same mix every run.
let seed = 20261203;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];

const today = new Date().toISOString().slice(0, 10);
const yearsAgo = (n, days = 0) => {
  const d = new Date(Date.UTC(Number(today.slice(0, 4)) - n, Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10))));
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
// On a boundary, a day either side, or anywhere; sometimes none.
const birth = () => {
  const r = rnd();
  if (r < 0.1) return undefined;
  if (r < 0.6) return yearsAgo(pick([10, 18, 20, 30, 35, 40, 50, 60, 70, 80]), pick([-1, 0, 0, 1, -31, 27]));
  return yearsAgo(Math.floor(rnd() * 95), -Math.floor(rnd() * 365));
};
const TAGS = ['独居老人', '残疾人', '低保户'];
const tags = () => TAGS.filter(() => rnd() < 0.3);

before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  comm = (await admin.get('/api/v1/nodes/1/children')).json.items[0];
  areas = [];
  circles = [];
  for (const name of ['统计测试甲片', '统计测试乙片']) {
    const a = (await admin.post('/api/v1/nodes', { parent_id: comm.id, kind: 'area', name })).json;
    areas.push(a);
    for (const c of ['一组', '二组']) {
      const r = await admin.post('/api/v1/nodes', { parent_id: a.id, kind: 'group', name: name + c });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      circles.push(r.json);
    }
  }
});
after(async () => s && (await s.stop()));

const ok = (r, what) => assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.json)}`);

const ops = {
  async household() {
    const r = await admin.post('/api/v1/households', {
      node_id: pick(circles).id, address: `统计小区${households.length + 1}栋101`, tenure: pick(['owned', 'rented', 'public']),
    });
    ok(r, 'household');
    households.push(r.json);
  },
  async person() {
    if (!households.length) return ops.household();
    const b = birth();
    const r = await admin.post('/api/v1/people', {
      household_id: pick(households).id, name: `统计${people.length + 1}`, relation: 'other',
      ...(rnd() < 0.85 ? { gender: pick(['M', 'F']) } : {}), ...(b ? { birth_date: b } : {}),
      residence: pick(['permanent', 'permanent', 'floating']),
      political_status: pick(['masses', 'party_member', 'probationary_member', 'league_member']), tags: tags(),
    });
    ok(r, 'person');
    people.push(r.json);
  },
  async edit() {
    if (!people.length) return ops.person();
    const p = pick(people);
    const change = pick([
      () => ({ gender: pick(['M', 'F']) }), () => ({ birth_date: birth() ?? yearsAgo(40) }),
      () => ({ residence: pick(['permanent', 'floating']) }),
      () => ({ political_status: pick(['masses', 'party_member']) }), () => ({ tags: tags() }),
    ])();
    ok(await admin.patch(`/api/v1/people/${p.id}`, change), 'edit');
  },
  async move() {
    if (people.length < 2 || households.length < 2) return ops.person();
    const p = pick(people);
    if (p.status === 'deceased') return;
    const to = pick(households.filter((h) => h.id !== p.household_id));
    const out = p.household_id && rnd() < 0.4;
    const r = out
      ? await admin.post(`/api/v1/people/${p.id}/move`, { date: today, reason: '迁出', status: pick(['moved_out', 'deceased']) })
      : await admin.post(`/api/v1/people/${p.id}/move`, { household_id: to.id, date: today, reason: '换房' });
    ok(r, 'move');
    Object.assign(p, out ? { household_id: null, status: r.json.status } : { household_id: to.id, status: 'active' });
  },
  async tenure() {
    if (!households.length) return ops.household();
    ok(await admin.patch(`/api/v1/households/${pick(households).id}`, { tenure: pick(['owned', 'rented']) }), 'tenure');
  },
  async org() {
    ok(await admin.post('/api/v1/orgs', { node_id: pick(circles).id, kind: 'social', name: `统计社会组织${rnd()}` }), 'org');
  },
  async tree() {
    // A group goes to the other area and may come back later.
    const c = pick(circles);
    const to = areas.find((a) => a.id !== c.parent_id);
    ok(await admin.post(`/api/v1/nodes/${c.id}/move`, { parent_id: to.id }), 'tree move');
    c.parent_id = to.id;
  },
  async import() {
    const c = pick(circles);
    const rows = ['所属节点,门牌地址,房屋性质,姓名,性别,身份证号,联系电话,政治面貌,与户主关系,居住类型,关爱标签'];
    for (let i = 0; i < 5; i++) {
      const b = (birth() ?? yearsAgo(30)).replaceAll('-', '');
      rows.push(`,导入统计${c.id}-${people.length}栋10${i % 2},出租,导入${people.length}-${i},${pick(['男', '女'])},` +
        `${idCard(b, 100 + Math.floor(rnd() * 800))},,${pick(['群众', '中共党员'])},户主,${pick(['常住', '流动'])},${pick(['', '残疾人'])}`);
    }
    const r = await admin.req('POST', `/api/v1/import/people?node=${c.id}`, { body: rows.join('\n') + '\n', headers: { 'Content-Type': 'text/csv' } });
    ok(r, 'import');
  },
};
const weights = [['person', 5], ['household', 1], ['edit', 4], ['move', 3], ['tenure', 1], ['org', 1], ['tree', 1], ['import', 1]];
const pickOp = () => {
  let r = rnd() * weights.reduce((n, [, w]) => n + w, 0);
  for (const [name, w] of weights) if ((r -= w) < 0) return name;
  return 'person';
};

// The picture of node counted here from the registry's lists.
async function recount(node) {
  const ppl = await listAll(admin, `/api/v1/people?node=${node}&status=active&limit=100`);
  const hh = await listAll(admin, `/api/v1/households?node=${node}&limit=100`);
  const orgs = await listAll(admin, `/api/v1/orgs?node=${node}&limit=100`);
  const atLeast = (p, n) => p.birth_date && p.birth_date <= yearsAgo(n);
  const t = {
    residents: ppl.length,
    households: hh.filter((h) => h.status === 'active').length,
    floating: ppl.filter((p) => p.residence === 'floating').length,
    rented_households: hh.filter((h) => h.status === 'active' && h.tenure === 'rented').length,
    party_members: ppl.filter((p) => ['party_member', 'probationary_member'].includes(p.political_status)).length,
    male: ppl.filter((p) => p.gender === 'M').length,
    female: ppl.filter((p) => p.gender === 'F').length,
    age_0_17: ppl.filter((p) => p.birth_date && !atLeast(p, 18)).length,
    age_18_34: ppl.filter((p) => atLeast(p, 18) && !atLeast(p, 35)).length,
    age_35_59: ppl.filter((p) => atLeast(p, 35) && !atLeast(p, 60)).length,
    age_60_79: ppl.filter((p) => atLeast(p, 60) && !atLeast(p, 80)).length,
    age_80_plus: ppl.filter((p) => atLeast(p, 80)).length,
    orgs: orgs.filter((o) => !o.retired_at).length,
  };
  const g = (p) => (p.gender === 'M' ? 'male' : p.gender === 'F' ? 'female' : 'unknown');
  const bands = Array.from({ length: 9 }, () => ({ male: 0, female: 0, unknown: 0 }));
  const none = { male: 0, female: 0, unknown: 0 };
  for (const p of ppl) {
    if (!p.birth_date) { none[g(p)]++; continue; }
    let b = 0;
    while (b < 8 && atLeast(p, (b + 1) * 10)) b++;
    bands[b][g(p)]++;
  }
  const tagCount = {};
  for (const p of ppl) for (const x of p.tags) tagCount[x] = (tagCount[x] ?? 0) + 1;
  return { t, bands, none, tagCount };
}

async function compare(node) {
  const got = (await admin.get(`/api/v1/stats?node=${node}`)).json.totals;
  const want = await recount(node);
  for (const [k, v] of Object.entries(want.t)) assert.equal(got[k], v, `node ${node} ${k}`);
  assert.deepEqual(got.pyramid.bands.map(({ male, female, unknown }) => ({ male, female, unknown })), want.bands, `node ${node} pyramid`);
  assert.deepEqual(got.pyramid.no_birth_date, want.none, `node ${node} no birth date`);
  assert.deepEqual(got.tags, want.tagCount, `node ${node} tags`);
}

test('after each batch of a random mix of writes the figures equal a recomputation and a count from the lists', async () => {
  const before = (await admin.get(`/api/v1/stats?node=${comm.id}`)).json.totals;
  for (let batch = 0; batch < 4; batch++) {
    for (let i = 0; i < 30; i++) await ops[pickOp()]();
    assert.match(linli(['check', '--db', s.db]), /^ok/, `batch ${batch}`);
    for (const n of [...areas, ...circles]) await compare(n.id);
  }
  // The community and the street above took in exactly the areas' people.
  const after = (await admin.get(`/api/v1/stats?node=${comm.id}`)).json.totals;
  let added = 0;
  for (const a of areas) added += (await admin.get(`/api/v1/stats?node=${a.id}`)).json.totals.residents;
  assert.ok(added > 30, `the mix registered people (${added})`);
  assert.equal(after.residents - before.residents, added);
  const children = (await admin.get(`/api/v1/stats?node=${comm.id}`)).json.children;
  for (const a of areas) {
    const row = children.find((c) => c.id === a.id);
    const own = (await admin.get(`/api/v1/stats?node=${a.id}`)).json.totals;
    for (const k of ['residents', 'households', 'floating', 'age_0_17', 'age_80_plus', 'male', 'female'])
      assert.equal(row[k], own[k], `child row ${a.id} ${k}`);
  }
});

test('a figure a check finds wrong is named', async () => {
  // The check reads the figures table itself: a value changed behind the
  // triggers' back is reported, with its node and name.
  const db = s.db;
  await s.kill();
  const sql = `INSERT INTO figures (node_id, name, key, value) VALUES (${areas[0].id}, 'residents', '', 1) ` +
    'ON CONFLICT (node_id, name, key) DO UPDATE SET value = figures.value + 1';
  if (db.startsWith('postgres')) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('psql', ['-qX', '-v', 'ON_ERROR_STOP=1', db, '-c', sql]);
  } else {
    (await import('node:child_process')).execFileSync('sqlite3', [db, sql]);
  }
  let out = '';
  try {
    linli(['check', '--db', db]);
  } catch (e) {
    out = String(e.stderr);
  }
  assert.match(out, new RegExp(`figures: (kept|expected) node ${areas[0].id} residents`));
  await s.launch();
});

// Lists that cost one page (domain/core/page.c, cases/case_scope.c): a
// subtree's requests follow a case up the tree and a part of the tree
// across it; a filtered page reads a bounded window and says where to go
// on; the registry pages in place order; `linli check` finds the rows the
// lists are kept in equal to a recomputation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, linli, listAll } from './lib.mjs';

let s, admin, resident, head, home, ancestors;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  resident = await s.login('jumin');
  head = await s.login('linzhang');
  home = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json.node_id;
  ancestors = (await admin.get(`/api/v1/nodes/${home}/ancestors`)).json.items;
});
after(async () => s && (await s.stop()));

const ids = async (path) => (await listAll(admin, path)).map((x) => x.id);
const report = async (category, text) => {
  const r = await resident.post('/api/v1/requests', { category, description: text });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
};

test("a subtree's requests are its nodes' and their descendants', newest first; escalation moves one up", async () => {
  const a = await report('corridor_light', '5栋楼道灯不亮');
  const b = await report('corridor_light', '3栋楼道灯闪烁');
  const landed = a.node_id;
  const line = [...(await admin.get(`/api/v1/nodes/${landed}/ancestors`)).json.items.map((x) => x.id), landed];
  assert.ok(line.length >= 3);
  for (const n of line)
    assert.deepEqual((await ids(`/api/v1/requests?node=${n}`)).filter((id) => id === a.id || id === b.id), [b.id, a.id], `node ${n}`);
  const up = await head.post(`/api/v1/requests/${a.id}/escalate`, { reason: '需要上级协调' });
  assert.equal(up.status, 200, JSON.stringify(up.json));
  const now = (await admin.get(`/api/v1/requests/${a.id}`)).json.node_id;
  assert.notEqual(now, landed);
  assert.ok(!(await ids(`/api/v1/requests?node=${landed}`)).includes(a.id), 'gone from the level it left');
  assert.ok((await ids(`/api/v1/requests?node=${now}`)).includes(a.id), 'in the level above');
  assert.ok((await ids(`/api/v1/requests?node=${now}&status=open`)).includes(a.id));
});

test('a filtered page reads a bounded window: short or empty pages carry the cursor, and paging finds every match', async () => {
  const rare = await report('greening', '草坪被踩坏');
  const many = [];
  for (let i = 0; i < 120; i++) many.push((await report('noise', `夜间噪音 ${i}`)).id);
  const comm = ancestors.find((n) => n.kind === 'community').id;
  // limit 1: a window of 100 rows, all of them newer noise reports.
  const first = await admin.get(`/api/v1/requests?node=${comm}&category=greening&limit=1`);
  assert.equal(first.status, 200);
  assert.equal(first.json.items.length, 0, 'the window ended before a match');
  assert.ok(first.json.next_cursor, 'and says where to go on');
  assert.deepEqual(await ids(`/api/v1/requests?node=${comm}&category=greening&limit=1`), [rare.id]);
  // Without a filter a page is full.
  const page = await admin.get(`/api/v1/requests?node=${comm}&limit=25`);
  assert.deepEqual(page.json.items.map((x) => x.id), many.slice(-25).reverse());
  // Every noise report exactly once across pages of 7.
  const all = await ids(`/api/v1/requests?node=${comm}&category=noise&limit=7`);
  assert.deepEqual(all, [...many].reverse());
  assert.equal((await admin.get(`/api/v1/requests?node=${comm}&cursor=x1`)).status, 400);
});

test('a part of the tree that moves takes its requests and residents to the lists of its new ancestors', async () => {
  const comm = ancestors.find((n) => n.kind === 'community');
  const area = ancestors.find((n) => n.parent_id === comm.id);
  const other = (await admin.get(`/api/v1/nodes/${comm.parent_id}/children`)).json.items.find((n) => n.kind === 'community' && n.id !== comm.id);
  const c = await report('parking', '车位被占');
  const before = await ids(`/api/v1/requests?node=${area.id}`);
  assert.ok(before.includes(c.id));
  const mv = await admin.post(`/api/v1/nodes/${area.id}/move`, { parent_id: other.id });
  assert.equal(mv.status, 200, JSON.stringify(mv.json));
  assert.ok(!(await ids(`/api/v1/requests?node=${comm.id}`)).includes(c.id), 'left the old community');
  const inOther = await ids(`/api/v1/requests?node=${other.id}`);
  for (const id of before) assert.ok(inOther.includes(id), `request ${id} in the new community`);
  assert.deepEqual(await ids(`/api/v1/requests?node=${area.id}`), before, 'its own list unchanged');
  const mine = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json;
  assert.ok((await listAll(admin, `/api/v1/households?node=${other.id}&limit=200`)).some((h) => h.id === mine.id));
  assert.ok(!(await listAll(admin, `/api/v1/households?node=${comm.id}&limit=200`)).some((h) => h.id === mine.id));
  const back = await admin.post(`/api/v1/nodes/${area.id}/move`, { parent_id: comm.id });
  assert.equal(back.status, 200);
  assert.ok((await ids(`/api/v1/requests?node=${comm.id}`)).includes(c.id));
});

test('the registry pages in place order, each person once', async () => {
  const comm = ancestors.find((n) => n.kind === 'community').id;
  const people = await listAll(admin, `/api/v1/people?node=${comm}&limit=500`);
  assert.equal(new Set(people.map((p) => p.id)).size, people.length);
  const byName = await listAll(admin, `/api/v1/people?node=${comm}&limit=500&sort=name`);
  assert.deepEqual(byName.map((p) => p.id).sort((x, y) => x - y), people.map((p) => p.id).sort((x, y) => x - y), 'the same people in either order');
  const keys = byName.map((p) => `${p.name_pinyin}\u0000${String(p.id).padStart(10, '0')}`);
  assert.deepEqual(keys, [...keys].sort(), 'name order across pages');
  const hh = await listAll(admin, `/api/v1/households?node=${comm}&limit=500`);
  assert.equal(new Set(hh.map((h) => h.id)).size, hh.length);
  assert.equal((await admin.get(`/api/v1/people?node=${comm}&cursor=${encodeURIComponent('x.y')}`)).status, 400);
});

test('linli check finds the list rows equal to a recomputation', async () => {
  const out = linli(['check', '--db', s.db]);
  assert.match(out, /^ok/);
});

// The organisation tree: create, rename, move with descendants, retire,
// children, ancestors, search by name and pinyin initials, kinds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';

let s, admin;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
});
after(async () => s && (await s.stop()));

test('roots and children of the street', async () => {
  const roots = await admin.get('/api/v1/nodes');
  assert.equal(roots.status, 200);
  const street = roots.json.items.find((n) => n.kind === 'street');
  assert.equal(street.name, '书院路街道');
  assert.ok(roots.json.items.some((n) => n.kind === 'party_committee' && n.linked_node_id === street.id));
  const kids = await admin.get(`/api/v1/nodes/${street.id}/children`);
  assert.equal(kids.status, 200);
  assert.equal(kids.json.items.length, 6);
  assert.ok(kids.json.items.every((n) => n.kind === 'community' && n.parent_id === street.id));
  const paged = await admin.get(`/api/v1/nodes/${street.id}/children?limit=4`);
  assert.equal(paged.json.items.length, 4);
  assert.ok(paged.json.next_cursor);
  const rest = await admin.get(`/api/v1/nodes/${street.id}/children?limit=4&cursor=${paged.json.next_cursor}`);
  assert.equal(rest.json.items.length, 2);
  assert.equal(rest.json.next_cursor, null);
});

test('the seed proportions: 51 片, 217 组, 1112 邻 with 5–15 households each', async () => {
  const st = await admin.get('/api/v1/stats?node=1');
  assert.equal(st.status, 200);
  assert.equal(st.json.totals.roles.area_head, 51);
  assert.equal(st.json.totals.roles.group_head, 217);
  assert.equal(st.json.totals.roles.neighbour_head, 1112);
  assert.equal(st.json.totals.roles.building_head, 92);
  assert.equal(st.json.totals.roles.unit_head, 276);
  const circle = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('第1邻') + '&limit=1')).json.items[0];
  const hh = await admin.get(`/api/v1/households?node=${circle.id}&limit=100`);
  assert.ok(hh.json.items.length >= 5 && hh.json.items.length <= 15, `${hh.json.items.length} households`);
});

test('create, rename, move with descendants, ancestors, retire', async () => {
  const comm = (await admin.get('/api/v1/nodes/1/children')).json.items[0];
  const other = (await admin.get('/api/v1/nodes/1/children')).json.items[1];
  const area = await admin.post('/api/v1/nodes', { parent_id: comm.id, kind: 'area', name: '测试片区' });
  assert.equal(area.status, 201);
  assert.equal(area.json.path, `${comm.path}${area.json.id}/`);
  assert.equal(area.json.community_id, comm.id);
  const grp = await admin.post('/api/v1/nodes', { parent_id: area.json.id, kind: 'group', name: '测试组' });
  const circ = await admin.post('/api/v1/nodes', { parent_id: grp.json.id, kind: 'circle', name: '测试邻' });
  assert.equal(circ.status, 201);
  const hh = await admin.post('/api/v1/households', { node_id: circ.json.id, address: '测试小区1栋101' });
  assert.equal(hh.status, 201);
  const p = await admin.post('/api/v1/people', { household_id: hh.json.id, name: '测试人', relation: 'head' });
  assert.equal(p.status, 201);

  const ren = await admin.patch(`/api/v1/nodes/${area.json.id}`, { name: '第九十九片区' });
  assert.equal(ren.status, 200);
  assert.equal(ren.json.name, '第九十九片区');

  const mv = await admin.post(`/api/v1/nodes/${area.json.id}/move`, { parent_id: other.id });
  assert.equal(mv.status, 200);
  assert.equal(mv.json.path, `${other.path}${area.json.id}/`);
  assert.equal(mv.json.community_id, other.id);
  const anc = await admin.get(`/api/v1/nodes/${circ.json.id}/ancestors`);
  assert.deepEqual(anc.json.items.map((n) => n.id), [1, other.id, area.json.id, grp.json.id]);
  const movedCircle = await admin.get(`/api/v1/nodes/${circ.json.id}`);
  assert.equal(movedCircle.json.depth, 4);
  // The resident moved with the subtree: listed under the new community.
  const inOther = await admin.get(`/api/v1/people?node=${other.id}&q=${encodeURIComponent('测试人')}`);
  assert.equal(inOther.json.items.length, 1);
  const inOld = await admin.get(`/api/v1/people?node=${comm.id}&q=${encodeURIComponent('测试人')}`);
  assert.equal(inOld.json.items.length, 0);

  // A node cannot move under its own descendant, nor change tree level rules.
  const loop = await admin.post(`/api/v1/nodes/${area.json.id}/move`, { parent_id: circ.json.id });
  assert.equal(loop.status, 400);
  const wrong = await admin.post('/api/v1/nodes', { parent_id: circ.json.id, kind: 'community', name: '错层' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error.field, 'kind');

  // Retire: refused while children or households remain.
  const busy = await admin.post(`/api/v1/nodes/${grp.json.id}/retire`);
  assert.equal(busy.status, 409);
  const leaf = await admin.post('/api/v1/nodes', { parent_id: grp.json.id, kind: 'circle', name: '空邻' });
  const ret = await admin.post(`/api/v1/nodes/${leaf.json.id}/retire`);
  assert.equal(ret.status, 200);
  assert.ok(ret.json.retired_at);
  const kids = await admin.get(`/api/v1/nodes/${grp.json.id}/children`);
  assert.ok(!kids.json.items.some((n) => n.id === leaf.json.id));
  const withRetired = await admin.get(`/api/v1/nodes/${grp.json.id}/children?retired=1`);
  assert.ok(withRetired.json.items.some((n) => n.id === leaf.json.id));
  const again = await admin.post(`/api/v1/nodes/${leaf.json.id}/retire`);
  assert.equal(again.status, 409);
});

test('search nodes by Chinese name and by pinyin initials', async () => {
  const byName = await admin.get('/api/v1/nodes?q=' + encodeURIComponent('葩金'));
  assert.ok(byName.json.items.some((n) => n.name === '葩金社区'));
  const byInitials = await admin.get('/api/v1/nodes?q=pjsq');
  assert.ok(byInitials.json.items.some((n) => n.name === '葩金社区'));
  const none = await admin.get('/api/v1/nodes?q=zzzzzz');
  assert.equal(none.json.items.length, 0);
});

test('node kinds are configurable', async () => {
  const put = await admin.post('/api/v1/node-kinds', { code: 'yard', tree: 'org', level: 5, name_zh: '院落', name_en: 'yard' });
  assert.equal(put.status, 200);
  const kinds = await admin.get('/api/v1/node-kinds');
  assert.ok(kinds.json.items.some((k) => k.code === 'yard' && k.name_zh === '院落'));
  const area = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('第1片区') + '&limit=1')).json.items[0];
  const y = await admin.post('/api/v1/nodes', { parent_id: area.id, kind: 'yard', name: '书院里院落' });
  assert.equal(y.status, 201);
  const bad = await admin.post('/api/v1/node-kinds', { code: 'x', tree: 'nope', level: 1, name_zh: 'x', name_en: 'x' });
  assert.equal(bad.status, 400);
});

test('unknown node and bad ids', async () => {
  assert.equal((await admin.get('/api/v1/nodes/999999')).status, 404);
  assert.equal((await admin.get('/api/v1/nodes/abc')).status, 400);
  assert.equal((await admin.get('/api/v1/nodes/-3')).status, 400);
  const r = await admin.get('/api/v1/nodes/1/children?limit=0');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'limit');
});

test('the whole subtree in tree order, by kind and depth, page by page', async () => {
  const comm = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('晓塘社区'))).json.items[0];
  const all = [];
  let cursor = '';
  for (;;) {
    const r = await admin.get(`/api/v1/nodes/${comm.id}/subtree?limit=100${cursor}`);
    assert.equal(r.status, 200);
    all.push(...r.json.items);
    if (!r.json.next_cursor) break;
    cursor = '&cursor=' + encodeURIComponent(r.json.next_cursor);
  }
  assert.ok(all.every((n) => n.path.startsWith(comm.path) && n.id !== comm.id));
  // Tree order: every node comes after its parent.
  const pos = new Map(all.map((n, i) => [n.id, i]));
  for (const n of all) if (n.parent_id !== comm.id) assert.ok(pos.get(n.parent_id) < pos.get(n.id));
  const circles = await admin.get(`/api/v1/nodes/${comm.id}/subtree?kind=circle&limit=1000`);
  assert.equal(circles.json.items.length, all.filter((n) => n.kind === 'circle').length);
  const two = await admin.get(`/api/v1/nodes/${comm.id}/subtree?depth=2&limit=1000`);
  assert.ok(two.json.items.every((n) => n.depth <= comm.depth + 2));
  assert.ok(two.json.items.some((n) => n.depth === comm.depth + 2));
  assert.equal((await admin.get(`/api/v1/nodes/${comm.id}/subtree?cursor=x'`)).status, 400);
  const x = await admin.req('GET', `/api/v1/export/nodes?node=${comm.id}&format=csv`, { raw: true });
  assert.equal(x.status, 200);
  assert.equal(x.buf.toString('utf8').trim().split('\r\n').length, all.length + 1);
});

test('statistics: the population pyramid by 10-year age band and gender', async () => {
  const sumBand = (b) => b.male + b.female + b.unknown;
  // The demo street: every active resident is in a band or counted apart,
  // and the bands agree with the other metrics.
  const st = (await admin.get('/api/v1/stats?node=1')).json.totals;
  const pyr = st.pyramid;
  assert.deepEqual(pyr.bands.map((b) => b.band), ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80+']);
  assert.equal(pyr.bands[8].age_min, 80);
  assert.equal(pyr.bands[8].age_max, null);
  assert.equal(pyr.bands.reduce((n, b) => n + sumBand(b), 0) + sumBand(pyr.no_birth_date), st.residents);
  assert.equal(pyr.bands.reduce((n, b) => n + b.male, 0) + pyr.no_birth_date.male, st.male);
  assert.equal(pyr.bands.reduce((n, b) => n + b.female, 0) + pyr.no_birth_date.female, st.female);
  assert.equal(sumBand(pyr.bands[8]), st.age_80_plus);
  assert.ok(pyr.bands.every((b) => sumBand(b) > 0), 'the demo has people of every age');

  // A new area with people of known ages: exactly those counts.
  const comm = (await admin.get('/api/v1/nodes/1/children')).json.items[0];
  const area = (await admin.post('/api/v1/nodes', { parent_id: comm.id, kind: 'area', name: '金字塔测试片区' })).json;
  const hh = (await admin.post('/api/v1/households', { node_id: area.id, address: '金字塔测试1栋101' })).json;
  // Born `years` years and about half a year ago: exactly `years` old today.
  const now = new Date();
  const born = (years) =>
    new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()) - 180 * 86400e3).toISOString().slice(0, 10);
  const people = [
    { name: '金一', gender: 'M', birth_date: born(5) },
    { name: '金二', gender: 'F', birth_date: born(9) },
    { name: '金三', gender: 'F', birth_date: born(45) },
    { name: '金四', gender: 'M', birth_date: born(85) },
    { name: '金五', birth_date: born(23) },
    { name: '金六', gender: 'F' },
  ];
  for (const p of people) {
    const r = await admin.post('/api/v1/people', { household_id: hh.id, relation: 'other', ...p });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  const a = (await admin.get(`/api/v1/stats?node=${area.id}`)).json.totals.pyramid;
  const cells = a.bands.map((b) => [b.male, b.female, b.unknown]);
  assert.deepEqual(cells, [[1, 1, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]]);
  assert.deepEqual(a.no_birth_date, { male: 0, female: 1, unknown: 0 });
});

// Residents and households: registration, derived fields, search by name,
// pinyin, ID card, phone and tag, moving in and out with history, masking
// and audited reveal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, idCard, listAll } from './lib.mjs';

let s, admin, circle, hh;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  circle = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('第2邻') + '&limit=1')).json.items[0];
  hh = (await admin.post('/api/v1/households', { node_id: circle.id, address: '书院里3栋2单元401', tenure: 'rented' })).json;
});
after(async () => s && (await s.stop()));

test('register a household and its members', async () => {
  assert.equal(hh.tenure, 'rented');
  assert.equal(hh.node_id, circle.id);
  const head = await admin.post('/api/v1/people', {
    household_id: hh.id, name: '王贵宝', id_card: idCard('19440305', 102), phone: '+86 138-0013-8000',
    relation: 'head', political_status: 'party_member', tags: ['孤寡老人', '高龄老人'], ethnicity: '汉族',
  });
  assert.equal(head.status, 201, JSON.stringify(head.json));
  // Birth date and gender come from the ID card; personal data is masked.
  assert.equal(head.json.birth_date, '1944-03-05');
  assert.equal(head.json.gender, 'F');
  // The ID number shows its region only (its other digits hold the birth date; pii.c).
  assert.equal(head.json.id_card, '430302' + '*'.repeat(12));
  assert.equal(head.json.phone, '138****8000');
  assert.deepEqual(head.json.tags, ['孤寡老人', '高龄老人']);
  assert.equal(head.json.household_address, '书院里3栋2单元401');
  const h = await admin.get(`/api/v1/households/${hh.id}`);
  assert.equal(h.json.head_person_id, head.json.id);
  assert.equal(h.json.member_count, 1);
  assert.equal(h.json.members[0].name, '王贵宝');
  assert.equal(h.json.members[0].phone, '138****8000');
});

test('search by name, pinyin initials, full pinyin, ID card, phone and tag', async () => {
  const q = (x) => admin.get(`/api/v1/people?node=${circle.id}&` + x);
  assert.ok((await q('q=' + encodeURIComponent('贵宝'))).json.items.some((p) => p.name === '王贵宝'));
  assert.ok((await q('q=wgb')).json.items.some((p) => p.name === '王贵宝'));
  assert.ok((await q('q=WGB')).json.items.some((p) => p.name === '王贵宝'));
  assert.ok((await q('q=wanggui')).json.items.some((p) => p.name === '王贵宝'));
  const byId = await admin.get('/api/v1/people?q=' + idCard('19440305', 102));
  assert.equal(byId.json.items.length, 1);
  assert.equal(byId.json.items[0].name, '王贵宝');
  const byPhone = await admin.get('/api/v1/people?q=13800138000');
  assert.equal(byPhone.json.items.length, 1);
  assert.equal((await admin.get('/api/v1/people?q=13800138001')).json.items.length, 0);
  const tagged = await q('tag=' + encodeURIComponent('孤寡老人'));
  assert.ok(tagged.json.items.every((p) => p.tags.includes('孤寡老人')));
  assert.ok(tagged.json.items.some((p) => p.name === '王贵宝'));
  const party = await q('political_status=party_member');
  assert.ok(party.json.items.every((p) => p.political_status === 'party_member'));
});

test('a duplicate ID card is refused and changes nothing', async () => {
  const before = (await admin.get(`/api/v1/households/${hh.id}`)).json.member_count;
  const dup = await admin.post('/api/v1/people', { household_id: hh.id, name: '重复', id_card: idCard('19440305', 102) });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.field, 'id_card');
  assert.equal((await admin.get(`/api/v1/households/${hh.id}`)).json.member_count, before);
  const badCheck = await admin.post('/api/v1/people', { household_id: hh.id, name: '错号', id_card: '430302194403051020' });
  assert.ok([400].includes(badCheck.status));
  assert.equal(badCheck.json.error.field, 'id_card');
});

test('moving out and into another household keeps the history', async () => {
  const p = (await admin.post('/api/v1/people', { household_id: hh.id, name: '李流动', residence: 'floating', relation: 'tenant' })).json;
  const other = (await admin.post('/api/v1/households', { node_id: circle.id, address: '书院里5栋1单元101' })).json;
  const today = new Date().toISOString().slice(0, 10);
  const early = await admin.post(`/api/v1/people/${p.id}/move`, { household_id: other.id, date: '2000-01-01' });
  assert.equal(early.status, 400);
  assert.equal(early.json.error.field, 'date');
  const mv = await admin.post(`/api/v1/people/${p.id}/move`, { household_id: other.id, date: today, reason: '换租' });
  assert.equal(mv.status, 200);
  assert.equal(mv.json.household_id, other.id);
  const out = await admin.post(`/api/v1/people/${p.id}/move`, { date: today, reason: '搬离本市' });
  assert.equal(out.status, 200);
  assert.equal(out.json.status, 'moved_out');
  const hist = await admin.get(`/api/v1/people/${p.id}/history`);
  assert.equal(hist.json.items.length, 2);
  assert.equal(hist.json.items[0].household_id, hh.id);
  assert.equal(hist.json.items[0].moved_out, today);
  assert.equal(hist.json.items[1].household_id, other.id);
  assert.equal(hist.json.items[1].moved_in, today);
  assert.equal(hist.json.items[1].moved_out, today);
  assert.match(hist.json.items[1].reason, /搬离本市/);
  // Moved-out people leave the default list but can be listed explicitly.
  const active = await admin.get(`/api/v1/people?household=${other.id}`);
  assert.ok(!active.json.items.some((x) => x.id === p.id));
  const gone = await admin.get(`/api/v1/people?household=${other.id}&status=moved_out`);
  assert.ok(gone.json.items.some((x) => x.id === p.id));
  const bad = await admin.post(`/api/v1/people/${p.id}/move`, { date: '2026-13-01' });
  assert.equal(bad.status, 400);
});

test('update a person; reveal needs officer access and is audited', async () => {
  const p = (await admin.post('/api/v1/people', { household_id: hh.id, name: '张三', phone: '13912345678' })).json;
  const up = await admin.patch(`/api/v1/people/${p.id}`, { name: '张三丰', tags: ['退役军人'] });
  assert.equal(up.status, 200);
  assert.equal(up.json.name, '张三丰');
  assert.ok((await listAll(admin, '/api/v1/people?q=zsf')).some((x) => x.id === p.id));
  const shown = await admin.get(`/api/v1/people/${p.id}?reveal=1`);
  assert.equal(shown.json.phone, '13912345678');
  const audit = await admin.get(`/api/v1/audit?entity=person&id=${p.id}`);
  const actions = audit.json.items.map((a) => a.action);
  assert.deepEqual(actions, ['reveal', 'update', 'create']);
  const upd = audit.json.items[1];
  assert.equal(upd.before.name, '张三');
  assert.equal(upd.after.name, '张三丰');
  assert.equal(upd.after.phone, '139****5678', 'audit snapshots hold masked data only');
  // The grid worker (worker access) may not reveal.
  const worker = await s.login('wangge');
  const mine = (await worker.get('/api/v1/people?limit=1')).json.items[0];
  const denied = await worker.get(`/api/v1/people/${mine.id}?reveal=1`);
  assert.equal(denied.status, 403);
  const masked = await worker.get(`/api/v1/people/${mine.id}`);
  assert.equal(masked.status, 200);
});

test('household list filters and pagination', async () => {
  const rented = await admin.get(`/api/v1/households?node=1&tenure=rented&limit=20`);
  assert.equal(rented.json.items.length, 20);
  assert.ok(rented.json.items.every((h) => h.tenure === 'rented'));
  const p1 = await admin.get('/api/v1/people?node=1&limit=50');
  const p2 = await admin.get('/api/v1/people?node=1&limit=50&cursor=' + encodeURIComponent(p1.json.next_cursor));
  assert.equal(p2.json.items.length, 50);
  const ids = new Set([...p1.json.items, ...p2.json.items].map((p) => p.id));
  assert.equal(ids.size, 100);
});

test('lists sort by name in pinyin order, page by page', async () => {
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 4; i++) {
    const r = await admin.get(`/api/v1/people?node=${circle.id}&sort=name&limit=5${cursor}`);
    assert.equal(r.status, 200);
    seen.push(...r.json.items);
    if (!r.json.next_cursor) break;
    cursor = '&cursor=' + encodeURIComponent(r.json.next_cursor);
  }
  assert.ok(seen.length >= 10);
  const keys = seen.map((p) => p.name_pinyin);
  assert.deepEqual(keys, [...keys].sort(), 'pinyin order across pages');
  assert.equal(new Set(seen.map((p) => p.id)).size, seen.length, 'no repeats across pages');
  assert.equal((await admin.get('/api/v1/people?sort=age')).status, 400);
  assert.equal((await admin.get('/api/v1/people?sort=name&cursor=garbage')).status, 400);
});

test('API tokens: created at login, listed without secrets, revocable', async () => {
  const login = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1', kind: 'api', name: '数据对接' } });
  assert.equal(login.status, 200);
  assert.equal(login.headers.get('set-cookie'), null, 'API tokens are not cookies');
  const tok = login.json.token;
  const list = await admin.get('/api/v1/auth/tokens');
  const mine = list.json.items.find((t) => t.name === '数据对接');
  assert.ok(mine);
  assert.ok(!JSON.stringify(list.json).includes(tok));
  assert.equal((await s.req('GET', '/api/v1/auth/me', { token: tok })).status, 200);
  assert.equal((await admin.del(`/api/v1/auth/tokens/${mine.id}`)).status, 200);
  assert.equal((await s.req('GET', '/api/v1/auth/me', { token: tok })).status, 401);
  assert.equal((await admin.del(`/api/v1/auth/tokens/${mine.id}`)).status, 404);
});

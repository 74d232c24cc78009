// GET /api/v1/meta/fields: every entity's fields as the field tables
// describe them, and the case kinds; what it serves is what validation
// enforces (a value one over a served limit is refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';

let s, admin, meta;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  const r = await admin.get('/api/v1/meta/fields');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  meta = r.json;
});
after(async () => s && (await s.stop()));

const field = (ent, name) => meta.entities[ent].fields.find((f) => f.name === name);

test('logged-in users only', async () => {
  assert.equal((await s.req('GET', '/api/v1/meta/fields')).status, 401);
  const resident = await s.login('jumin');
  assert.equal((await resident.get('/api/v1/meta/fields')).status, 200);
  assert.equal((await admin.get('/api/v1/meta/fields?x=1')).status, 400);
});

test('every entity is there, with labels, types and limits', () => {
  for (const e of ['node', 'household', 'person', 'role', 'org', 'user', 'case', 'request'])
    assert.ok(meta.entities[e]?.fields.length > 0, `entity ${e}`);
  const name = field('person', 'name');
  assert.deepEqual([name.type, name.required, name.read_only, name.max, name.label_zh, name.label_en],
    ['text', true, false, 50, '姓名', 'name']);
  assert.equal(field('person', 'status').read_only, true);
  assert.equal(field('household', 'node_id').create_only, true);
  // Secrets are never described.
  assert.equal(field('request', 'external_token'), undefined);
});

test('an enum carries its values with Chinese and English labels', () => {
  const g = field('person', 'gender');
  assert.equal(g.type, 'enum');
  assert.deepEqual(g.values, [{ code: 'M', label_zh: '男', label_en: 'male' }, { code: 'F', label_zh: '女', label_en: 'female' }]);
  const ch = field('request', 'channel').values.find((v) => v.code === 'qr');
  assert.deepEqual([ch.label_zh, ch.label_en], ['扫码上报', 'QR code']);
});

test('case kinds: states with phases and labels, actions with their inputs', async () => {
  const kinds = (await admin.get('/api/v1/case-kinds')).json.items;
  assert.deepEqual(meta.case_kinds, kinds);
  const req = meta.case_kinds.find((k) => k.path === 'requests');
  const neu = req.states.find((x) => x.code === 'new');
  assert.deepEqual([neu.name_zh, neu.phase], ['新收', 'open']);
  const rate = req.actions.find((a) => a.code === 'rate');
  assert.equal(rate.input.find((f) => f.name === 'comment').max, 500);
  assert.ok(field('case', 'phase').values.some((v) => v.code === 'waiting'));
});

test('the served limits are the ones validation enforces', async () => {
  const circle = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('第2邻') + '&limit=1')).json.items[0];
  const max = field('household', 'address').max;
  const over = await admin.post('/api/v1/households', { node_id: circle.id, address: '门'.repeat(max + 1) });
  assert.equal(over.status, 400);
  assert.equal(over.json.error.field, 'address');
  const at = await admin.post('/api/v1/households', { node_id: circle.id, address: '门'.repeat(max) });
  assert.equal(at.status, 201, JSON.stringify(at.json));
  const nmax = field('person', 'name').max;
  const p = await admin.post('/api/v1/people', { household_id: at.json.id, name: '张'.repeat(nmax + 1) });
  assert.equal(p.status, 400);
  assert.equal(p.json.error.field, 'name');
  const tmax = field('case', 'title').max;
  const cat = (await admin.get('/api/v1/requests/categories')).json.items[0].code;
  const c = await admin.post('/api/v1/requests', { category: cat, place_node_id: circle.id, title: '灯'.repeat(tmax + 1), description: '楼道灯不亮' });
  assert.equal(c.status, 400);
  assert.equal(c.json.error.field, 'title');
  // An enum value outside the served values is refused too.
  const bad = await admin.post('/api/v1/people', { household_id: at.json.id, name: '张三', gender: 'X' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'gender');
});

// The configured entities (node kinds, a kind's categories, webhooks) go
// through the field tables like every record: their limits and codes are
// checked, an existing code keeps what may not change, and a webhook's
// signing secret is shown once, when it is registered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, auditCount } from './lib.mjs';

let s, admin;

before(async () => {
  // Its webhooks point at loopback port 9 (nothing listens), which needs the allow-list.
  s = await Server.start({ extra: ['--webhook-allow', '127.0.0.1/32'] });
  admin = await s.login('admin');
});
after(async () => s && (await s.stop()));

const category = { code: 'lift', name_zh: '电梯', name_en: 'lift', level: 5, respond_hours: 4, resolve_hours: 48 };

test('a category: codes, limits and the whole description on put', async () => {
  const bad = [
    [{ ...category, code: 'Lift-1' }, 'code'],
    [{ ...category, name_zh: '电'.repeat(21) }, 'name_zh'],
    [{ ...category, level: 21 }, 'level'],
    [{ ...category, respond_hours: 0 }, 'respond_hours'],
    [{ ...category, resolve_hours: 8761 }, 'resolve_hours'],
    [{ ...category, colour: 'red' }, 'colour'],
    [{ code: 'lift', name_zh: '电梯' }, 'name_en'],
  ];
  const mark = await auditCount(admin);
  for (const [body, field] of bad) {
    const r = await admin.post('/api/v1/requests/categories', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(r.json));
  }
  assert.equal(await auditCount(admin), mark, 'rejected input writes nothing');
  assert.equal((await admin.get('/api/v1/requests/categories')).json.items.some((c) => c.code === 'lift'), false);

  assert.equal((await admin.post('/api/v1/requests/categories', { ...category, name_zh: '  电梯故障　' })).status, 200);
  let lift = (await admin.get('/api/v1/requests/categories')).json.items.find((c) => c.code === 'lift');
  assert.equal(lift.name_zh, '电梯故障', 'blanks (and the ideographic space) trimmed');
  assert.equal(lift.active, true);
  assert.equal(lift.sort_order, 50);
  assert.equal(lift.kind, 'request');
  // A later put is the whole description: left-out fields take their defaults.
  assert.equal((await admin.post('/api/v1/requests/categories', { ...category, active: false, sort_order: 3 })).status, 200);
  lift = (await admin.get('/api/v1/requests/categories')).json.items.find((c) => c.code === 'lift');
  assert.deepEqual([lift.active, lift.sort_order, lift.name_zh], [false, 3, '电梯']);
  assert.equal((await admin.post('/api/v1/requests/categories', category)).status, 200);
  lift = (await admin.get('/api/v1/requests/categories')).json.items.find((c) => c.code === 'lift');
  assert.deepEqual([lift.active, lift.sort_order], [true, 50]);
});

test('a node kind: an existing level keeps its tree and depth, only its names change', async () => {
  const kinds = async () => (await admin.get('/api/v1/node-kinds')).json.items;
  const grid = (await kinds()).find((k) => k.code === 'grid');
  assert.ok(grid, 'the demo has grids');
  const r = await admin.post('/api/v1/node-kinds', { code: 'grid', tree: 'party', level: 1, name_zh: '网格（责任区）', name_en: 'grid' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const after = (await kinds()).find((k) => k.code === 'grid');
  assert.deepEqual([after.tree, after.level, after.name_zh], [grid.tree, grid.level, '网格（责任区）']);
  for (const [body, field] of [
    [{ code: 'x', tree: 'forest', level: 1, name_zh: 'x', name_en: 'x' }, 'tree'],
    [{ code: 'Block', tree: 'org', level: 1, name_zh: 'x', name_en: 'x' }, 'code'],
    [{ code: 'x', tree: 'org', level: 99, name_zh: 'x', name_en: 'x' }, 'level'],
  ]) {
    const bad = await admin.post('/api/v1/node-kinds', body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.json.error.field, field);
  }
});

test('a webhook: the secret is given once, never read back, never audited', async () => {
  const street = (await admin.get('/api/v1/nodes?limit=1')).json.items[0].id;
  const made = await admin.post('/api/v1/webhooks', { node_id: street, url: 'http://127.0.0.1:9/hook' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  assert.match(made.json.secret, /^[0-9a-f]{64}$/, 'a generated secret, in the create answer');
  const listed = (await admin.get(`/api/v1/webhooks?node=${street}`)).json.items.find((h) => h.id === made.json.id);
  assert.ok(listed);
  assert.equal('secret' in listed, false);
  const upd = await admin.patch(`/api/v1/webhooks/${made.json.id}`, { active: false, events: 'reported,resolved' });
  assert.equal(upd.status, 200, JSON.stringify(upd.json));
  assert.deepEqual([upd.json.active, upd.json.events, 'secret' in upd.json], [false, 'reported,resolved', false]);
  const changeSecret = await admin.patch(`/api/v1/webhooks/${made.json.id}`, { secret: 'x'.repeat(20) });
  assert.equal(changeSecret.status, 400);
  assert.equal((await admin.post('/api/v1/webhooks', { node_id: street, url: 'http://127.0.0.1:9/', secret: 'short' })).status, 400);
  const audit = (await admin.get(`/api/v1/audit?entity=webhook&id=${made.json.id}`)).json.items;
  assert.equal(audit.length, 2, 'create and update audited');
  assert.equal(JSON.stringify(audit).includes(made.json.secret), false, 'the secret is not in the audit log');
});

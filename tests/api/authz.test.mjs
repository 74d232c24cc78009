// Authorisation: deny by default, scoped to the tree. Anonymous callers
// reach only login and public pages; a grid worker stays inside its grid;
// a resident sees its own household; cookie writes need the CSRF token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, linli } from './lib.mjs';

let s, admin, worker, resident, head;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  worker = await s.login('wangge');
  resident = await s.login('jumin');
  head = await s.login('linzhang');
});
after(async () => s && (await s.stop()));

const PUBLIC = new Set(['GET /api/v1/health', 'GET /api/v1/openapi.json', 'POST /api/v1/auth/login', 'GET /api/v1/nodes/{id}/contacts',
  'GET /api/v1/text/annotate']);
// Open311 GeoReport v2 is public by specification (reading shows only public requests; posting needs an api_key).
const isPublic = (line) => PUBLIC.has(line) || line.split(' ')[1].startsWith('/open311/');

test('every route but login and public pages denies anonymous access', async () => {
  const routes = linli(['routes']).trim().split('\n');
  assert.ok(routes.length > 30);
  for (const line of routes) {
    const [method, pattern] = line.split(' ');
    const path = pattern.replace('{id}', '1').replace('{list}', 'people');
    const r = await s.req(method, path, { body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    if (isPublic(line)) assert.notEqual(r.status, 401, line);
    else {
      assert.equal(r.status, 401, `${line} gave ${r.status}`);
      assert.equal(r.json.error.code, 'unauthorized');
    }
  }
  const forged = await s.req('GET', '/api/v1/people', { token: 'f'.repeat(64) });
  assert.equal(forged.status, 401);
});

test('a grid worker reads and writes inside its grid only', async () => {
  const grid = worker.user.grants.find((g) => g.access === 'worker');
  assert.ok(grid, 'the 网格员 role gives worker access at the grid');
  const mine = await worker.get(`/api/v1/people?node=${grid.node_id}&limit=5`);
  assert.equal(mine.status, 200);
  assert.equal(mine.json.items.length, 5);
  // Another community's residents and nodes are out of reach.
  const other = (await admin.get('/api/v1/nodes/1/children')).json.items[2];
  assert.equal((await worker.get(`/api/v1/people?node=${other.id}`)).status, 403);
  assert.equal((await worker.get(`/api/v1/nodes/${other.id}`)).status, 403);
  assert.equal((await worker.get('/api/v1/stats?node=1')).status, 403);
  const stranger = (await admin.get(`/api/v1/people?node=${other.id}&limit=1`)).json.items[0];
  assert.equal((await worker.get(`/api/v1/people/${stranger.id}`)).status, 403);
  assert.equal((await worker.patch(`/api/v1/people/${stranger.id}`, { note: 'x' })).status, 403);
  const strangerHh = (await admin.get(`/api/v1/households?node=${other.id}&limit=1`)).json.items[0];
  const put = await worker.post('/api/v1/people', { household_id: strangerHh.id, name: '越权' });
  assert.equal(put.status, 403);
  assert.equal((await admin.get(`/api/v1/households/${strangerHh.id}`)).json.members.some((m) => m.name === '越权'), false);
  // Inside the grid: may register, may not reshape the tree.
  const myHh = (await worker.get(`/api/v1/households?node=${grid.node_id}&limit=1`)).json.items[0];
  const ok = await worker.post('/api/v1/people', { household_id: myHh.id, name: '新居民' });
  assert.equal(ok.status, 201);
  assert.equal((await worker.post('/api/v1/nodes', { parent_id: grid.node_id, kind: 'group', name: 'x' })).status, 403);
  assert.equal((await worker.get('/api/v1/users')).status, 403);
  assert.equal((await worker.get('/api/v1/audit')).status, 403);
});

test('a neighbour head sees its circle, read-only', async () => {
  const g = head.user.grants[0];
  assert.equal(g.access, 'viewer');
  const list = await head.get(`/api/v1/people?node=${g.node_id}`);
  assert.equal(list.status, 200);
  const hh = (await head.get(`/api/v1/households?node=${g.node_id}&limit=1`)).json.items[0];
  assert.equal((await head.post('/api/v1/people', { household_id: hh.id, name: 'x' })).status, 403);
});

test('a resident sees only its own household', async () => {
  const me = resident.user;
  assert.ok(me.household_id > 0);
  assert.equal(me.grants.length, 0);
  const mine = await resident.get(`/api/v1/households/${me.household_id}`);
  assert.equal(mine.status, 200);
  assert.ok(mine.json.members.some((m) => m.id === me.person_id));
  assert.equal((await resident.get(`/api/v1/people/${me.person_id}`)).status, 200);
  assert.equal((await resident.get(`/api/v1/households/${me.household_id + 1}`)).status, 403);
  assert.equal((await resident.get('/api/v1/people')).status, 403);
  assert.equal((await resident.get('/api/v1/nodes/1')).status, 403);
  assert.equal((await resident.get(`/api/v1/people/${me.person_id}?reveal=1`)).status, 403);
  assert.equal((await resident.patch(`/api/v1/people/${me.person_id}`, { note: 'x' })).status, 403);
});

test('public contact list shows names, roles and published phones only', async () => {
  const circle = head.user.grants[0].node_id;
  const r = await s.req('GET', `/api/v1/nodes/${circle}/contacts`);
  assert.equal(r.status, 200);
  const roles = r.json.items.map((c) => c.role);
  assert.ok(roles.includes('neighbour_head'));
  assert.ok(roles.includes('community_secretary'));
  for (const c of r.json.items) {
    assert.deepEqual(Object.keys(c).sort(), ['name', 'node_id', 'node_name', 'public_phone', 'role', 'role_name', 'role_name_en', 'since']);
  }
});

test('cookie sessions need the CSRF token for writes', async () => {
  const login = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin1234' } });
  const cookie = login.headers.get('set-cookie');
  assert.match(cookie, /linli_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/);
  const session = cookie.split(';')[0];
  const read = await s.req('GET', '/api/v1/auth/me', { headers: { Cookie: session } });
  assert.equal(read.status, 200);
  const body = { parent_id: 1, kind: 'community', name: 'CSRF社区' };
  const noToken = await s.req('POST', '/api/v1/nodes', { body, headers: { Cookie: session } });
  assert.equal(noToken.status, 403);
  assert.equal(noToken.json.error.code, 'csrf');
  const withToken = await s.req('POST', '/api/v1/nodes', { body, headers: { Cookie: session, 'X-CSRF-Token': login.json.csrf_token } });
  assert.equal(withToken.status, 201);
  const out = await s.req('POST', '/api/v1/auth/logout', { headers: { Cookie: session, 'X-CSRF-Token': login.json.csrf_token } });
  assert.equal(out.status, 200);
  assert.equal((await s.req('GET', '/api/v1/auth/me', { headers: { Cookie: session } })).status, 401);
});

test('changing one\'s own password needs the current one', async () => {
  const me = await s.login('linzhang');
  const id = me.user.id;
  const noCurrent = await me.post(`/api/v1/users/${id}/password`, { password: 'new-password-1' });
  assert.equal(noCurrent.status, 400);
  assert.equal(noCurrent.json.error.field, 'current_password');
  const wrong = await me.post(`/api/v1/users/${id}/password`, { password: 'new-password-1', current_password: 'nope' });
  assert.equal(wrong.status, 403);
  const other = await me.post('/api/v1/users/1/password', { password: 'new-password-1', current_password: 'demo1234' });
  assert.equal(other.status, 403);
  const ok = await me.post(`/api/v1/users/${id}/password`, { password: 'new-password-1', current_password: 'demo1234' });
  assert.equal(ok.status, 200);
  await s.login('linzhang', 'new-password-1');
});

test('a manager appoints only people of its own area', async () => {
  const sec = await s.login('shuji');
  const comm = sec.user.grants.find((g) => g.access === 'manager').node_id;
  const local = (await sec.get(`/api/v1/people?node=${comm}&limit=1`)).json.items[0];
  const ok = await sec.post('/api/v1/roles', { node_id: comm, person_id: local.id, role: 'mediator', start_date: '2026-01-01' });
  assert.equal(ok.status, 201);
  const far = (await admin.get('/api/v1/nodes/1/children')).json.items[3];
  const stranger = (await admin.get(`/api/v1/people?node=${far.id}&limit=1`)).json.items[0];
  const bad = await sec.post('/api/v1/roles', { node_id: comm, person_id: stranger.id, role: 'mediator', start_date: '2026-01-01' });
  assert.equal(bad.status, 403);
  assert.equal(bad.json.error.field, 'person_id');
  const end = await sec.patch(`/api/v1/roles/${ok.json.id}`, { end_date: '2026-12-31' });
  assert.equal(end.status, 200);
  const before = await sec.patch(`/api/v1/roles/${ok.json.id}`, { start_date: '2027-06-01' });
  assert.equal(before.status, 400, 'start after the existing end');
});

test('grants reach the subtree and can be revoked', async () => {
  const comm = (await admin.get('/api/v1/nodes/1/children')).json.items[1];
  const u = await admin.post('/api/v1/users', { username: 'staff2', display_name: '社区干部', password: 'password-2' });
  assert.equal(u.status, 201);
  const g = await admin.post(`/api/v1/users/${u.json.id}/grants`, { node_id: comm.id, access: 'officer' });
  assert.equal(g.status, 201);
  const staff = await s.login('staff2', 'password-2');
  assert.equal((await staff.get(`/api/v1/stats?node=${comm.id}`)).status, 200);
  assert.equal((await staff.get('/api/v1/stats?node=1')).status, 403);
  // An officer may not hand out access; a manager only inside its subtree.
  assert.equal((await staff.post(`/api/v1/users/${u.json.id}/grants`, { node_id: comm.id, access: 'manager' })).status, 403);
  assert.equal((await admin.del(`/api/v1/grants/${g.json.id}`)).status, 200);
  const again = await s.login('staff2', 'password-2');
  assert.equal((await again.get(`/api/v1/stats?node=${comm.id}`)).status, 403);
});

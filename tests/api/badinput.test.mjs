// Bad input on every write route gets a clear 4xx and changes nothing:
// malformed JSON, wrong types, unknown fields, invalid UTF-8, non-JSON
// bodies and oversize bodies. "Nothing changed" is checked on the audit
// trail, which every write extends in the same transaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, auditCount, linli, listAll } from './lib.mjs';

let s, admin, ids;
before(async () => {
  // Its webhooks point at loopback port 9 (nothing listens), which needs the allow-list.
  s = await Server.start({ extra: ['--webhook-allow', '127.0.0.1/32'] });
  admin = await s.login('admin');
  const person = (await admin.get('/api/v1/people?limit=1')).json.items[0];
  const role = (await admin.get('/api/v1/roles?limit=1')).json.items[0];
  const org = (await admin.get('/api/v1/orgs?limit=1')).json.items[0];
  ids = { node: 3, person: person.id, household: person.household_id, role: role.id, org: org.id, user: 1, grant: 1 };
  ids.request = (await admin.post('/api/v1/requests', { category: 'sewer', description: '下水道堵了', place_node_id: 3 })).json.id;
  ids.webhook = (await admin.post('/api/v1/webhooks', { node_id: 3, url: 'http://127.0.0.1:9/hook' })).json.id;
  ids.committee = (await admin.get('/api/v1/orgs?kind=mediation_committee&limit=1')).json.items[0].id;
  ids.member = (await admin.get(`/api/v1/orgs/${ids.committee}/members?limit=1`)).json.items[0].id;
});
after(async () => s && (await s.stop()));

// Write routes with a wrong-typed and an unknown-field body each.
const cases = () => [
  ['POST', '/api/v1/nodes', { parent_id: '3', kind: 'area', name: 'x' }, { parent_id: 3, kind: 'area', name: 'x', colour: 'red' }],
  ['PATCH', `/api/v1/nodes/${ids.node}`, { name: 42 }, { nmae: 'x' }],
  ['POST', `/api/v1/nodes/${ids.node}/move`, { parent_id: 'one' }, { parent_id: 1, why: 'x' }],
  ['POST', '/api/v1/node-kinds', { code: 1, tree: 'org', level: 1, name_zh: 'x', name_en: 'x' }, { code: 'k', tree: 'org', level: 1, name_zh: 'x', name_en: 'x', extra: 1 }],
  ['POST', '/api/v1/people', { household_id: ids.household, name: ['x'] }, { household_id: ids.household, name: 'x', salary: 1 }],
  ['PATCH', `/api/v1/people/${ids.person}`, { birth_date: 19800101 }, { favourite: 'x' }],
  ['POST', `/api/v1/people/${ids.person}/move`, { date: 20260101 }, { date: '2026-01-01', to: 3 }],
  ['POST', '/api/v1/households', { node_id: ids.node, address: 7 }, { node_id: ids.node, address: 'x', floor: 3 }],
  ['PATCH', `/api/v1/households/${ids.household}`, { tenure: true }, { owner: 'x' }],
  ['POST', '/api/v1/roles', { node_id: ids.node, person_id: ids.person, role: 'mediator', start_date: 5 }, { node_id: ids.node, person_id: ids.person, role: 'mediator', start_date: '2026-01-01', badge: 1 }],
  ['PATCH', `/api/v1/roles/${ids.role}`, { end_date: false }, { salary: 1 }],
  ['POST', '/api/v1/orgs', { node_id: ids.node, kind: 'property', name: 1 }, { node_id: ids.node, kind: 'property', name: 'x', ceo: 'y' }],
  ['PATCH', `/api/v1/orgs/${ids.org}`, { name: {} }, { ceo: 'y' }],
  ['POST', `/api/v1/orgs/${ids.committee}/members`, { person_id: 'x', role: 'mediator' }, { person_id: ids.person, role: 'mediator', rank: 1 }, '/api/v1/orgs/{id}/members'],
  ['POST', `/api/v1/orgs/${ids.committee}/members/${ids.member}/end`, { end_date: 20260101 }, { reason: 'x' }, '/api/v1/orgs/{id}/members/{mid}/end'],
  ['POST', '/api/v1/org-kinds', { code: 1, name_zh: 'x', name_en: 'x', roles: ['member'] }, { code: 'k1', name_zh: 'x', name_en: 'x', roles: ['member'], colour: 1 }],
  ['PATCH', '/api/v1/org-kinds/property', { name_zh: 5 }, { colour: 1 }, '/api/v1/org-kinds/{code}'],
  ['POST', '/api/v1/org-member-roles', { code: 'r1', name_zh: 1, name_en: 'x' }, { code: 'r1', name_zh: 'x', name_en: 'x', colour: 1 }],
  ['PATCH', '/api/v1/org-member-roles/member', { active: 'no' }, { colour: 1 }, '/api/v1/org-member-roles/{code}'],
  ['POST', '/api/v1/users', { username: 5, display_name: 'x', password: 'password1' }, { username: 'u9', display_name: 'x', password: 'password1', role: 'x' }],
  ['PATCH', `/api/v1/users/${ids.user}`, { disabled: 'yes' }, { shoe: 1 }],
  ['POST', `/api/v1/users/${ids.user}/password`, { password: 12345678 }, { password: 'password9', old: 'x' }],
  ['POST', `/api/v1/users/${ids.user}/grants`, { node_id: 'x', access: 'viewer' }, { node_id: 3, access: 'viewer', until: 'x' }],
  ['POST', '/api/v1/auth/login', { username: 1, password: 2 }, { username: 'admin', password: 'linli-admin-1', otp: 1 }],
  ['POST', '/api/v1/auth/login/totp', { challenge: 1, code: 123456 }, { challenge: 'f'.repeat(64), code: '123456', otp: 1 }],
  ['POST', '/api/v1/auth/login/totp-setup', { challenge: 7 }, { challenge: 'f'.repeat(64), secret: 'x' }],
  ['POST', '/api/v1/auth/totp/confirm', { code: 123456 }, { code: '123456', secret: 'x' }],
  ['POST', '/api/v1/auth/totp/disable', { password: 1, code: '123456' }, { password: 'x', code: '123456', force: true }],
  ['POST', '/api/v1/requests/categories', { code: 'x', name_zh: 1, name_en: 'x', level: 5, respond_hours: 1, resolve_hours: 2 }, { code: 'x', name_zh: 'x', name_en: 'x', level: 5, respond_hours: 1, resolve_hours: 2, colour: 1 }],
  ['POST', '/api/v1/requests', { category: 'sewer', description: 42, place_node_id: ids.node }, { category: 'sewer', description: 'x', place_node_id: ids.node, priority: 'high' }],
  ['POST', `/api/v1/requests/${ids.request}/note`, { note: 5 }, { note: 'x', colour: 1 }, '/api/v1/requests/{id}/{action}'],
  ['POST', '/api/v1/webhooks', { node_id: ids.node, url: 5 }, { node_id: ids.node, url: 'http://127.0.0.1:9/x', method: 'PUT' }],
  ['PATCH', `/api/v1/webhooks/${ids.webhook}`, { active: 'yes' }, { method: 'PUT' }],
];

test('every JSON write route is covered here', () => {
  const writes = linli(['routes']).trim().split('\n').filter((l) => /^(POST|PATCH|PUT)/.test(l));
  const covered = new Set(cases().map(([m, p, , , route]) => `${m} ${route || p.replace(/\/\d+/g, '/{id}')}`));
  // Routes without a JSON body: retire (no body), logout, read; a file: import, photos.
  // Starting two-factor enrolment takes no body either.
  const exempt = new Set(['POST /api/v1/nodes/{id}/retire', 'POST /api/v1/auth/logout', 'POST /api/v1/import/people',
    'POST /api/v1/auth/totp',
    'POST /api/v1/notifications/{id}/read',
    // Open311 takes form-encoded parameters; its bad input is tested in open311.test.mjs.
    'POST /open311/v2/requests.{format}']);
  // Every case kind's photo upload (POST /api/v1/{kind}/{id}/files) takes a file.
  const upload = (w) => /^POST \/api\/v1\/[\w-]+\/\{id\}\/files$/.test(w);
  for (const w of writes) assert.ok(covered.has(w) || exempt.has(w) || upload(w), `no bad-input case for ${w}`);
});

test('bad bodies get 4xx with the error format and change nothing', async () => {
  const before = await auditCount(admin);
  for (const [method, path, wrongType, unknown] of cases()) {
    const variants = [
      ['malformed JSON', '{"name": "x",', 400],
      ['wrong type', wrongType, 400],
      ['unknown field', unknown, 400],
      ['not an object', '[1,2,3]', 400],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400],
      ['duplicate key', '{"name":"a","name":"b"}', 400],
    ];
    for (const [what, body, status] of variants) {
      const r = await admin.req(method, path, { body });
      assert.equal(r.status, status, `${method} ${path} ${what}: ${r.status} ${JSON.stringify(r.json)}`);
      assert.equal(typeof r.json.error.code, 'string', `${method} ${path} ${what}`);
      assert.equal(typeof r.json.error.message, 'string');
      assert.ok('field' in r.json.error);
    }
    const form = await admin.req(method, path, { body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415, `${method} ${path} form body`);
  }
  assert.equal(await auditCount(admin), before, 'no write happened');
});

test('the error names the offending field', async () => {
  const r = await admin.post('/api/v1/people', { household_id: ids.household, name: 'x', gender: 'X' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'gender');
  const long = await admin.post('/api/v1/people', { household_id: ids.household, name: '王'.repeat(51) });
  assert.equal(long.json.error.field, 'name');
  const ok50 = await admin.post('/api/v1/people', { household_id: ids.household, name: '王'.repeat(50) });
  assert.equal(ok50.status, 201, 'limits count characters, not bytes');
  const ctrl = await admin.post('/api/v1/people', { household_id: ids.household, name: 'a\u0001b' });
  assert.equal(ctrl.status, 400);
  const date = await admin.post('/api/v1/people', { household_id: ids.household, name: 'x', birth_date: '2023-02-29' });
  assert.equal(date.json.error.field, 'birth_date');
  const missing = await admin.post('/api/v1/people', { household_id: ids.household });
  assert.equal(missing.json.error.field, 'name');
  const q = await admin.get('/api/v1/people?colour=red');
  assert.equal(q.status, 400);
  assert.equal(q.json.error.field, 'colour');
});

test('values that may be omitted but not nulled, and other rules', async () => {
  const before = await auditCount(admin);
  const nul = await admin.patch(`/api/v1/people/${ids.person}`, { residence: null });
  assert.equal(nul.status, 400);
  assert.equal(nul.json.error.field, 'residence');
  const tags = await admin.patch(`/api/v1/people/${ids.person}`, { tags: null });
  assert.equal(tags.json.error.field, 'tags');
  const stay = await admin.post(`/api/v1/people/${ids.person}/move`, { date: new Date().toISOString().slice(0, 10), status: 'active' });
  assert.equal(stay.status, 400);
  assert.equal(stay.json.error.field, 'status');
  const future = await admin.patch(`/api/v1/people/${ids.person}`, { birth_date: '2999-01-01' });
  assert.equal(future.json.error.field, 'birth_date');
  const short = await admin.post('/api/v1/users', { username: 'a', display_name: 'x', password: 'password1' });
  assert.equal(short.json.error.field, 'username');
  const auditNoId = await admin.get('/api/v1/audit?entity=person');
  assert.equal(auditNoId.status, 400);
  assert.equal((await admin.post('/api/v1/users/99999/grants', { node_id: 1, access: 'viewer' })).status, 404);
  assert.equal(await auditCount(admin), before);
});

test('oversize bodies are refused with 413', async () => {
  const before = await auditCount(admin);
  const huge = JSON.stringify({ parent_id: 3, kind: 'area', name: 'x', address: 'y'.repeat(2 << 20) });
  const r = await admin.req('POST', '/api/v1/nodes', { body: huge });
  assert.equal(r.status, 413);
  assert.equal(await auditCount(admin), before);
});

test('unknown routes and methods', async () => {
  assert.equal((await admin.get('/api/v1/nope')).status, 404);
  const m = await admin.req('DELETE', '/api/v1/nodes/3');
  assert.equal(m.status, 405);
  assert.equal(m.json.error.code, 'method_not_allowed');
});

// Text that should never get in (domain/core/fields.c through base/textnorm.h):
// every text field refuses C0 controls (a multi-line one keeps tab and line
// feed), DEL and C1; names (people, accounts, places, organisations,
// reporters, tags) also refuse bidi controls and invisible characters. One
// table of inputs, one of fields, every pair tried: 400 naming the field,
// nothing changed.
const BAD_TEXT = [
  // [what, text, refused in: 'line' (single-line text), 'multi' (multi-line), 'name']
  ['BEL', 'a\u0007b', ['line', 'multi', 'name']],
  ['ESC sequence', '\u001b[31m红色', ['line', 'multi', 'name']],
  ['backspace', 'ab\u0008c', ['line', 'multi', 'name']],
  ['vertical tab', 'a\u000bb', ['line', 'multi', 'name']],
  ['form feed', 'a\u000cb', ['line', 'multi', 'name']],
  ['DEL', 'a\u007fb', ['line', 'multi', 'name']],
  ['C1 NEL', 'a\u0085b', ['line', 'multi', 'name']],
  ['C1 CSI', 'a\u009b31m', ['line', 'multi', 'name']],
  ['line feed inside', 'a\nb', ['line', 'name']],
  ['tab inside', 'a\tb', ['line', 'name']],
  ['carriage return inside', 'a\rb', ['line', 'name']],
  ['zero-width space', '王\u200b贵宝', ['name']],
  ['zero-width joiner', '王\u200d贵宝', ['name']],
  ['word joiner', '王\u2060贵宝', ['name']],
  ['byte-order mark', '\ufeff王贵宝', ['name']],
  ['soft hyphen', '王\u00ad贵宝', ['name']],
  ['right-to-left override', '\u202e宝贵王', ['name']],
  ['left-to-right embedding', '\u202a王贵宝\u202c', ['name']],
  ['isolate', '\u2066王贵宝\u2069', ['name']],
  ['right-to-left mark', '王贵宝\u200f', ['name']],
];
const TEXT_FIELDS = () => [
  // [method, path, body with the text, field, kind]
  ['POST', '/api/v1/people', (t) => ({ household_id: ids.household, name: t }), 'name', 'name'],
  ['PATCH', `/api/v1/people/${ids.person}`, (t) => ({ name: t }), 'name', 'name'],
  ['PATCH', `/api/v1/people/${ids.person}`, (t) => ({ ethnicity: t }), 'ethnicity', 'line'],
  ['PATCH', `/api/v1/people/${ids.person}`, (t) => ({ note: t }), 'note', 'multi'],
  ['PATCH', `/api/v1/people/${ids.person}`, (t) => ({ tags: ['独居', t] }), 'tags', 'name'],
  ['POST', `/api/v1/people/${ids.person}/move`, (t) => ({ date: '2026-01-01', reason: t }), 'reason', 'line'],
  ['POST', '/api/v1/households', (t) => ({ node_id: ids.node, address: t }), 'address', 'line'],
  ['PATCH', `/api/v1/households/${ids.household}`, (t) => ({ note: t }), 'note', 'multi'],
  ['POST', '/api/v1/nodes', (t) => ({ parent_id: ids.node, kind: 'area', name: t }), 'name', 'name'],
  ['PATCH', `/api/v1/nodes/${ids.node}`, (t) => ({ address: t }), 'address', 'line'],
  ['PATCH', `/api/v1/orgs/${ids.org}`, (t) => ({ name: t }), 'name', 'name'],
  ['PATCH', `/api/v1/orgs/${ids.org}`, (t) => ({ contact_name: t }), 'contact_name', 'name'],
  ['PATCH', `/api/v1/roles/${ids.role}`, (t) => ({ note: t }), 'note', 'multi'],
  ['POST', '/api/v1/users', (t) => ({ username: `u${t}x`, display_name: 'x', password: 'password1' }), 'username', 'name'],
  ['PATCH', `/api/v1/users/${ids.user}`, (t) => ({ display_name: t }), 'display_name', 'name'],
  ['POST', '/api/v1/org-kinds', (t) => ({ code: 'k7', name_zh: t, name_en: 'x', roles: ['member'] }), 'name_zh', 'name'],
  ['POST', '/api/v1/requests', (t) => ({ category: 'sewer', description: t, place_node_id: ids.node }), 'description', 'multi'],
  ['POST', '/api/v1/requests', (t) => ({ category: 'sewer', description: 'x', title: t, place_node_id: ids.node }), 'title', 'line'],
  ['POST', '/api/v1/requests', (t) => ({ category: 'sewer', description: 'x', reporter_name: t, place_node_id: ids.node }), 'reporter_name', 'name'],
  ['POST', `/api/v1/requests/${ids.request}/note`, (t) => ({ note: t }), 'note', 'multi'],
];

test('bad text in every text field: refused, naming the field, changing nothing', async () => {
  const before = await auditCount(admin);
  let tried = 0;
  for (const [method, path, body, field, kind] of TEXT_FIELDS()) {
    for (const [what, text, refusedIn] of BAD_TEXT) {
      if (!refusedIn.includes(kind)) continue;
      const r = await admin.req(method, path, { body: body(text) });
      assert.equal(r.status, 400, `${method} ${path} ${field} ${what}: ${r.status} ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.field, field, `${method} ${path} ${what}`);
      assert.match(r.json.error.message, /控制字符|文字方向|不可见/, `${field} ${what}: ${r.json.error.message}`);
      tried++;
    }
  }
  assert.ok(tried > 250, `${tried} pairs`);
  assert.equal(await auditCount(admin), before, 'no write happened');
});

test('text is stored in NFC, line breaks as LF; a multi-line text keeps tabs, a description bidi marks', async () => {
  // U+F92C is a compatibility ideograph for 郎 (U+90CE); e + U+0301 is é.
  const p = await admin.post('/api/v1/people', { household_id: ids.household, name: '李\uf92c', note: 'Jose\u0301' });
  assert.equal(p.status, 201, JSON.stringify(p.json));
  assert.equal(p.json.name, '李\u90ce');
  assert.equal(p.json.note, 'Jos\u00e9');
  assert.ok((await listAll(admin, '/api/v1/people?q=' + encodeURIComponent('李\u90ce'))).some((x) => x.id === p.json.id), 'found as typed the usual way');
  assert.ok((await listAll(admin, '/api/v1/people?q=' + encodeURIComponent('李\uf92c'))).some((x) => x.id === p.json.id), 'and as it was typed');
  const r = await admin.post('/api/v1/requests', { category: 'sewer', description: '一楼\r\n二楼\r三楼\t东侧 \u200f', place_node_id: ids.node });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.description, '一楼\n二楼\n三楼\t东侧 \u200f');
});

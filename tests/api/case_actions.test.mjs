// The actions a case's reader is told it may take, as a table: state ×
// actor → the action codes GET /api/v1/requests/{id} lists. The harness
// fails when an action of the kind (GET /api/v1/case-kinds) appears in no
// row, and checks that a listed action is accepted by the server while an
// unlisted one is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';

let s, admin, resident, head, worker, dept;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  resident = await s.login('jumin');
  head = await s.login('linzhang');
  worker = await s.login('wangge');
  dept = (await admin.get('/api/v1/orgs?node=1&kind=department')).json.items[0];
});
after(async () => s && (await s.stop()));

const HANDLER_OPEN = ['accept', 'note', 'ask', 'handover', 'resolve', 'escalate', 'close', 'merge', 'publish'];
// [state reached by these steps, actor, expected codes]
const ROWS = [
  ['new', [], 'handler', HANDLER_OPEN],
  ['new', [], 'reporter', []],
  ['new', [], 'anonymous', []],
  ['accepted', [['accept', {}]], 'handler', ['note', 'ask', 'handover', 'resolve', 'escalate', 'close', 'merge', 'publish']],
  ['waiting', [['ask', { note: '哪个门？' }]], 'handler', ['accept', 'note', 'handover', 'resolve', 'escalate', 'close', 'merge', 'publish']],
  ['waiting', [['ask', { note: '哪个门？' }]], 'reporter', ['reply']],
  ['referred', [['handover', 'ORGS']], 'handler', ['note', 'ask', 'org_done', 'resolve', 'escalate', 'close', 'merge', 'publish']],
  ['resolved', [['resolve', { outcome: '已修好' }]], 'handler', ['note', 'close', 'publish']],
  ['resolved', [['resolve', { outcome: '已修好' }]], 'reporter', ['rate']],
  ['closed', [['close', { reason: '重复' }]], 'handler', ['publish']],
  ['closed', [['close', { reason: '重复' }]], 'reporter', []],
];

test('each state × actor lists exactly the actions the table names, and every action has a row', async () => {
  const kinds = (await admin.get('/api/v1/case-kinds')).json.items;
  const kind = kinds.find((k) => k.path === 'requests');
  assert.ok(kind, 'the request kind is registered');
  const covered = new Set(ROWS.flatMap((r) => r[3]));
  for (const a of kind.actions) assert.ok(covered.has(a.code), `action ${a.code} has no row in the table`);
  for (const [state, steps, actor, want] of ROWS) {
    const r = (await resident.post('/api/v1/requests', { category: 'corridor_light', description: `${state}：楼道灯不亮` })).json;
    const h = (await head.get(`/api/v1/requests/${r.id}`)).json.can_handle ? head : worker;
    for (const [code, body] of steps) {
      const b = body === 'ORGS' ? { orgs: [{ org_id: dept.id }] } : body;
      const res = await (code === 'handover' ? admin : h).post(`/api/v1/requests/${r.id}/${code}`, b);
      assert.equal(res.status, 200, `${code}: ${JSON.stringify(res.json)}`);
    }
    const who = actor === 'handler' ? h : actor === 'reporter' ? resident : null;
    if (!who) {
      // Without a login nothing is listed: the case cannot be read at all.
      const anon = await s.req('GET', `/api/v1/requests/${r.id}`);
      assert.equal(anon.status, 401);
      continue;
    }
    const got = (await who.get(`/api/v1/requests/${r.id}`)).json;
    assert.equal(got.status, state);
    const codes = got.actions.map((a) => a.code).sort();
    assert.deepEqual(codes, [...want].sort(), `${state} as ${actor}`);
    for (const a of got.actions) {
      assert.ok(a.label_zh && a.label_en, `${a.code} has labels`);
      assert.ok(Array.isArray(a.input), `${a.code} lists its input fields`);
    }
    // An action the table does not name for this actor is refused.
    const refused = kind.actions.map((a) => a.code).find((c) => !want.includes(c) && c !== 'merge');
    if (refused) {
      const res = await who.post(`/api/v1/requests/${r.id}/${refused}`, {});
      assert.ok([400, 403, 409].includes(res.status), `${refused} in ${state} as ${actor}: ${res.status}`);
      if (res.status === 400) assert.notEqual(res.json.error.field, 'action');
    }
  }
});

test('listed input fields are the ones the server checks', async () => {
  const r = (await resident.post('/api/v1/requests', { category: 'corridor_light', description: '楼道灯闪' })).json;
  const h = (await head.get(`/api/v1/requests/${r.id}`)).json.can_handle ? head : worker;
  const got = (await h.get(`/api/v1/requests/${r.id}`)).json;
  const note = got.actions.find((a) => a.code === 'note');
  assert.deepEqual(note.input.map((f) => [f.name, f.type, f.required]), [['note', 'text', true], ['public', 'bool', false]]);
  assert.equal(note.input[0].max, 2000);
  const missing = await h.post(`/api/v1/requests/${r.id}/note`, { public: true });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.field, 'note');
  const long = await h.post(`/api/v1/requests/${r.id}/note`, { note: '字'.repeat(2001) });
  assert.equal(long.status, 400);
  const publish = got.actions.find((a) => a.code === 'publish');
  assert.equal(publish.direct, true);
  assert.deepEqual(publish.suggest, { public: true });
  assert.match(publish.label, /公开/);
  const esc = got.actions.find((a) => a.code === 'escalate');
  assert.ok(esc.confirm.zh && esc.confirm.en);
});

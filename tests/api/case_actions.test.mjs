// The actions a case's reader is told it may take, as a table per kind:
// state × actor → the action codes GET /api/v1/{kind}/{id} lists. The
// harness fails when a registered kind (GET /api/v1/case-kinds) has no
// table or one of its actions appears in no row, and checks that an
// unlisted action is refused.
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

// One table per case kind, keyed by its resource path: how to report a
// case of it, then [state reached by these steps, actor, expected codes].
// A registered kind without a table fails the harness.
const HANDLER_OPEN = ['accept', 'note', 'ask', 'handover', 'resolve', 'escalate', 'close', 'merge', 'publish'];
const TABLES = {
  requests: {
    report: (state) => ({ category: 'corridor_light', description: `${state}：楼道灯不亮` }),
    rows: [
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
    ],
  },
};

test('every kind has a table, and every action of a kind has a row', async () => {
  const kinds = (await admin.get('/api/v1/case-kinds')).json.items;
  assert.ok(kinds.some((k) => k.path === 'requests'), 'the request kind is registered');
  for (const kind of kinds) {
    const table = TABLES[kind.path];
    assert.ok(table, `kind ${kind.code} (/api/v1/${kind.path}) has no table in case_actions.test.mjs`);
    const covered = new Set(table.rows.flatMap((r) => r[3]));
    for (const a of kind.actions) assert.ok(covered.has(a.code), `${kind.code}: action ${a.code} has no row`);
  }
});

test('each state × actor lists exactly the actions the table names', async () => {
  const kinds = (await admin.get('/api/v1/case-kinds')).json.items;
  for (const kind of kinds) {
    const table = TABLES[kind.path];
    if (!table) continue; // reported by the test above
    const base = `/api/v1/${kind.path}`;
    for (const [state, steps, actor, want] of table.rows) {
      const made = await resident.post(base, table.report(state));
      assert.equal(made.status, 201, `${kind.code}: ${JSON.stringify(made.json)}`);
      const r = made.json;
      const h = (await head.get(`${base}/${r.id}`)).json.can_handle ? head : worker;
      for (const [code, body] of steps) {
        const b = body === 'ORGS' ? { orgs: [{ org_id: dept.id }] } : body;
        const res = await (code === 'handover' ? admin : h).post(`${base}/${r.id}/${code}`, b);
        assert.equal(res.status, 200, `${kind.code} ${code}: ${JSON.stringify(res.json)}`);
      }
      const who = actor === 'handler' ? h : actor === 'reporter' ? resident : null;
      if (!who) {
        // Without a login nothing is listed: the case cannot be read at all.
        const anon = await s.req('GET', `${base}/${r.id}`);
        assert.equal(anon.status, 401);
        continue;
      }
      const got = (await who.get(`${base}/${r.id}`)).json;
      assert.equal(got.status, state, `${kind.code}`);
      const codes = got.actions.map((a) => a.code).sort();
      assert.deepEqual(codes, [...want].sort(), `${kind.code}: ${state} as ${actor}`);
      for (const a of got.actions) {
        assert.ok(a.label_zh && a.label_en, `${a.code} has labels`);
        assert.ok(Array.isArray(a.input), `${a.code} lists its input fields`);
      }
      // An action the table does not name for this actor is refused.
      const refused = kind.actions.map((a) => a.code).find((c) => !want.includes(c) && c !== 'merge');
      if (refused) {
        const res = await who.post(`${base}/${r.id}/${refused}`, {});
        assert.ok([400, 403, 409].includes(res.status), `${kind.code} ${refused} in ${state} as ${actor}: ${res.status}`);
        if (res.status === 400) assert.notEqual(res.json.error.field, 'action');
      }
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

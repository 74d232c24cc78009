// The demo's year of requests goes through the case engine: its figures
// add up, and the street's picture has every part filled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';

let s, admin;
before(async () => {
  s = await Server.start({ demoArgs: ['--requests', '400'] });
  admin = await s.login('admin');
});
after(async () => s && (await s.stop()));

test('a year of requests, handled and rated', async () => {
  const st = (await admin.get('/api/v1/requests/stats?node=1')).json;
  const t = st.totals;
  assert.equal(t.received, 400);
  assert.ok(t.resolved > 200 && t.resolved <= 400, `resolved ${t.resolved}`);
  assert.ok(t.escalated > 0 && t.resolved_at_origin > 0);
  // 不满意 results were reopened and redone, then rated again.
  assert.ok(t.reopened > 0, `reopened ${t.reopened}`);
  assert.ok(t.satisfaction.satisfied > 0 && t.satisfaction.basic > 0);
  assert.ok(t.first_response_hours.median > 0 && t.first_response_hours.p90 >= t.first_response_hours.median);
  assert.ok(st.by_month.length >= 10, `${st.by_month.length} months`);
  assert.equal(st.by_category.reduce((a, c) => a + c.received, 0), 400);
  assert.equal(st.by_child.reduce((a, c) => a + c.received, 0), 400);
  // Cached figures are recomputed after a change (the cache itself is
  // covered by the unit tests; the server's clock may change flags here).
  await admin.post('/api/v1/requests', { category: 'sewer', description: '新的诉求', place_node_id: 9 });
  assert.equal((await admin.get('/api/v1/requests/stats?node=1')).json.totals.received, 401);
});

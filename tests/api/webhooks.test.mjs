// Outgoing webhooks (group-chat robots): signed JSON, delivered by the
// server's background job, retried with back-off until a 2xx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { Server } from './lib.mjs';

let s, admin, resident, receiver, got = [], failFirst = 2;

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(failFirst-- > 0 ? 500 : 200).end('ok');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  s = await Server.start({ extra: ['--retry-base', '1'] });
  admin = await s.login('admin');
  resident = await s.login('jumin');
});
after(async () => {
  receiver && receiver.close();
  s && (await s.stop());
});

test('events are delivered signed, after retries', async () => {
  const home = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json.node_id;
  const community = (await admin.get(`/api/v1/nodes/${home}/ancestors`)).json.items[1].id;
  const url = `http://127.0.0.1:${receiver.address().port}/robot/send?key=abc`;
  const bad = await admin.post('/api/v1/webhooks', { node_id: community, url: 'ftp://x' });
  assert.equal(bad.status, 400);
  const hook = await admin.post('/api/v1/webhooks', { node_id: community, url, secret: 'a-shared-secret-123' });
  assert.equal(hook.status, 201, JSON.stringify(hook.json));
  const r = await resident.post('/api/v1/requests', { category: 'sewer', description: '下水道堵了，污水外溢' });
  assert.equal(r.status, 201);
  // 500, 500, then 200: three attempts with back-off (1 s, 2 s).
  for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((x) => setTimeout(x, 100));
  assert.equal(got.length, 3, 'three attempts reached the receiver');
  const last = got[2];
  assert.equal(last.headers['x-linli-event'], 'request.reported');
  const ts = last.headers['x-linli-timestamp'];
  const sig = crypto.createHmac('sha256', 'a-shared-secret-123').update(`${ts}.${last.body}`).digest('hex');
  assert.equal(last.headers['x-linli-signature'], `sha256=${sig}`);
  const payload = JSON.parse(last.body);
  assert.equal(payload.msgtype, 'text');
  assert.match(payload.text.content, /下水道/);
  assert.equal(payload.linli.case.id, r.json.id);
  assert.ok(!last.body.includes(resident.user.username), 'no personal data in robot messages');
  assert.deepEqual(got.map((g) => g.headers['x-linli-delivery']), [got[0].headers['x-linli-delivery'], got[0].headers['x-linli-delivery'], got[0].headers['x-linli-delivery']]);
  let d;
  for (let i = 0; i < 30; i++) {
    d = await admin.get(`/api/v1/webhooks/${hook.json.id}/deliveries`);
    if (d.json.items[0]?.status === 'delivered') break;
    await new Promise((x) => setTimeout(x, 100));
  }
  assert.equal(d.json.items[0].status, 'delivered');
  assert.equal(d.json.items[0].attempts, 3);
  assert.equal(d.json.items[0].last_status, 200);
  // Deactivated hooks receive nothing more.
  const off = await admin.patch(`/api/v1/webhooks/${hook.json.id}`, { active: false });
  assert.equal(off.json.active, false);
  await resident.post('/api/v1/requests', { category: 'sewer', description: '又堵了' });
  await new Promise((x) => setTimeout(x, 1500));
  assert.equal(got.length, 3);
  const worker = await s.login('wangge');
  assert.equal((await worker.get(`/api/v1/webhooks?node=${community}`)).status, 403);
});

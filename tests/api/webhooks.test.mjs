// Outgoing webhooks (group-chat robots): signed JSON, delivered by the
// server's background job, retried with back-off until a 2xx. Targets on
// loopback, private, link-local and metadata addresses are refused unless
// `--webhook-allow` lists them: the receiver here is on 127.0.0.1, which
// this server allows; nothing is ever sent anywhere else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Server, BIN } from './lib.mjs';

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
  s = await Server.start({ extra: ['--retry-base', '1', '--webhook-allow', '127.0.0.1/32'] });
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

// Refused at registration: every internal address form, by default.
const refused = [
  'http://127.0.0.1:9/hook', 'http://127.8.9.10/', 'http://localhost:8080/', 'http://[::1]:8080/',
  'http://0.0.0.0/', 'http://10.0.0.8/', 'http://172.20.1.1/', 'http://192.168.1.1/robot',
  'http://100.64.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://169.254.1.1/',
  'http://224.0.0.1/', 'http://255.255.255.255/', 'http://[fd00::1]/', 'http://[fc00::1]/',
  'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:169.254.169.254]/',
  'http://2130706433/', 'http://0x7f.0.0.1/',
];

test('internal targets are refused at registration unless allowed', async () => {
  const other = await Server.start({ extra: ['--webhook-allow', '10.0.0.0/8'] });
  try {
    const a = await other.login('admin');
    for (const url of refused) {
      const r = await a.post('/api/v1/webhooks', { node_id: 1, url });
      const allowed = url.startsWith('http://10.');
      assert.equal(r.status, allowed ? 201 : 400, `${url}: ${JSON.stringify(r.json)}`);
      if (!allowed) {
        assert.equal(r.json.error.field, 'url');
        assert.match(r.json.error.message, /^接收地址 .*不允许/);
      }
    }
    // Updating an existing hook to such a target is refused too.
    const ok = await a.post('/api/v1/webhooks', { node_id: 1, url: 'https://robot.example.com/send?key=k' });
    assert.equal(ok.status, 201);
    const moved = await a.patch(`/api/v1/webhooks/${ok.json.id}`, { url: 'http://169.254.169.254/' });
    assert.equal(moved.status, 400);
    assert.equal((await a.get(`/api/v1/webhooks?node=1`)).json.items.find((h) => h.id === ok.json.id).url,
      'https://robot.example.com/send?key=k');
    const bad = spawnSync(BIN, ['serve', '--db', other.db, '--webhook-allow', '10.0.0.0/33'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /webhook-allow/);
  } finally {
    await other.stop();
  }
});

// Refused at delivery: the address actually dialled is checked. A hook
// registered while loopback was allowed gets nothing once the server runs
// without the allow-list; the delivery fails at once, without retries.
test('a target that is no longer allowed receives nothing', async () => {
  let hits = 0;
  const rx = http.createServer((req, res) => { hits++; res.end('ok'); });
  await new Promise((r) => rx.listen(0, '127.0.0.1', r));
  const t = await Server.start({ extra: ['--retry-base', '1', '--webhook-allow', '127.0.0.1/32'] });
  try {
    let a = await t.login('admin');
    const url = `http://127.0.0.1:${rx.address().port}/hook`;
    const hook = await a.post('/api/v1/webhooks', { node_id: 1, url, events: '*' });
    assert.equal(hook.status, 201);
    await t.kill();
    t.extra = ['--retry-base', '1'];
    await t.launch();
    a = await t.login('admin');
    const jumin = await t.login('jumin');
    assert.equal((await jumin.post('/api/v1/requests', { category: 'sewer', description: '井盖松动' })).status, 201);
    let d;
    for (let i = 0; i < 60; i++) {
      d = (await a.get(`/api/v1/webhooks/${hook.json.id}/deliveries`)).json.items[0];
      if (d && d.status !== 'pending') break;
      await new Promise((x) => setTimeout(x, 100));
    }
    assert.equal(d.status, 'failed', JSON.stringify(d));
    assert.equal(d.attempts, 1);
    assert.match(d.last_error, /refused to connect to 127\.0\.0\.1: a loopback address/);
    assert.equal(hits, 0, 'no connection reached the receiver');
  } finally {
    rx.close();
    await t.stop();
  }
});

// Request rate limits: anonymous requests (and any credential the server
// has not verified yet) per client address, an IPv6 client by its /64;
// logged-in requests per account, whatever address they come from.
// Every connection goes to the server on 127.0.0.1; other loopback
// addresses (127.0.0.2 …) play other clients, and 127.0.0.1 is a trusted
// proxy whose X-Forwarded-For names IPv6 clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Server, requestFrom } from './lib.mjs';

const RATE = 20;
const ACCOUNT = 40;
let s;
const servers = [];
before(async () => {
  s = await Server.start({ extra: ['--rate', String(RATE), '--rate-account', String(ACCOUNT), '--trusted-proxy', '127.0.0.1'] });
  servers.push(s);
});
after(async () => { for (const x of servers) await x.stop(); });

// One keep-alive agent per local address: each is one client.
const agents = new Map();
after(() => { for (const a of agents.values()) a.destroy(); });
function agent(from) {
  if (!agents.has(from)) agents.set(from, new http.Agent({ keepAlive: true, maxSockets: 16 }));
  return agents.get(from);
}

function request(srv, path, { method = 'GET', from = '127.0.0.1', token, cookie, headers = {}, body } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = `linli_session=${cookie}`;
  const data = body === undefined ? undefined : JSON.stringify(body);
  if (data !== undefined) Object.assign(h, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  return requestFrom(srv.port, path, { method, headers: h, body: data, localAddress: from, agent: agent(from) });
}

async function login(srv, username, from, password = 'linli-demo-1') {
  const r = await request(srv, '/api/v1/auth/login', { method: 'POST', from, body: { username, password } });
  assert.equal(r.status, 200, `login ${username}: ${JSON.stringify(r.json)}`);
  return r.json.token;
}

// n requests one after another; with the time they took.
async function series(n, send) {
  const t0 = performance.now();
  const out = [];
  for (let i = 0; i < n; i++) out.push(await send());
  return Object.assign(out, { ms: performance.now() - t0 });
}
const count = (rs, status) => rs.filter((r) => r.status === status).length;
// What a bucket holding `left` tokens can let through in ms at perMinute.
const most = (left, perMinute, ms) => left + Math.floor((ms / 60000) * perMinute);

function assertLimited(r, perMinute) {
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, 'rate_limited');
  assert.equal(r.headers['retry-after'], String(Math.max(1, Math.ceil(60 / perMinute))));
}

test('anonymous requests: a burst of --rate per client address, then 429 with Retry-After', async () => {
  const from = '127.0.0.2';
  const rs = await series(RATE + 10, () => request(s, '/api/v1/health', { from }));
  assert.deepEqual(rs.slice(0, RATE).map((r) => r.status), Array(RATE).fill(200));
  assert.ok(count(rs, 200) <= most(RATE, RATE, rs.ms), `${count(rs, 200)} passed`);
  assertLimited(rs.find((r) => r.status === 429), RATE);
  // Another address has its own budget.
  assert.equal((await request(s, '/api/v1/health', { from: '127.0.0.9' })).status, 200);
});

test('an IPv6 client is one budget per /64; IPv4 per address', async () => {
  const via = (xff) => request(s, '/api/v1/health', { headers: { 'X-Forwarded-For': xff } });
  const rs = await series(RATE, () => via('2001:db8:1:2::1'));
  assert.equal(count(rs, 200), RATE);
  assertLimited(await via('2001:db8:1:2:ffff:ffff:ffff:fffe'), RATE);
  assert.equal((await via('2001:db8:1:3::1')).status, 200, 'the next /64 is another client');
  const v4 = await series(RATE, () => via('198.51.100.1'));
  assert.equal(count(v4, 200), RATE);
  assert.equal((await via('198.51.100.1')).status, 429);
  assert.equal((await via('198.51.100.2')).status, 200);
});

test('two accounts behind one address each get --rate-account, and are not charged to the address', async () => {
  const from = '127.0.0.3';
  const t0 = performance.now();
  // The logins are anonymous: two of the address's budget.
  const bearer = await login(s, 'jiedao', from);
  const cookie = await login(s, 'shuji', from);
  for (const cred of [{ token: bearer }, { cookie }]) {
    const rs = await series(ACCOUNT + 10, () => request(s, '/api/v1/auth/me', { from, ...cred }));
    assert.deepEqual(rs.slice(0, ACCOUNT).map((r) => r.status), Array(ACCOUNT).fill(200), JSON.stringify(cred));
    assert.ok(count(rs, 200) <= most(ACCOUNT, ACCOUNT, rs.ms), `${count(rs, 200)} passed`);
    assertLimited(rs.find((r) => r.status === 429), ACCOUNT);
  }
  // 100 requests of the accounts later the address still has the 18 the
  // logins left it.
  const anon = await series(RATE, () => request(s, '/api/v1/health', { from }));
  const ok = count(anon, 200);
  assert.ok(ok >= RATE - 2 && ok <= most(RATE - 2, RATE, performance.now() - t0), `${ok} anonymous requests passed`);
  assertLimited(anon.at(-1), RATE);
});

test('a token the server does not know is charged to the address before it is looked up', async () => {
  const from = '127.0.0.4';
  const good = await login(s, 'wangge', from);
  const bad = randomBytes(32).toString('hex');
  const rs = await series(RATE + 5, () => request(s, '/api/v1/auth/me', { from, token: bad }));
  const unauthorized = count(rs, 401);
  assert.ok(unauthorized >= RATE - 1 && unauthorized <= most(RATE - 1, RATE, rs.ms), `${unauthorized} answered 401`);
  assertLimited(rs.at(-1), RATE);
  // One budget with the address's anonymous requests …
  assertLimited(await request(s, '/api/v1/health', { from }), RATE);
  // … and none of the account's.
  assert.equal((await request(s, '/api/v1/auth/me', { from, token: good })).status, 200);
});

test('after logout the old token is charged to the address again', async () => {
  const from = '127.0.0.5';
  const token = await login(s, 'linzhang', from);
  const before = await series(30, () => request(s, '/api/v1/auth/me', { from, token }));
  assert.equal(count(before, 200), 30);
  const out = await request(s, '/api/v1/auth/logout', { method: 'POST', from, token });
  assert.equal(out.status, 200);
  // The account has 9 requests left, the address 19: 401s up to the
  // address's budget.
  const rs = await series(RATE + 5, () => request(s, '/api/v1/auth/me', { from, token }));
  const unauthorized = count(rs, 401);
  assert.ok(unauthorized >= RATE - 1 && unauthorized <= most(RATE - 1, RATE, rs.ms), `${unauthorized} answered 401`);
  assertLimited(rs.at(-1), RATE);
});

// n requests over 16 keep-alive connections; their statuses counted.
async function flood(srv, n, opts) {
  const counts = {};
  let left = n;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (left-- > 0) {
      const r = await request(srv, '/api/v1/health', opts);
      counts[r.status] = (counts[r.status] || 0) + 1;
    }
  }));
  return counts;
}

test('--rate 0 lifts both limits; --rate-account 0 only the per-account one', async () => {
  const open = await Server.start({ kind: 'empty', extra: ['--rate', '0'] });
  servers.push(open);
  const admin = await login(open, 'admin', '127.0.0.1', 'linli-admin-1');
  // Past the default 6000 a minute, logged in and anonymous.
  assert.deepEqual(await flood(open, 6100, { token: admin }), { 200: 6100 });
  assert.deepEqual(await flood(open, 6100, {}), { 200: 6100 });

  const accounts = await Server.start({ kind: 'empty', extra: ['--rate', String(RATE), '--rate-account', '0'] });
  servers.push(accounts);
  const token = await login(accounts, 'admin', '127.0.0.1', 'linli-admin-1');
  assert.deepEqual(await flood(accounts, 500, { token }), { 200: 500 });
  // Anonymous requests still have their RATE (the login took one).
  const anon = await flood(accounts, RATE + 10, {});
  assert.ok(anon[200] < RATE && anon[429] > 10, JSON.stringify(anon));
});

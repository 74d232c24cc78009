// The HTTP edge under a hostile or careless client: large anonymous
// uploads, slow headers, many connections from one address, oversized
// queries and headers; and the deployment behind TLS and a reverse proxy
// (Secure cookie, HSTS, X-Forwarded-For from trusted proxies only).
// Every connection goes to the server on 127.0.0.1; a second local
// address (127.0.0.2, loopback too) plays "another client".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Server, requestFrom } from './lib.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });
async function start(extra, kind = 'empty') {
  const s = await Server.start({ kind, extra });
  servers.push(s);
  return s;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const status = (pid, key) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))[1]) * 1024;

// One request over a fresh socket: resolves with the parsed response, or
// { closed: true } if the server closes without answering.
function rawRequest(s, text, { localAddress = '127.0.0.1', timeout = 5000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: s.port, localAddress });
    let data = Buffer.alloc(0);
    const t0 = Date.now();
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const str = data.toString('utf8');
      const head = str.split('\r\n\r\n')[0];
      const m = head.match(/^HTTP\/1\.1 (\d{3})/);
      if (!m) return resolve({ closed: true, ms: Date.now() - t0 });
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
      }));
      let json = null;
      try { json = JSON.parse(str.slice(head.length + 4)); } catch {}
      resolve({ status: Number(m[1]), headers, json, body: str.slice(head.length + 4), ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => resolve({ timeout: true, ms: Date.now() - t0 }) || sock.destroy(), timeout);
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('end', done);
    sock.on('error', done);
    sock.on('close', done);
    sock.write(text);
  });
}

// A request through node's client from a given local address.
const request = (s, path, opts) => requestFrom(s.port, path, opts);

test('an anonymous 60 MB upload is refused with 413 before its body is read, and memory stays bounded', async () => {
  const s = await start([]);
  const big = 60 * 1024 * 1024;
  const head = (extra = '') => `POST /api/v1/import/people?node=1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n${extra}Content-Length: ${big}\r\n\r\n`;
  // The answer comes without a byte of the body sent.
  for (const extra of ['', 'Authorization: Bearer ' + 'a'.repeat(64) + '\r\n']) {
    const r = await rawRequest(s, head(extra), { timeout: 3000 });
    assert.equal(r.status, 413, `answered before the body (${JSON.stringify(r)})`);
    assert.equal(r.json.error.code, 'too_large');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  // A client that asks to continue first is answered before it sends.
  const asked = await rawRequest(s, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 3000000\r\n\r\n', { timeout: 3000 });
  assert.equal(asked.status, 413);
  // One that just sends a body a little over the limit has it read and
  // dropped, so that it sees the 413 rather than a reset connection.
  const r = await s.req('POST', '/api/v1/auth/login', { body: JSON.stringify({ username: 'admin', password: 'x'.repeat(3 << 20) }) });
  assert.equal(r.status, 413);
  assert.equal(r.json.error.code, 'too_large');
  // Attackers that send the whole body at once, declared or chunked, four
  // at a time: the server's peak memory grows by far less than one body.
  const base = status(s.proc.pid, 'VmRSS');
  const chunk = Buffer.alloc(1 << 20, 0x41);
  const flood = (chunked) => new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: s.port });
    let sent = 0, answer = '';
    const finish = () => { sock.destroy(); resolve({ sent, answer }); };
    sock.on('data', (d) => (answer += d));
    sock.on('error', finish);
    sock.on('close', finish);
    const pump = () => {
      while (sent < big) {
        const part = chunked ? Buffer.concat([Buffer.from(chunk.length.toString(16) + '\r\n'), chunk, Buffer.from('\r\n')]) : chunk;
        sent += chunk.length;
        if (!sock.write(part)) return sock.once('drain', pump);
      }
      sock.end(chunked ? '0\r\n\r\n' : '');
    };
    sock.write(chunked
      ? 'POST /api/v1/import/people?node=1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n'
      : head());
    pump();
  });
  const results = await Promise.all([flood(false), flood(false), flood(true), flood(true)]);
  // A declared body is answered 413 at once (unless the reset that closes
  // the unread body overtakes the answer), and most of it is never read.
  for (const r of results.slice(0, 2)) {
    assert.ok(r.answer === '' || /^HTTP\/1\.1 413/.test(r.answer), r.answer.slice(0, 100));
    assert.ok(r.sent < big / 2, `${r.sent} bytes of ${big} taken`);
  }
  // A chunked body past the JSON limit has nothing to answer: its
  // connection is closed.
  for (const r of results.slice(2)) assert.doesNotMatch(r.answer, /^HTTP\/1\.1 [24]0[01]/);
  const peak = status(s.proc.pid, 'VmHWM');
  assert.ok(peak - base < 32 * 1024 * 1024, `peak memory grew by ${((peak - base) / 1048576).toFixed(1)} MiB`);
  assert.equal((await s.req('GET', '/api/v1/health')).status, 200);
});

test('a logged-in upload past --max-body goes to a file and imports; others get 413', async () => {
  const s = await start(['--max-body', '65536']);
  const admin = await s.login('admin');
  const header = '所属节点,门牌地址,房屋性质,姓名,性别,身份证号,联系电话,政治面貌,与户主关系,居住类型,关爱标签';
  const rows = [header];
  for (let i = 0; i < 1500; i++) rows.push(`,大件小区${i}栋101,自住,大件${i},男,,,群众,户主,常住,`);
  const csv = rows.join('\n') + '\n';
  assert.ok(Buffer.byteLength(csv) > 65536 * 1.2, 'the file is larger than the JSON limit');
  const path = '/api/v1/import/people?node=1&dry_run=1';
  const declared = await admin.req('POST', path, { body: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(declared.status, 200, JSON.stringify(declared.json));
  assert.equal(declared.json.people, 1500);
  // Chunked (no Content-Length): the same.
  const stream = new ReadableStream({ start(c) { c.enqueue(Buffer.from(csv)); c.close(); } });
  const res = await fetch(s.base + path, { method: 'POST', body: stream, duplex: 'half', headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'text/csv' } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).people, 1500);
  // Anonymous, or a bad token: 413 before the body.
  assert.equal((await s.req('POST', path, { body: csv, headers: { 'Content-Type': 'text/csv' } })).status, 413);
  assert.equal((await s.req('POST', path, { body: csv, token: 'b'.repeat(64), headers: { 'Content-Type': 'text/csv' } })).status, 413);
  // The session cookie without its CSRF token is not enough either.
  const cookie = `linli_session=${admin.token}`;
  assert.equal((await s.req('POST', path, { body: csv, headers: { 'Content-Type': 'text/csv', Cookie: cookie } })).status, 413);
  // A large JSON body from a logged-in user, on a route that takes no file.
  const big = await admin.post('/api/v1/nodes', { parent_id: 1, kind: 'community', name: 'x'.repeat(70000) });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'too_large');
});

test('slow headers are cut by the deadline, and one address cannot take every connection', async () => {
  const s = await start(['--header-timeout', '2', '--max-conns', '30']);
  const t0 = Date.now();
  const drips = [];
  for (let i = 0; i < 40; i++) {
    drips.push(new Promise((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port: s.port });
      let got = '';
      const timer = setInterval(() => sock.write('X-Drip: 1\r\n'), 300);
      sock.on('connect', () => sock.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'));
      sock.on('data', (d) => (got += d));
      const done = () => { clearInterval(timer); sock.destroy(); resolve({ ms: Date.now() - t0, got }); };
      sock.on('close', done);
      sock.on('error', done);
    }));
    await sleep(5);
  }
  // Meanwhile another client is served at once.
  await sleep(300);
  const other = await request(s, '/api/v1/health', { localAddress: '127.0.0.2' });
  assert.equal(other.status, 200);
  assert.ok(Date.now() - t0 < 1500, 'served while the slow clients hold their connections');
  const ends = await Promise.all(drips);
  const early = ends.filter((e) => e.ms < 1000), cut = ends.filter((e) => e.ms >= 1000);
  // The harness's own keep-alive connection may hold one of the 30.
  assert.ok(early.length >= 10 && early.length <= 11, `those over --max-conns are refused at once (${ends.map((e) => e.ms)})`);
  for (const e of cut) {
    assert.ok(e.ms >= 1900 && e.ms < 4500, `cut by the 2 s deadline though it kept sending (${e.ms} ms)`);
    assert.equal(e.got, '', 'closed without an answer');
  }
  // The address may connect again once its connections are gone.
  assert.equal((await request(s, '/api/v1/health')).status, 200);
});

test('the connection limit counts a trusted proxy\'s clients, not the proxy', async () => {
  const s = await start(['--max-conns', '3', '--trusted-proxy', '127.0.0.1']);
  // The proxy itself holds more connections than the limit.
  const idle = [];
  for (let i = 0; i < 6; i++) idle.push(net.connect({ host: '127.0.0.1', port: s.port }));
  await sleep(200);
  assert.equal((await request(s, '/api/v1/health')).status, 200);
  // Three requests of one forwarded client stay open (their bodies never
  // come); its fourth is refused, another client is served.
  const held = [];
  for (let i = 0; i < 3; i++) {
    const sock = net.connect({ host: '127.0.0.1', port: s.port });
    sock.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n');
    held.push(sock);
  }
  await sleep(300);
  const fourth = await request(s, '/api/v1/health', { headers: { 'X-Forwarded-For': '198.51.100.7' } });
  assert.equal(fourth.status, 429);
  assert.equal(fourth.json.error.code, 'too_many_connections');
  assert.ok(Number(fourth.headers['retry-after']) > 0);
  assert.equal((await request(s, '/api/v1/health', { headers: { 'X-Forwarded-For': '198.51.100.8' } })).status, 200);
  for (const h of [...held, ...idle]) h.destroy();
  await sleep(300);
  assert.equal((await request(s, '/api/v1/health', { headers: { 'X-Forwarded-For': '198.51.100.7' } })).status, 200);
});

// Requests over linli's own limits, each answered with the JSON envelope
// and the security headers, at once. (Far larger ones are refused by
// libmicrohttpd itself: docs/architecture.md, "The server".)
const params = (n) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');
const headers = (n, size = 1) => Array.from({ length: n }, (_, i) => `X-H${i}: ${'v'.repeat(size)}\r\n`).join('');
const limitCases = [
  { name: '1,000 query parameters', path: `/api/v1/nodes?${params(1000)}`, status: 414, code: 'uri_too_long' },
  { name: '10,000 query parameters', path: `/api/v1/nodes?${params(10000)}`, status: 414, code: 'uri_too_long' },
  { name: '101 query parameters', path: `/api/v1/health?${params(101)}`, status: 414, code: 'uri_too_long' },
  { name: 'a 33,000-byte URI', path: `/api/v1/health?q=${'x'.repeat(33000)}`, status: 414, code: 'uri_too_long' },
  { name: 'a 30,000-byte URI (within the limit)', path: `/api/v1/health?q=${'x'.repeat(30000)}`, status: 200 },
  { name: '100 query parameters (the limit)', path: `/api/v1/health?${params(100)}`, status: 200 },
  { name: '101 headers', path: '/api/v1/health', extra: headers(101), status: 431, code: 'headers_too_large' },
  { name: '40 KiB of headers', path: '/api/v1/health', extra: headers(4, 10240), status: 431, code: 'headers_too_large' },
  { name: '90 headers of 300 bytes (within the limits)', path: '/api/v1/health', extra: headers(90, 300), status: 200 },
];
test('oversized queries and headers get linli\'s JSON answer at once', async () => {
  const s = await start([]);
  for (const c of limitCases) {
    const r = await rawRequest(s, `GET ${c.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${c.extra || ''}\r\n`, { timeout: 3000 });
    assert.equal(r.status, c.status, `${c.name}: ${JSON.stringify(r).slice(0, 300)}`);
    assert.ok(r.ms < 2000, `${c.name}: answered in ${r.ms} ms`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', c.name);
    assert.match(r.headers['content-security-policy'], /default-src/, c.name);
    if (c.code) assert.equal(r.json?.error?.code, c.code, c.name);
  }
});

test('an https public URL makes the session cookie Secure and sends HSTS; plain http does not', async () => {
  for (const [url, secure] of [['https://localhost:8443', true], [null, false]]) {
    const s = await start(url ? ['--public-url', url] : []);
    const r = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1' } });
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /HttpOnly/);
    assert.equal(/;\s*Secure/i.test(cookie), secure, cookie);
    const logout = await s.req('POST', '/api/v1/auth/logout', { headers: { Cookie: `linli_session=${r.json.token}`, 'X-CSRF-Token': r.json.csrf_token } });
    assert.equal(/;\s*Secure/i.test(logout.headers.get('set-cookie')), secure);
    for (const path of ['/api/v1/health', '/api/v1/nope', '/']) {
      const h = (await s.req('GET', path)).headers.get('strict-transport-security');
      assert.equal(h, secure ? 'max-age=31536000' : null, path);
    }
  }
});

test('X-Forwarded-For names the client only from a trusted proxy (rate limits, logins, audit)', async () => {
  const s = await start(['--trusted-proxy', '127.0.0.1, 10.0.0.0/8', '--rate', '5']);
  const from = (localAddress, xff) => request(s, '/api/v1/health', { localAddress, headers: xff ? { 'X-Forwarded-For': xff } : {} });
  // Through the proxy each forwarded client has its own budget.
  const a = [];
  for (let i = 0; i < 6; i++) a.push((await from('127.0.0.1', '198.51.100.1')).status);
  assert.deepEqual(a.slice(0, 5), [200, 200, 200, 200, 200]);
  assert.equal(a[5], 429);
  assert.equal((await from('127.0.0.1', '198.51.100.2')).status, 200);
  // Hops left of the rightmost untrusted one are the client's own claim.
  assert.equal((await from('127.0.0.1', '198.51.100.2, 10.1.2.3')).status, 200);
  assert.equal((await from('127.0.0.1', '198.51.100.1, 198.51.100.3')).status, 200);
  // A proxy has buffered a body already: one over the limit is read and
  // answered 413, not cut off by a reset (which nginx reports as a 502).
  const body = 'x'.repeat(20 << 20);
  const big = await request(s, '/api/v1/import/people?node=1', { method: 'POST', body, headers: { 'Content-Type': 'text/csv', 'Content-Length': body.length, 'X-Forwarded-For': '198.51.100.50' } });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'too_large');
  // From an address that is not a trusted proxy the header is ignored: one
  // budget, whatever it claims.
  const b = [];
  for (let i = 0; i < 6; i++) b.push((await from('127.0.0.2', `198.51.100.${10 + i}`)).status);
  assert.equal(b[5], 429);

  // Login limits and audit rows see the same address.
  const t = await start(['--trusted-proxy', '127.0.0.1']);
  const login = (localAddress, xff, username = 'admin', password = 'linli-admin-1') =>
    request(t, '/api/v1/auth/login', { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', ...(xff ? { 'X-Forwarded-For': xff } : {}) }, body: { username, password } });
  // 26 at once against a budget of 20 a minute (the check comes before the
  // password hashing, so the surplus is refused at once).
  const tries = await Promise.all(Array.from({ length: 26 }, () => login('127.0.0.1', '198.51.100.20', 'nobody', 'x')));
  assert.ok(tries.some((r) => r.status === 429), 'the forwarded client ran out of login attempts: ' + tries.map((r) => r.status));
  assert.equal((await login('127.0.0.1', '198.51.100.21', 'nobody', 'x')).status, 401, 'another forwarded client did not');
  const viaProxy = await login('127.0.0.1', '6.6.6.6, 198.51.100.7');
  const direct = await login('127.0.0.2', '198.51.100.9');
  assert.equal(viaProxy.status, 200);
  assert.equal(direct.status, 200);
  const audit = await request(t, '/api/v1/audit?limit=10', { headers: { Authorization: `Bearer ${viaProxy.json.token}` } });
  const logins = audit.json.items.filter((x) => x.action === 'login').map((x) => x.client);
  assert.deepEqual(logins.slice(0, 2), ['127.0.0.2', '198.51.100.7']);
});

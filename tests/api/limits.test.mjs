// Limits: request rate per client, login attempts per account and per
// client, header size. Each gets a 4xx and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './lib.mjs';

let s;
before(async () => { s = await Server.start({ kind: 'empty', extra: ['--rate', '120'] }); });
after(async () => s && (await s.stop()));

test('five wrong passwords lock the account', async () => {
  const admin = await s.login('admin');
  await admin.post('/api/v1/users', { username: 'victim', display_name: '被试', password: 'right-password' });
  for (let i = 0; i < 5; i++) {
    const r = await s.req('POST', '/api/v1/auth/login', { body: { username: 'victim', password: 'wrong' } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unauthorized');
  }
  // Locked: even the right password is refused, with the same answer as a
  // wrong one, so the response does not reveal the account state.
  const locked = await s.req('POST', '/api/v1/auth/login', { body: { username: 'victim', password: 'right-password' } });
  const wrong = await s.req('POST', '/api/v1/auth/login', { body: { username: 'victim', password: 'wrong' } });
  assert.equal(locked.status, 401);
  assert.deepEqual(locked.json, wrong.json);
  assert.equal(locked.headers.get('retry-after'), null, 'nothing tells a locked account from a wrong password');
  // The documented answer is this one (docs/openapi.json says so for 401;
  // 429 is the per-address login limit's).
  const doc = (await s.req('GET', '/api/v1/openapi.json')).json;
  assert.match(doc.components.responses.Unauthorized.description, /locked/);
  assert.doesNotMatch(doc.components.responses.TooManyRequests.description, /lock/);
  const audit = await admin.get('/api/v1/audit?limit=20');
  assert.ok(audit.json.items.filter((a) => a.action === 'login_failed').length >= 5);
  assert.ok(audit.json.items.some((a) => a.action === 'login_locked'));
  // An unknown user gets the same answer as a wrong password.
  const ghost = await s.req('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'x' } });
  assert.equal(ghost.status, 401);
  assert.equal(ghost.json.error.message, (await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'x' } })).json.error.message);
});

test('login attempts per client are throttled', async () => {
  let throttled = 0;
  for (let i = 0; i < 25; i++) {
    const r = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'bad' } });
    if (r.status === 429) throttled++;
  }
  assert.ok(throttled > 0, 'some attempts were refused');
});

test('requests per client are rate-limited with Retry-After', async () => {
  let limited = null;
  for (let i = 0; i < 200 && !limited; i++) {
    const r = await s.req('GET', '/api/v1/health');
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, 'the 120/min budget ran out');
  assert.equal(limited.json.error.code, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});

test('oversize headers are refused', async () => {
  const big = 'x'.repeat(100 * 1024);
  let status;
  try {
    status = (await fetch(s.base + '/api/v1/health', { headers: { 'X-Big': big } })).status;
  } catch {
    status = 'closed';
  }
  assert.ok(status === 'closed' || (status >= 400 && status < 500), `got ${status}`);
});

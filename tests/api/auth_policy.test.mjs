// 等保 identity controls over the API: usernames unique without regard to
// case, the password policy on create, change and reset (a table of bad
// passwords), the idle limit of browser sessions, two-factor login (enrol,
// the two login steps, a used code refused, turning it off, a lost phone)
// and administrators required to use it. Each part runs its own server: the
// login budget (20 a minute per address) is per server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, auditCount } from './lib.mjs';
import { Authenticator } from './totp.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });
async function start(extra = []) {
  const s = await Server.start({ kind: 'empty', extra });
  servers.push(s);
  return s;
}
const login = (s, username, password) => s.req('POST', '/api/v1/auth/login', { body: { username, password } });

test('usernames are unique without regard to case, and login finds them so', async () => {
  const s = await start();
  const admin = await s.login('admin');
  const first = await admin.post('/api/v1/users', { username: 'Wang.Gang', display_name: '王刚', password: 'wang-gang-pass-1' });
  assert.equal(first.status, 201);
  const before = await auditCount(admin);
  for (const name of ['Admin', 'ADMIN', 'aDmIn', 'wang.gang', 'WANG.GANG']) {
    const r = await admin.post('/api/v1/users', { username: name, display_name: '冒名', password: 'someone-else-pass-1' });
    assert.equal(r.status, 409, name);
    assert.equal(r.json.error.field, 'username');
  }
  assert.equal(await auditCount(admin), before, 'nothing written');
  const users = await admin.get('/api/v1/users');
  assert.equal(users.json.items.length, 2);
  const r = await login(s, 'WANG.gang', 'wang-gang-pass-1');
  assert.equal(r.status, 200);
  assert.equal(r.json.user.username, 'Wang.Gang', 'the account keeps its own spelling');
  assert.equal((await login(s, 'ADMIN', 'linli-admin-1')).status, 200);
});

// Each refused with 400, field "password", and nothing written.
const BAD = [
  ['short', 'short-1'],
  ['short in characters, long in bytes', '居委会密码'],
  ['the most common', '123456'],
  ['a digit run', '1234567890'],
  ['one repeated', 'aaaaaaaaaaaa'],
  ['a pattern repeated', '5205205205'],
  ['woaini1314', 'woaini1314'],
  ['another case', 'WoAiNi1314'],
  ['Chinese-common', 'a123456789'],
  ['a keyboard walk', '1qaz2wsx3edc'],
  ['qwertyuiop', 'qwertyuiop'],
  ['a listed word and digits', 'password2024'],
  ['a listed word, digits and a symbol', 'iloveyou520!'],
  ['the username', 'policy.user'],
  ['the username and digits', 'Policy.User2024'],
];

test('the password policy refuses weak passwords on create, change and reset', async () => {
  const s = await start();
  const admin = await s.login('admin');
  const u = await admin.post('/api/v1/users', { username: 'policy.user', display_name: '策略', password: 'a-good-password-1' });
  assert.equal(u.status, 201);
  const me = await s.login('policy.user', 'a-good-password-1');
  const before = await auditCount(admin);
  for (const [why, pw] of BAD) {
    // (the password is checked before the name is found taken)
    const create = await admin.post('/api/v1/users', { username: 'Policy.User', display_name: 'x', password: pw });
    assert.equal(create.status, 400, `create: ${why}`);
    assert.equal(create.json.error.field, 'password', why);
    assert.match(create.json.error.message, /^[^a-zA-Z]*[\u4e00-\u9fff]/, 'Chinese first');
    const reset = await admin.post(`/api/v1/users/${u.json.id}/password`, { password: pw });
    assert.equal(reset.status, 400, `reset: ${why}`);
    const change = await me.post(`/api/v1/users/${u.json.id}/password`, { password: pw, current_password: 'a-good-password-1' });
    assert.equal(change.status, 400, `change: ${why}`);
  }
  assert.equal(await auditCount(admin), before, 'nothing written');
  assert.equal((await admin.get('/api/v1/users')).json.items.length, 2);
  assert.equal((await me.get('/api/v1/auth/me')).status, 200, 'the session survived: no password changed');
  const ok = await me.post(`/api/v1/users/${u.json.id}/password`, { password: '居委会的新密码-2024', current_password: 'a-good-password-1' });
  assert.equal(ok.status, 200);
});

test('a browser session ends when left unused (--idle-timeout), an API token does not', async () => {
  const s = await start(['--idle-timeout', '6']);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const session = await s.login('admin');
  const token = (await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1', kind: 'api', name: 'job' } })).json.token;
  await sleep(4000);
  assert.equal((await session.get('/api/v1/auth/me')).status, 200, 'used after 4 s');
  await sleep(4000);
  assert.equal((await session.get('/api/v1/auth/me')).status, 200, '8 s after login, 4 s after its last use');
  await sleep(7500);
  const idle = await session.get('/api/v1/auth/me');
  assert.equal(idle.status, 401, 'unused for more than 6 s');
  assert.match(idle.json.error.message, /idle/);
  assert.equal((await s.req('GET', '/api/v1/auth/me', { token })).status, 200, 'the API token lives on');
});

test('two-factor login: enrol, log in with a code, a used code is refused, turn it off', async () => {
  const s = await start();
  const admin = await s.login('admin');
  const u = (await admin.post('/api/v1/users', { username: 'zhao.liu', display_name: '赵六', password: 'zhao-liu-pass-1' })).json;
  const me = await s.login('zhao.liu', 'zhao-liu-pass-1');
  const enrol = await me.post('/api/v1/auth/totp');
  assert.equal(enrol.status, 200);
  assert.match(enrol.json.secret, /^[A-Z2-7]{32}$/);
  assert.equal(enrol.json.otpauth_uri, `otpauth://totp/linli:zhao.liu?secret=${enrol.json.secret}&issuer=linli&algorithm=SHA1&digits=6&period=30`);
  assert.deepEqual([...Buffer.from(enrol.json.qr_png, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  const app = new Authenticator(enrol.json.secret);
  const wrongConfirm = await me.post('/api/v1/auth/totp/confirm', { code: app.wrong() });
  assert.equal(wrongConfirm.status, 400);
  assert.equal(wrongConfirm.json.error.field, 'code');
  assert.equal((await me.post('/api/v1/auth/totp/confirm', { code: 'abc' })).status, 400);
  assert.equal((await me.post('/api/v1/auth/totp/confirm', { code: app.next() })).status, 200);
  assert.equal((await admin.get(`/api/v1/users/${u.id}`)).json.totp_enabled, true);
  assert.equal((await me.post('/api/v1/auth/totp')).status, 409, 'no new secret while on');

  // The password alone is no longer a login.
  const step1 = await login(s, 'zhao.liu', 'zhao-liu-pass-1');
  assert.equal(step1.status, 200);
  assert.equal(step1.json.totp_required, true);
  assert.equal(step1.json.setup, false);
  assert.equal(step1.json.token, undefined);
  assert.equal(step1.headers.get('set-cookie'), null);
  const wrong = await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: step1.json.challenge, code: app.wrong() } });
  assert.equal(wrong.status, 401);
  const code = app.next();
  const step2 = await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: step1.json.challenge, code } });
  assert.equal(step2.status, 200);
  assert.match(step2.json.token, /^[0-9a-f]{64}$/);
  assert.equal(step2.json.user.username, 'zhao.liu');
  assert.match(step2.headers.get('set-cookie'), /^linli_session=[0-9a-f]{64};/);
  // The same code again, on a new challenge: refused (replay).
  const again = await login(s, 'zhao.liu', 'zhao-liu-pass-1');
  const replay = await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: again.json.challenge, code } });
  assert.equal(replay.status, 401);
  assert.match(replay.json.error.message, /already used/);
  // A spent or made-up challenge is refused.
  assert.equal((await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: step1.json.challenge, code: app.wrong() } })).status, 401);
  assert.equal((await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: 'f'.repeat(64), code: '123456' } })).status, 401);
  assert.equal((await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: again.json.challenge } })).status, 400);

  // Off: the password and a code, both right.
  const me2 = await s.login('admin'); // a fresh session of someone else changes nothing
  assert.equal((await me2.post('/api/v1/auth/totp/disable', { password: 'linli-admin-1', code: app.wrong() })).status, 400, 'admin has no TOTP');
  const byCode = { token: step2.json.token };
  const off = (body) => s.req('POST', '/api/v1/auth/totp/disable', { ...byCode, body });
  assert.equal((await off({ password: 'not-the-password', code: app.wrong() })).status, 403);
  assert.equal((await off({ password: 'zhao-liu-pass-1', code: app.wrong() })).status, 400);
  assert.equal((await off({ password: 'zhao-liu-pass-1', code: app.next() })).status, 200);
  const plain = await login(s, 'zhao.liu', 'zhao-liu-pass-1');
  assert.match(plain.json.token, /^[0-9a-f]{64}$/, 'one step again');
  const audit = (await admin.get(`/api/v1/audit?entity=user&id=${u.id}&limit=50`)).json.items.map((a) => a.action);
  for (const a of ['totp_enrol', 'totp_enable', 'login_password', 'login_code_failed', 'login', 'totp_disable'])
    assert.ok(audit.includes(a), a);
});

test('administrators must use two-factor login under --require-totp-admin', async () => {
  const s = await start(['--require-totp-admin']);
  // Created through the CLI: no login is needed for that.
  const { linli } = await import('./lib.mjs');
  linli(['user', 'add', '--db', s.db, '--username', 'clerk', '--password', 'clerk-pass-1', '--name', '文员']);
  assert.match((await login(s, 'clerk', 'clerk-pass-1')).json.token, /^[0-9a-f]{64}$/, 'others log in as before');
  const step1 = await login(s, 'admin', 'linli-admin-1');
  assert.equal(step1.json.totp_required, true);
  assert.equal(step1.json.setup, true, 'must enrol first');
  const setup = await s.req('POST', '/api/v1/auth/login/totp-setup', { body: { challenge: step1.json.challenge } });
  assert.equal(setup.status, 200);
  const app = new Authenticator(setup.json.secret);
  const done = await s.req('POST', '/api/v1/auth/login/totp', { body: { challenge: step1.json.challenge, code: app.next() } });
  assert.equal(done.status, 200);
  assert.equal(done.json.user.is_admin, true);
  const admin = { token: done.json.token };
  // Cannot be turned off here; a second enrolment is refused.
  const off = await s.req('POST', '/api/v1/auth/totp/disable', { ...admin, body: { password: 'linli-admin-1', code: app.next() } });
  assert.equal(off.status, 403);
  const next = await login(s, 'admin', 'linli-admin-1');
  assert.equal(next.json.setup, false);
  assert.equal((await s.req('POST', '/api/v1/auth/login/totp-setup', { body: { challenge: next.json.challenge } })).status, 409);
  // An administrator resets a clerk's lost phone; the clerk cannot reset anyone's.
  const clerk = (await login(s, 'clerk', 'clerk-pass-1')).json;
  assert.equal((await s.req('DELETE', `/api/v1/users/${done.json.user.id}/totp`, { token: clerk.token })).status, 403);
  assert.equal((await s.req('DELETE', `/api/v1/users/${clerk.user.id}/totp`, admin)).status, 200);
  // The CLI turns the administrator's off (a lost phone); the next login enrols again.
  linli(['user', 'totp-off', '--db', s.db, '--username', 'admin']);
  assert.equal((await login(s, 'admin', 'linli-admin-1')).json.setup, true);
});

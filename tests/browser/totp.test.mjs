// Two-factor login in the console, as a person does it: the security page
// shows a QR code and the secret, a code from the app confirms it, and the
// next login asks for a code after the password (both pages accessible).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, loginPage, axe, shot, DESKTOP } from './lib.mjs';
import { Authenticator } from '../api/totp.mjs';

let s, b;
before(async () => {
  s = await Server.start({ kind: 'empty' });
  b = await browser();
});
after(async () => {
  await b?.close();
  await s?.stop();
});

test('enrol on the security page, then log in with the password and a code', async () => {
  const page = await loginPage(b, s, 'admin');
  await page.goto(s.base + '/console/security');
  await page.waitForSelector('#totp-state');
  assert.match(await page.textContent('#totp-state'), /尚未启用/);
  await page.click('#sec-enrol ~ button, section[aria-labelledby=sec-enrol] button');
  await page.waitForSelector('#sec-secret');
  const app = new Authenticator((await page.textContent('#sec-secret')).trim());
  assert.ok(await page.isVisible('img.qr'));
  await axe(page, 'security-enrol');
  await shot(page, 'security-enrol');
  await page.fill('#sec-code', app.next());
  await page.click('section[aria-labelledby=sec-enrol] button[type=submit]');
  await page.waitForSelector('[role=status]');
  assert.match(await page.textContent('#totp-state'), /已启用/);

  const ctx = await b.newContext({ ...DESKTOP, locale: 'zh-CN' });
  const p2 = await ctx.newPage();
  await p2.goto(s.base + '/login');
  await p2.fill('#username', 'admin');
  await p2.fill('#password', 'linli-admin-1');
  await p2.click('button[type=submit]');
  await p2.waitForSelector('#totp-code');
  assert.match(await p2.textContent('h1'), /动态验证码/);
  await axe(p2, 'login-totp');
  await shot(p2, 'login-totp');
  await p2.fill('#totp-code', app.wrong());
  await p2.click('button[type=submit]');
  await p2.waitForSelector('[role=alert]');
  assert.match(await p2.textContent('[role=alert]'), /动态验证码错误/);
  await p2.fill('#totp-code', app.next());
  await p2.click('button[type=submit]');
  await p2.waitForURL((u) => u.pathname.startsWith('/console'));
  await ctx.close();
});

// The shell of the UI: login, language, elderly-friendly display settings
// that persist, the reading aid, the console's tree navigator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, loginPage, axe, shot, DESKTOP, PHONE } from './lib.mjs';

let s, b;
before(async () => {
  s = await Server.start();
  b = await browser();
});
after(async () => {
  await b?.close();
  await s?.stop();
});

test('login page: accessible, refuses a wrong password, in Chinese first', async () => {
  const ctx = await b.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(s.base + '/console');
  await page.waitForURL(/\/login/);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('h1'), /邻里/);
  await axe(page, 'login');
  await shot(page, 'login-phone');
  await page.fill('#username', 'admin');
  await page.fill('#password', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('[role=alert]');
  assert.match(await page.textContent('[role=alert]'), /用户名或密码错误/);
  // English is available and every string switches.
  await page.selectOption('select[aria-label]', 'en');
  assert.match(await page.textContent('h1'), /Linli/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await ctx.close();
});

test('large text and high contrast persist across visits', async () => {
  const ctx = await b.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(s.base + '/login');
  const size0 = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await page.getByLabel('大字模式').check();
  await page.getByLabel('高对比度').check();
  await page.reload();
  const size1 = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(size1 > size0, `${size1} > ${size0}`);
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('high-contrast')), true);
  await axe(page, 'login large text high contrast');
  await shot(page, 'login-large-contrast');
  // Touch targets: the login button is at least 44 px high.
  const h = await page.evaluate(() => document.querySelector('button[type=submit]').getBoundingClientRect().height);
  assert.ok(h >= 44, `button height ${h}`);
  await ctx.close();
});

test('the reading aid shows pinyin over the characters and traditional script', async () => {
  const ctx = await b.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(s.base + '/login');
  await page.getByLabel('显示拼音').check();
  await page.click('h1');
  await page.waitForSelector('.reading-aid ruby');
  const rt = await page.$$eval('.reading-aid rt', (els) => els.map((e) => e.textContent));
  // 邻里 with its tones: lín lǐ, not the toneless lin li.
  assert.ok(rt.includes('lín') && rt.includes('lǐ'), rt.join(' '));
  assert.match(await page.textContent('.reading-aid .trad'), /鄰裡|鄰里/);
  await axe(page, 'reading aid');
  await page.getByLabel('繁体').check();
  await page.waitForFunction(() => document.querySelector('h1').textContent.includes('鄰'));
  await ctx.close();
});

test('the console: tree navigator, search by pinyin initials', async () => {
  const page = await loginPage(b, s, 'admin', 'linli-admin-1', DESKTOP);
  await page.waitForURL(/\/console\/node\/\d+/);
  await page.waitForSelector('.el-tree-node');
  assert.match(await page.textContent('.el-tree'), /书院路街道/);
  await axe(page, 'console');
  await page.fill('nav input', 'pjsq');
  await page.click('nav >> text=葩金社区');
  await page.waitForURL(/\/console\/node\/\d+$/);
  await shot(page, 'console-tree');
  // A resident is sent to the phone pages, not the console.
  const r = await loginPage(b, s, 'jumin', 'linli-demo-1', PHONE);
  await r.goto(s.base + '/console');
  await r.waitForURL(/\/m$/);
});

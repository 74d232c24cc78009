// Browser test harness: the real linli binary (with the embedded UI) on a
// demo database, driven by Debian's Chromium through playwright-core.
// Every page a test visits can be checked with axe-core and photographed
// into build/screenshots/.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Server } from '../api/lib.mjs';

export { Server };
// Test packages are installed with the UI's (web/package-lock.json).
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = new URL('../../build/screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// bypassCSP only lets the tests inject axe-core; the pages run under linli's CSP.
export const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, bypassCSP: true };
export const DESKTOP = { viewport: { width: 1366, height: 900 }, bypassCSP: true };

// A page logged in as user (through the login form, as a person would).
export async function loginPage(b, s, username, password, device = DESKTOP) {
  const ctx = await b.newContext({ ...device, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(s.base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', password ?? (username === 'admin' ? 'linli-admin-1' : 'linli-demo-1'));
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

// Runs axe-core on the page; fails on serious or critical violations.
export async function axe(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length)
    throw new Error(`${name}: accessibility violations:\n` + bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n'));
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

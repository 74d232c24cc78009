#!/usr/bin/env node
// How fast the resident pages come up on a cheap phone on a slow network:
// the real linli binary (demo data, embedded UI), Chromium with a 375 px
// phone viewport, the network throttled (Chromium's "Fast 3G" preset, then a
// harsher 400 ms / 400 kbit/s line; cache disabled) and the CPU slowed 4x,
// through the Chrome DevTools Protocol.
//
// For each page it prints the time from navigation start until the page is
// usable — its first control visible and enabled — plus first contentful
// paint and what was transferred. Not a test: nothing is asserted.
//
//   node bench/web3g.mjs            (LINLI_BIN, CHROMIUM as for the tests)
import { Server, browser, PHONE } from '../tests/browser/lib.mjs';

const KBIT = 1024 / 8;
// Chromium DevTools' "Fast 3G" preset (as CDP values), and a harsher
// 400 ms / 400 kbit/s line; both with the CPU slowed 4x.
const PROFILES = [
  { name: 'Fast 3G (Chromium preset)', offline: false, latency: 562.5, downloadThroughput: 1440 * KBIT, uploadThroughput: 675 * KBIT },
  { name: 'slow 3G (400 ms, 400 kbit/s)', offline: false, latency: 400, downloadThroughput: 400 * KBIT, uploadThroughput: 400 * KBIT },
];
const CPU_SLOWDOWN = 4;

// Runs in the page before any of its scripts: records, from navigation
// start (performance.now()), when the watched selector first matches a
// visible, enabled element. Checked on every DOM change, so the time is
// not rounded up to a polling interval.
function watchReady() {
  const sel = sessionStorage.getItem('bench.ready');
  if (!sel) return;
  window.__ready = null;
  const check = () => {
    if (window.__ready !== null) return;
    const el = document.querySelector(sel);
    if (!el || el.disabled) return;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden') window.__ready = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener('DOMContentLoaded', check);
}

async function measure(page, cdp, path, selector) {
  const bytes = { total: 0, requests: 0 };
  const onDone = (e) => {
    bytes.total += e.encodedDataLength;
    bytes.requests++;
  };
  cdp.on('Network.loadingFinished', onDone);
  await page.evaluate((s) => sessionStorage.setItem('bench.ready', s), selector);
  await page.goto(page.url().replace(/^(https?:\/\/[^/]+).*$/, `$1${path}`), { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__ready !== null && window.__ready !== undefined, null, { timeout: 120000, polling: 100 });
  await page.waitForLoadState('networkidle', { timeout: 120000 }).catch(() => {});
  const m = await page.evaluate(() => ({
    ready: window.__ready,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
  }));
  cdp.off('Network.loadingFinished', onDone);
  return { ...m, kb: bytes.total / 1024, requests: bytes.requests };
}

const ms = (x) => (x === null ? '–' : `${Math.round(x)} ms`);

const s = await Server.start();
const b = await browser();
try {
for (const PROFILE of PROFILES) {
  const { name, ...conditions } = PROFILE;
  const ctx = await b.newContext({ ...PHONE, locale: 'zh-CN' });
  await ctx.addInitScript(watchReady);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', conditions);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  console.log(`\n${name}: ${PROFILE.latency} ms latency, ${(PROFILE.downloadThroughput / KBIT).toFixed(0)} kbit/s down, ${(PROFILE.uploadThroughput / KBIT).toFixed(0)} up, cache disabled, CPU ${CPU_SLOWDOWN}x slower; viewport ${PHONE.viewport.width} px`);

  await page.goto(s.base + '/start', { waitUntil: 'commit' });
  const login = await measure(page, cdp, '/login', '#username');
  console.log(`/login: usable at ${ms(login.ready)} (first paint ${ms(login.fcp)}), ${login.kb.toFixed(1)} KB in ${login.requests} requests`);

  await page.fill('#username', 'jumin');
  await page.fill('#password', 'linli-demo-1');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/m', { timeout: 120000 });

  const home = await measure(page, cdp, '/m', 'main a[href="/report"]');
  console.log(`/m (resident home): usable at ${ms(home.ready)} (first paint ${ms(home.fcp)}), ${home.kb.toFixed(1)} KB in ${home.requests} requests`);

  const jumin = await s.login('jumin');
  const node = (await jumin.get(`/api/v1/households/${jumin.user.household_id}`)).json.node_id;
  const report = await measure(page, cdp, `/report?place=${node}`, 'input[name=category]');
  console.log(`/report (from a QR code): usable at ${ms(report.ready)} (first paint ${ms(report.fcp)}), ${report.kb.toFixed(1)} KB in ${report.requests} requests`);
  // Again: the code is fetched anew (no HTTP cache) but the categories
  // remembered from the first visit are shown before the API answers.
  const again = await measure(page, cdp, `/report?place=${node}`, 'input[name=category]');
  console.log(`/report again (categories remembered on the phone): usable at ${ms(again.ready)}`);
  console.log(`resident /report first screen, ${name}: ${Math.round(report.ready)} ms`);
  await ctx.close();
}
} finally {
  await b.close();
  await s.stop();
}

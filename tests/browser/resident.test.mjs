// The resident's phone pages, on a 375 px phone: log in, the home page,
// report a problem from a QR code (/report?place=…) with a photo, follow
// it on its page and on the home page, staff accept and resolve it (API),
// the resident rates it 满意 and it closes. Also: an empty description is
// refused on the page and creates nothing, a place in another community
// shows the API's error next to the place, keyboard use of the category
// group, no horizontal scrolling (also in large-text and high-contrast
// modes), axe on every page, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { Server, browser, loginPage, axe, shot, PHONE } from './lib.mjs';

let s, b, page, resident, head, admin, home, otherCommunity, reqId;

// A small real PNG (48×32, two colours), made here.
function png(w = 48, h = 32) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set(x < w / 2 ? [168, 40, 29] : [250, 220, 60], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
async function noHorizontalScroll(what) {
  const w = await scrollWidth();
  assert.ok(w <= 375, `${what}: the page is ${w} px wide on a 375 px phone`);
}
const myRequests = async () => (await resident.get('/api/v1/requests?mine=1')).json.items;

before(async () => {
  s = await Server.start();
  b = await browser();
  resident = await s.login('jumin');
  head = await s.login('linzhang');
  admin = await s.login('admin');
  home = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json.node_id;
  // A community other than the resident's own, for a wrong QR code.
  const mine = (await admin.get(`/api/v1/nodes/${home}/ancestors`)).json.items.map((n) => n.id);
  const communities = (await admin.get('/api/v1/nodes/1/children')).json.items;
  otherCommunity = communities.find((n) => n.kind === 'community' && !mine.includes(n.id)).id;
  page = await loginPage(b, s, 'jumin', 'linli-demo-1', PHONE);
});
after(async () => {
  await b?.close();
  await s?.stop();
});

test('the home page: greeting, the two big buttons, household, settings', async () => {
  assert.equal(new URL(page.url()).pathname, '/m', 'a resident lands on /m');
  await page.getByRole('heading', { level: 1, name: /您好/ }).waitFor();
  await page.getByRole('link', { name: /我要反映/ }).waitFor();
  await page.getByRole('button', { name: /我的诉求/ }).waitFor();
  // My household: the address and members with masked phones.
  const household = page.locator('section', { has: page.getByRole('heading', { name: '我的家庭' }) });
  await household.getByText('松涛里小区').waitFor();
  const phones = await household.locator('.phone').allInnerTexts();
  assert.ok(phones.length >= 1);
  for (const p of phones) assert.match(p, /\*{4}/, 'phones are masked');
  await page.getByText('您还没有反映过问题。').waitFor();
  await page.getByRole('group', { name: '显示设置' }).waitFor();
  await page.getByRole('button', { name: '退出登录' }).first().waitFor();
  // Every control is at least 44 px high (48 px for ours).
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('main a.res-btn, main button, main select')]
      .filter((e) => e.getBoundingClientRect().height < 44)
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(small, [], 'touch targets');
  await noHorizontalScroll('home');
  await axe(page, 'resident home');
  await shot(page, 'resident-home');
});

test('an empty description is refused on the page and creates nothing', async () => {
  await page.getByRole('link', { name: /我要反映/ }).click();
  await page.waitForURL((u) => u.pathname === '/report');
  const first = page.getByRole('radio').first();
  await first.waitFor();
  // The categories are one radio group: the arrow keys move the choice.
  await first.focus();
  await page.keyboard.press('Space');
  assert.equal(await first.isChecked(), true);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getByRole('radio').nth(1).isChecked(), true);
  await page.getByRole('radio', { name: '楼道灯' }).check();
  await page.fill('#desc', '   ');
  await page.getByRole('button', { name: '提交' }).click();
  const err = page.locator('#desc-err');
  await err.waitFor();
  assert.equal(await err.getAttribute('role'), 'alert');
  assert.match(await err.innerText(), /请填写问题描述/);
  assert.equal(await page.locator('#desc').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'desc', 'focus goes to the field');
  assert.equal(new URL(page.url()).pathname, '/report');
  assert.equal((await myRequests()).length, 0, 'nothing was created');
});

test('a QR code of another community: the API error is shown next to the place', async () => {
  await page.goto(`${s.base}/report?place=${otherCommunity}`);
  await page.getByRole('radio', { name: '噪音' }).check();
  await page.fill('#desc', '晚上广场舞音乐太响。');
  await page.getByRole('button', { name: '提交' }).click();
  const err = page.locator('#place-err');
  await err.waitFor();
  assert.equal(await err.getAttribute('role'), 'alert');
  assert.match(await err.innerText(), /只能反映本社区的问题/);
  assert.equal((await myRequests()).length, 0, 'nothing was created');
});

test('report from the QR code of the home circle, with a photo', async () => {
  await page.goto(`${s.base}/report?place=${home}`);
  await page.getByText(/扫码位置/).waitFor();
  await page.getByRole('radio', { name: '楼道灯' }).check();
  const text = '3栋2单元楼道灯坏了，晚上很黑，老人上下楼不方便。';
  await page.getByLabel('问题描述').fill(text);
  await page.getByText(`已写 ${[...text].length} 字`).waitFor();
  await page.setInputFiles('#photo', { name: 'light.png', mimeType: 'image/png', buffer: png() });
  await page.getByRole('img', { name: '要上传的照片' }).waitFor();
  await noHorizontalScroll('report');
  await axe(page, 'resident report');
  await shot(page, 'resident-report');
  await page.getByRole('button', { name: '提交' }).click();
  await page.waitForURL(/\/m\/requests\/\d+$/);
  reqId = Number(new URL(page.url()).pathname.split('/').pop());
  await page.locator('.status-card').getByText('新收').waitFor();
  // The photo is on the page, loaded from the API.
  const img = page.getByRole('img', { name: '照片 1' });
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector('.photos img')?.naturalWidth > 0);
  await page.getByText('已受理登记').waitFor();
  await noHorizontalScroll('request');
  await axe(page, 'resident request (new)');

  const r = (await resident.get(`/api/v1/requests/${reqId}`)).json;
  assert.equal(r.status, 'new');
  assert.equal(r.category, 'corridor_light');
  assert.equal(r.description, text);
  assert.equal(r.place_node_id, home);
  assert.equal(r.channel, 'qr');
  assert.equal(r.anonymous, false);
  assert.equal(r.files.length, 1);
  assert.equal(r.files[0].mime, 'image/png');
});

test('the request is listed on the home page', async () => {
  await page.goto(`${s.base}/m`);
  const link = page.getByRole('link', { name: /3栋2单元楼道灯坏了/ });
  await link.waitFor();
  assert.match(await link.innerText(), /新收/);
  await link.click();
  await page.waitForURL((u) => u.pathname === `/m/requests/${reqId}`);
});

test('staff accept and resolve; the resident sees 已办结 and rates 满意', async () => {
  assert.equal((await head.post(`/api/v1/requests/${reqId}/accept`, { note: '邻长已接单，明天上门查看' })).status, 200);
  const res = await head.post(`/api/v1/requests/${reqId}/resolve`, { outcome: '物业已更换3栋2单元各层楼道灯' });
  assert.equal(res.status, 200, JSON.stringify(res.json));

  // The home page tells of it; "知道了" marks it read.
  await page.goto(`${s.base}/m`);
  const notes = page.locator('section', { has: page.getByRole('heading', { name: '新消息' }) });
  await notes.getByText(/已办结，请评价/).waitFor();
  await axe(page, 'resident home with messages');
  const unread = (await resident.get('/api/v1/notifications?unread=1')).json.items.length;
  assert.ok(unread >= 2);
  await notes.getByRole('button', { name: '知道了' }).first().click();
  await notes.waitFor({ state: 'detached' });
  // The page drops them at once; the marks reach the server just after.
  let left = unread;
  for (let i = 0; i < 50 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = (await resident.get('/api/v1/notifications?unread=1')).json.items.length;
  }
  assert.equal(left, 0, 'all of its messages are marked read');

  await page.goto(`${s.base}/m/requests/${reqId}`);
  await page.locator('.status-card').getByText('已办结').waitFor();
  await page.getByRole('region', { name: '办理结果' }).getByText('物业已更换3栋2单元各层楼道灯').waitFor();
  await page.getByText('邻长已接单，明天上门查看').waitFor();
  await page.getByRole('group', { name: '请评价办理结果' }).waitFor();
  for (const name of ['满意', '基本满意', '不满意']) await page.getByRole('radio', { name, exact: true }).waitFor();
  await noHorizontalScroll('request (resolved)');
  await axe(page, 'resident request (rating)');
  await page.getByRole('radio', { name: '满意', exact: true }).check();
  await page.getByLabel('补充意见（可不填）').fill('换得很快，谢谢社区！');
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.getByText('谢谢您的评价！').waitFor();
  await page.locator('.status-card').getByText('已归档').waitFor();
  await page.getByText('您的评价：满意').waitFor();
  assert.equal(await page.getByRole('group', { name: '请评价办理结果' }).count(), 0, 'no second rating');
  await axe(page, 'resident request (closed)');
  await shot(page, 'resident-request');

  const r = (await resident.get(`/api/v1/requests/${reqId}`)).json;
  assert.equal(r.status, 'closed');
  assert.equal(r.rating, 'satisfied');
  assert.equal(r.rating_comment, '换得很快，谢谢社区！');
});

test('the handler asks for details; the resident replies on the page', async () => {
  const r = await resident.post('/api/v1/requests', { category: 'sewer', description: '楼下下水道堵了，有异味。' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  // A sewer is a 组长's matter: the community secretary (above) asks.
  const secretary = await s.login('shuji');
  const ask = await secretary.post(`/api/v1/requests/${r.json.id}/ask`, { note: '请问是哪一栋楼下？' });
  assert.equal(ask.status, 200, JSON.stringify(ask.json));
  await page.goto(`${s.base}/m/requests/${r.json.id}`);
  await page.locator('.status-card').getByText('待您补充').waitFor();
  await page.locator('.question').getByText('请问是哪一栋楼下？').waitFor();
  await axe(page, 'resident request (waiting)');
  // An empty reply is refused on the page.
  await page.getByRole('button', { name: '发送回复' }).click();
  await page.locator('#reply-err').getByText('请填写回复内容').waitFor();
  await page.getByLabel('您的回复').fill('3栋楼下，靠近垃圾站。');
  await page.getByRole('button', { name: '发送回复' }).click();
  await page.getByText('回复已发送。').waitFor();
  await page.locator('.status-card').getByText('已接单').waitFor();
  const after = (await resident.get(`/api/v1/requests/${r.json.id}`)).json;
  assert.equal(after.status, 'accepted');
  assert.equal(after.events.at(-1).type, 'replied');
  assert.equal(after.events.at(-1).note, '3栋楼下，靠近垃圾站。');
});

test('large text and high contrast: still no horizontal scrolling', async () => {
  await page.evaluate(() => {
    localStorage.setItem('linli.largeText', 'true');
    localStorage.setItem('linli.highContrast', 'true');
  });
  for (const path of ['/m', `/report?place=${home}`, `/m/requests/${reqId}`]) {
    await page.goto(s.base + path);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large-text')), true);
    await noHorizontalScroll(`${path} (large text, high contrast)`);
    await axe(page, `${path} (large text, high contrast)`);
  }
  // English too.
  await page.evaluate(() => localStorage.setItem('linli.lang', 'en'));
  await page.goto(`${s.base}/report?place=${home}`);
  await page.getByRole('heading', { level: 1, name: 'Report a problem' }).waitFor();
  await page.getByRole('radio', { name: /corridor light/ }).waitFor();
  await noHorizontalScroll('report (en, large text)');
});

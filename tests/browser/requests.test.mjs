// The staff console's requests pages, driven as people would: a resident
// reports (API) → the 邻长 finds it under 新收, accepts it, notes progress →
// its time limit passes and it climbs out of the 邻长's reach → the grid
// worker escalates it by hand → the community secretary hands it to the
// property company (lead) and the police (joint) → the company reports its
// part done → the secretary resolves it → the resident rates it (API) → the
// detail shows 已归档 and the rating.
// Also: 代为登记 with a photo, filters, validation and server errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, loginPage, axe, shot } from './lib.mjs';
import { linli } from '../api/lib.mjs';

const H = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DESC = '3栋2单元楼道灯坏了，晚上很黑，老人上下楼不方便。';
// A 1×1 PNG for the photo upload.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let s, b, resident, admin, req, start;
const clock = (atMs) => JSON.parse(linli(['clock', '--db', s.db, '--at', iso(atMs), '--no-webhooks']));
const detail = async (page) => {
  await page.goto(`${s.base}/console/requests/${req.id}`);
  await page.getByRole('heading', { level: 1 }).or(page.getByRole('alert')).first().waitFor();
};
// The value shown next to a label in the facts list.
const fact = (page, label) => page.locator('dl dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
const actions = (page) => page.getByRole('group', { name: '办理操作' });
const form = (page) => page.locator('#ap-form');

before(async () => {
  s = await Server.start();
  b = await browser();
  resident = await s.login('jumin');
  admin = await s.login('admin');
  start = Date.now();
  const r = await resident.post('/api/v1/requests', { category: 'corridor_light', description: DESC });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  req = r.json;
});
after(async () => {
  await b?.close();
  await s?.stop();
});

test('the 邻长 finds it under 新收, filters, opens it, accepts it and notes progress', async () => {
  const page = await loginPage(b, s, 'linzhang');
  await page.goto(s.base + '/console/requests');
  const row = page.getByRole('link', { name: req.title });
  await row.waitFor();
  assert.equal(await page.getByRole('button', { name: '新收' }).getAttribute('aria-pressed'), 'true');
  const tr = page.locator('.el-table__row', { has: row });
  assert.match(await tr.innerText(), /楼道灯[\s\S]*新收[\s\S]*松涛里1组第1邻[\s\S]*未到期/);
  await axe(page, 'console-inbox');
  await shot(page, 'console-inbox');

  // Tabs and filters change what the server returns.
  await page.getByRole('button', { name: '已超期' }).click();
  await page.getByText('暂无诉求').waitFor();
  await page.getByRole('button', { name: '全部' }).click();
  await row.waitFor();
  await page.getByLabel('搜索（标题、内容、地址）').fill('下水道');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByText('暂无诉求').waitFor();
  await page.getByLabel('搜索（标题、内容、地址）').fill('楼道灯');
  await page.getByRole('button', { name: '查询' }).click();
  await row.waitFor();
  await page.getByRole('button', { name: '新收' }).click();
  await row.waitFor();

  // Keyboard: the title is a link.
  await row.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/console/requests/${req.id}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(req.title) }).waitFor();
  assert.equal(await fact(page, '反映人').innerText(), '许贵斌');
  assert.equal(await fact(page, '当前办理层级').innerText(), '松涛里1组第1邻');

  // Accept: the form opens, its submit posts, the page shows the new status.
  await actions(page).getByRole('button', { name: '接单' }).click();
  await form(page).getByRole('button', { name: '接单' }).click();
  await page.locator('.head .req-status', { hasText: '办理中' }).waitFor();
  assert.equal(await actions(page).getByRole('button', { name: '接单' }).count(), 0, 'accept is gone once accepted');

  // A note: required (validated here), then public for the resident.
  await actions(page).getByRole('button', { name: '添加办理记录' }).click();
  await form(page).getByRole('button', { name: '添加办理记录' }).click();
  assert.equal(await form(page).getByRole('alert').innerText(), '请填写记录内容');
  await page.getByLabel('记录内容').fill('已联系物业电工，明天上午来修');
  await page.getByLabel('居民可见').check();
  await form(page).getByRole('button', { name: '添加办理记录' }).click();
  const timeline = page.getByRole('list', { name: '办理过程（按时间先后）' });
  await timeline.getByText('已联系物业电工，明天上午来修').waitFor();
  const labels = await timeline.locator(':scope > li strong').allInnerTexts();
  assert.deepEqual(labels, ['已受理登记', '已接单', '办理记录']);
  const c = (await admin.get(`/api/v1/requests/${req.id}`)).json;
  assert.equal(c.status, 'accepted');
  assert.equal(c.events.at(-1).note, '已联系物业电工，明天上午来修');
  assert.equal(c.events.at(-1).public, true);
  await axe(page, 'console-request (open)');
  await page.context().close();
});

test('its limit passes: it climbs to the group; the 邻长 follows it without handling it', async () => {
  assert.equal(clock(start + 73 * H).escalated, 1);
  const page = await loginPage(b, s, 'linzhang');
  await detail(page);
  // 反馈跟踪: the 邻长 still sees where it went, but may no longer act on it.
  assert.equal(await fact(page, '当前办理层级').innerText(), '松涛里1组');
  assert.equal(await page.getByRole('button', { name: '接单' }).count(), 0);
  assert.equal(await page.getByRole('group', { name: '办理操作' }).count(), 0);
  await page.context().close();
});

test('the grid worker sees it moved up and escalates it by hand', async () => {
  const page = await loginPage(b, s, 'wangge');
  await detail(page);
  assert.equal(await fact(page, '当前办理层级').innerText(), '松涛里1组');
  assert.equal(await fact(page, '上报次数').innerText(), '1');
  const auto = page.getByRole('listitem').filter({ hasText: '超时自动上报' });
  assert.match(await auto.innerText(), /松涛里1组第1邻 → 松涛里1组/);
  await page.locator('.head .req-status', { hasText: '新收' }).waitFor();

  await actions(page).getByRole('button', { name: '上报上级' }).click();
  await page.getByLabel('原因').fill('涉及整栋线路，需片区协调');
  await form(page).getByRole('button', { name: '上报上级' }).click();
  // Confirmed before it is sent; cancelling sends nothing.
  const dialog = page.getByRole('dialog', { name: '请确认' });
  await dialog.getByRole('button', { name: '取消' }).click();
  assert.equal((await admin.get(`/api/v1/requests/${req.id}`)).json.escalations, 1);
  await form(page).getByRole('button', { name: '上报上级' }).click();
  await dialog.getByRole('button', { name: '确定' }).click();
  await page.locator('dd', { hasText: /^第1片区$/ }).waitFor();
  assert.equal(await fact(page, '上报次数').innerText(), '2');
  assert.match(await page.getByRole('listitem').filter({ hasText: '已上报上级' }).innerText(), /涉及整栋线路，需片区协调/);
  await page.context().close();
});

test('the community secretary hands it to 物业 (lead) and 派出所 (joint)', async () => {
  assert.equal(clock(start + 146 * H).escalated, 1, 'the area passes its limit too');
  const police = (await admin.get('/api/v1/orgs?node=1&kind=department')).json.items.find((o) => o.name.includes('派出所'));
  const page = await loginPage(b, s, 'shuji');
  await page.goto(s.base + '/console/requests');
  const row = page.getByRole('link', { name: req.title });
  await row.waitFor();
  assert.match(await page.locator('.el-table__row', { has: row }).innerText(), /葩金社区/);
  await row.click();
  await page.locator('dd', { hasText: /^葩金社区$/ }).first().waitFor();

  await actions(page).getByRole('button', { name: '转交单位' }).click();
  // No lead: refused before sending.
  await form(page).getByRole('button', { name: '转交单位' }).click();
  assert.equal(await form(page).getByRole('alert').innerText(), '请选择一个牵头单位');
  await page.locator('#ho-lead').click();
  await page.locator('#ho-lead').fill('松涛里物业');
  await page.getByRole('option', { name: /松涛里物业服务有限公司（第1片区）/ }).click();
  // The street's police station is above the community's reach to list: added by number.
  await page.getByLabel('单位编号').fill(String(police.id));
  await page.getByRole('button', { name: '按编号添加' }).click();
  await page.getByLabel('交办说明（可不填）').fill('物业牵头更换灯具，派出所协助排查线路');
  await form(page).getByRole('button', { name: '转交单位' }).click();
  await page.locator('.head .req-status', { hasText: '已转办' }).waitFor();
  const orgs = page.locator('.orgs li');
  assert.deepEqual((await orgs.allInnerTexts()).map((x) => x.split(' · ').slice(0, 2).join(' · ')),
    ['松涛里物业服务有限公司 · 牵头', `${police.name} · 联办`]);

  await page.context().close();
});

test('the property company\'s account finds it under 我单位的 and reports its part done', async () => {
  const property = (await admin.get(`/api/v1/requests/${req.id}`)).json.orgs.find((o) => o.role === 'lead');
  const u = await admin.post('/api/v1/users', { username: 'wuye1', display_name: '物业客服', password: 'wuye-pass-1', org_id: property.org_id });
  assert.equal(u.status, 201, JSON.stringify(u.json));
  const page = await loginPage(b, s, 'wuye1', 'wuye-pass-1');
  await page.goto(s.base + '/console/requests');
  // An organisation's account has no area: only its own cases (the tabs
  // come once the account is loaded).
  const tabs = page.getByRole('group', { name: '待办分类' });
  await tabs.getByRole('button', { name: '我单位的' }).waitFor();
  assert.deepEqual(await tabs.getByRole('button').allInnerTexts(), ['我单位的']);
  assert.equal(await page.getByRole('button', { name: '代为登记' }).count(), 0);
  await page.getByRole('link', { name: req.title }).click();
  await page.locator('.head .req-status', { hasText: '已转办' }).waitFor();
  assert.deepEqual(await actions(page).getByRole('button').allInnerTexts(), ['添加办理记录', '本单位已完成', '办结']);
  await actions(page).getByRole('button', { name: '本单位已完成' }).click();
  await page.getByLabel('记录内容').fill('已更换LED灯具');
  await form(page).getByRole('button', { name: '本单位已完成' }).click();
  await page.locator('.orgs li', { hasText: '已完成' }).first().waitFor();
  assert.match(await page.locator('.orgs li').first().innerText(), /松涛里物业服务有限公司 · 牵头 · 已完成/);
  assert.equal(await actions(page).getByRole('button', { name: '本单位已完成' }).count(), 0);
  await page.context().close();
});

test('the secretary sees server errors next to the form, then resolves it', async () => {
  const page = await loginPage(b, s, 'shuji');
  await detail(page);
  // A server error is shown next to the form (merge into a request that does not exist).
  await actions(page).getByRole('button', { name: '合并到其他诉求' }).click();
  await page.getByLabel('合并到的诉求编号').fill('999999');
  await form(page).getByRole('button', { name: '合并到其他诉求' }).click();
  await page.getByRole('dialog', { name: '请确认' }).getByRole('button', { name: '确定' }).click();
  await form(page).getByRole('alert').getByText('目标诉求不存在').waitFor();
  await form(page).getByRole('button', { name: '取消' }).click();

  await actions(page).getByRole('button', { name: '办结' }).click();
  await page.getByLabel('办理结果').fill('已更换楼道灯并检修线路');
  await form(page).getByRole('button', { name: '办结' }).click();
  await page.locator('.head .req-status', { hasText: '已办结待评价' }).waitFor();
  assert.equal(await fact(page, '办理结果').innerText(), '已更换楼道灯并检修线路');
  assert.equal(await fact(page, '居民评价').innerText(), '尚未评价');
  await page.context().close();
});

test('the resident rates it; the detail shows 已归档 and the rating, in both languages', async () => {
  const r = await resident.post(`/api/v1/requests/${req.id}/rate`, { rating: 'satisfied', comment: '谢谢社区' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const page = await loginPage(b, s, 'shuji');
  await detail(page);
  await page.locator('.head .req-status', { hasText: '已归档' }).waitFor();
  assert.equal(await fact(page, '居民评价').innerText(), '满意');
  assert.equal(await fact(page, '评价意见').innerText(), '谢谢社区');
  const labels = await page.getByRole('list', { name: '办理过程（按时间先后）' }).locator(':scope > li strong').allInnerTexts();
  assert.deepEqual(labels, ['已受理登记', '已接单', '办理记录', '超时自动上报', '已上报上级', '超时自动上报',
    '已转交牵头单位', '联办单位', '承办单位已办结', '已办结，请评价', '居民评价：满意', '已办结归档']);
  // Closed: only publishing is left.
  assert.deepEqual(await actions(page).getByRole('button').allInnerTexts(), ['公开']);
  await axe(page, 'console-request');
  await shot(page, 'console-request');
  await actions(page).getByRole('button', { name: '公开' }).click();
  await page.getByText('此诉求已公开').waitFor();
  assert.equal(await fact(page, '公开').innerText(), '是');
  assert.deepEqual(await actions(page).getByRole('button').allInnerTexts(), ['取消公开']);
  assert.equal((await resident.get(`/api/v1/requests/${req.id}`)).json.is_public, true);

  await page.getByLabel('语言').selectOption('en');
  await page.locator('.head .req-status', { hasText: 'Closed' }).waitFor();
  assert.equal(await fact(page, "Resident's rating").innerText(), 'Satisfied');
  await page.getByRole('listitem').filter({ hasText: 'rated: satisfied' }).waitFor();
  await page.context().close();
});

// Fills and sends the 代为登记 dialog; selects are opened from the keyboard.
async function record(page, { category, description, channel, name, phone }) {
  await page.goto(s.base + '/console/requests');
  await page.getByRole('button', { name: '代为登记' }).click();
  const dlg = page.getByRole('dialog', { name: '代居民登记诉求' });
  await dlg.locator('#rec-category').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('option', { name: category }).click();
  await dlg.getByLabel('问题描述').fill(description);
  if (channel) {
    await dlg.locator('#rec-channel').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: channel }).click();
  }
  if (name) await dlg.getByLabel('反映人姓名（可不填）').fill(name);
  if (phone) await dlg.getByLabel('反映人电话（可不填）').fill(phone);
  await dlg.getByRole('button', { name: '登记' }).click();
  return dlg;
}

test('代为登记: the 邻长 records a request heard from the box, with a photo', async () => {
  const page = await loginPage(b, s, 'linzhang');
  await page.goto(s.base + '/console/requests');
  await page.getByRole('button', { name: '代为登记' }).click();
  const dlg = page.getByRole('dialog', { name: '代居民登记诉求' });
  await dlg.getByLabel('问题描述').fill('   ');
  await dlg.getByRole('button', { name: '登记' }).click();
  assert.equal(await dlg.getByRole('alert').innerText(), '请填写位置、类别和问题描述');
  // The place defaults to the 邻长's circle.
  assert.match(await dlg.locator('.el-select', { has: page.locator('#rec-place') }).innerText(), /松涛里1组第1邻/);

  await record(page, { category: '楼道灯', description: '5栋3单元楼道灯不亮，住户反映一周了', channel: '民情收集箱', name: '王阿姨', phone: '13800138000' });
  await page.waitForURL(/\/console\/requests\/\d+$/);
  const id = Number(page.url().split('/').pop());
  assert.notEqual(id, req.id);
  await page.getByRole('heading', { level: 1, name: /5栋3单元楼道灯不亮/ }).waitFor();
  assert.equal(await fact(page, '渠道').innerText(), '民情收集箱');
  assert.equal(await fact(page, '反映人').innerText(), '王阿姨');
  assert.equal(await fact(page, '问题位置').innerText(), '松涛里1组第1邻');
  assert.match(await fact(page, '联系电话').innerText(), /^138\*+8000$/);

  await page.getByLabel(/上传照片/).setInputFiles({ name: 'light.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('img', { name: /诉求照片 1/ }).waitFor();
  await page.waitForFunction(() => document.querySelector('.photos img')?.naturalWidth === 1);
  const c = (await admin.get(`/api/v1/requests/${id}`)).json;
  assert.equal(c.channel, 'box');
  assert.equal(c.files.length, 1);
  assert.ok(c.events.some((e) => e.type === 'file_added'));
  // Not an image: the server's 415 is shown.
  await page.getByLabel(/上传照片/).setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await page.locator('.upload [role=alert]', { hasText: '只接受JPEG、PNG或WebP图片' }).waitFor();
  await page.context().close();
});

test('代为登记 of a category handled higher up: recorded once, and the page says where it went', async () => {
  const page = await loginPage(b, s, 'linzhang');
  const before = (await admin.get('/api/v1/requests?node=1&category=sewer')).json.items.length;
  const dlg = await record(page, { category: '下水道', description: '5栋门口下水道堵塞，雨天积水' });
  await dlg.waitFor({ state: 'hidden' });
  const after = (await admin.get('/api/v1/requests?node=1&category=sewer')).json.items;
  assert.equal(after.length, before + 1, 'exactly one request was created');
  assert.equal(after[0].node_name, '松涛里1组', 'sewers are handled by the group');
  assert.equal(after[0].channel, 'visit');
  // Whoever recorded it follows it: its page shows where it is handled.
  await page.waitForURL(new RegExp(`/console/requests/${after[0].id}$`));
  assert.equal(await fact(page, '当前办理层级').innerText(), '松涛里1组');
  await page.context().close();
});

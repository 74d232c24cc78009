// Staff console in a real browser against the real binary (embedded UI) on
// the demo street: tree search → dashboard, the residents table (filter,
// paging, export), revealing personal data (allowed and refused), import
// with a bad row, roles and published contacts, organisations and their
// members, users and grants. Every
// page visited is checked with axe and photographed.
import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Server, browser, loginPage, axe, shot } from './lib.mjs';

let s, b;
const errors = [];

before(async () => {
  s = await Server.start();
  b = await browser();
});
after(async () => {
  await b?.close();
  await s?.stop();
});

// A logged-in page that records uncaught script errors.
async function open(user) {
  const page = await loginPage(b, s, user);
  page.on('pageerror', (e) => errors.push(`${user}: ${e.message}`));
  return page;
}
// The API as the same logged-in user (the page's cookies).
async function api(page, path) {
  const r = await page.request.get(s.base + path);
  assert.equal(r.status(), 200, `${path}: ${r.status()}`);
  return r.json();
}
const zh = (v) => v.toLocaleString('zh-CN');
const columnTexts = (page, i) => page.locator('.dt tbody tr').evaluateAll((rows, i) => rows.map((r) => r.children[i]?.textContent.trim()), i);

test('tree search by pinyin initials opens the dashboard with figures and charts', async () => {
  const page = await open('admin');
  await page.waitForURL(/\/console\/node\/1$/);
  await page.getByRole('textbox', { name: '搜索节点（名称或拼音首字母）' }).fill('pjsq');
  await page.locator('.tree-nav').getByRole('link', { name: '葩金社区 社区', exact: true }).click();
  await page.waitForURL(/\/console\/node\/3$/);
  await assert.doesNotReject(page.locator('h1', { hasText: '葩金社区' }).waitFor());

  const stats = await api(page, '/api/v1/stats?node=3');
  const fig = (label) => page.locator('.fig', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('.value');
  await page.locator('.fig').first().waitFor();
  assert.equal(await fig('在册居民').textContent(), zh(stats.totals.residents));
  assert.equal(await fig('户数').textContent(), zh(stats.totals.households));
  assert.equal(await fig('流动人口').textContent(), zh(stats.totals.floating));

  // Charts are drawn on canvases and carry a text alternative and a table.
  const charts = page.locator('.chart-box');
  assert.ok((await charts.count()) >= 4, 'age, gender, tags and child charts');
  await charts.first().locator('canvas').waitFor();
  assert.match(await charts.first().locator('[role=img]').getAttribute('aria-label'), /人口年龄结构.*80岁及以上/);
  await charts.first().locator('summary').click();
  const row80 = charts.first().locator('tbody tr', { hasText: '80岁及以上' });
  assert.equal(await row80.locator('td').textContent(), zh(stats.totals.age_80_plus));
  // The population pyramid: men and women by 10-year band, oldest on top,
  // with the same numbers in its table, and those without a birth date.
  const pyr = page.locator('.chart-box', { hasText: '人口金字塔' });
  await pyr.locator('canvas').waitFor();
  const bands = stats.totals.pyramid.bands;
  assert.match(await pyr.locator('[role=img]').getAttribute('aria-label'), new RegExp(`人口金字塔.*80岁及以上: 男 ${zh(bands[8].male)}, 女 ${zh(bands[8].female)}`));
  await pyr.locator('summary').click();
  assert.deepEqual(await pyr.locator('thead th').allTextContents(), ['年龄段', '男', '女', '性别未登记']);
  const pyrRows = pyr.locator('tbody tr');
  assert.equal(await pyrRows.count(), 10);
  assert.equal((await pyrRows.first().locator('th').textContent()).trim(), '80岁及以上');
  assert.deepEqual(await pyrRows.first().locator('td').allTextContents(), [bands[8].male, bands[8].female, bands[8].unknown].map(zh));
  assert.equal((await pyrRows.nth(8).locator('th').textContent()).trim(), '0–9岁');
  assert.deepEqual(await pyrRows.nth(8).locator('td').allTextContents(), [bands[0].male, bands[0].female, bands[0].unknown].map(zh));
  const nb = stats.totals.pyramid.no_birth_date;
  assert.equal((await pyrRows.last().locator('th').textContent()).trim(), '出生日期未登记');
  assert.deepEqual(await pyrRows.last().locator('td').allTextContents(), [nb.male, nb.female, nb.unknown].map(zh));
  assert.ok(bands[8].male + bands[8].female > 0, 'the demo has residents aged 80 and over');
  // Child comparison lists every child node.
  const childChart = page.locator('.chart-box', { hasText: '下级节点对比' });
  await childChart.locator('summary').click();
  assert.equal(await childChart.locator('tbody tr').count(), stats.children.length);
  // Requests section is there (the demo has none yet: it says so in words).
  await assert.doesNotReject(page.getByRole('heading', { name: '诉求办理' }).waitFor());
  await axe(page, 'dashboard');
  await shot(page, 'console-dashboard');

  // High-contrast and large-text modes still pass.
  await page.getByLabel('高对比度').check();
  await page.getByLabel('大字模式').check();
  await page.waitForTimeout(200);
  await axe(page, 'dashboard high contrast');
  await shot(page, 'console-dashboard-contrast');
  await page.getByLabel('高对比度').uncheck();
  await page.getByLabel('大字模式').uncheck();
  // In English the pyramid's title, columns and bands switch too.
  await page.getByLabel('语言').selectOption('en');
  const pyrEn = page.locator('.chart-box', { hasText: 'Population pyramid (age and gender)' });
  await pyrEn.waitFor();
  assert.deepEqual(await pyrEn.locator('thead th').allTextContents(), ['Age band', 'Male', 'Female', 'Gender not recorded']);
  assert.equal((await pyrEn.locator('tbody tr th').first().textContent()).trim(), '80 and over');
  assert.equal((await pyrEn.locator('tbody tr th').last().textContent()).trim(), 'No date of birth recorded');
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.context().close();
});

test('residents table filters by tag, pages with the cursor and exports', async () => {
  const page = await open('admin');
  await page.goto(s.base + '/console/node/3/people');
  await page.locator('.dt tbody tr').nth(49).waitFor();
  assert.equal(await page.locator('.dt tbody tr').count(), 50);
  const first = await columnTexts(page, 0);
  // Personal data masked in the list.
  for (const id of await columnTexts(page, 3)) if (id !== '—') assert.match(id, /\*{4,}/);

  await page.selectOption('#pf-tag', '高龄老人');
  await page.waitForFunction((old) => document.querySelector('.dt tbody tr td')?.textContent.trim() !== old, first[0]);
  await page.locator('[role=status]', { hasText: '第 1 页' }).waitFor();
  const p1 = await columnTexts(page, 0);
  assert.notDeepEqual(p1, first);
  for (const tags of await columnTexts(page, 8)) assert.match(tags, /高龄老人/);
  const want1 = await api(page, '/api/v1/people?node=3&limit=50&tag=' + encodeURIComponent('高龄老人'));
  assert.deepEqual(p1, want1.items.map((p) => p.name));
  assert.ok(want1.next_cursor, 'more than one page of elderly residents');

  await page.getByRole('button', { name: '下一页' }).click();
  await page.locator('[role=status]', { hasText: '第 2 页' }).waitFor();
  const p2 = await columnTexts(page, 0);
  const want2 = await api(page, `/api/v1/people?node=3&limit=50&tag=${encodeURIComponent('高龄老人')}&cursor=${encodeURIComponent(want1.next_cursor)}`);
  assert.deepEqual(p2, want2.items.map((p) => p.name));
  assert.notDeepEqual(p2, p1);
  await page.getByRole('button', { name: '上一页' }).click();
  await page.locator('[role=status]', { hasText: '第 1 页' }).waitFor();
  assert.deepEqual(await columnTexts(page, 0), p1);
  await axe(page, 'people');
  await shot(page, 'console-people');

  // The export buttons download what the filters select: the file holds
  // exactly the elderly residents the table lists, page after page.
  const elderly = [];
  for (let cursor = ''; ; ) {
    const r = await api(page, `/api/v1/people?node=3&limit=500&tag=${encodeURIComponent('高龄老人')}${cursor}`);
    elderly.push(...r.items);
    if (!r.next_cursor) break;
    cursor = '&cursor=' + encodeURIComponent(r.next_cursor);
  }
  // Typing in the search box without searching changes neither the table
  // nor the export.
  await page.fill('#pf-q', 'zzz');
  assert.match(await page.locator('a[data-export=csv]').getAttribute('href'), /tag=%E9%AB%98%E9%BE%84%E8%80%81%E4%BA%BA/);
  assert.doesNotMatch(await page.locator('a[data-export=csv]').getAttribute('href'), /zzz/);
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-export=csv]').click()]);
  assert.equal(csvDl.suggestedFilename(), '台账-people.csv');
  const csvLines = readFileSync(await csvDl.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
  const idCol = csvLines[0].split(',').indexOf('人员编号');
  assert.deepEqual(csvLines.slice(1).map((l) => Number(l.split(',')[idCol])), elderly.map((p) => p.id));
  assert.ok(csvLines.slice(1).every((l) => l.includes('高龄老人')));
  const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-export=xlsx]').click()]);
  assert.equal(xlsxDl.suggestedFilename(), '台账-people.xlsx');
  assert.equal(readFileSync(await xlsxDl.path()).subarray(0, 2).toString(), 'PK');
  await page.fill('#pf-q', '');

  // Export links download real files.
  const xlsx = await page.request.get(s.base + (await page.locator('a[data-export=xlsx]').getAttribute('href')));
  assert.equal(xlsx.status(), 200);
  assert.match(xlsx.headers()['content-type'], /spreadsheetml/);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');
  const csv = await page.request.get(s.base + (await page.locator('a[data-export=csv]').getAttribute('href')));
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /text\/csv/);
  assert.equal(await page.locator('a[data-export=xlsx]').getAttribute('download'), '');

  // The name links to the person.
  await page.locator('.dt tbody tr a').first().click();
  await page.waitForURL(/\/console\/person\/\d+$/);
  await page.context().close();
});

test('a street officer reveals full personal data, and the reveal is audited', async () => {
  const page = await open('jiedao');
  const person = (await api(page, '/api/v1/people?node=3&limit=20')).items.find((p) => p.id_card && p.phone);
  await page.goto(`${s.base}/console/person/${person.id}`);
  const idCard = page.locator('[data-field=id_card] dd');
  await idCard.waitFor();
  assert.match(await idCard.textContent(), /\*{4,}.*已脱敏/);
  await page.locator('.audit').waitFor();
  assert.equal(await page.locator('[data-action=reveal]').count(), 0);

  await page.locator('[data-test=reveal]').click();
  await page.waitForFunction(() => /^\s*\d{17}[\dX]\s*$/.test(document.querySelector('[data-field=id_card] dd .mono')?.textContent || ''));
  assert.doesNotMatch(await idCard.textContent(), /\*/);
  assert.doesNotMatch(await page.locator('[data-field=phone] dd').textContent(), /\*/);
  await page.getByText('已显示完整的身份证号和电话').waitFor();
  // The audit trail reloaded and shows the reveal by this user.
  const entry = page.locator('.audit tbody tr', { has: page.locator('[data-action=reveal]') });
  await entry.first().waitFor();
  assert.match(await entry.first().textContent(), /jiedao.*查看完整信息.*身份证号/);
  // Household and residence history are shown too.
  assert.ok((await page.locator('section[aria-labelledby=pd-hh] tbody tr').count()) >= 1);
  assert.ok((await page.locator('section[aria-labelledby=pd-hist] tbody tr').count()) >= 1);
  await axe(page, 'person revealed');
  await shot(page, 'console-person-revealed');
  await page.context().close();
});

test('a grid worker may not reveal: the refusal is written out and data stays masked', async () => {
  const page = await open('wangge');
  const person = (await api(page, '/api/v1/people?limit=20')).items.find((p) => p.id_card);
  await page.goto(`${s.base}/console/person/${person.id}`);
  const idCard = page.locator('[data-field=id_card] dd');
  await idCard.waitFor();
  await page.locator('[data-test=reveal]').click();
  const denied = page.locator('[data-test=reveal-error]');
  await denied.waitFor();
  assert.equal(await denied.getAttribute('role'), 'alert');
  assert.match(await denied.textContent(), /没有查看完整个人信息的权限/);
  assert.match(await idCard.textContent(), /\*{4,}/);
  // Nothing was revealed, so the audit trail has no reveal by this user.
  await page.locator('.audit tbody tr').first().waitFor();
  assert.equal(await page.locator('.audit tbody tr', { has: page.locator('[data-action=reveal]'), hasText: 'wangge' }).count(), 0);
  await axe(page, 'person denied');
  await shot(page, 'console-person-denied');

  // Users and access is for administrators: the page says so.
  await page.goto(s.base + '/console/users');
  await page.getByText('没有权限').waitFor();
  assert.equal(await page.locator('#us-username').count(), 0);
  await page.context().close();
});

test('import: a bad row is listed and nothing is imported; a good file is imported', async () => {
  const page = await open('admin');
  const count = async () => (await api(page, '/api/v1/stats?node=9')).totals.residents;
  const named = async (q) => (await api(page, `/api/v1/people?node=9&q=${encodeURIComponent(q)}`)).items.length;
  const before = await count();
  const header = '所属节点,门牌地址,房屋性质,姓名,性别,身份证号,联系电话,政治面貌,与户主关系,居住类型,关爱标签';
  const good = ',导入测试路1号,自住,试导入甲,男,,13800138000,群众,户主,常住,高龄老人';
  const bad = ',导入测试路2号,自住,试导入乙,女,123456,13800138001,群众,户主,常住,';
  const file = (name, lines) => ({ name, mimeType: 'text/csv', buffer: Buffer.from('\uFEFF' + lines.join('\n') + '\n') });

  await page.goto(s.base + '/console/node/9/import');
  // The template is a CSV with a BOM and the expected headers.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[download$=".csv"]').click()]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.equal(text.charCodeAt(0), 0xfeff);
  assert.equal(text.slice(1).trim(), header);

  await page.setInputFiles('#im-input', file('bad.csv', [header, good, bad]));
  await page.getByRole('button', { name: '检查文件' }).click();
  const rows = page.locator('[data-test=bad-rows] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /^\s*3\s*身份证号/);
  await page.getByText('文件有错误，未导入任何数据').waitFor();
  assert.equal(await page.locator('[data-test=apply]').count(), 0);
  assert.equal(await count(), before);
  assert.equal(await named('试导入甲'), 0);
  await axe(page, 'import bad');
  await shot(page, 'console-import-bad');

  await page.setInputFiles('#im-input', file('good.csv', [header, good]));
  await page.getByRole('button', { name: '检查文件' }).click();
  await page.getByText('检查通过').waitFor();
  assert.equal(await count(), before, 'a dry run saves nothing');
  await page.locator('[data-test=apply]').click();
  await page.getByText('已导入 1 人').waitFor();
  assert.equal(await count(), before + 1);
  assert.equal(await named('试导入甲'), 1);
  await shot(page, 'console-import-done');
  await page.context().close();
});

test('roles page shows the published contacts ready to print', async () => {
  const page = await open('admin');
  const contacts = (await api(page, '/api/v1/nodes/9/contacts')).items;
  await page.goto(s.base + '/console/node/9/roles');
  const sheet = page.locator('section.sheet');
  await sheet.locator('tbody tr').first().waitFor();
  assert.equal(await sheet.locator('tbody tr').count(), contacts.length);
  assert.match(await sheet.textContent(), new RegExp(`${contacts[0].name}.*${contacts[0].public_phone}`));
  await page.locator('section[aria-labelledby=ro-roles] tbody tr a').first().waitFor();
  await page.evaluate(() => { window.__printed = 0; window.print = () => window.__printed++; });
  await page.getByRole('button', { name: '打印' }).click();
  assert.equal(await page.evaluate(() => window.__printed), 1);
  await axe(page, 'roles');
  await shot(page, 'console-roles');
  await page.context().close();
});

test('users page: an administrator creates a user, grants and revokes access', async () => {
  const page = await open('admin');
  await page.goto(s.base + '/console/users');
  await page.locator('.dt tbody tr', { hasText: 'wangge' }).waitFor();
  const name = `tester${Date.now() % 100000}`;
  await page.fill('#us-username', name);
  await page.fill('#us-display', '测试用户');
  await page.fill('#us-password', 'secret-pass-1');
  await page.getByRole('button', { name: '创建' }).click();
  await page.getByText(`已创建用户 ${name}`).waitFor();
  const row = page.locator('.dt tbody tr', { hasText: name });
  await row.waitFor();
  const user = (await api(page, '/api/v1/users?limit=500')).items.find((u) => u.username === name);
  assert.ok(user, 'user created on the server');

  // Grant worker access at 葩金社区, found by its pinyin initials.
  assert.equal(await page.locator('#us-guser').inputValue(), String(user.id));
  await page.getByLabel('查找节点（名称或拼音首字母）').fill('pjsq');
  await page.locator('option[value="3"]').waitFor({ state: 'attached' });
  await page.getByLabel('节点', { exact: true }).selectOption('3');
  await page.selectOption('#us-access', 'worker');
  await page.getByRole('button', { name: '授权', exact: true }).click();
  await row.getByText('葩金社区 · 录入').waitFor();
  assert.deepEqual((await api(page, `/api/v1/users/${user.id}`)).grants.map((g) => [g.node_id, g.access]), [[3, 'worker']]);
  await axe(page, 'users');
  await shot(page, 'console-users');

  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: `撤销 ${name} 在 葩金社区 的录入权限` }).click();
  await page.getByText('已撤销授权').waitFor();
  await row.getByText('无明确授权').waitFor();
  assert.deepEqual((await api(page, `/api/v1/users/${user.id}`)).grants, []);
  await page.context().close();
});

test('organisations: the list of a node, members, and a manager adds and ends a member', async () => {
  const page = await open('shuji');
  const comm = (await api(page, '/api/v1/auth/me')).grants[0].node_id;
  await page.goto(s.base + `/console/node/${comm}`);
  await page.locator('.sections').getByRole('link', { name: '组织', exact: true }).click();
  await page.waitForURL(new RegExp(`/console/node/${comm}/orgs$`));
  const committee = (await api(page, `/api/v1/orgs?node=${comm}&kind=mediation_committee`)).items[0];
  // Kinds are named from the data; filtering by one lists only it.
  await page.selectOption('#og-kind', 'mediation_committee');
  await page.locator('.dt tbody tr', { hasText: committee.name }).waitFor();
  assert.deepEqual([...new Set(await columnTexts(page, 1))], ['人民调解委员会']);
  await axe(page, 'orgs');
  await shot(page, 'console-orgs');
  await page.getByRole('link', { name: committee.name }).click();
  await page.waitForURL(new RegExp(`/console/org/${committee.id}$`));
  await page.locator('h1', { hasText: committee.name }).waitFor();
  const members = (await api(page, `/api/v1/orgs/${committee.id}/members`)).items;
  const table = page.locator('section[aria-labelledby=og-members] .dt');
  await table.locator('tbody tr', { hasText: members[0].person.name }).first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), members.length);
  assert.match(await table.textContent(), /调解员/);
  assert.match(await table.textContent(), /\d{3}\*{4}\d{4}/, 'phones masked');

  // Add a resident of the community as a mediator: roles offered are the kind's, from the server.
  const taken = new Set(members.map((m) => m.person_id));
  const p = (await api(page, `/api/v1/people?node=${comm}&limit=50`)).items.find((x) => !taken.has(x.id));
  const roleSelect = page.getByLabel('成员职务', { exact: true });
  assert.deepEqual((await roleSelect.locator('option:not([disabled])').allTextContents()), ['负责人', '调解员', '成员']);
  await page.getByLabel('查找居民').fill(p.name);
  await page.locator(`option[value="${p.id}"]`).waitFor({ state: 'attached' });
  await page.getByLabel('人员', { exact: true }).selectOption(String(p.id));
  await roleSelect.selectOption('mediator');
  await page.getByRole('button', { name: '添加', exact: true }).click();
  await page.getByText(`已添加：${p.name}（调解员）`).waitFor();
  const row = table.locator('tbody tr', { hasText: p.name });
  await row.waitFor();
  const added = (await api(page, `/api/v1/orgs/${committee.id}/members`)).items.find((m) => m.person_id === p.id);
  assert.equal(added.role, 'mediator');
  await axe(page, 'org');
  await shot(page, 'console-org');

  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: `结束任期：${p.name}（调解员）` }).click();
  await page.getByText(`已结束 ${p.name} 的调解员任期`).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.ok(!(await api(page, `/api/v1/orgs/${committee.id}/members`)).items.some((m) => m.person_id === p.id));
  await page.getByLabel('包括已结束的任期').check();
  await table.locator('tbody tr', { hasText: p.name }).waitFor();
  // The person's page lists where they serve (nothing now: the term ended).
  await page.goto(s.base + `/console/person/${members[0].person_id}`);
  await page.locator('section[aria-labelledby=pd-orgs] tbody tr', { hasText: committee.name }).first().waitFor();
  await page.context().close();

  // A street officer reads the members but is offered no form and no end buttons.
  const officer = await open('jiedao');
  await officer.goto(s.base + `/console/org/${committee.id}`);
  await officer.locator('section[aria-labelledby=og-members] .dt tbody tr').first().waitFor();
  assert.equal(await officer.locator('form.member-form').count(), 0);
  assert.equal(await officer.getByRole('button', { name: /结束/ }).count(), 0);
  await officer.context().close();
});

test('no script errors on any page', () => {
  assert.deepEqual(errors, []);
});

// Import of residents (CSV UTF-8 with and without BOM, GB18030, .xlsx):
// whole or nothing, every bad row reported. Export of lists to .xlsx and
// CSV with personal data masked unless revealed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, idCard, auditCount, listAll as pages } from './lib.mjs';
import { xlsxWrite, xlsxStrings } from './zip.mjs';

let s, admin, circle, group;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  group = (await admin.get('/api/v1/nodes?q=' + encodeURIComponent('松涛里1组') + '&limit=1')).json.items[0];
  circle = (await admin.get(`/api/v1/nodes/${group.id}/children`)).json.items[0];
});
after(async () => s && (await s.stop()));

const header = '所属节点,门牌地址,房屋性质,姓名,性别,身份证号,联系电话,政治面貌,与户主关系,居住类型,关爱标签';
const upload = (node, body, q = '') =>
  admin.req('POST', `/api/v1/import/people?node=${node}${q}`, { body, headers: { 'Content-Type': 'text/csv' } });
const count = async (node) => {
  let n = 0, cursor = '';
  for (;;) {
    const r = await admin.get(`/api/v1/people?node=${node}&limit=500${cursor}`);
    n += r.json.items.length;
    if (!r.json.next_cursor) return n;
    cursor = '&cursor=' + encodeURIComponent(r.json.next_cursor);
  }
};

test('a good CSV with BOM imports whole; households are grouped by address', async () => {
  const csv = '\ufeff' + [header,
    `${circle.name},导入小区1栋101,自住,赵大爷,男,${idCard('19500101', 11)},13800000001,中共党员,户主,常住,孤寡老人`,
    `${circle.name},导入小区1栋101,自住,钱大妈,女,${idCard('19520202', 12)},,群众,配偶,常住,`,
    `,导入小区1栋102,出租,孙租客,男,,13800000003,群众,户主,流动,`].join('\r\n') + '\r\n';
  const before = await count(group.id);
  const dry = await upload(group.id, csv, '&dry_run=1');
  assert.equal(dry.status, 200, JSON.stringify(dry.json));
  assert.equal(dry.json.dry_run, true);
  assert.equal(await count(group.id), before, 'a dry run changes nothing');
  const r = await upload(group.id, csv);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.people, 3);
  assert.equal(r.json.households_created, 2);
  assert.equal(await count(group.id), before + 3);
  const zhao = (await pages(admin, '/api/v1/people?q=zdy')).find((p) => p.name === '赵大爷');
  assert.equal(zhao.political_status, 'party_member');
  assert.deepEqual(zhao.tags, ['孤寡老人']);
  assert.equal(zhao.node_id, circle.id);
  const hh = await admin.get(`/api/v1/households/${zhao.household_id}`);
  assert.equal(hh.json.members.length, 2);
  assert.equal(hh.json.head_person_id, zhao.id);
  const sun = (await pages(admin, '/api/v1/people?q=' + encodeURIComponent('孙租客')))[0];
  assert.equal(sun.node_id, group.id, 'no place given: the import node');
  assert.equal((await admin.get(`/api/v1/households/${sun.household_id}`)).json.tenure, 'rented');
});

test('a broken file reports every bad row with its line and changes nothing', async () => {
  const csv = [header,
    `${circle.name},坏小区1栋101,自住,好人,男,${idCard('19600101', 21)},,群众,户主,常住,`,
    `${circle.name},坏小区1栋101,自住,,男,,,群众,配偶,常住,`,
    `不存在的邻,坏小区1栋102,自住,某人,男,,,群众,户主,常住,`,
    `${circle.name},坏小区1栋103,自住,某某,火星人,,,群众,户主,常住,`,
    `${circle.name},坏小区1栋104,自住,重复号,男,${idCard('19600101', 21)},,群众,户主,常住,`,
    `${circle.name},,自住,无地址,男,,,群众,户主,常住,`].join('\n');
  const before = await count(group.id);
  const audit = await auditCount(admin);
  const r = await upload(group.id, csv);
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'invalid_rows');
  const rows = r.json.error.rows;
  assert.deepEqual(rows.map((x) => x.line), [3, 4, 5, 6, 7]);
  assert.deepEqual(rows.map((x) => x.field), ['name', 'place', 'gender', 'id_card', 'address']);
  assert.ok(rows.every((x) => x.message.length > 0));
  assert.equal(await count(group.id), before);
  // Nothing changed; the row refused as an ID number already registered
  // was a lookup, and only that is recorded (core/lookup.h).
  const trail = (await admin.get('/api/v1/audit?limit=5')).json.items.filter((x) => x.id > audit);
  assert.deepEqual(trail.map((x) => [x.action, x.after.source, x.after.n]), [['lookup', 'import', 1]]);
  const unknownCol = await upload(group.id, '门牌地址,姓名,鞋码\nx,y,42\n');
  assert.equal(unknownCol.status, 422);
  assert.equal(unknownCol.json.error.rows[0].field, '鞋码');
});

test('GB18030 CSV as Excel on Chinese Windows writes it', async () => {
  const csv = [header, `${circle.name},国标小区2栋201,自住,欧阳国标,男,,13800000009,群众,户主,常住,退役军人`].join('\r\n');
  const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: csv });
  assert.notDeepEqual(gb, Buffer.from(csv), 'the fixture really is GB18030');
  const r = await upload(group.id, gb);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const p = (await pages(admin, '/api/v1/people?q=' + encodeURIComponent('欧阳国标')))[0];
  assert.deepEqual(p.tags, ['退役军人']);
  assert.equal(p.household_address, '国标小区2栋201');
});

test('.xlsx import', async () => {
  const x = xlsxWrite([header.split(','), [circle.name, '表格小区3栋301', '自住', '表格人', '女', idCard('19851111', 31), '', '群众', '户主', '常住', '']]);
  const r = await admin.req('POST', `/api/v1/import/people?node=${group.id}`, { body: x, headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const p = (await pages(admin, '/api/v1/people?q=bgr')).find((y) => y.name === '表格人');
  assert.equal(p.birth_date, '1985-11-11');
  const junk = await upload(group.id, Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]));
  assert.ok([400, 415, 422].includes(junk.status), `${junk.status}`);
});

test('export to .xlsx and CSV, masked unless revealed', async () => {
  const x = await admin.req('GET', `/api/v1/export/people?node=${circle.id}&format=xlsx`, { raw: true });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.match(x.headers.get('content-disposition'), /attachment/);
  const strings = xlsxStrings(x.buf);
  for (const h of ['姓名', '性别', '身份证号', '联系电话', '政治面貌', '关爱标签']) assert.ok(strings.includes(h), h);
  assert.ok(strings.includes('赵大爷'));
  assert.ok(strings.some((t) => /^\d{6}\*{12}$/.test(t)), 'ID numbers masked');
  assert.ok(!strings.includes(idCard('19500101', 11)));
  assert.ok(strings.includes('中共党员'), 'enums as Chinese labels');
  const rows = Number(x.headers.get('x-row-count'));
  assert.equal(rows, await count(circle.id));

  const c = await admin.req('GET', `/api/v1/export/people?node=${circle.id}&format=csv&reveal=1`, { raw: true });
  assert.equal(c.status, 200);
  const text = c.buf.toString('utf8');
  assert.ok(text.startsWith('\ufeff'), 'UTF-8 BOM for Excel');
  assert.ok(text.includes(idCard('19500101', 11)), 'revealed by an administrator');
  assert.equal(text.trim().split('\r\n').length, rows + 1);
  const audit = await admin.get(`/api/v1/audit?entity=node&id=${circle.id}`);
  assert.ok(audit.json.items.some((a) => a.action === 'export' && a.after.revealed === true));

  const worker = await s.login('wangge');
  const g = worker.user.grants[0].node_id;
  assert.equal((await worker.req('GET', `/api/v1/export/people?node=${g}&format=csv&reveal=1`)).status, 403);
  assert.equal((await worker.req('GET', `/api/v1/export/people?node=1&format=csv`)).status, 403);
  assert.equal((await worker.req('GET', `/api/v1/export/households?node=${g}&format=csv`, { raw: true })).status, 200);
  assert.equal((await admin.req('GET', `/api/v1/export/people?node=1&format=pdf`)).status, 400);
  assert.equal((await admin.req('GET', `/api/v1/export/secrets?node=1`)).status, 404);
});

// A CSV export as rows of cells (quoted cells may hold commas and quotes).
function csvRows(buf) {
  const text = buf.toString('utf8').replace(/^\ufeff/, '');
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') cell += '"', i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}
// Every person GET /people lists with these parameters, page after page.
async function listAll(params) {
  const all = [];
  let cursor = '';
  for (;;) {
    const r = await admin.get(`/api/v1/people?${params}&limit=500${cursor}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    all.push(...r.json.items);
    if (!r.json.next_cursor) return all;
    cursor = '&cursor=' + encodeURIComponent(r.json.next_cursor);
  }
}
async function exportCsv(params) {
  const r = await admin.req('GET', `/api/v1/export/people?${params}&format=csv`, { raw: true });
  assert.equal(r.status, 200, r.buf?.toString());
  const [head, ...rows] = csvRows(r.buf);
  assert.equal(Number(r.headers.get('x-row-count')), rows.length);
  return rows.map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i]])));
}

test('export with the residents table filters holds exactly the matching rows', async () => {
  const comm = (await admin.get('/api/v1/nodes/1/children')).json.items[0];
  const everyone = await exportCsv(`node=${comm.id}`);
  // Tag and gender: only elderly women, the same people as the list, in its order.
  const tag = encodeURIComponent('高龄老人');
  const list = await listAll(`node=${comm.id}&tag=${tag}&gender=F`);
  const rows = await exportCsv(`node=${comm.id}&tag=${tag}&gender=F`);
  assert.ok(rows.length > 0 && rows.length < everyone.length, `${rows.length} of ${everyone.length}`);
  assert.deepEqual(rows.map((r) => Number(r['人员编号'])), list.map((p) => p.id));
  for (const r of rows) {
    assert.equal(r['性别'], '女');
    assert.ok(r['关爱标签'].split('、').includes('高龄老人'), r['关爱标签']);
  }
  // Name order across the export's 500-row pages: floating residents by pinyin.
  const floating = await listAll(`node=${comm.id}&residence=floating&sort=name`);
  assert.ok(floating.length > 500, `${floating.length} floating residents`);
  const fRows = await exportCsv(`node=${comm.id}&residence=floating&sort=name`);
  assert.deepEqual(fRows.map((r) => Number(r['人员编号'])), floating.map((p) => p.id));
  assert.ok(fRows.every((r) => r['居住类型'] === '流动'));
  // Search by pinyin initials, and by a phone number (hashed, exact).
  const zdy = await exportCsv(`node=${group.id}&q=zdy`);
  assert.ok(zdy.some((r) => r['姓名'] === '赵大爷'));
  assert.deepEqual(zdy.map((r) => r['姓名']), (await listAll(`node=${group.id}&q=zdy`)).map((p) => p.name));
  const byPhone = await exportCsv(`node=${group.id}&q=13800000001`);
  assert.deepEqual(byPhone.map((r) => r['姓名']), ['赵大爷']);
  assert.match(byPhone[0]['联系电话'], /^138\*{4}0001$/, 'still masked');
  // The audit row records the filter, the number only masked.
  const audit = await admin.get(`/api/v1/audit?entity=node&id=${group.id}`);
  const ex = audit.json.items.find((a) => a.action === 'export' && a.after.filter?.q);
  assert.equal(ex.after.filter.q, '138****0001');
  assert.equal(ex.after.rows, 1);
  // status=all includes those who moved out; the default does not.
  const zhao = (await pages(admin, '/api/v1/people?q=zdy')).find((p) => p.name === '赵大爷');
  const moved = await admin.post(`/api/v1/people/${zhao.id}/move`, { household_id: 0, date: new Date().toISOString().slice(0, 10), status: 'moved_out' });
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  assert.deepEqual(await exportCsv(`node=${group.id}&q=13800000001`), []);
  assert.deepEqual((await exportCsv(`node=${group.id}&q=13800000001&status=all`)).map((r) => r['人员状态']), ['迁出']);
  // Bad filter values and filters on other lists are refused.
  assert.equal((await admin.req('GET', `/api/v1/export/people?node=${comm.id}&sort=age`)).status, 400);
  assert.equal((await admin.req('GET', `/api/v1/export/people?node=${comm.id}&household=x`)).status, 400);
  assert.equal((await admin.req('GET', `/api/v1/export/households?node=${comm.id}&tag=${tag}`)).status, 400);
  assert.equal((await admin.req('GET', `/api/v1/export/people?node=${comm.id}&shoe=42`)).status, 400);
});

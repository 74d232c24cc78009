// Personal data as each reader sees it (domain/core/fields.h, FV_*): a
// viewer gets a birth year, never the date, and an ID number that shows its
// region only, so nothing a viewer is given rebuilds the number; workers and
// officers, who edit people, get the date; a reveal gets everything. Masked
// exports and audit snapshots hold what viewers see. Lookups by a full
// ID-card or phone number need worker access, are audited and limited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, idCard } from './lib.mjs';
import { xlsxStrings } from './zip.mjs';

const CIRCLE = 9; // the demo's 邻长 (viewer) circle, inside the 网格员's (worker) 片区 5, in the street (officer)
const GRID = 5;
const ID = idCard('19440305', 102);
const PHONE = '13800138000';
const YEAR = new Date().getUTCFullYear();
const MASKED_ID = ID.slice(0, 6) + '*'.repeat(12);

let s, admin, viewer, worker, officer, manager, hh, person;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  viewer = await s.login('linzhang');
  worker = await s.login('wangge');
  officer = await s.login('jiedao');
  manager = await s.login('shuji');
  hh = (await admin.post('/api/v1/households', { node_id: CIRCLE, address: '掩码里1号' })).json;
  const r = await admin.post('/api/v1/people', { household_id: hh.id, name: '钱秀英', id_card: ID, phone: PHONE });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  person = r.json;
});
after(async () => s && (await s.stop()));

// Nothing in a viewer's answer holds the day of birth in any spelling.
function noBirthDay(value, what) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const leak of ['03-05', '0305', ID, ID.slice(6, 14), PHONE]) assert.ok(!text.includes(leak), `${what}: ${leak} in ${text.slice(0, 300)}`);
}
const exactAge = () => {
  const now = new Date();
  return YEAR - 1944 - (now.getUTCMonth() + 1 < 3 || (now.getUTCMonth() + 1 === 3 && now.getUTCDate() < 5) ? 1 : 0);
};
const asViewer = (p) => {
  assert.equal(p.birth_date, '1944-**-**');
  assert.equal(p.age, YEAR - 1944, 'the age reached this year');
  assert.equal(p.id_card, MASKED_ID);
  assert.equal(p.phone, '138****8000');
  assert.equal(p.gender, 'F');
};

test('a viewer gets the birth year, never the date: read, list, household, sorted list', async () => {
  const one = await viewer.get(`/api/v1/people/${person.id}`);
  assert.equal(one.status, 200);
  asViewer(one.json);
  noBirthDay(one.json, 'read');
  for (const q of [`node=${CIRCLE}&limit=500`, `node=${CIRCLE}&limit=500&sort=name`]) {
    const list = await viewer.get(`/api/v1/people?${q}`);
    const mine = list.json.items.find((p) => p.id === person.id);
    asViewer(mine);
    noBirthDay(list.json, q);
    assert.ok(list.json.items.every((p) => p.birth_date === null || /^\d{4}-\*\*-\*\*$/.test(p.birth_date)), 'every row');
  }
  const h = await viewer.get(`/api/v1/households/${hh.id}`);
  asViewer(h.json.members[0]);
  noBirthDay(h.json, 'household');
});

test('workers and officers see the date with the numbers masked; a reveal shows everything', async () => {
  for (const [who, c] of [['worker', worker], ['officer', officer]]) {
    const p = (await c.get(`/api/v1/people/${person.id}`)).json;
    assert.equal(p.birth_date, '1944-03-05', who);
    assert.equal(p.age, exactAge(), who);
    assert.equal(p.id_card, MASKED_ID, who);
    assert.equal(p.phone, '138****8000', who);
    const listed = (await c.get(`/api/v1/people?node=${CIRCLE}&limit=500`)).json.items.find((x) => x.id === person.id);
    assert.equal(listed.birth_date, '1944-03-05', `${who} list`);
  }
  assert.equal((await worker.get(`/api/v1/people/${person.id}?reveal=1`)).status, 403);
  const shown = (await officer.get(`/api/v1/people/${person.id}?reveal=1`)).json;
  assert.equal(shown.id_card, ID);
  assert.equal(shown.phone, PHONE);
  assert.equal(shown.birth_date, '1944-03-05');
});

test('a masked export holds what viewers see, whoever exports it; a revealed one everything', async () => {
  for (const [who, c, node] of [['viewer', viewer, CIRCLE], ['worker', worker, GRID], ['officer', officer, CIRCLE]]) {
    const csv = await c.req('GET', `/api/v1/export/people?node=${node}&format=csv`, { raw: true });
    assert.equal(csv.status, 200, who);
    const text = csv.buf.toString('utf8');
    const line = text.split('\r\n').find((l) => l.includes('钱秀英'));
    assert.ok(line.includes('1944-**-**') && line.includes(MASKED_ID), `${who}: ${line}`);
    noBirthDay(text, `${who} csv`);
    const xlsx = await c.req('GET', `/api/v1/export/people?node=${node}&format=xlsx`, { raw: true });
    assert.equal(xlsx.status, 200, who);
    const strings = xlsxStrings(xlsx.buf);
    assert.ok(strings.includes('1944-**-**') && strings.includes(MASKED_ID), `${who} xlsx`);
    noBirthDay(strings.join('\n'), `${who} xlsx`);
  }
  const full = await officer.req('GET', `/api/v1/export/people?node=${CIRCLE}&format=csv&reveal=1`, { raw: true });
  const text = full.buf.toString('utf8');
  assert.ok(text.includes(ID) && text.includes('1944-03-05') && text.includes(PHONE));
});

test('audit snapshots hold what viewers see, whoever made the change', async () => {
  const up = await worker.patch(`/api/v1/people/${person.id}`, { note: '独居', birth_date: '1944-03-05' });
  assert.equal(up.status, 200, JSON.stringify(up.json));
  assert.equal(up.json.birth_date, '1944-03-05', 'the worker is answered in its own view');
  const mv = await worker.post(`/api/v1/people/${person.id}/move`, { household_id: hh.id, date: new Date().toISOString().slice(0, 10) });
  assert.equal(mv.status, 400, 'already there: nothing changes');
  for (const c of [admin, viewer]) {
    const trail = await c.get(`/api/v1/audit?entity=person&id=${person.id}`);
    assert.equal(trail.status, 200);
    const [upd] = trail.json.items.filter((a) => a.action === 'update');
    const [cre] = trail.json.items.filter((a) => a.action === 'create');
    for (const snap of [upd.before, upd.after, cre.after]) {
      assert.equal(snap.birth_date, '1944-**-**');
      assert.equal(snap.id_card, MASKED_ID);
      assert.equal(snap.phone, '138****8000');
    }
    assert.equal(upd.after.note, '独居');
    noBirthDay(trail.json, 'audit');
  }
});

test('a lookup by a full number needs worker access, is audited and limited per account', async () => {
  for (const q of [PHONE, ID]) {
    const r = await viewer.get(`/api/v1/people?node=${CIRCLE}&q=${q}`);
    assert.equal(r.status, 403, q);
    assert.equal(r.json.error.field, 'q');
    assert.match(r.json.error.message, /^按完整身份证号或电话查找/);
  }
  assert.equal((await viewer.get(`/api/v1/people?node=${CIRCLE}&q=qxy`)).status, 200, 'names stay searchable');
  const found = await worker.get(`/api/v1/people?node=${GRID}&q=${PHONE}`);
  assert.equal(found.status, 200);
  assert.deepEqual(found.json.items.map((p) => p.id), [person.id]);
  const trail = (await admin.get(`/api/v1/audit?entity=node&id=${GRID}`)).json.items;
  const row = trail.find((a) => a.action === 'lookup' && a.username === 'wangge');
  assert.ok(row, 'an audit row for the lookup');
  assert.deepEqual(row.after, { source: 'search', kind: 'phone', number: '138****8000', found: 1, n: 1 });
  assert.ok(!JSON.stringify(trail).includes(PHONE));
  // 200 an hour per account (core/lookup.h LOOKUP_PER_HOUR), counting the one above.
  let done = 1, refused = null;
  for (let i = 0; i < 205 && !refused; i++) {
    const r = await worker.get(`/api/v1/people?node=${GRID}&q=139${String(i).padStart(8, '0')}`);
    if (r.status === 429) refused = r;
    else assert.equal(r.status, 200), done++;
  }
  assert.equal(done, 200);
  assert.equal(refused.json.error.code, 'rate_limited');
  assert.match(refused.json.error.message, /^按完整身份证号或电话查找每小时最多200次/);
  const lookups = [];
  for (let cursor = ''; ;) {
    const page = (await admin.get(`/api/v1/audit?entity=node&id=${GRID}&limit=200${cursor}`)).json;
    lookups.push(...page.items.filter((a) => a.action === 'lookup'));
    if (!page.next_cursor) break;
    cursor = '&cursor=' + page.next_cursor;
  }
  assert.equal(lookups.length, 200, 'one audit row per lookup, none for the refused one');
  // Searching by name goes on; another account has its own count.
  assert.equal((await worker.get(`/api/v1/people?node=${GRID}&q=qxy`)).status, 200);
  assert.equal((await manager.get(`/api/v1/people?node=${GRID}&q=${PHONE}`)).status, 200);
  // Once the lookups are spent, a registration carrying an ID number is refused too, duplicate or not.
  const reg = await worker.post('/api/v1/people', { household_id: hh.id, name: '新登记', id_card: idCard('19900101', 55) });
  assert.equal(reg.status, 429);
  assert.equal((await worker.post('/api/v1/people', { household_id: hh.id, name: '新登记' })).status, 201);
});

test('a registration refused as a duplicate ID number is a lookup and names no one out of reach', async () => {
  const other = (await admin.post('/api/v1/households', { node_id: 439, address: '别处1号' })).json;
  const elsewhere = idCard('19620708', 31);
  assert.equal((await admin.post('/api/v1/people', { household_id: other.id, name: '外社区', id_card: elsewhere })).status, 201);
  const dup = await manager.post('/api/v1/people', { household_id: hh.id, name: '重复', id_card: elsewhere });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.field, 'id_card');
  assert.doesNotMatch(dup.json.error.message, /人员\d/, 'the other person is in another community');
  const near = await manager.post('/api/v1/people', { household_id: hh.id, name: '重复', id_card: ID });
  assert.match(near.json.error.message, new RegExp(`人员${person.id}`), 'a person the registrant may read is named');
  const trail = (await admin.get(`/api/v1/audit?entity=node&id=${CIRCLE}`)).json.items;
  const rows = trail.filter((a) => a.action === 'lookup' && a.username === 'shuji' && a.after.source === 'register');
  assert.equal(rows.length, 2);
  assert.equal(rows[1].after.number, elsewhere.slice(0, 6) + '*'.repeat(12));
  // An import's rows refused as registered are lookups too, dry run or not.
  const csv = `门牌地址,姓名,身份证号\n掩码里1号,重复,${elsewhere}\n`;
  const imp = await manager.req('POST', `/api/v1/import/people?node=${CIRCLE}&dry_run=1`, { body: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(imp.status, 422);
  const after = (await admin.get(`/api/v1/audit?entity=node&id=${CIRCLE}`)).json.items;
  const row = after.find((a) => a.action === 'lookup' && a.after.source === 'import');
  assert.deepEqual(row.after, { source: 'import', kind: 'id_card', number: null, found: 1, n: 1 });
});

// Residents' requests: the rules that must hold — scope, bad input, who may
// see and act, photos, search in simplified and traditional Chinese, merge,
// ask/reply, QR codes and the recorded-on-behalf channels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, auditCount } from './lib.mjs';

let s, admin, resident, head, worker, home, other;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

before(async () => {
  // Its webhooks point at loopback port 9 (nothing listens), which needs the allow-list.
  s = await Server.start({ extra: ['--webhook-allow', '127.0.0.1/32'] });
  admin = await s.login('admin');
  resident = await s.login('jumin');
  head = await s.login('linzhang');
  worker = await s.login('wangge');
  home = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json.node_id;
  other = (await admin.get('/api/v1/nodes/1/children')).json.items[3]; // another community
});
after(async () => s && (await s.stop()));

test('bad reports get a clear 4xx and change nothing', async () => {
  const before = await auditCount(admin);
  const cases = [
    [{ category: 'unicorns', description: 'x' }, 'category'],
    [{ category: 'sewer' }, 'description'],
    [{ category: 'sewer', description: 'x', lat: 95, lng: 10 }, 'lat'],
    [{ category: 'sewer', description: 'x', lat: 30 }, 'lng'],
    [{ category: 'sewer', description: 'x', lat: '30', lng: 110 }, 'lat'],
    [{ category: 'sewer', description: 'x', channel: 'phone' }, 'channel'],
    [{ category: 'sewer', description: 'x', place_node_id: 99999999 }, 'place_node_id'],
    [{ category: 'sewer', description: 'x'.repeat(5001) }, 'description'],
    [{ category: 'sewer', description: ' \u3000 \n ' }, 'description'], // only blanks
  ];
  for (const [body, field] of cases) {
    const r = await resident.post('/api/v1/requests', body);
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body).slice(0, 60)} -> ${r.status}`);
    assert.equal(r.json.error.field, field, JSON.stringify(r.json));
  }
  const outside = await resident.post('/api/v1/requests', { category: 'sewer', description: 'x', place_node_id: other.id });
  assert.equal(outside.status, 403, 'a place outside the reporter\'s community');
  assert.equal(outside.json.error.field, 'place_node_id');
  assert.equal((await worker.post('/api/v1/requests', { category: 'sewer', description: 'x', place_node_id: other.id })).status, 403);
  assert.equal(await auditCount(admin), before);
});

test('blanks around text are dropped; a null place means home', async () => {
  const r = await resident.post('/api/v1/requests', { category: 'sewer', title: '  ', description: '\u3000 下水道堵了 \n', place_node_id: null });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.description, '下水道堵了');
  assert.equal(r.json.title, '下水道堵了', 'a blank title is made from the description');
  assert.equal(r.json.place_node_id, home);
  assert.equal(r.json.channel, 'self');
});

test('recorded on behalf of a resident through its channel', async () => {
  const p = (await head.get(`/api/v1/people?node=${home}&limit=1`)).json.items[0];
  const r = await head.post('/api/v1/requests', { category: 'noise', description: '楼上夜里装修噪音大', place_node_id: home, channel: 'visit', reporter_person_id: p.id, reporter_phone: '13800001111' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.channel, 'visit');
  assert.equal(r.json.reporter_name, p.name);
  assert.equal(r.json.reporter_phone, '138****1111');
  for (const ch of ['box', 'book', 'wechat', 'phone', 'walkin', 'patrol'])
    assert.equal((await head.post('/api/v1/requests', { category: 'other', description: `渠道${ch}`, place_node_id: home, channel: ch })).status, 201, ch);
  // Anonymous reports hide the reporter from handlers, not from the reporter.
  const anon = await resident.post('/api/v1/requests', { category: 'safety', description: '消防通道被电动车堵住', anonymous: true });
  assert.equal(anon.status, 201);
  assert.notEqual(anon.json.reporter_name, null);
  const seen = await admin.get(`/api/v1/requests/${anon.json.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.json.reporter_name, null);
  // safety is handled at community level (level 4): it went straight up.
  assert.notEqual(anon.json.node_id, home);
});

test('who may see and act', async () => {
  const r = (await resident.post('/api/v1/requests', { category: 'sewer', description: '4栋下水道堵了' })).json;
  const outsider = await admin.post('/api/v1/users', { username: 'other_resident', display_name: 'x', password: 'outsider-pass-9' });
  assert.equal(outsider.status, 201);
  const o = await s.login('other_resident', 'outsider-pass-9');
  assert.equal((await o.get(`/api/v1/requests/${r.id}`)).status, 403);
  assert.equal((await o.post(`/api/v1/requests/${r.id}/accept`, {})).status, 403);
  assert.equal((await resident.post(`/api/v1/requests/${r.id}/accept`, {})).status, 403, 'reporters do not handle');
  // Made public: visible to anyone logged in, without personal data or notes.
  const handler = (await head.get(`/api/v1/requests/${r.id}`)).json.can_handle ? head : worker;
  await handler.post(`/api/v1/requests/${r.id}/note`, { note: '内部记录：联系了张师傅 13900000000', public: false });
  assert.equal((await handler.post(`/api/v1/requests/${r.id}/publish`, { public: true })).status, 200);
  const pub = await o.get(`/api/v1/requests/${r.id}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.json.reporter_name, null);
  assert.ok(!('address' in pub.json));
  assert.ok(pub.json.events.every((e) => e.note === null && e.actor === null));
  assert.ok(!JSON.stringify(pub.json).includes('13900000000'));
  assert.equal((await resident.get(`/api/v1/requests/${r.id}`)).json.events.some((e) => e.type === 'note'), false, 'internal notes stay internal');
  // Deletion does not exist; closing needs a reason and is on the timeline.
  assert.equal((await handler.req('DELETE', `/api/v1/requests/${r.id}`)).status, 405);
  assert.equal((await handler.post(`/api/v1/requests/${r.id}/close`, {})).status, 400);
  const closed = await handler.post(`/api/v1/requests/${r.id}/close`, { reason: '居民撤回' });
  assert.equal(closed.json.status, 'closed');
  assert.equal((await handler.post(`/api/v1/requests/${r.id}/accept`, {})).status, 409);
});

test('more bad input: a staff report names its place; handovers name each organisation once', async () => {
  const noPlace = await head.post('/api/v1/requests', { category: 'sewer', description: '没有位置' });
  assert.equal(noPlace.status, 400);
  assert.equal(noPlace.json.error.field, 'place_node_id');
  const r = (await resident.post('/api/v1/requests', { category: 'corridor_light', description: '灯坏了' })).json;
  const orgs = (await admin.get('/api/v1/orgs?node=1&kind=department')).json.items;
  const twice = await admin.post(`/api/v1/requests/${r.id}/handover`, { orgs: [{ org_id: orgs[0].id }, { org_id: orgs[0].id, role: 'joint' }] });
  assert.equal(twice.status, 400);
  assert.equal(twice.json.error.field, 'orgs');
  await admin.post(`/api/v1/requests/${r.id}/handover`, { orgs: [{ org_id: orgs[0].id }] });
  const asText = await admin.post(`/api/v1/requests/${r.id}/org_done`, { note: 'x', org_id: String(orgs[0].id) });
  assert.equal(asText.status, 400);
  assert.equal(asText.json.error.field, 'org_id');
  assert.equal((await admin.get(`/api/v1/requests?node=1&from=2026-02-30`)).status, 400);
  const hook = await admin.post('/api/v1/webhooks', { node_id: 1, url: 'http://127.0.0.1:9/x' });
  assert.equal((await admin.patch(`/api/v1/webhooks/${hook.json.id}`, { events: 'BAD EVENTS!' })).status, 400);
});

test('ask the resident, who replies; duplicates merge', async () => {
  const a = (await resident.post('/api/v1/requests', { category: 'parking', description: '小区门口乱停车' })).json;
  const b = (await resident.post('/api/v1/requests', { category: 'parking', description: '门口停车堵住消防通道' })).json;
  const h = (await head.get(`/api/v1/requests/${a.id}`)).json.can_handle ? head : worker;
  const ask = await h.post(`/api/v1/requests/${a.id}/ask`, { note: '请问具体是哪个门？' });
  assert.equal(ask.json.status, 'waiting');
  assert.ok(ask.json.waiting_since);
  const reply = await resident.post(`/api/v1/requests/${a.id}/reply`, { note: '东门' });
  assert.equal(reply.json.status, 'accepted');
  const m = await h.post(`/api/v1/requests/${b.id}/merge`, { into: a.id });
  assert.equal(m.status, 200, JSON.stringify(m.json));
  assert.equal(m.json.status, 'closed');
  assert.equal(m.json.merged_into, a.id);
  assert.ok((await h.get(`/api/v1/requests/${a.id}`)).json.events.some((e) => e.type === 'merged_in'));
  assert.equal((await h.post(`/api/v1/requests/${a.id}/merge`, { into: a.id })).status, 400);
});

test('photos: images only, checked by content, size-limited, stored by hash', async () => {
  const r = (await resident.post('/api/v1/requests', { category: 'greening', description: '绿化带杂草丛生' })).json;
  const up = (body, type = 'image/png') => resident.req('POST', `/api/v1/requests/${r.id}/files`, { body, headers: { 'Content-Type': type } });
  const ok = await up(PNG);
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  assert.equal(ok.json.mime, 'image/png');
  assert.equal(ok.json.sha256.length, 64);
  const fake = await up(Buffer.from('<svg onload=alert(1)>'), 'image/png');
  assert.equal(fake.status, 415, 'type by content, not by header');
  const big = await up(Buffer.concat([PNG, Buffer.alloc(6 << 20)]));
  assert.equal(big.status, 413);
  const twoMiB = await up(Buffer.concat([PNG, Buffer.alloc(2 << 20)]));
  assert.equal(twoMiB.status, 201, 'photos up to 5 MiB, beyond the JSON body limit');
  const detail = await admin.get(`/api/v1/requests/${r.id}`);
  assert.equal(detail.json.files.length, 2);
  const img = await admin.req('GET', `/api/v1/files/${detail.json.files[0].id}`, { raw: true });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(img.buf, PNG);
  const o = await s.login('other_resident', 'outsider-pass-9');
  assert.equal((await o.req('GET', `/api/v1/files/${detail.json.files[0].id}`)).status, 403);
});

test('search in Chinese: simplified and traditional find each other', async () => {
  const r = (await resident.post('/api/v1/requests', { category: 'facilities', description: '小區健身器材損壞，單槓鬆動' })).json;
  const find = async (q) => (await admin.get(`/api/v1/requests?node=1&q=${encodeURIComponent(q)}`)).json.items.map((x) => x.id);
  assert.ok((await find('健身器材')).includes(r.id));
  assert.ok((await find('损坏')).includes(r.id), 'simplified query, traditional text');
  assert.ok((await find('單槓')).includes(r.id));
  assert.ok(!(await find('充电桩')).includes(r.id));
  assert.equal((await admin.get(`/api/v1/requests?node=1&q=${encodeURIComponent('" OR *')}`)).status, 200);
  const byCat = await admin.get(`/api/v1/requests?node=1&category=facilities`);
  assert.ok(byCat.json.items.every((x) => x.category === 'facilities'));
  const today = new Date().toISOString().slice(0, 10);
  assert.ok((await admin.get(`/api/v1/requests?node=1&from=${today}&to=${today}`)).json.items.some((x) => x.id === r.id));
  assert.equal((await admin.get(`/api/v1/requests?node=1&from=2000-01-01&to=2000-01-02`)).json.items.length, 0);
  assert.equal((await head.get(`/api/v1/requests?node=${home}&status=bogus`)).status, 400);
});

test('a printable QR code per place opens the report page with the place', async () => {
  const q = await head.req('GET', `/api/v1/nodes/${home}/qr.png`, { raw: true });
  assert.equal(q.status, 200);
  assert.equal(q.headers.get('content-type'), 'image/png');
  assert.deepEqual(q.buf.subarray(0, 8), Buffer.from('89504e470d0a1a0a', 'hex'));
  assert.match(q.headers.get('x-qr-link'), new RegExp(`/report\\?place=${home}$`));
  assert.equal((await head.req('GET', `/api/v1/nodes/${other.id}/qr.png`)).status, 403);
  assert.equal((await head.req('GET', `/api/v1/nodes/${home}/qr.png?scale=99`)).status, 400);
});

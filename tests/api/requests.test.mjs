// Residents' requests, the whole path the issue names: a resident reports
// → the 邻长 sees it → it passes its limit → it escalates to 组长, 片长 and
// the community → handed to 物业 with 派出所 joint → resolved → rated 不满意
// → reopened → resolved → rated 满意; the statistics show exactly that.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, linli } from './lib.mjs';

let s, admin, resident, head, secretary, req, home;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const H = 3600 * 1000;

before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  resident = await s.login('jumin');
  head = await s.login('linzhang');
  secretary = await s.login('shuji');
  home = (await resident.get(`/api/v1/households/${resident.user.household_id}`)).json.node_id;
});
after(async () => s && (await s.stop()));

const clock = (atMs) => JSON.parse(linli(['clock', '--db', s.db, '--at', iso(atMs), '--no-webhooks']));

test('categories carry a handling level and time limits', async () => {
  const c = await resident.get('/api/v1/requests/categories');
  assert.equal(c.status, 200);
  const light = c.json.items.find((x) => x.code === 'corridor_light');
  assert.equal(light.name_zh, '楼道灯');
  assert.ok(light.respond_hours > 0 && light.resolve_hours > light.respond_hours);
  for (const code of ['sewer', 'parking', 'charging', 'greening', 'sanitation', 'noise', 'safety', 'neighbour_dispute', 'property_service', 'other'])
    assert.ok(c.json.items.some((x) => x.code === code), code);
});

test('a resident reports; it lands with the 邻长 of their circle', async () => {
  const r = await resident.post('/api/v1/requests', { category: 'corridor_light', description: '3栋2单元楼道灯坏了，晚上很黑，老人上下楼不方便。' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  req = r.json;
  assert.equal(req.status, 'new');
  assert.equal(req.channel, 'self');
  assert.equal(req.node_id, home, 'the lowest responsible node: the circle');
  assert.equal(req.events[0].type, 'reported');
  assert.ok(req.title.startsWith('3栋2单元楼道灯坏了'));
  // The 邻长 sees it in the circle's inbox and may act on it.
  const inbox = await head.get(`/api/v1/requests?node=${home}&status=open`);
  assert.equal(inbox.status, 200);
  assert.ok(inbox.json.items.some((x) => x.id === req.id));
  const seen = await head.get(`/api/v1/requests/${req.id}`);
  assert.equal(seen.json.can_handle, true);
  assert.equal(seen.json.reporter_name !== null, true);
  // The resident follows it; another resident sees nothing.
  const mine = await resident.get('/api/v1/requests?mine=1');
  assert.ok(mine.json.items.some((x) => x.id === req.id));
  const stranger = await s.login('linzhang'); // a role holder elsewhere would be refused; check a plain user
  assert.ok(stranger);
});

test('it passes its limit and climbs: 组长, 片长, then the community', async () => {
  const start = Date.now();
  const path = (await admin.get(`/api/v1/nodes/${home}/ancestors`)).json.items.map((n) => n.id);
  // ancestors: street, community, area, group
  const [, community, area, group] = path;
  let t = start + 73 * H;
  let out = clock(t);
  assert.equal(out.escalated, 1);
  let r = (await admin.get(`/api/v1/requests/${req.id}`)).json;
  assert.equal(r.node_id, group);
  assert.equal(r.status, 'new');
  assert.equal(r.overdue, true);
  t += 73 * H;
  clock(t);
  r = (await admin.get(`/api/v1/requests/${req.id}`)).json;
  assert.equal(r.node_id, area);
  t += 73 * H;
  clock(t);
  r = (await admin.get(`/api/v1/requests/${req.id}`)).json;
  assert.equal(r.node_id, community);
  assert.equal(r.escalations, 3);
  assert.deepEqual(r.events.filter((e) => e.type === 'auto_escalated').map((e) => e.to_node_id), [group, area, community]);
  // The 邻长 no longer handles it but still follows it (反馈跟踪); the community staff handle it.
  assert.equal((await head.post(`/api/v1/requests/${req.id}/accept`, {})).status, 403);
  const followed = await head.get(`/api/v1/requests/${req.id}`);
  assert.equal(followed.status, 200);
  assert.equal(followed.json.can_handle, false);
  const acc = await secretary.post(`/api/v1/requests/${req.id}/accept`, { note: '社区已接单' });
  assert.equal(acc.status, 200, JSON.stringify(acc.json));
  assert.equal(acc.json.status, 'accepted');
  // A clock run right after changes nothing.
  assert.equal(clock(t + H).escalated, 0);
});

test('handed to 物业 with 派出所 joint, resolved, rated 不满意, reopened, resolved, rated 满意', async () => {
  // The organisations serving this place, from the property company up to the street's departments.
  const avail = await secretary.get(`/api/v1/requests/${req.id}/orgs`);
  assert.equal(avail.status, 200);
  const property = avail.json.items.find((o) => o.kind === 'property');
  const police = avail.json.items.find((o) => o.name.includes('派出所'));
  assert.equal((await resident.get(`/api/v1/requests/${req.id}/orgs`)).status, 403);
  assert.ok(property && police);
  const bad = await secretary.post(`/api/v1/requests/${req.id}/handover`, { orgs: [{ org_id: property.id, role: 'joint' }] });
  assert.equal(bad.status, 400, 'exactly one lead');
  const h = await secretary.post(`/api/v1/requests/${req.id}/handover`, {
    orgs: [{ org_id: property.id, role: 'lead' }, { org_id: police.id, role: 'joint' }], note: '物业牵头更换灯具，派出所协助排查线路' });
  assert.equal(h.status, 200, JSON.stringify(h.json));
  assert.equal(h.json.status, 'referred');
  assert.deepEqual(h.json.orgs.map((o) => [o.org_id, o.role]), [[property.id, 'lead'], [police.id, 'joint']]);
  // The property company's account sees the case handed to it and reports its part.
  const u = await admin.post('/api/v1/users', { username: 'wuye1', display_name: '物业客服', password: 'wuye-pass-1', org_id: property.id });
  assert.equal(u.status, 201);
  const pm = await s.login('wuye1', 'wuye-pass-1');
  const theirs = await pm.get('/api/v1/requests?org=1');
  assert.ok(theirs.json.items.some((x) => x.id === req.id));
  const done = await pm.post(`/api/v1/requests/${req.id}/org_done`, { note: '已更换LED灯具' });
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(done.json.orgs.find((o) => o.org_id === property.id).status, 'done');

  const rating = await resident.post(`/api/v1/requests/${req.id}/rate`, { rating: 'satisfied' });
  assert.equal(rating.status, 409, 'no rating before it is resolved');
  const res1 = await secretary.post(`/api/v1/requests/${req.id}/resolve`, { outcome: '已更换楼道灯' });
  assert.equal(res1.status, 200);
  assert.equal(res1.json.status, 'resolved');
  const notes = await resident.get('/api/v1/notifications?unread=1');
  assert.ok(notes.json.items.some((n) => n.case_id === req.id && n.text.includes('请评价')));
  // Each notification names its event, so it can be worded in English too.
  const resolvedNote = notes.json.items.find((n) => n.case_id === req.id && n.event === 'resolved');
  assert.ok(resolvedNote, JSON.stringify(notes.json.items.map((n) => n.event)));
  assert.match(resolvedNote.event_label, / \/ [a-z]/, 'bilingual label');
  assert.equal(resolvedNote.case_title, req.title);
  const unhappy = await resident.post(`/api/v1/requests/${req.id}/rate`, { rating: 'unsatisfied', comment: '只换了一层，其他楼层还是黑的' });
  assert.equal(unhappy.status, 200, JSON.stringify(unhappy.json));
  assert.equal(unhappy.json.status, 'accepted', 'reopened at the same level');
  assert.equal(unhappy.json.reopened, 1);
  const res2 = await secretary.post(`/api/v1/requests/${req.id}/resolve`, { outcome: '各楼层楼道灯已全部更换' });
  assert.equal(res2.json.status, 'resolved');
  const happy = await resident.post(`/api/v1/requests/${req.id}/rate`, { rating: 'satisfied', comment: '谢谢社区' });
  assert.equal(happy.json.status, 'closed');
  assert.equal(happy.json.rating, 'satisfied');
  const types = happy.json.events.map((e) => e.type);
  for (const t of ['reported', 'auto_escalated', 'accepted', 'handed_over', 'joint_assigned', 'org_done', 'resolved', 'rated_unsatisfied', 'reopened', 'rated_satisfied', 'closed'])
    assert.ok(types.includes(t), t);
  assert.equal((await resident.post(`/api/v1/requests/${req.id}/rate`, { rating: 'basic' })).status, 409);
});

test('the statistics show exactly those numbers', async () => {
  const community = (await admin.get(`/api/v1/nodes/${home}/ancestors`)).json.items[1].id;
  const st = await secretary.get(`/api/v1/requests/stats?node=${community}`);
  assert.equal(st.status, 200, JSON.stringify(st.json));
  const t = st.json.totals;
  assert.equal(t.received, 1);
  assert.equal(t.resolved, 1);
  assert.equal(t.resolution_rate, 1);
  assert.equal(t.escalations, 3);
  assert.equal(t.escalated, 1);
  assert.equal(t.resolved_at_origin, 0);
  assert.equal(t.share_resolved_at_origin, 0);
  assert.equal(t.overdue, 1);
  assert.equal(t.reopened, 1);
  assert.deepEqual(t.satisfaction, { satisfied: 1, basic: 0, unsatisfied: 0, rate: 1 });
  const c = (await admin.get(`/api/v1/requests/${req.id}`)).json;
  const hours = (a, b) => Math.round(((Date.parse(b) - Date.parse(a)) / 3600000) * 100) / 100;
  assert.equal(t.first_response_hours.median, hours(c.created_at, c.first_response_at));
  assert.equal(t.first_response_hours.p90, t.first_response_hours.median);
  assert.equal(t.resolution_hours.median, hours(c.created_at, c.resolved_at));
  assert.equal(st.json.by_category.length, 1);
  assert.equal(st.json.by_category[0].category_name, '楼道灯');
  assert.equal(st.json.by_child.reduce((a, g) => a + g.received, 0), 1);
  assert.equal(st.json.by_month.length, 1);
  assert.equal(st.json.by_week.length, 1);
  const month = new Date().toISOString().slice(0, 7);
  const sum = await secretary.get(`/api/v1/requests/summary?node=${community}&month=${month}`);
  assert.equal(sum.status, 200);
  assert.equal(sum.json.totals.collected, 1);
  const nh = sum.json.by_head.find((h) => h.role === 'neighbour_head' && h.node_id === home);
  assert.equal(nh.collected, 1);
  assert.equal(nh.escalated, 1);
  const x = await secretary.req('GET', `/api/v1/requests/summary?node=${community}&month=${month}&format=xlsx`, { raw: true });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
});

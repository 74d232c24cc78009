// Organisations with members, and organisation kinds as data: kinds and
// member roles come from the database and administrators extend them;
// members are added and their terms ended (never deleted), scoped to the
// tree and audited; bad input changes nothing; and the nearest
// organisation of some kinds at or above a place, which the dispute kind
// will land cases with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, auditCount } from './lib.mjs';

let s, admin, shuji, wangge, jiedao, linzhang;
let comm, other, committee, otherCommittee;
before(async () => {
  s = await Server.start();
  admin = await s.login('admin');
  shuji = await s.login('shuji');
  wangge = await s.login('wangge');
  jiedao = await s.login('jiedao');
  linzhang = await s.login('linzhang');
  comm = shuji.user.grants.find((g) => g.access === 'manager').node_id;
  const communities = (await admin.get('/api/v1/nodes/1/children')).json.items;
  other = communities.find((n) => n.id !== comm).id;
  committee = (await admin.get(`/api/v1/orgs?node=${comm}&kind=mediation_committee`)).json.items[0];
  otherCommittee = (await admin.get(`/api/v1/orgs?node=${other}&kind=mediation_committee`)).json.items[0];
  assert.ok(committee && otherCommittee, 'every demo community has a mediation committee');
});
after(async () => s && (await s.stop()));

const today = () => new Date().toISOString().slice(0, 10);
// A resident of a subtree who is not yet a member of org.
async function resident(node, org, skip = 0) {
  const members = new Set((await admin.get(`/api/v1/orgs/${org}/members?all=1`)).json.items.map((m) => m.person_id));
  const people = (await admin.get(`/api/v1/people?node=${node}&limit=50`)).json.items;
  return people.filter((p) => !members.has(p.id))[skip];
}
async function auditOf(entity, id) {
  return (await admin.get(`/api/v1/audit?entity=${entity}&id=${id}`)).json.items;
}

test('organisation kinds and their member roles are data', async () => {
  const r = await wangge.get('/api/v1/org-kinds');
  assert.equal(r.status, 200, 'anyone logged in reads the kinds');
  const kinds = Object.fromEntries(r.json.items.map((k) => [k.code, k]));
  for (const code of ['cobuild', 'property', 'owners_committee', 'department', 'social', 'merchant',
    'mediation_committee', 'mediation_room', 'volunteer_team'])
    assert.ok(kinds[code]?.active, code);
  assert.equal(kinds.mediation_committee.name_zh, '人民调解委员会');
  assert.equal(kinds.mediation_room.name_zh, '调解室');
  assert.deepEqual(kinds.volunteer_team.roles.map((x) => x.code), ['leader', 'member']);
  assert.ok(kinds.mediation_room.roles.some((x) => x.code === 'mediator' && x.name_zh === '调解员'));
  const roles = (await wangge.get('/api/v1/org-member-roles')).json.items.map((x) => x.code);
  for (const code of ['lead', 'member', 'mediator', 'co_mediator', 'leader', 'liaison']) assert.ok(roles.includes(code), code);

  // An organisation's kind must be one of them: the old list is gone, a new kind works.
  const bad = await admin.post('/api/v1/orgs', { node_id: comm, kind: 'nonsense', name: '无名' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'kind');
  assert.match(bad.json.error.message, /^类型“nonsense”不存在 \/ kind: unknown value/);

  const before = await auditCount(admin);
  const role = await admin.post('/api/v1/org-member-roles', { code: 'patroller', name_zh: '巡逻员', name_en: 'patroller', sort_order: 70 });
  assert.equal(role.status, 201, JSON.stringify(role.json));
  const kind = await admin.post('/api/v1/org-kinds', {
    code: 'patrol_team', name_zh: '巡逻队', name_en: 'patrol team', sort_order: 95, roles: ['leader', 'patroller'] });
  assert.equal(kind.status, 201, JSON.stringify(kind.json));
  assert.deepEqual(kind.json.roles.map((x) => x.code), ['leader', 'patroller']);
  assert.equal(await auditCount(admin), before + 2, 'both changes audited');
  const kindAudit = await auditOf('org_kind', kind.json.id);
  assert.equal(kindAudit[0].action, 'create');
  assert.equal(kindAudit[0].after.code, 'patrol_team');

  const team = await shuji.post('/api/v1/orgs', { node_id: comm, kind: 'patrol_team', name: '“小红帽”巡逻队' });
  assert.equal(team.status, 201, JSON.stringify(team.json));
  assert.equal(team.json.kind_name, '巡逻队');
  const form = (await shuji.get(`/api/v1/orgs/${team.json.id}`)).json.member_fields;
  assert.deepEqual(form.find((f) => f.name === 'role').values,
    [{ code: 'leader', label_zh: '队长', label_en: 'team leader' }, { code: 'patroller', label_zh: '巡逻员', label_en: 'patroller' }]);
  assert.ok(!form.some((f) => f.name === 'id' || f.name === 'org_id'), 'the form holds writable fields only');

  // Renaming shows everywhere the kind is named; the export labels it from the data too.
  const renamed = await admin.patch('/api/v1/org-kinds/patrol_team', { name_zh: '平安巡逻队' });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.json.name_zh, '平安巡逻队');
  assert.equal((await shuji.get(`/api/v1/orgs/${team.json.id}`)).json.kind_name, '平安巡逻队');
  const csv = await shuji.get(`/api/v1/export/orgs?node=${comm}&format=csv`, { raw: true });
  assert.equal(csv.status, 200);
  assert.match(csv.buf.toString('utf8'), /平安巡逻队,“小红帽”巡逻队/);
  assert.match(csv.buf.toString('utf8'), /人民调解委员会,/);

  // Deactivated: no new organisation of the kind; the existing one keeps it.
  assert.equal((await admin.patch('/api/v1/org-kinds/patrol_team', { active: false })).json.active, false);
  const late = await shuji.post('/api/v1/orgs', { node_id: comm, kind: 'patrol_team', name: '第二巡逻队' });
  assert.equal(late.status, 400);
  assert.equal(late.json.error.field, 'kind');
  assert.match(late.json.error.message, /已停用/);
  assert.equal((await shuji.get(`/api/v1/orgs/${team.json.id}`)).json.kind, 'patrol_team');
  assert.equal((await admin.get('/api/v1/org-kinds')).json.items.find((k) => k.code === 'patrol_team').active, false);
});

test('only administrators configure kinds, and bad definitions change nothing', async () => {
  const before = await auditCount(admin);
  const def = { code: 'choir', name_zh: '合唱团', name_en: 'choir', roles: ['lead', 'member'] };
  assert.equal((await shuji.post('/api/v1/org-kinds', def)).status, 403);
  assert.equal((await shuji.patch('/api/v1/org-kinds/property', { name_zh: '物业公司' })).status, 403);
  assert.equal((await shuji.post('/api/v1/org-member-roles', { code: 'x', name_zh: 'x', name_en: 'x' })).status, 403);
  const cases = [
    [{ ...def, roles: ['lead', 'nobody'] }, 'roles', /成员职务“nobody”不存在/],
    [{ ...def, roles: [] }, 'roles', /至少要有一个成员职务/],
    [{ ...def, roles: Array.from({ length: 21 }, (_, i) => `r${i}`) }, 'roles', /最多20项/],
    [{ ...def, roles: 'lead' }, 'roles', /列表/],
    [{ ...def, roles: ['lead', 'lead'] }, 'roles', /重复/],
    [{ code: 'choir', name_zh: '合唱团', name_en: 'choir' }, 'roles', /缺少成员职务/],
    [{ ...def, code: 'Choir!' }, 'code', /小写字母/],
    [{ ...def, name_zh: '合'.repeat(21) }, 'name_zh', /最多20个字/],
    [{ ...def, code: 'property' }, 'code', /已存在/],
  ];
  for (const [body, field, msg] of cases) {
    const r = await admin.post('/api/v1/org-kinds', body);
    assert.ok(r.status === 400 || r.status === 409, `${JSON.stringify(body)}: ${r.status}`);
    assert.equal(r.json.error.field, field, JSON.stringify(r.json));
    assert.match(r.json.error.message, msg);
    assert.match(r.json.error.message, /^[^a-zA-Z]+.* \/ /, 'Chinese first, then English');
  }
  const unknown = await admin.patch('/api/v1/org-kinds/no_such_kind', { name_zh: 'x' });
  assert.equal(unknown.status, 404);
  const readOnly = await admin.patch('/api/v1/org-kinds/property', { code: 'estate' });
  assert.equal(readOnly.status, 400);
  assert.equal(await auditCount(admin), before, 'nothing was written');
  assert.equal((await admin.get('/api/v1/org-kinds')).json.items.find((k) => k.code === 'property').name_zh, '物业');
});

test('members are added, listed with masked personal data, and their terms ended', async () => {
  const listed = await shuji.get(`/api/v1/orgs/${committee.id}/members`);
  assert.equal(listed.status, 200);
  const current = listed.json.items;
  assert.ok(current.length >= 3);
  assert.ok(current.some((m) => m.role === 'lead' && m.role_name === '负责人'));
  for (const m of current) {
    assert.equal(m.current, true);
    assert.equal(typeof m.person.name, 'string');
    if (m.person.phone) assert.match(m.person.phone, /^\d{3}\*{4}\d{4}$/, 'phones masked as the registry does');
  }

  const p = await resident(comm, committee.id);
  const before = await auditCount(admin);
  const added = await shuji.post(`/api/v1/orgs/${committee.id}/members`, { person_id: p.id, role: 'mediator', note: '退休法官' });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  assert.equal(added.json.org_id, committee.id);
  assert.equal(added.json.start_date, today(), 'starts today unless given');
  assert.equal(added.json.person.name, p.name);
  assert.equal(added.json.role_name, '调解员');
  assert.equal(await auditCount(admin), before + 1);
  const created = await auditOf('org_member', added.json.id);
  assert.equal(created[0].action, 'create');
  assert.equal(created[0].after.person_id, p.id);
  if (created[0].after.person.phone) assert.match(created[0].after.person.phone, /\*{4}/, 'audit snapshots hold masks');
  const now = (await shuji.get(`/api/v1/orgs/${committee.id}/members`)).json.items;
  assert.equal(now.length, current.length + 1);
  const mine = (await shuji.get(`/api/v1/people/${p.id}/orgs`)).json.items;
  assert.deepEqual(mine.map((m) => [m.org_id, m.role, m.org_name, m.kind_name]), [[committee.id, 'mediator', committee.name, '人民调解委员会']]);

  // Ending the term: nothing deleted, no longer current, audited with before and after.
  const ended = await shuji.post(`/api/v1/orgs/${committee.id}/members/${added.json.id}/end`, { note: '迁居外地' });
  assert.equal(ended.status, 200, JSON.stringify(ended.json));
  assert.equal(ended.json.end_date, today());
  assert.equal(ended.json.current, false);
  assert.equal(ended.json.note, '迁居外地');
  const endAudit = (await auditOf('org_member', added.json.id))[0];
  assert.equal(endAudit.action, 'end');
  assert.equal(endAudit.before.end_date, null);
  assert.equal(endAudit.after.end_date, today());
  assert.equal((await shuji.get(`/api/v1/orgs/${committee.id}/members`)).json.items.length, current.length);
  const all = (await shuji.get(`/api/v1/orgs/${committee.id}/members?all=1`)).json.items;
  assert.ok(all.some((m) => m.id === added.json.id && m.end_date === today()));
  assert.equal((await shuji.get(`/api/v1/people/${p.id}/orgs`)).json.items.length, 0);
  assert.equal((await shuji.get(`/api/v1/people/${p.id}/orgs?all=1`)).json.items.length, 1);
  const again = await shuji.post(`/api/v1/orgs/${committee.id}/members/${added.json.id}/end`, {});
  assert.equal(again.status, 409);
  // The person may serve again, in a new term.
  const back = await shuji.post(`/api/v1/orgs/${committee.id}/members`, { person_id: p.id, role: 'mediator' });
  assert.equal(back.status, 201);

  // A term fixed in advance, ended early; a wrong end date is refused.
  const q = await resident(comm, committee.id, 1);
  const fixed = await shuji.post(`/api/v1/orgs/${committee.id}/members`,
    { person_id: q.id, role: 'member', start_date: '2024-01-01', end_date: '2099-12-31' });
  assert.equal(fixed.status, 201);
  assert.equal(fixed.json.current, true);
  const early = await shuji.post(`/api/v1/orgs/${committee.id}/members/${fixed.json.id}/end`, { end_date: '2023-12-31' });
  assert.equal(early.status, 400);
  assert.equal(early.json.error.field, 'end_date');
  assert.equal((await shuji.post(`/api/v1/orgs/${committee.id}/members/${fixed.json.id}/end`, { end_date: '2025-06-30' })).status, 200);
});

test('bad member input is refused with a clear message and changes nothing', async () => {
  const p = await resident(comm, committee.id, 2);
  const existing = (await admin.get(`/api/v1/orgs/${committee.id}/members`)).json.items.find((m) => m.role === 'mediator');
  const stranger = (await admin.get(`/api/v1/people?node=${other}&limit=1`)).json.items[0];
  const before = await auditCount(admin);
  const url = `/api/v1/orgs/${committee.id}/members`;
  const cases = [
    [{ person_id: p.id, role: 'leader' }, 400, 'role', /没有成员职务“leader”/],
    [{ person_id: p.id, role: 'no_role' }, 400, 'role', /成员职务“no_role”不存在/],
    [{ person_id: p.id }, 400, 'role', /缺少成员职务/],
    [{ role: 'mediator' }, 400, 'person_id', /缺少人员/],
    [{ person_id: 99999999, role: 'mediator' }, 400, 'person_id', /人员不存在/],
    [{ person_id: p.id, role: 'mediator', start_date: '2024-02-30' }, 400, 'start_date', /日期/],
    [{ person_id: p.id, role: 'mediator', start_date: '2024-05-01', end_date: '2024-04-01' }, 400, 'end_date', /早于/],
    [{ person_id: p.id, role: 'mediator', user_id: 99999 }, 400, 'user_id', /账号不存在/],
    [{ person_id: p.id, role: 'mediator', org_id: 1 }, 400, 'org_id', /只读/],
    [{ person_id: p.id, role: 'mediator', rank: 1 }, 400, 'rank', /未知字段/],
    [{ person_id: existing.person_id, role: 'mediator' }, 409, 'person_id', /已在本组织担任此职务/],
    [{ person_id: stranger.id, role: 'mediator' }, 403, 'person_id', /辖区/],
  ];
  for (const [body, status, field, msg] of cases) {
    const r = await shuji.post(url, body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error.field, field, JSON.stringify(r.json));
    assert.match(r.json.error.message, msg);
    assert.match(r.json.error.message, / \/ [A-Za-z]/, 'bilingual, Chinese first');
  }
  assert.equal((await shuji.post(`/api/v1/orgs/99999/members`, { person_id: p.id, role: 'mediator' })).status, 404);
  assert.equal((await shuji.post(`${url}/99999/end`, {})).status, 404);
  const otherMember = (await admin.get(`/api/v1/orgs/${otherCommittee.id}/members`)).json.items[0];
  assert.equal((await admin.post(`${url}/${otherMember.id}/end`, {})).status, 404, 'a member of another organisation');
  assert.equal((await shuji.post(`${url}/${existing.id}/end`, { end_date: 'soon' })).status, 400);
  // A kind change the current members' roles do not fit.
  const toTeam = await shuji.patch(`/api/v1/orgs/${committee.id}`, { kind: 'volunteer_team' });
  assert.equal(toTeam.status, 409);
  assert.equal(toTeam.json.error.field, 'kind');
  assert.equal(await auditCount(admin), before, 'nothing was written');
  assert.equal((await admin.get(`/api/v1/people/${p.id}/orgs?all=1`)).json.items.length, 0);
});

test('access to members follows the tree', async () => {
  const theirs = `/api/v1/orgs/${otherCommittee.id}/members`;
  const member = (await admin.get(theirs)).json.items[0];
  const p = await resident(other, otherCommittee.id);
  const before = await auditCount(admin);
  // A worker and a manager of another community: 403 everywhere.
  for (const who of [wangge, shuji]) {
    assert.equal((await who.get(theirs)).status, 403);
    assert.equal((await who.post(theirs, { person_id: p.id, role: 'mediator' })).status, 403);
    assert.equal((await who.post(`${theirs}/${member.id}/end`, {})).status, 403);
    assert.equal((await who.get(`/api/v1/people/${member.person_id}/orgs`)).status, 403);
    assert.equal((await who.get(`/api/v1/audit?entity=org_member&id=${member.id}`)).status, 403);
  }
  // Inside its own community a grid worker reads its area only, and may not add.
  const mine = `/api/v1/orgs/${committee.id}/members`;
  assert.equal((await wangge.get(mine)).status, 403, 'the committee sits at the community, above the grid');
  const area = wangge.user.grants.find((g) => g.access === 'worker').node_id;
  const property = (await admin.get(`/api/v1/orgs?node=${area}&kind=property`)).json.items[0];
  assert.equal((await wangge.get(`/api/v1/orgs/${property.id}/members`)).status, 200);
  const q = await resident(area, property.id);
  assert.equal((await wangge.post(`/api/v1/orgs/${property.id}/members`, { person_id: q.id, role: 'member' })).status, 403);
  // The street officer reads everything and changes nothing; a neighbour head sees no committee.
  assert.equal((await jiedao.get(theirs)).status, 200);
  assert.equal((await jiedao.get(`/api/v1/orgs/${otherCommittee.id}`)).json.can_manage, false, 'clients offer no form');
  assert.equal((await shuji.get(`/api/v1/orgs/${committee.id}`)).json.can_manage, true);
  assert.equal((await jiedao.post(theirs, { person_id: p.id, role: 'mediator' })).status, 403);
  assert.equal((await linzhang.get(mine)).status, 403);
  assert.equal((await s.req('GET', mine)).status, 401);
  assert.equal(await auditCount(admin), before, 'no write got through');
  // The community's own manager may, and the audit trail is readable there.
  const ok = await shuji.post(`/api/v1/orgs/${property.id}/members`, { person_id: q.id, role: 'member' });
  assert.equal(ok.status, 201);
  assert.equal((await shuji.get(`/api/v1/audit?entity=org_member&id=${ok.json.id}`)).status, 200);
  assert.equal((await wangge.get(`/api/v1/audit?entity=org_member&id=${ok.json.id}`)).status, 200);
});

test('the nearest mediation organisation at or above a place', async () => {
  const rooms = (await admin.get('/api/v1/orgs?node=1&kind=mediation_room')).json.items;
  const mulin = rooms.find((o) => o.name === '睦“麟”调解工作室');
  const huang = rooms.find((o) => o.name === '老黄调解室');
  assert.ok(mulin && huang, 'the demo has both rooms');
  const members = (await admin.get(`/api/v1/orgs/${huang.id}/members`)).json.items;
  assert.ok(members.some((m) => m.role === 'lead' && m.person.name.startsWith('黄')));
  assert.ok(members.some((m) => m.role === 'mediator'));
  // Their mediators live in their compounds.
  for (const m of (await admin.get(`/api/v1/orgs/${mulin.id}/members`)).json.items) {
    const person = (await admin.get(`/api/v1/people/${m.person_id}`)).json;
    const anc = (await admin.get(`/api/v1/nodes/${person.node_id}/ancestors`)).json.items.map((n) => n.id);
    assert.ok(anc.includes(mulin.node_id) || person.node_id === mulin.node_id, `${person.name} lives in the compound`);
  }
  const grid = (await admin.get(`/api/v1/nodes/${mulin.node_id}/ancestors`)).json.items;
  const community = grid.find((n) => n.kind === 'community');
  const jsCommittee = (await admin.get(`/api/v1/orgs?node=${community.id}&kind=mediation_committee`)).json.items[0];
  const building = (await admin.get(`/api/v1/nodes/${mulin.node_id}/children`)).json.items[0];
  const unit = (await admin.get(`/api/v1/nodes/${building.id}/children`)).json.items[0];
  const kinds = 'kind=mediation_room,mediation_committee';
  const near = async (node, q = kinds, who = admin) => who.get(`/api/v1/nodes/${node}/nearest-org?${q}`);

  assert.equal((await near(unit.id)).json.id, mulin.id, 'a unit of the compound: its room');
  assert.equal((await near(mulin.node_id)).json.id, mulin.id, 'the node itself counts');
  assert.equal((await near(huang.node_id)).json.id, huang.id);
  // The rooms are in the first grid's two compounds; the next grid's have none.
  const grids = (await admin.get(`/api/v1/nodes/${community.id}/children`)).json.items;
  const plain = (await admin.get(`/api/v1/nodes/${grids[1].id}/children`)).json.items[0];
  assert.equal(plain.kind, 'compound');
  assert.equal((await near(plain.id)).json.id, jsCommittee.id, 'a compound without a room: the committee');
  assert.equal((await near(unit.id, 'kind=mediation_committee')).json.id, jsCommittee.id);
  assert.equal((await near(unit.id, `${kinds}&role=legal_adviser`)).json.id, mulin.id);
  const none = await near(unit.id, `${kinds}&role=co_mediator`);
  assert.equal(none.status, 404, 'no co-mediator at or above this unit');
  assert.match(none.json.error.message, /没有符合条件的组织/);
  assert.equal((await near(1)).status, 404, 'nothing above the street');
  assert.equal((await near(unit.id, '')).status, 400);
  assert.equal((await near(unit.id, `${kinds}&x=1`)).status, 400);
  assert.equal((await near(999999)).status, 404);
  // Readers need access to the place asked about.
  assert.equal((await near(unit.id, kinds, wangge)).status, 403);
  assert.equal((await near(unit.id, kinds, jiedao)).status, 200);

  // A room whose members' terms all ended no longer takes disputes: the committee above does.
  for (const m of (await admin.get(`/api/v1/orgs/${mulin.id}/members`)).json.items)
    assert.equal((await admin.post(`/api/v1/orgs/${mulin.id}/members/${m.id}/end`, {})).status, 200);
  assert.equal((await near(unit.id)).json.id, jsCommittee.id);
  assert.equal((await near(unit.id, `${kinds}&role=legal_adviser`)).status, 404);
});

// Authorisation as data: tests/data/authz.tsv says, for every route the
// binary serves, which status each actor gets at each place relative to its
// own (its node, a child, the parent, another community …). This harness
// builds the fixture on the street demo, runs every row in order, and fails
// when a route has no row (or no anonymous row), so a new route cannot ship
// without saying who may use it. The table's header explains its columns.
// The few flows that are sequences rather than single requests (a cookie
// session's life, revoking a grant) follow the table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Server, linli } from './lib.mjs';

const TABLE = new URL('../data/authz.tsv', import.meta.url);
const ACTORS = ['anon', 'forged', 'admin', 'cookie', 'nocsrf', 'street', 'manager', 'cworker', 'grid', 'head', 'resident', 'org'];
const POSITIONS = ['own', 'child', 'parent', 'root', 'sibling', 'other', 'neighbour', '-'];
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

function parseTable(text) {
  const rows = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!line || line.startsWith('#')) return;
    const cols = line.split(/\t+/);
    const where = `authz.tsv:${i + 1}`;
    if (cols.length < 5 || cols.length > 6) throw new Error(`${where}: expected 5 or 6 columns, got ${cols.length}`);
    const [method, path, actor, at, expect, body] = cols;
    if (!ACTORS.includes(actor.replace(/\+$/, ''))) throw new Error(`${where}: unknown actor ${actor}`);
    if (!POSITIONS.includes(at)) throw new Error(`${where}: unknown position ${at}`);
    const [status, ...checks] = expect.split(' ');
    const want = { status: Number(status) };
    for (const c of checks) {
      const m = /^(code|field)=(.+)$/.exec(c);
      if (!m) throw new Error(`${where}: bad expectation ${c}`);
      want[m[1]] = m[2];
    }
    if (!(want.status >= 100 && want.status < 600)) throw new Error(`${where}: bad status ${status}`);
    rows.push({ where, method, path, actor, at, want, body });
  });
  return rows;
}

const rows = parseTable(readFileSync(TABLE, 'utf8'));
const routes = linli(['routes']).trim().split('\n').map((line) => {
  const [method, pattern] = line.split(' ');
  return { line, method, pattern };
});

// The router's matching (api/router.c): literal characters, and {x} taking
// one non-empty path segment; the first route with the path and method wins.
function matches(pattern, path) {
  let p = 0, s = 0;
  while (p < pattern.length && s < path.length) {
    if (pattern[p] === '{') {
      const end = path.indexOf('/', s);
      const n = (end < 0 ? path.length : end) - s;
      if (n === 0) return false;
      s += n;
      p = pattern.indexOf('}', p) + 1;
    } else if (pattern[p++] !== path[s++]) return false;
  }
  return p === pattern.length && s === path.length;
}
const routeOf = (method, path) => routes.find((r) => r.method === method && matches(r.pattern, path.split('?')[0]));
// A row's route, from its path with every placeholder standing for one segment.
const rowRoute = (row) => routeOf(row.method, row.path.replace(/\{[^}]+\}/g, '1'));

test('every route has rows, one of them for anonymous callers; every row names a route', () => {
  assert.ok(routes.length > 70, `${routes.length} routes`);
  assert.ok(rows.length > 300, `${rows.length} rows`);
  const stray = rows.filter((r) => !rowRoute(r)).map((r) => `${r.where} ${r.method} ${r.path}`);
  assert.deepEqual(stray, [], 'rows that match no route');
  const missing = [];
  for (const route of routes) {
    const mine = rows.filter((r) => rowRoute(r) === route);
    if (!mine.length) missing.push(`no row: ${route.line}`);
    else if (!mine.some((r) => r.actor === 'anon')) missing.push(`no anon row: ${route.line}`);
  }
  assert.deepEqual(missing, [], 'routes tests/data/authz.tsv does not cover');
});

// ---------------------------------------------------------------------------
// The fixture: actors, their homes, the places around them, and the objects
// placeholders stand for (made on demand by the administrator, cached).

let s, fx;
before(async () => {
  // Its webhooks point at loopback port 9 (nothing listens), which needs the allow-list.
  s = await Server.start({ extra: ['--webhook-allow', '127.0.0.1/32'] });
  fx = await Fixture.make(s);
});
after(async () => s && (await s.stop()));

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86400e3).toISOString().slice(0, 10);

class Fixture {
  static async make(server) {
    const f = new Fixture();
    f.s = server;
    f.cache = new Map();
    f.seq = 0;
    await f.actors();
    await f.places();
    return f;
  }

  ok(r, what, status = [200, 201]) {
    if (!status.includes(r.status)) throw new Error(`fixture: ${what}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }

  // The administrator's requests (the fixture's own writes).
  async as(method, path, body) {
    return this.s.req(method, path, { body, token: this.admin.token });
  }

  async apiLogin(username, password = 'linli-demo-1') {
    const r = await this.s.req('POST', '/api/v1/auth/login', { body: { username, password, kind: 'api', name: 'authz' } });
    this.ok(r, `login ${username}`);
    return { token: r.json.token, user: r.json.user, username, password };
  }

  async actors() {
    const login = await this.s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1' } });
    this.ok(login, 'admin login');
    this.admin = { token: login.json.token, csrf: login.json.csrf_token, user: login.json.user, username: 'admin', password: 'linli-admin-1' };
    const a = { admin: this.admin };
    a.cookie = { ...this.admin, cookie: true };
    a.nocsrf = { ...this.admin, cookie: true, csrf: null };
    for (const [name, username] of [['street', 'jiedao'], ['manager', 'shuji'], ['grid', 'wangge'], ['head', 'linzhang'], ['resident', 'jumin']])
      a[name] = await this.apiLogin(username);
    const grant = (actor, access) => {
      const g = actor.user.grants.find((x) => x.access === access);
      if (!g) throw new Error(`fixture: ${actor.username} has no ${access} grant`);
      return g.node_id;
    };
    const community = grant(a.manager, 'manager');
    // A community worker: worker access at the secretary's community.
    const cw = this.ok(await this.as('POST', '/api/v1/users', { username: 'authz_cworker', display_name: '社区工作者', password: 'authz-pass-1' }), 'cworker');
    this.ok(await this.as('POST', `/api/v1/users/${cw.id}/grants`, { node_id: community, access: 'worker' }), 'cworker grant');
    a.cworker = await this.apiLogin('authz_cworker', 'authz-pass-1');
    // The property company of the grid worker's 片区, and its account.
    const area = grant(a.grid, 'worker');
    const orgs = this.ok(await this.as('GET', `/api/v1/orgs?node=${area}`), 'orgs').items;
    const property = orgs.find((o) => o.kind === 'property' && o.node_id === area);
    if (!property) throw new Error('fixture: no property company at the grid');
    this.ok(await this.as('POST', '/api/v1/users', { username: 'authz_org', display_name: '物业客服', password: 'authz-pass-2', org_id: property.id }), 'org user');
    a.org = await this.apiLogin('authz_org', 'authz-pass-2');
    a.org.orgId = property.id;
    // A staff account with no access: the "other" user.
    this.target = this.ok(await this.as('POST', '/api/v1/users', { username: 'authz_target', display_name: '其他员工', password: 'authz-pass-3' }), 'target');
    // Homes.
    const res = a.resident.user;
    if (!(res.household_id > 0) || res.grants.length) throw new Error('fixture: the resident should have a household and no grants');
    const hh = this.ok(await this.as('GET', `/api/v1/households/${res.household_id}`), 'resident household');
    if (!hh.members.some((m) => m.id === res.person_id)) throw new Error('fixture: the resident is not in its household');
    a.admin.home = a.cookie.home = a.nocsrf.home = 1;
    a.street.home = grant(a.street, 'officer');
    a.manager.home = community;
    a.cworker.home = community;
    a.grid.home = area;
    a.head.home = grant(a.head, 'viewer');
    a.resident.home = hh.node_id;
    a.org.home = area;
    a.anon = { home: hh.node_id };
    // The actors' own households: not what {household} and {person} pick,
    // so a staff row is about its access, not its own home.
    this.homes = new Set(Object.values(a).map((x) => x.user?.household_id).filter(Boolean));
    a.forged = { home: hh.node_id, token: 'f'.repeat(64) };
    this.a = a;
  }

  async node(id) {
    return this.memo(`node ${id}`, async () => this.ok(await this.as('GET', `/api/v1/nodes/${id}`), `node ${id}`));
  }

  async children(id) {
    return this.ok(await this.as('GET', `/api/v1/nodes/${id}/children`), `children ${id}`).items.sort((x, y) => x.id - y.id);
  }

  // Every actor's positions, computed before any row changes the tree.
  async places() {
    const roots = this.ok(await this.as('GET', '/api/v1/nodes'), 'roots').items;
    const orgRoot = roots.find((n) => n.id === 1) || roots[0];
    const partyRoot = roots.find((n) => n.id !== orgRoot.id);
    for (const actor of Object.values(this.a)) {
      const home = await this.node(actor.home);
      const p = { own: home.id, '-': home.id, neighbour: home.id, root: orgRoot.id };
      const kids = await this.children(home.id);
      if (kids.length) p.child = kids[0].id;
      if (home.parent_id) {
        p.parent = home.parent_id;
        const sibs = (await this.children(home.parent_id)).filter((n) => n.id !== home.id && n.kind === home.kind);
        if (sibs.length) p.sibling = sibs[0].id;
      }
      p.other = await this.otherPlace(home, partyRoot);
      actor.at = p;
    }
  }

  // The node at home's level in another community (home above the
  // communities: the party tree's root, which no org grant reaches).
  async otherPlace(home, partyRoot) {
    const up = this.ok(await this.as('GET', `/api/v1/nodes/${home.id}/ancestors`), 'ancestors').items;
    const chain = [...up, home];
    const ci = chain.findIndex((n) => n.kind === 'community');
    if (ci < 0) return partyRoot.id;
    const comm = chain[ci];
    const others = (await this.children(comm.parent_id)).filter((n) => n.kind === 'community' && n.id !== comm.id);
    let at = others[0];
    for (const step of chain.slice(ci + 1)) {
      const kids = await this.children(at.id);
      at = kids.find((k) => k.kind === step.kind) || kids[0];
    }
    return at.id;
  }

  async memo(key, make) {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key);
  }

  async kindBelow(id) {
    const n = await this.node(id);
    const kids = await this.children(id);
    if (kids.length) return kids[0].kind;
    const kinds = this.ok(await this.as('GET', '/api/v1/node-kinds'), 'kinds').items;
    const mine = kinds.find((k) => k.code === n.kind);
    return kinds.filter((k) => k.tree === mine.tree && k.level > mine.level).sort((x, y) => x.level - y.level)[0].code;
  }

  uniq() {
    return `authz${++this.seq}`;
  }

  // --- objects placed exactly at a node (found in the demo, or made there)

  async household(node) {
    return this.memo(`household ${node}`, async () => {
      const items = this.ok(await this.as('GET', `/api/v1/households?node=${node}&limit=200`), 'households').items;
      const here = items.find((h) => h.node_id === node && !this.homes.has(h.id));
      return here ? here.id : this.freshHousehold(node);
    });
  }

  async person(node) {
    return this.memo(`person ${node}`, async () => {
      const items = this.ok(await this.as('GET', `/api/v1/people?node=${node}&limit=200`), 'people').items;
      const here = items.find((p) => p.node_id === node && !this.homes.has(p.household_id));
      return here ? here.id : this.freshPerson(node);
    });
  }

  async org(node) {
    return this.memo(`org ${node}`, async () => {
      const items = this.ok(await this.as('GET', `/api/v1/orgs?node=${node}`), 'orgs').items;
      const here = items.find((o) => o.node_id === node);
      return here ? here.id : this.ok(await this.as('POST', '/api/v1/orgs', { node_id: node, kind: 'social', name: '测试组织' }), 'org').id;
    });
  }

  async webhook(node) {
    return this.memo(`webhook ${node}`, async () =>
      this.ok(await this.as('POST', '/api/v1/webhooks', { node_id: node, url: 'http://127.0.0.1:9/authz', events: 'none' }), 'webhook').id);
  }

  async freshHousehold(node) {
    return this.ok(await this.as('POST', '/api/v1/households', { node_id: node, address: `测试门牌${++this.seq}号` }), 'household').id;
  }

  async freshPerson(node) {
    const hh = await this.freshHousehold(node);
    return this.ok(await this.as('POST', '/api/v1/people', { household_id: hh, name: '测试居民' }), 'person').id;
  }

  async freshNode(node) {
    const kind = await this.kindBelow(node);
    return this.ok(await this.as('POST', '/api/v1/nodes', { parent_id: node, kind, name: `测试节点${++this.seq}` }), 'node').id;
  }

  async freshRole(node) {
    const person = await this.freshPerson(node);
    return this.ok(await this.as('POST', '/api/v1/roles', { node_id: node, person_id: person, role: 'mediator', start_date: today() }), 'role').id;
  }

  async freshMember(node) {
    const org = await this.org(node);
    const person = await this.freshPerson(node);
    return this.ok(await this.as('POST', `/api/v1/orgs/${org}/members`, { person_id: person, role: 'member' }), 'member').id;
  }

  async freshUser() {
    return this.ok(await this.as('POST', '/api/v1/users', { username: this.uniq(), display_name: '测试账号', password: 'authz-pass-9' }), 'user').id;
  }

  async freshGrant(node) {
    const user = await this.freshUser();
    return this.ok(await this.as('POST', `/api/v1/users/${user}/grants`, { node_id: node, access: 'viewer' }), 'grant').id;
  }

  // The case kinds (GET /api/v1/case-kinds), by path: the case fixtures
  // make a case of the kind the row's path names, so a new kind brings only
  // its rows.
  async kinds() {
    return this.memo('kinds', async () => new Map(this.ok(await this.as('GET', '/api/v1/case-kinds'), 'case kinds').items.map((k) => [k.path, k])));
  }

  async kindOf(row) {
    const kinds = await this.kinds();
    const seg = /^\/api\/v1\/([\w-]+)/.exec(row.path)?.[1];
    return kinds.get(seg) || kinds.get('requests');
  }

  // A new case's body from the kind's own description: its deepest active
  // category (so it lands at the place itself), and a sample for each
  // required field of its side table.
  async caseBody(kind, node) {
    const cats = await this.memo(`categories ${kind.path}`, async () => this.ok(await this.as('GET', `/api/v1/${kind.path}/categories`), 'categories').items);
    const cat = cats.filter((c) => c.active !== false).sort((x, y) => y.level - x.level)[0];
    if (!cat) throw new Error(`fixture: the ${kind.path} kind has no active category`);
    const body = { category: cat.code, description: `测试：${kind.name_zh}` };
    if (node) body.place_node_id = node;
    for (const f of kind.fields.filter((x) => x.required && !x.read_only)) {
      const sample = { text: '测试', enum: f.values?.[0]?.code, code: f.values?.[0]?.code, int: 1, bool: false, date: today() }[f.type];
      if (sample === undefined) throw new Error(`fixture: no sample for ${kind.path}.${f.name} (${f.type})`);
      body[f.name] = sample;
    }
    return body;
  }

  // A case landing exactly at the node, reported by the administrator.
  async newCase(kind, node) {
    const r = this.ok(await this.as('POST', `/api/v1/${kind.path}`, await this.caseBody(kind, node)), kind.path);
    if (r.node_id !== node) throw new Error(`fixture: a ${kind.path} case placed at ${node} landed at ${r.node_id}`);
    return r.id;
  }

  async act(kind, id, action, body) {
    if (!kind.actions.some((a) => a.code === action)) throw new Error(`fixture: the ${kind.path} kind has no ${action} action`);
    this.ok(await this.as('POST', `/api/v1/${kind.path}/${id}/${action}`, body), action);
  }

  // Cases by whose they are: the resident's own report, one handed to the
  // organisation, or anyone else's at the node.
  async freshCase(kind, actor, pos, node) {
    if (actor === this.a.resident && pos === 'own') {
      const r = await this.s.req('POST', `/api/v1/${kind.path}`, { token: actor.token, body: await this.caseBody(kind, 0) });
      return this.ok(r, `resident ${kind.path}`).id;
    }
    const id = await this.newCase(kind, node);
    if (actor === this.a.org && pos === 'own') {
      await this.act(kind, id, 'accept', {});
      await this.act(kind, id, 'handover', { orgs: [{ org_id: actor.orgId, role: 'lead' }] });
    }
    return id;
  }

  async case(kind, actor, pos, node) {
    const whose = actor === this.a.resident && pos === 'own' ? 'resident' : actor === this.a.org && pos === 'own' ? 'org' : 'any';
    return this.memo(`${kind.path} ${whose} ${node}`, () => this.freshCase(kind, actor, pos, node));
  }

  async publicCase(kind, node) {
    return this.memo(`public ${kind.path} ${node}`, async () => {
      const id = await this.newCase(kind, node);
      await this.act(kind, id, 'publish', { public: true });
      return id;
    });
  }

  async file(kind, actor, pos, node) {
    const id = await this.case(kind, actor, pos, node);
    return this.memo(`file ${kind.path} ${id}`, async () => {
      const r = await this.s.req('POST', `/api/v1/${kind.path}/${id}/files`, { body: PNG, token: this.admin.token, headers: { 'Content-Type': 'image/png' } });
      return this.ok(r, 'photo').file_id;
    });
  }

  // The resident's notification: one of its reports accepted.
  async residentNotification() {
    return this.memo('notification', async () => {
      const res = this.a.resident;
      const kind = (await this.kinds()).get('requests');
      const req = await this.case(kind, res, 'own', res.home);
      await this.act(kind, req, 'accept', {});
      const list = this.ok(await this.s.req('GET', '/api/v1/notifications', { token: res.token }), 'notifications').items;
      if (!list.length) throw new Error('fixture: the resident has no notification');
      return list[0].id;
    });
  }

  async tokenId(actor) {
    const items = this.ok(await this.s.req('GET', '/api/v1/auth/tokens', { token: actor.token }), 'tokens').items;
    return items.find((t) => t.name === 'authz').id;
  }

  async o311Token() {
    return this.memo('o311 token', async () => {
      const g = this.a.grid;
      const body = `api_key=${g.token}&service_code=sewer&description=blocked+drain&attribute[place_node_id]=${g.home}`;
      const r = await this.s.req('POST', '/open311/v2/requests.json', { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      if (r.status !== 201) throw new Error(`fixture: open311 post: ${r.status}`);
      return r.json[0].token;
    });
  }

  // --- placeholders

  place(actor, pos, row) {
    const id = actor.at[pos];
    if (!id) throw new Error(`${row.where}: ${row.actor} has no ${pos} position`);
    return id;
  }

  async value(name, actor, pos, row, tags) {
    const m = /^(\w+?)(?:@(\w+))?(?:#(\w+))?$/.exec(name);
    if (!m) throw new Error(`${row.where}: bad placeholder {${name}}`);
    const [, what, at = pos, tag] = m;
    if (tag) {
      const key = `${what}@${at}#${tag}`;
      if (!tags.has(key)) tags.set(key, this.value(`${what}@${at}`, actor, pos, row, tags));
      return tags.get(key);
    }
    const res = this.a.resident;
    const node = () => this.place(actor, at, row);
    const neighbourOf = async (kind) => {
      const items = this.ok(await this.as('GET', `/api/v1/${kind}?node=${res.home}&limit=200`), kind).items;
      const other = items.find((x) => x.node_id === res.home && (kind === 'households' ? x.id !== res.user.household_id : x.household_id !== res.user.household_id));
      if (!other) throw new Error(`fixture: no neighbour ${kind}`);
      return other.id;
    };
    switch (what) {
      case 'node': return node();
      case 'home': return actor.home;
      case 'kind_below': return this.kindBelow(node());
      case 'today': return today();
      case 'tomorrow': return tomorrow();
      case 'month': return today().slice(0, 7);
      case 'uniq': return this.uniq();
      case 'household':
        if (actor === res && at === 'own') return res.user.household_id;
        if (actor === res && at === 'neighbour') return this.memo('neighbour household', () => neighbourOf('households'));
        return this.household(node());
      case 'person':
        if (actor === res && at === 'own') return res.user.person_id;
        if (actor === res && at === 'neighbour') return this.memo('neighbour person', () => neighbourOf('people'));
        return this.person(node());
      case 'org': return actor === this.a.org && at === 'own' ? actor.orgId : this.org(node());
      case 'webhook': return this.webhook(node());
      case 'case': return this.case(await this.kindOf(row), actor, at, node());
      case 'public_case': return this.publicCase(await this.kindOf(row), node());
      case 'file': return this.file(await this.kindOf(row), actor, at, node());
      case 'user':
        return at === 'own' && actor.user ? actor.user.id : this.target.id;
      case 'token':
        if (at === 'own') return this.tokenId(actor);
        return this.tokenId(actor === this.a.street ? this.a.grid : this.a.street);
      case 'notification': return this.residentNotification();
      case 'api_key': return actor.token || '';
      case 'o311_token': return this.o311Token();
      case 'fresh_node': return this.freshNode(node());
      case 'fresh_household': return this.freshHousehold(node());
      case 'fresh_person': return this.freshPerson(node());
      case 'fresh_role': return this.freshRole(node());
      case 'fresh_member': return this.freshMember(node());
      case 'fresh_user': return this.freshUser();
      case 'fresh_grant': return this.freshGrant(node());
      case 'fresh_case': return this.freshCase(await this.kindOf(row), actor, at, node());
      case 'fresh_token': {
        const name = this.uniq();
        const r = await this.s.req('POST', '/api/v1/auth/login', { body: { username: actor.username, password: actor.password, kind: 'api', name } });
        this.ok(r, 'fresh token');
        const items = this.ok(await this.s.req('GET', '/api/v1/auth/tokens', { token: actor.token }), 'tokens').items;
        return items.find((t) => t.name === name).id;
      }
      default: throw new Error(`${row.where}: unknown placeholder {${name}}`);
    }
  }

  async fill(text, actor, pos, row, tags) {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/\{([\w@#]+)\}/g)) {
      out += text.slice(last, m.index) + String(await this.value(m[1], actor, pos, row, tags));
      last = m.index + m[0].length;
    }
    return out + text.slice(last);
  }

  async auditHead() {
    const r = this.ok(await this.as('GET', '/api/v1/audit?limit=1'), 'audit');
    return r.items.length ? r.items[0].id : 0;
  }

  // Runs one row; returns a description of what went wrong, or null.
  async run(row, tags) {
    const name = row.actor.replace(/\+$/, '');
    let actor = this.a[name];
    if (row.actor.endsWith('+')) {
      // A fresh session of the account, for this row only.
      const r = await this.s.req('POST', '/api/v1/auth/login', { body: { username: actor.username, password: actor.password } });
      actor = { ...actor, token: this.ok(r, 'fresh session').token, cookie: false };
    }
    const path = await this.fill(row.path, actor, row.at, row, tags);
    const headers = {};
    let body;
    if (row.body === 'png') {
      body = PNG;
      headers['Content-Type'] = 'image/png';
    } else if (row.body?.startsWith('csv:')) {
      body = (await this.fill(row.body.slice(4), actor, row.at, row, tags)).replaceAll('\\n', '\n');
      headers['Content-Type'] = 'text/csv';
    } else if (row.body?.startsWith('form:')) {
      body = await this.fill(row.body.slice(5), actor, row.at, row, tags);
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (row.body) {
      body = JSON.parse(await this.fill(row.body, actor, row.at, row, tags));
    }
    let token;
    if (actor.cookie) {
      headers.Cookie = `linli_session=${actor.token}`;
      if (actor.csrf) headers['X-CSRF-Token'] = actor.csrf;
    } else token = actor.token;
    const refusedWrite = row.method !== 'GET' && (row.want.status === 401 || row.want.status === 403);
    const audit = refusedWrite ? await this.auditHead() : 0;
    const r = await this.s.req(row.method, path, { body, token, headers });
    const err = Array.isArray(r.json) ? { code: String(r.json[0]?.code) } : r.json?.error || {};
    const what = `${row.where}: ${row.actor} ${row.at} ${row.method} ${path}`;
    const got = `${r.status}${err.code ? ` ${err.code}` : ''}${err.field ? ` field=${err.field}` : ''}`;
    if (r.status !== row.want.status) return `${what}: expected ${row.want.status}, got ${got} ${err.message || ''}`;
    if (row.want.code && err.code !== row.want.code) return `${what}: expected code=${row.want.code}, got ${got}`;
    if (row.want.field && err.field !== row.want.field) return `${what}: expected field=${row.want.field}, got ${got}`;
    if ((name === 'anon' || name === 'forged') && r.status === 401 && path.startsWith('/api/') && err.code !== 'unauthorized')
      return `${what}: a 401 without error.code unauthorized (${got})`;
    if (refusedWrite && (await this.auditHead()) !== audit) return `${what}: refused (${r.status}) but wrote an audit row`;
    return null;
  }
}

test('every row of tests/data/authz.tsv gives its status', async (t) => {
  const failures = [];
  const tags = new Map();
  for (const row of rows) {
    try {
      const bad = await fx.run(row, tags);
      if (bad) failures.push(bad);
    } catch (e) {
      failures.push(`${row.where}: ${e.message}`);
    }
  }
  t.diagnostic(`${rows.length} rows, ${failures.length} failed`);
  assert.deepEqual(failures, [], `\n${failures.join('\n')}\n`);
});

// ---------------------------------------------------------------------------
// Sequences the table cannot say in single rows.

test('public contact list shows names, roles and published phones only', async () => {
  const circle = fx.a.head.home;
  const r = await s.req('GET', `/api/v1/nodes/${circle}/contacts`);
  assert.equal(r.status, 200);
  const roles = r.json.items.map((c) => c.role);
  assert.ok(roles.includes('neighbour_head'));
  assert.ok(roles.includes('community_secretary'));
  for (const c of r.json.items) {
    assert.deepEqual(Object.keys(c).sort(), ['name', 'node_id', 'node_name', 'public_phone', 'role', 'role_name', 'role_name_en', 'since']);
  }
});

test('a cookie session: reads without, writes with the CSRF token; logout ends it', async () => {
  const login = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1' } });
  const cookie = login.headers.get('set-cookie');
  assert.match(cookie, /linli_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/);
  const session = cookie.split(';')[0];
  const read = await s.req('GET', '/api/v1/auth/me', { headers: { Cookie: session } });
  assert.equal(read.status, 200);
  const body = { parent_id: 1, kind: 'community', name: 'CSRF社区' };
  const noToken = await s.req('POST', '/api/v1/nodes', { body, headers: { Cookie: session } });
  assert.equal(noToken.status, 403);
  assert.equal(noToken.json.error.code, 'csrf');
  const withToken = await s.req('POST', '/api/v1/nodes', { body, headers: { Cookie: session, 'X-CSRF-Token': login.json.csrf_token } });
  assert.equal(withToken.status, 201);
  const out = await s.req('POST', '/api/v1/auth/logout', { headers: { Cookie: session, 'X-CSRF-Token': login.json.csrf_token } });
  assert.equal(out.status, 200);
  assert.equal((await s.req('GET', '/api/v1/auth/me', { headers: { Cookie: session } })).status, 401);
});

test('grants reach the subtree and can be revoked', async () => {
  const admin = await s.login('admin');
  const comm = (await admin.get('/api/v1/nodes/1/children')).json.items[1];
  const u = await admin.post('/api/v1/users', { username: 'staff2', display_name: '社区干部', password: 'staff2-pass-2' });
  assert.equal(u.status, 201);
  const g = await admin.post(`/api/v1/users/${u.json.id}/grants`, { node_id: comm.id, access: 'officer' });
  assert.equal(g.status, 201);
  const staff = await s.login('staff2', 'staff2-pass-2');
  assert.equal((await staff.get(`/api/v1/stats?node=${comm.id}`)).status, 200);
  assert.equal((await staff.get('/api/v1/stats?node=1')).status, 403);
  assert.equal((await staff.post(`/api/v1/users/${u.json.id}/grants`, { node_id: comm.id, access: 'manager' })).status, 403);
  assert.equal((await admin.del(`/api/v1/grants/${g.json.id}`)).status, 200);
  // The revocation reaches the session already open, not only new ones.
  assert.equal((await staff.get(`/api/v1/stats?node=${comm.id}`)).status, 403);
});

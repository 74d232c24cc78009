// The OpenAPI document matches the routes: every route is documented and
// nothing is documented that does not exist. The document is generated
// (src/api/openapi_gen.c): docs/openapi.json must be exactly what the
// server serves, and a real OpenAPI validator accepts it. Security headers
// are present.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Server, linli } from './lib.mjs';

const COMMITTED = new URL('../../docs/openapi.json', import.meta.url);

let s;
before(async () => { s = await Server.start({ kind: 'empty' }); });
after(async () => s && (await s.stop()));

test('every route is in /api/v1/openapi.json and vice versa', async () => {
  const r = await s.req('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.json;
  assert.match(doc.openapi, /^3\./);
  const routes = linli(['routes']).trim().split('\n').map((l) => l.split(' '));
  const documented = new Set();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const m of Object.keys(ops)) if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) documented.add(`${m.toUpperCase()} ${path}`);
  const actual = new Set(routes.map(([m, p]) => `${m} ${p}`));
  for (const a of actual) assert.ok(documented.has(a), `undocumented route ${a}`);
  for (const d of documented) assert.ok(actual.has(d), `documented route that does not exist: ${d}`);
  for (const [m, p] of routes) {
    const op = doc.paths[p][m.toLowerCase()];
    assert.ok(op.summary, `${m} ${p} has a summary`);
    assert.ok(op.responses, `${m} ${p} has responses`);
  }
});

// Byte for byte, not after parsing: the document is deterministic (static
// tables, fixed key order), so any difference, even of order or spacing,
// means docs/openapi.json was not regenerated (`make openapi`), and a
// byte-exact file keeps its git diffs to what really changed.
test('docs/openapi.json is exactly what the server serves and `linli openapi` writes', async () => {
  const served = (await s.req('GET', '/api/v1/openapi.json', { raw: true })).buf;
  const committed = readFileSync(COMMITTED);
  assert.ok(served.equals(committed), 'docs/openapi.json is stale: run `make openapi` and commit it');
  assert.ok(Buffer.from(linli(['openapi'])).equals(served), 'linli openapi writes what the server serves');
});

// swagger-parser (installed with the UI's packages, web/package-lock.json)
// validates the document against the OpenAPI 3.0 schema and its rules:
// every $ref resolves, path parameters are declared, operation ids unique.
test('a real OpenAPI validator accepts the document', async () => {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const SwaggerParser = require('@apidevtools/swagger-parser');
  const doc = JSON.parse(linli(['openapi']));
  const api = await SwaggerParser.validate(doc);
  assert.equal(api.openapi, '3.0.3');
});

test('schemas come from the field tables: limits, enums with labels, required, read-only', async () => {
  const doc = (await s.req('GET', '/api/v1/openapi.json')).json;
  const S = doc.components.schemas;
  assert.equal(S.Person.properties.name.maxLength, 50);
  assert.equal(S.Person.properties.id.readOnly, true);
  assert.deepEqual(S.PersonCreate.required, ['name']);
  assert.equal(S.PersonCreate.additionalProperties, false);
  assert.equal(S.PersonCreate.properties.status, undefined, 'read-only fields are not input');
  assert.equal(S.Person.properties.gender['x-enum-labels-zh'].F, '女');
  assert.equal(S.Person.properties.gender['x-enum-labels-en'].M, 'male');
  assert.equal(S.NodeUpdate.properties.kind, undefined, 'set-on-create fields are not in updates');
  // A case kind: its states are its record's status, its actions the {action} enum.
  const kinds = (await s.req('GET', '/api/v1/case-kinds', { token: (await s.login('admin')).token })).json.items;
  const req = kinds.find((k) => k.path === 'requests');
  assert.deepEqual(S.Request.properties.status.enum, req.states.map((x) => x.code));
  assert.equal(S.Request.properties.status['x-enum-labels-zh'].new, req.states[0].name_zh);
  const act = doc.paths['/api/v1/requests/{id}/{action}'].post.parameters.find((p) => p.name === 'action');
  assert.deepEqual(act.schema.enum, req.actions.map((a) => a.code));
  assert.equal(S.RequestActionRate.properties.comment.maxLength, 500);
  // Every operation answers errors in the one envelope.
  for (const [p, ops] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(ops))
      assert.ok(op.responses['500']?.$ref, `${m} ${p} documents 500`);
  assert.ok(S.Error.properties.error);
  assert.deepEqual(doc.security, [{ bearerAuth: [] }, { cookieAuth: [] }]);
});

test('responses carry the security headers', async () => {
  const r = await s.req('GET', '/api/v1/health');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

// The headers a route documents on success are the ones it sends (and the
// ones it sends are documented): read from the document, not restated.
test('documented response headers are sent', async () => {
  const doc = (await s.req('GET', '/api/v1/openapi.json')).json;
  const documented = (path, method) => Object.keys(doc.paths[path][method].responses['200'].headers || {}).map((h) => h.toLowerCase()).sort();
  const login = await s.req('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'linli-admin-1' } });
  assert.equal(login.status, 200);
  const token = login.json.token;
  const node = (await s.req('GET', '/api/v1/nodes?limit=1', { token })).json.items?.[0]?.id;
  assert.ok(node, 'the database has a root node');
  const cookie = { Cookie: `linli_session=${token}`, 'X-CSRF-Token': login.json.csrf_token };
  const calls = [
    ['/api/v1/auth/login', 'post', login],
    ['/api/v1/nodes/{id}/qr.png', 'get', await s.req('GET', `/api/v1/nodes/${node}/qr.png`, { token })],
    ['/api/v1/export/{list}', 'get', await s.req('GET', '/api/v1/export/people?format=csv', { token })],
    ['/api/v1/auth/logout', 'post', await s.req('POST', '/api/v1/auth/logout', { headers: cookie })],
  ];
  const linliHeaders = ['set-cookie', 'content-disposition', 'x-row-count', 'x-qr-link'];
  for (const [path, method, r] of calls) {
    assert.equal(r.status, 200, `${method} ${path}: ${r.status}`);
    const sent = linliHeaders.filter((h) => r.headers.get(h) !== null).sort();
    assert.deepEqual(sent, documented(path, method), `${method} ${path}`);
  }
});

// The OpenAPI document matches the routes: every route is documented and
// nothing is documented that does not exist. Security headers are present.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, linli } from './lib.mjs';

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

test('responses carry the security headers', async () => {
  const r = await s.req('GET', '/api/v1/health');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

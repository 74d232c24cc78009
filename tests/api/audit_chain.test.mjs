// The tamper-evident audit trail, end to end: writes through the API land
// in per-community chains, concurrent writers on one chain keep it whole,
// `linli check` passes an untouched database and fails, naming the row,
// once one audit row is changed directly in the database (the append-only
// trigger dropped first, as whoever holds the database file could).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Server, PG, linli } from './lib.mjs';

let s;
after(async () => s && (await s.stop()));

function sql(db, text) {
  if (PG) execFileSync('psql', ['-qX', '-v', 'ON_ERROR_STOP=1', db, '-c', text], { stdio: ['ignore', 'ignore', 'pipe'] });
  else execFileSync('sqlite3', [db, text], { stdio: ['ignore', 'ignore', 'pipe'] });
}
function check(db) {
  try {
    return { code: 0, out: linli(['check', '--db', db]) };
  } catch (err) {
    return { code: err.status, out: String(err.stderr) };
  }
}

test('audit chains: intact after concurrent writes, broken by one changed row, which check names', async () => {
  s = await Server.start({ kind: 'empty' });
  const admin = await s.login('admin');
  const street = (await admin.get('/api/v1/nodes')).json.items[0];
  const comm = (await admin.post('/api/v1/nodes', { parent_id: street.id, kind: 'community', name: '链社区' })).json;
  const other = (await admin.post('/api/v1/nodes', { parent_id: street.id, kind: 'community', name: '邻社区' })).json;
  // Forty writers at once on the same community's chain (and some on another).
  const writes = [];
  for (let i = 0; i < 40; i++)
    writes.push(admin.post('/api/v1/households', { node_id: i % 4 ? comm.id : other.id, address: `${i + 1}号` }));
  const done = await Promise.all(writes);
  assert.ok(done.every((r) => r.status === 201), done.map((r) => r.status).join(','));
  const ok = check(s.db);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /^ok \(\d+ audit rows chained and intact\)/);

  // One household's audit row rewritten in the database.
  const row = (await admin.get(`/api/v1/audit?entity=household&id=${done[5].json.id}`)).json.items[0];
  const drop = PG ? 'ALTER TABLE audit DISABLE TRIGGER audit_keep;' : 'DROP TRIGGER audit_append_only;';
  sql(s.db, `${drop} UPDATE audit SET after = replace(after, '6号', '66号') WHERE id = ${row.id}`);
  const bad = check(s.db);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, new RegExp(`audit chain ${comm.id}: row ${row.id}: .*hash mismatch`));
  assert.doesNotMatch(bad.out, new RegExp(`audit chain ${other.id}:`), 'the other chain is intact');
});

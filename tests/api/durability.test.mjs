// Durability and operations: an acknowledged write survives kill -9 of the
// server; backup while serving; integrity check; the user CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Server, linli, PG, newDatabase, dropDatabase, keyFile } from './lib.mjs';

let s;
before(async () => { s = await Server.start({ kind: 'empty' }); });
after(async () => s && (await s.stop()));

test('acknowledged writes survive kill -9', async () => {
  const admin = await s.login('admin');
  const comm = await admin.post('/api/v1/nodes', { parent_id: 1, kind: 'community', name: '持久社区' });
  assert.equal(comm.status, 201);
  const hh = await admin.post('/api/v1/households', { node_id: comm.json.id, address: '1栋101' });
  // Writes race with the kill: 16 writers keep writing until the server
  // dies, so writes are always in flight (grouped commits answer many at
  // once); the kill comes once 100 are acknowledged. Every one that got a
  // 2xx must survive.
  const acked = [];
  let killed;
  const writer = async (w) => {
    for (let i = 0; ; i++) {
      try {
        const r = await admin.post('/api/v1/people', { household_id: hh.json.id, name: `居民${w}-${i}` });
        if (r.status === 201) acked.push(r.json.id);
      } catch {
        return; /* the server is gone */
      }
      if (acked.length >= 100 && !killed) killed = s.kill('SIGKILL');
      if (killed) return;
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
  await killed;
  assert.ok(acked.length >= 100);
  assert.ok(acked.length > 0);
  await s.launch();
  const again = await s.login('admin');
  for (const id of acked) {
    const r = await again.get(`/api/v1/people/${id}`);
    assert.equal(r.status, 200, `acknowledged person ${id} lost`);
  }
  // Each acknowledged create has its audit row too (same transaction).
  const audit = await again.get(`/api/v1/audit?entity=person&id=${acked[acked.length - 1]}`);
  assert.equal(audit.json.items[0].action, 'create');
});

test('online backup and integrity check', async () => {
  const admin = await s.login('admin');
  const out = join(s.dir, 'backup.db');
  // Keep writing while the backup runs.
  const busy = (async () => {
    for (let i = 0; i < 30; i++) await admin.post('/api/v1/nodes', { parent_id: 1, kind: 'community', name: `备份中${i}` });
  })();
  const msg = linli(['backup', '--db', s.db, '--out', out]);
  await busy;
  assert.match(msg, /backup written/);
  assert.ok(existsSync(out));
  // Only its owner may read it, whatever the umask (it was 0644).
  assert.equal(statSync(out).mode & 0o777, 0o600);
  // The backup is a working database: it can be checked, served and read.
  // PostgreSQL's is pg_dump's custom format, restored with pg_restore.
  let restored = out;
  if (PG) {
    restored = newDatabase(s.dir, 'restored');
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored, out]);
  }
  assert.match(linli(['check', '--db', restored, '--key', keyFile(s.db)]), /ok/);
  assert.match(linli(['check', '--db', s.db]), /ok/);
  const copy = new Server();
  copy.dir = s.dir; copy.db = restored; copy.extra = ['--key', keyFile(s.db)];
  await copy.launch();
  const a2 = await copy.login('admin');
  const kids = await a2.get('/api/v1/nodes/1/children?limit=100');
  assert.ok(kids.json.items.some((n) => n.name === '持久社区'));
  await copy.kill();
  dropDatabase(restored);
});

test('user administration from the CLI', async () => {
  const add = JSON.parse(linli(['user', 'add', '--db', s.db, '--username', 'clerk', '--password', 'clerk-pass-1', '--name', '文员']));
  assert.equal(add.username, 'clerk');
  const grant = JSON.parse(linli(['user', 'grant', '--db', s.db, '--username', 'clerk', '--node', '1', '--access', 'viewer']));
  assert.equal(grant.access, 'viewer');
  const list = JSON.parse(linli(['user', 'list', '--db', s.db]));
  assert.ok(list.find((u) => u.username === 'clerk').grants.some((g) => g.access === 'viewer'));
  const clerk = await s.login('clerk', 'clerk-pass-1');
  assert.equal((await clerk.get('/api/v1/stats?node=1')).status, 200);
  linli(['user', 'passwd', '--db', s.db, '--username', 'clerk', '--password', 'clerk-pass-2']);
  assert.equal((await clerk.get('/api/v1/auth/me')).status, 401, 'sessions end with a new password');
  const clerk2 = await s.login('clerk', 'clerk-pass-2');
  linli(['user', 'revoke', '--db', s.db, '--grant', String(grant.id)]);
  assert.equal((await clerk2.get('/api/v1/stats?node=1')).status, 403);
  assert.throws(() => linli(['user', 'add', '--db', s.db, '--username', 'clerk', '--password', 'whatever-pass-1']), /taken|exists/);
  assert.throws(() => linli(['user', 'add', '--db', s.db, '--username', 'short', '--password', '123']), /10/);
  assert.throws(() => linli(['frobnicate']));
  assert.match(linli(['serve', '--help']), /--listen/);
});

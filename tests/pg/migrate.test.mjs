// `linli migrate`: a live SQLite deployment is copied to PostgreSQL while
// its server keeps taking writes. The copy is one consistent snapshot, the
// PostgreSQL server then gives the same answers as the SQLite one, the key
// and the photos come along, a non-empty target or a different key is
// refused without changing anything, and `--verify-only` finds one altered
// value.
// Runs only on PostgreSQL (LINLI_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Server, PG, BIN, linli, newDatabase, dropDatabase, keyFile } from '../api/lib.mjs';

let src, dst, dstDir, url;
const extraDbs = [];

// The server writing to SQLite: a street demo with a history of requests.
// (Server.start would make a PostgreSQL database under LINLI_TEST_PG.)
async function startSqliteDemo() {
  const s = new Server();
  s.dir = mkdtempSync(join(tmpdir(), 'linli-migrate-'));
  s.db = join(s.dir, 'live.db');
  linli(['demo', '--db', s.db, '--requests', '200']);
  s.extra = ['--tick', '3600'];
  await s.launch();
  return s;
}

function migrate(args, cwd) {
  return new Promise((resolve) => {
    execFile(BIN, ['migrate', ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });
}

const psql = (db, sql) =>
  execFileSync('psql', ['-qXtA', '-v', 'ON_ERROR_STOP=1', db, '-c', sql], { encoding: 'utf8' }).trim();

before(async () => {
  assert.ok(PG, 'LINLI_TEST_PG must name the private PostgreSQL server');
  src = await startSqliteDemo();
  dstDir = mkdtempSync(join(tmpdir(), 'linli-migrate-pg-'));
  url = newDatabase(dstDir, 'copy');
});

after(async () => {
  if (src) await src.stop();
  if (dst) await dst.stop();
  else if (url) dropDatabase(url);
  for (const db of extraDbs) dropDatabase(db);
  if (dstDir) rmSync(dstDir, { recursive: true, force: true });
});

// The request statistics list their groups in the order the cases were
// scanned, which is the engine's: compared as sets.
function groupsSorted(stats) {
  const out = { ...stats };
  for (const [k, v] of Object.entries(stats))
    if (Array.isArray(v) && k.startsWith('by_'))
      out[k] = [...v].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return out;
}

// Everything a page of the console shows for community B, from one server.
async function answers(server, b, ids) {
  const admin = await server.login('admin');
  const get = async (path) => {
    const r = await admin.get(path);
    assert.equal(r.status, 200, `${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const photo = await admin.req('GET', `/api/v1/files/${ids.file}`, { raw: true });
  assert.equal(photo.status, 200);
  return {
    nodeStats: await get(`/api/v1/stats?node=${b}`),
    requestStats: groupsSorted(await get(`/api/v1/requests/stats?node=${b}`)),
    residents: await get(`/api/v1/people?node=${b}&limit=50`),
    residentsPage2: await get(`/api/v1/people?node=${b}&limit=50&cursor=${(await get(`/api/v1/people?node=${b}&limit=50`)).next_cursor}`),
    person: await get(`/api/v1/people/${ids.person}?reveal=1`),
    request: await get(`/api/v1/requests/${ids.request}`),
    search: await get(`/api/v1/requests?node=${b}&q=${encodeURIComponent('楼道灯')}&limit=100`),
    searchTraditional: await get(`/api/v1/requests?node=${b}&q=${encodeURIComponent('樓道口')}&limit=100`),
    photo: photo.buf.toString('base64'),
  };
}

// The names 迁移N of the people in household hh, as the numbers N.
async function writerPeople(server, node, hh) {
  const admin = await server.login('admin');
  const seen = [];
  let cursor = '';
  for (;;) {
    const r = await admin.get(`/api/v1/people?node=${node}&household=${hh}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    for (const p of r.json.items) if (/^迁移\d+$/.test(p.name)) seen.push(Number(p.name.slice(2)));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  return seen.sort((x, y) => x - y);
}

test('a live SQLite deployment is copied to PostgreSQL, verified, and serves the same answers', async () => {
  const admin = await src.login('admin');
  const communities = (await admin.get('/api/v1/nodes/1/children')).json.items.filter((n) => n.kind === 'community');
  const [a, b] = communities;
  // The writer works in community A; community B is compared.
  const placeA = (await admin.get(`/api/v1/nodes/${a.id}/children`)).json.items[0].id;
  const hhA = (await admin.post('/api/v1/households', { node_id: placeA, address: '迁移楼1栋101' })).json.id;
  assert.ok(hhA);
  const placeB = (await admin.get(`/api/v1/nodes/${b.id}/children`)).json.items[0].id;
  // A request in B with a photo, so the photo directory has something to copy.
  const reqB = await admin.post('/api/v1/requests', { category: 'sewer', description: '下水道堵了，污水漫到楼道口。', place_node_id: placeB });
  assert.equal(reqB.status, 201, JSON.stringify(reqB.json));
  // A PNG signature and IHDR (64×48: photos must declare their size), then random bytes.
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000400000003008060000000000000000', 'hex'), randomBytes(600)]);
  const up = await admin.req('POST', `/api/v1/requests/${reqB.json.id}/files`, { body: png, headers: { 'Content-Type': 'image/png' } });
  assert.equal(up.status, 201, JSON.stringify(up.json));
  const detail = (await admin.get(`/api/v1/requests/${reqB.json.id}`)).json;
  const person = (await admin.get(`/api/v1/people?node=${b.id}&limit=1`)).json.items[0];

  // Keep writing while the copy runs: people one after another (so the
  // copy must hold a prefix of them) and now and then a request.
  let acked = 0;
  let running = true;
  const writer = (async () => {
    for (let i = 0; running; i++) {
      const r = await admin.post('/api/v1/people', { household_id: hhA, name: `迁移${i}` });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      acked = i + 1;
      if (i % 5 === 0) {
        const q = await admin.post('/api/v1/requests', { category: 'noise', description: `迁移期间第${i}号：楼上噪音`, place_node_id: placeA });
        assert.equal(q.status, 201, JSON.stringify(q.json));
      }
    }
  })();
  while (acked < 20) await new Promise((r) => setTimeout(r, 10));
  const ackedBefore = acked;
  const run = await migrate(['--from', src.db, '--to', url], dstDir);
  running = false;
  await writer;
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /verified in .*: equal/);
  for (const t of ['nodes', 'people', 'cases', 'case_events', 'cases_fts', 'audit', 'sessions', 'role_types'])
    assert.match(run.stdout, new RegExp(`^${t} +\\d+ +[0-9a-f]{16} +ok$`, 'm'), t);
  assert.doesNotMatch(run.stdout, /MISMATCH/);
  assert.match(run.stdout, /photos: 1 copied/);
  // The key came along, byte for byte.
  assert.deepEqual(readFileSync(keyFile(url)), readFileSync(src.db + '.key'));

  dst = new Server();
  dst.dir = dstDir;
  dst.db = url;
  dst.extra = ['--key', keyFile(url), '--tick', '3600'];
  await dst.launch();

  // One snapshot: the copy holds the writer's people 0..k-1 with no gap,
  // at least those acknowledged before the copy began; the source went on.
  const copied = await writerPeople(dst, a.id, hhA);
  assert.deepEqual(copied, [...Array(copied.length).keys()], 'the copy is a prefix of the writes');
  assert.ok(copied.length >= ackedBefore, `${copied.length} < ${ackedBefore}`);
  const live = await writerPeople(src, a.id, hhA);
  assert.equal(live.length, acked);
  assert.ok(live.length > copied.length, 'writes went on during the copy');

  // The same answers from both servers.
  const ids = { person: person.id, request: reqB.json.id, file: detail.files[0].id };
  const fromSqlite = await answers(src, b.id, ids);
  const fromPg = await answers(dst, b.id, ids);
  assert.ok(fromSqlite.residents.items.length === 50 && fromSqlite.residentsPage2.items.length > 0);
  assert.ok(/^\d{17}[\dX]$/.test(fromSqlite.person.id_card), 'the ID card is revealed');
  assert.ok(fromSqlite.request.events.length >= 2, 'the request has a timeline');
  assert.ok(fromSqlite.search.items.length > 0, 'the search finds requests');
  assert.ok(fromSqlite.searchTraditional.items.some((x) => x.id === reqB.json.id));
  assert.equal(fromSqlite.photo, png.toString('base64'));
  assert.ok(fromSqlite.nodeStats.totals.residents > 0 && fromSqlite.requestStats.totals.received > 0);
  for (const k of Object.keys(fromSqlite)) assert.deepEqual(fromPg[k], fromSqlite[k], k);

  // New rows on PostgreSQL get fresh ids (the identity sequences moved on,
  // sessions' rowid stand-in too: logging in adds one).
  const dadmin = await dst.login('admin');
  const np = await dadmin.post('/api/v1/people', { household_id: hhA, name: '迁移后新人' });
  assert.equal(np.status, 201, JSON.stringify(np.json));
  const nr = await dadmin.post('/api/v1/requests', { category: 'sewer', description: '迁移后的新诉求', place_node_id: placeB });
  assert.equal(nr.status, 201, JSON.stringify(nr.json));
});

test('a target with a linli schema, or with another key, is refused and left as it was', async () => {
  const tables = ['people', 'cases', 'audit', 'sessions', 'nodes'];
  const counts = () => tables.map((t) => psql(url, `SELECT count(*) FROM ${t}`)).join(',');
  const before = counts();
  const key = readFileSync(keyFile(url));
  const again = await migrate(['--from', src.db, '--to', url], dstDir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already has a linli schema/);
  assert.equal(counts(), before);
  assert.deepEqual(readFileSync(keyFile(url)), key);

  const other = newDatabase(dstDir, 'otherkey');
  extraDbs.push(other);
  writeFileSync(keyFile(other), randomBytes(32), { mode: 0o600 });
  const refused = await migrate(['--from', src.db, '--to', other], dstDir);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /not the source's key/);
  assert.equal(psql(other, "SELECT to_regclass('linli_schema') IS NULL"), 't');
  assert.equal(psql(other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
});

test('--verify-only: equal copies pass, one altered value is found', async () => {
  // The source takes no more writes from here on: a second copy of it is
  // equal until the target is altered behind linli's back.
  const quiet = newDatabase(dstDir, 'quiet');
  extraDbs.push(quiet);
  const run = await migrate(['--from', src.db, '--to', quiet, '--to-key', join(dstDir, 'quiet.key')], dstDir);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(existsSync(join(dstDir, 'quiet.key')));
  const ok = await migrate(['--verify-only', '--from', src.db, '--to', quiet], dstDir);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.match(ok.stdout, /: equal/);

  psql(quiet, "UPDATE people SET name = name || '改' WHERE id = (SELECT min(id) FROM people)");
  const bad = await migrate(['--verify-only', '--from', src.db, '--to', quiet], dstDir);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^people +\d+ +[0-9a-f]{16} +MISMATCH/m);
  assert.match(bad.stdout, /^households +\d+ +[0-9a-f]{16} +ok$/m);
  assert.equal((bad.stdout.match(/MISMATCH/g) || []).length, 1);
  assert.match(bad.stdout, /DIFFERENT/);
});

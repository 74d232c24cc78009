#!/usr/bin/env node
// bench/suite.mjs — the measurements of `make bench` (bench/run.sh builds
// the binaries and calls it, then bench/report.mjs prints the table).
//
// One run measures, one after the other on this machine:
//   - the baselines: a bare libmicrohttpd hello-world (bench/hello.c) at
//     BENCH_CONNECTIONS (16) connections, and raw SQLite durable commits,
//     one row per transaction (bench/raw_commit.c), on the same file system;
//   - for each backend in BENCH_BACKENDS ("sqlite postgres"), on a fresh
//     copy of the demo database (writes of one run never reach the next):
//     GET one person and one request, lists of 25 requests and of 25
//     residents at three nodes (the busiest community, a node holding about
//     10, a node holding none; picked by SQL on the SQLite file), registry
//     and request statistics warm (load) and cold (the first read after a
//     write, timed one by one), and creating requests at 1 and at 16
//     connections (on SQLite also with --no-group-commit), each writing
//     phase on a server of its own so its shutdown line's writes per commit
//     are that phase's; RSS and PSS of the server (and, on PostgreSQL, summed
//     over the database server's processes), idle and at the peak of load.
// Load comes from bench/load.mjs (every request's latency). Servers run with
// --rate 0. Results go to build/bench/results-SCALE.json.
//
// Environment: BENCH_SCALE street|city (city), BENCH_BACKENDS, BENCH_SECONDS
// (10 per scenario), BENCH_WARMUP (1, discarded), BENCH_CONNECTIONS (16),
// BENCH_CLIENT_THREADS (2), LINLI_PG_PORT (scripts/pg.sh).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRequests, Conn } from './load.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'build/bench');
const env = process.env;
const scale = env.BENCH_SCALE || 'city';
const backends = (env.BENCH_BACKENDS || 'sqlite postgres').split(/\s+/).filter(Boolean);
const secs = Number(env.BENCH_SECONDS || 10);
const warmup = Number(env.BENCH_WARMUP || 1);
const conns = Number(env.BENCH_CONNECTIONS || 16);
const clientThreads = Number(env.BENCH_CLIENT_THREADS || 2);
const COLD_TIMES = 5;
const linli = path.join(dir, 'linli');
const goldDb = path.join(dir, `${scale}.db`);
const keyFile = `${goldDb}.key`;

const log = (...a) => console.error('bench:', ...a);
const sh = (cmd, args, opts = {}) => (execFileSync(cmd, args, { encoding: 'utf8', cwd: root, ...opts }) ?? '').trim();
const sq = (sql) => JSON.parse(sh('sqlite3', ['-readonly', '-json', goldDb, sql]) || '[]');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (kb) => Math.round(kb / 102.4) / 10;
// Seconds a call takes, to 0.1 s.
const timed = (fn) => {
  const t = performance.now();
  fn();
  return Math.round((performance.now() - t) / 100) / 10;
};

for (const f of [linli, path.join(dir, 'hello'), path.join(dir, 'raw_commit')])
  if (!fs.existsSync(f)) throw new Error(`${f} missing: run \`make bench\``);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---- memory: RSS and PSS from /proc/PID/smaps_rollup (kB) ----
function memOf(pid) {
  try {
    const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] || 0);
    return { rss: kb('Rss'), pss: kb('Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

// The PostgreSQL server's processes: the postmaster named in its data
// directory and its children (backends, checkpointer, walwriter …).
function pgProcs(dataDir, dbName) {
  const pm = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const all = [pm];
  const mine = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pm) continue;
      all.push(Number(p));
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(` ${dbName} `)) mine.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return { all, mine };
}

function sumMem(pids) {
  const m = { rss: 0, pss: 0, procs: pids.length };
  for (const p of pids) {
    const x = memOf(p);
    m.rss += x.rss;
    m.pss += x.pss;
  }
  return m;
}

// One sample of every process we watch, in MiB.
function memSample(srv) {
  const s = { linli: memOf(srv.proc.pid) };
  if (srv.pg) {
    const { all, mine } = pgProcs(srv.pg.dataDir, srv.pg.db);
    s.pg_all = sumMem(all);
    s.pg_backends = sumMem(mine);
  }
  for (const v of Object.values(s)) (v.rss = mib(v.rss)), (v.pss = mib(v.pss));
  return s;
}

function memMax(a, b) {
  if (!a) return b;
  const out = {};
  for (const k of Object.keys(b)) {
    out[k] = { ...b[k] };
    for (const f of ['rss', 'pss', 'procs']) if (a[k] && a[k][f] > (out[k][f] ?? -1)) out[k][f] = a[k][f];
  }
  return out;
}

// ---- servers ----
// Every process started here, stopped if the run ends early.
const live = new Set();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

async function startServer(name, dbArg, extra = [], pg = null) {
  const port = await freePort();
  const logPath = path.join(dir, `serve-${name}.log`);
  const out = fs.openSync(logPath, 'w');
  // --tick 3600: the figures are for serving; the clocks' catch-up on the
  // demo's history is not part of them. --rate 0: no rate limit.
  const args = ['serve', '--db', dbArg, '--key', keyFile, '--listen', `127.0.0.1:${port}`, '--rate', '0', '--tick', '3600', ...extra];
  const proc = spawn(linli, args, { cwd: dir, stdio: ['ignore', out, out] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  let exited = null;
  proc.once('exit', (code, sig) => (exited = sig || code));
  for (let i = 0; ; i++) {
    if (exited !== null) throw new Error(`server ${name} exited (${exited}); see ${logPath}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`server ${name} did not come up; see ${logPath}`);
    await sleep(100);
  }
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'linli-admin-1', kind: 'api', name: 'bench' }),
  });
  if (!r.ok) throw new Error(`login: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  return { name, proc, base, token, logPath, pg, mem: null };
}

async function stopServer(srv) {
  const done = new Promise((r) => (srv.proc.exitCode !== null ? r() : srv.proc.once('exit', r)));
  srv.proc.kill('SIGTERM');
  const t = setTimeout(() => srv.proc.kill('SIGKILL'), 60000);
  await done;
  clearTimeout(t);
  // "group commit: W writes in C commits (… per commit, largest L, F failed)"
  const m = /group commit: (\d+) writes in (\d+) commits \(([\d.]+) per commit, largest (\d+), (\d+) failed\)/.exec(
    fs.readFileSync(srv.logPath, 'utf8'),
  );
  return m ? { writes: +m[1], commits: +m[2], per_commit: +m[3], largest: +m[4], failed: +m[5] } : null;
}

// ---- load ----
// Runs bench/load.mjs against the server for one scenario, sampling the
// server's memory every second meanwhile.
async function load(srv, { path: p, pathsFile, method, body, conns: c = conns }) {
  const args = [path.join(root, 'bench/load.mjs'), '--url', `${srv.base}${p || '/'}`, '--conns', String(c), '--secs', String(secs),
    '--warmup', String(warmup), '--threads', String(Math.min(clientThreads, c))];
  if (srv.token) args.push('--token', srv.token);
  if (pathsFile) args.push('--paths-file', pathsFile);
  if (method) args.push('--method', method);
  if (body) args.push('--body', body);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const sampler = srv.proc ? setInterval(() => (srv.mem = memMax(srv.mem, memSample(srv))), 1000) : null;
  const code = await new Promise((r) => child.once('exit', r));
  if (sampler) clearInterval(sampler);
  if (code !== 0) throw new Error(`load.mjs exited with ${code}`);
  return JSON.parse(out);
}

// One request on a kept-alive connection, timed (ms): the cold reads.
function once(conn, srv, method, p, body) {
  const { reqs } = buildRequests({ url: `${srv.base}${p}`, method, body: body || '', token: srv.token, headers: [] });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    conn.send(reqs[0], (status, err) => {
      if (!status) return reject(err);
      resolve({ status, ms: Math.round((performance.now() - t0) * 100) / 100 });
    });
  });
}

// ---- the data: the demo, its PostgreSQL copy, the nodes the lists read ----
function demo() {
  const secsFile = path.join(dir, `${scale}.import-seconds`);
  if (!fs.existsSync(goldDb) || !fs.existsSync(secsFile)) {
    log(`generating the ${scale} demo (minutes at city scale)`);
    for (const f of [goldDb, `${goldDb}-wal`, `${goldDb}-shm`, keyFile, `${goldDb}.audit.key`]) fs.rmSync(f, { force: true });
    const s = timed(() => sh(linli, ['demo', '--db', goldDb, '--scale', scale], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }));
    fs.writeFileSync(secsFile, `${s}\n`);
  }
  return Number(fs.readFileSync(secsFile, 'utf8'));
}

// A subtree count per node: [path, path || '~') is a node's subtree.
const subtree = (table) => `(SELECT count(*) FROM ${table} x WHERE x.node_path >= n.path AND x.node_path < n.path || '~')`;

function pickNodes(table) {
  const [busy] = sq(`SELECT n.id, n.name, n.kind, n.path, ${subtree(table)} AS k FROM nodes n WHERE n.kind = 'community' ORDER BY k DESC, n.id LIMIT 1`);
  // The first node below `under` (a path; '' = the whole tree) meeting cond.
  const within = (cond, order, under = busy.path) =>
    sq(`SELECT id, name, kind, path, k FROM (SELECT n.id, n.name, n.kind, n.path, n.depth, ${subtree(table)} AS k FROM nodes n
        WHERE n.path > '${under}' AND n.path < '${under}~') WHERE ${cond} ORDER BY ${order} LIMIT 1`)[0];
  const ten = within('k > 0', 'abs(k - 10), depth DESC, id');
  // A node with none: in the community if it has one, else below its root,
  // else anywhere (at street scale every node of the street holds residents;
  // the party tree's hold none).
  const top = busy.path.split('/')[1];
  const zero =
    within('k = 0', 'depth, id') ||
    within('k = 0', 'depth, id', `/${top}/`) ||
    within('k = 0', 'depth, id', '');
  return { busy, ten, zero };
}

function pathsFile(name, sql, make) {
  const f = path.join(dir, `paths-${name}.txt`);
  fs.writeFileSync(f, sq(sql).map((r) => make(r.id)).join('\n') + '\n');
  return f;
}

function pgSetup() {
  const pgenv = { ...env, LINLI_PG_PORT: env.LINLI_PG_PORT || '55432' };
  const server = sh('scripts/pg.sh', ['start'], { env: pgenv });
  const dataDir = sh('scripts/pg.sh', ['data'], { env: pgenv });
  const gold = `bench_${scale}`;
  const url = (db) => server.replace(/\/postgres$/, `/${db}`);
  const psql = (...cmds) =>
    sh('psql', ['-qXAt', server, ...cmds.flatMap((c) => ['-c', c])], { env: { ...env, PGOPTIONS: '-c client_min_messages=warning' } });
  const mark = path.join(dir, `${scale}.pg-copied`);
  if (!fs.existsSync(mark) || fs.statSync(mark).mtimeMs < fs.statSync(path.join(dir, `${scale}.import-seconds`)).mtimeMs) {
    log(`copying the ${scale} demo to PostgreSQL (linli migrate)`);
    psql(`DROP DATABASE IF EXISTS ${gold}`, `CREATE DATABASE ${gold}`);
    fs.rmSync(path.join(dir, `${gold}.key`), { force: true });
    fs.rmSync(path.join(dir, `${gold}.audit.key`), { force: true });
    const s = timed(() => sh(linli, ['migrate', '--from', `sqlite:${scale}.db`, '--to', url(gold)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }));
    fs.writeFileSync(mark, `${s}\n`);
  }
  return { server, dataDir, gold, url, psql, copy_s: Number(fs.readFileSync(mark, 'utf8')) };
}

// Import through the domain code: the street demo with 5,000 requests,
// generated on each backend once (kept in build/bench/import-B.seconds).
function importTimes(pg) {
  const out = {};
  for (const b of pg ? ['sqlite', 'postgres'] : ['sqlite']) {
    const f = path.join(dir, `import-${b}.seconds`);
    if (!fs.existsSync(f)) {
      log(`timing the street demo's import on ${b}`);
      let db = 'import.db';
      if (b === 'sqlite') for (const x of ['import.db', 'import.db.key', 'import.db.audit.key']) fs.rmSync(path.join(dir, x), { force: true });
      else {
        pg.psql('DROP DATABASE IF EXISTS bench_import', 'CREATE DATABASE bench_import');
        for (const x of ['bench_import.key', 'bench_import.audit.key']) fs.rmSync(path.join(dir, x), { force: true });
        db = pg.url('bench_import');
      }
      const s = timed(() => sh(linli, ['demo', '--db', db, '--requests', '5000'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }));
      fs.writeFileSync(f, `${s}\n`);
    }
    out[b] = Number(fs.readFileSync(f, 'utf8'));
  }
  return out;
}

// ---- the scenarios of one backend ----
async function benchBackend(b, pg, picks) {
  const res = { scenarios: [], cold: [], memory: {}, servers: {} };
  let dbArg;
  let pgInfo = null;
  if (b === 'sqlite') {
    dbArg = path.join(dir, 'run-sqlite.db');
    for (const x of ['', '-wal', '-shm']) fs.rmSync(dbArg + x, { force: true });
    // Everything in the file itself, then a plain copy.
    sh('sqlite3', [goldDb, 'PRAGMA wal_checkpoint(TRUNCATE)']);
    fs.copyFileSync(goldDb, dbArg);
  } else {
    pg.psql('DROP DATABASE IF EXISTS bench_run', `CREATE DATABASE bench_run TEMPLATE bench_${scale}`);
    dbArg = pg.url('bench_run');
    pgInfo = { dataDir: pg.dataDir, db: 'bench_run' };
  }
  const add = (id, name, r, extra = {}) => {
    res.scenarios.push({ id, name, ...extra, result: r });
    log(`${b} ${name}: ${r.rps} req/s, p99 ${r.p99} ms`);
  };
  const { people, requests } = picks;
  const createBody = JSON.stringify({ category: 'sewer', description: '压测：下水道堵了 / load test: blocked sewer', place_node_id: picks.place });

  // Reads, on one server.
  let srv = await startServer(`${b}-reads`, dbArg, [], pgInfo);
  res.memory.idle = memSample(srv);
  add('get_person', `GET one person (${picks.personCount.toLocaleString('en-US')} ids in turn)`, await load(srv, { pathsFile: picks.personPaths }), { ratio_to: 'hello' });
  add('get_request', `GET one request (${picks.requestCount.toLocaleString('en-US')} ids in turn)`, await load(srv, { pathsFile: picks.requestPaths }), { ratio_to: 'hello' });
  for (const [key, label] of [['busy', 'busiest community'], ['ten', 'a node with ~10'], ['zero', 'a node with 0']]) {
    const n = requests[key];
    add(`list_requests_${key}`, `list 25 requests: ${label} (${n.k.toLocaleString('en-US')})`, await load(srv, { path: `/api/v1/requests?node=${n.id}&limit=25` }), { ratio_to: 'hello', node: n });
  }
  for (const [key, label] of [['busy', 'busiest community'], ['ten', 'a node with ~10'], ['zero', 'a node with 0']]) {
    const n = people[key];
    add(`list_people_${key}`, `list 25 residents: ${label} (${n.k.toLocaleString('en-US')})`, await load(srv, { path: `/api/v1/people?node=${n.id}&limit=25` }), { ratio_to: 'hello', node: n });
  }
  const statNodes = [['community', picks.community], ['street', picks.top]];
  for (const [key, n] of statNodes) {
    add(`stats_registry_${key}_warm`, `registry stats, ${key} (cached)`, await load(srv, { path: `/api/v1/stats?node=${n}` }), { ratio_to: 'hello' });
    add(`stats_requests_${key}_warm`, `request stats, ${key} (cached)`, await load(srv, { path: `/api/v1/requests/stats?node=${n}` }), { ratio_to: 'hello' });
  }
  // Cold: the first read after a write (a resident's note changed, a
  // request created), timed one at a time on one kept-alive connection.
  const conn = new Conn('127.0.0.1', Number(new URL(srv.base).port), false);
  for (const [key, n] of statNodes) {
    for (const [what, label, write, read] of [
      ['registry', 'registry stats', ['PATCH', `/api/v1/people/${picks.person}`, null], `/api/v1/stats?node=${n}`],
      ['requests', 'request stats', ['POST', '/api/v1/requests', createBody], `/api/v1/requests/stats?node=${n}`],
    ]) {
      const ms = [];
      for (let i = 0; i < COLD_TIMES; i++) {
        const w = await once(conn, srv, write[0], write[1], write[2] || JSON.stringify({ note: `bench ${i}` }));
        if (w.status >= 300) throw new Error(`${write[0]} ${write[1]}: ${w.status}`);
        const r = await once(conn, srv, 'GET', read);
        if (r.status !== 200) throw new Error(`GET ${read}: ${r.status}`);
        ms.push(r.ms);
      }
      const sorted = [...ms].sort((x, y) => x - y);
      res.cold.push({ id: `stats_${what}_${key}_cold`, name: `${label}, ${key}, first read after a write`, ms, median: sorted[COLD_TIMES >> 1], max: sorted.at(-1) });
    }
  }
  conn.drop();
  res.memory.reads_peak = srv.mem;
  res.servers.reads = await stopServer(srv);

  // Writes: each on a server of its own, so the shutdown line counts its writes.
  const variants = [['', []]];
  if (b === 'sqlite' && picks.noGroup) variants.push(['_nogroup', ['--no-group-commit']]);
  for (const [suffix, flags] of variants) {
    for (const c of [1, conns]) {
      srv = await startServer(`${b}-create${c}${suffix}`, dbArg, flags, pgInfo);
      const r = await load(srv, { path: '/api/v1/requests', method: 'POST', body: createBody, conns: c });
      if (c === conns && !suffix) res.memory.writes_peak = srv.mem;
      const gc = await stopServer(srv);
      add(`create_${c}${suffix}`, `create a request, ${c} connection${c > 1 ? 's' : ''}${suffix ? ', --no-group-commit' : ''}`, r, {
        ratio_to: 'raw_commit',
        conns: c,
        group_commit: gc,
      });
    }
  }
  if (b === 'postgres') pg.psql('DROP DATABASE IF EXISTS bench_run');
  else for (const x of ['', '-wal', '-shm']) fs.rmSync(dbArg + x, { force: true });
  return res;
}

// ---- the run ----
fs.mkdirSync(dir, { recursive: true });
const results = {
  scale,
  date: new Date().toISOString(),
  commit: (() => {
    try {
      return sh('git', ['rev-parse', '--short', 'HEAD']);
    } catch {
      return '';
    }
  })(),
  machine: { cores: os.cpus().length, load_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  settings: { secs, warmup, conns, client_threads: clientThreads },
  data: {},
  baselines: {},
  backends: {},
};
results.data.import_s = demo();
const count = (t) => sq(`SELECT count(*) AS n FROM ${t}`)[0].n;
results.data.people = count('people');
results.data.requests = count('cases');
results.data.sqlite_mib = Math.round(fs.statSync(goldDb).size / 1048576);
const pg = backends.includes('postgres') ? pgSetup() : null;
if (pg) {
  results.data.pg_copy_s = pg.copy_s;
  results.data.pg_mib = Number(pg.psql(`SELECT pg_database_size('${pg.gold}') / 1048576`));
}
results.data.import_domain_s = importTimes(pg);

const picks = { people: pickNodes('people'), requests: pickNodes('cases') };
picks.community = picks.requests.busy.id;
picks.top = sq(`SELECT id FROM nodes WHERE path = '/${picks.requests.busy.path.split('/')[1]}/'`)[0].id;
// Where the created requests are placed: the busiest community's deepest node.
picks.place = sq(`SELECT id FROM nodes WHERE path > '${picks.requests.busy.path}' AND path < '${picks.requests.busy.path}~' ORDER BY depth DESC, id LIMIT 1`)[0].id;
picks.person = sq(`SELECT id FROM people WHERE node_path >= '${picks.people.busy.path}' AND node_path < '${picks.people.busy.path}~' ORDER BY id LIMIT 1`)[0].id;
// 1,000 residents and requests spread over the ids, each GET taking the next.
const spread = (t) => `SELECT id FROM ${t} WHERE id % max(1, (SELECT count(*) FROM ${t}) / 1000) = 0 ORDER BY id LIMIT 1000`;
picks.personPaths = pathsFile('people', spread('people'), (id) => `/api/v1/people/${id}`);
picks.requestPaths = pathsFile('requests', spread('cases'), (id) => `/api/v1/requests/${id}`);
picks.personCount = fs.readFileSync(picks.personPaths, 'utf8').trim().split('\n').length;
picks.requestCount = fs.readFileSync(picks.requestPaths, 'utf8').trim().split('\n').length;
picks.noGroup = sh(linli, ['serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] }).includes('--no-group-commit');
results.nodes = { people: picks.people, requests: picks.requests, community: picks.community, top: picks.top, place: picks.place };

// Baselines first, then each backend.
log(`raw SQLite commits for ${secs} s`);
results.baselines.raw_commit = JSON.parse(sh(path.join(dir, 'raw_commit'), [dir, String(secs)]));
log(`raw commits: ${results.baselines.raw_commit.rate}/s`);
const hport = await freePort();
const hello = spawn(path.join(dir, 'hello'), [String(hport)], { stdio: 'ignore' });
live.add(hello);
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${hport}/`)).ok) break;
    } catch {
      if (i > 100) throw new Error('hello did not come up');
      await sleep(100);
    }
  }
  results.baselines.hello = await load({ base: `http://127.0.0.1:${hport}` }, { path: '/' });
  log(`hello-world: ${results.baselines.hello.rps} req/s`);
} finally {
  hello.kill();
}
for (const b of backends) {
  if (b !== 'sqlite' && b !== 'postgres') throw new Error(`unknown backend ${b}`);
  results.backends[b] = await benchBackend(b, pg, picks);
}
const outFile = path.join(dir, `results-${scale}.json`);
fs.writeFileSync(outFile, JSON.stringify(results, null, 1) + '\n');
log(`results in ${path.relative(root, outFile)}`);

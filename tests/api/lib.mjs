// Test harness: runs the real linli binary on a temporary database and a
// free loopback port, and talks to it over HTTP.
// With LINLI_TEST_PG set to a PostgreSQL server's maintenance URL
// (scripts/pg.sh url), every server gets a fresh PostgreSQL database there
// instead of a SQLite file; the same tests run against both backends.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';

export const BIN = process.env.LINLI_BIN || new URL('../../build/linli', import.meta.url).pathname;
export const PG = process.env.LINLI_TEST_PG || '';

// A PostgreSQL database's key file and photos live in the working
// directory (see cli/common.c), so commands on a test database run in its
// server's directory.
const dirOfDb = new Map();

export function linli(args, opts = {}) {
  const i = args.indexOf('--db');
  const cwd = i >= 0 ? dirOfDb.get(args[i + 1]) : undefined;
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd, ...opts });
}

let pgSeq = 0;
function psql(sql) {
  execFileSync('psql', ['-qX', '-v', 'ON_ERROR_STOP=1', PG, '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// A new empty database: a file path for SQLite, a URL for PostgreSQL.
export function newDatabase(dir, name = 'test') {
  if (!PG) return join(dir, `${name}.db`);
  const db = `lt_${process.pid}_${++pgSeq}_${name}`.toLowerCase();
  psql(`DROP DATABASE IF EXISTS ${db}`);
  psql(`CREATE DATABASE ${db}`);
  const url = PG.replace(/\/[^/?]*(\?|$)/, `/${db}$1`);
  dirOfDb.set(url, dir);
  return url;
}

export function dropDatabase(db) {
  if (!PG || !dirOfDb.has(db)) return;
  dirOfDb.delete(db);
  const name = new URL(db).pathname.slice(1);
  try { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch {}
}

// The personal-data key file of a database made by newDatabase.
export function keyFile(db) {
  return PG ? join(dirOfDb.get(db), new URL(db).pathname.slice(1) + '.key') : db + '.key';
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class Server {
  // kind: 'demo' (street demo) or 'empty' (init only)
  // demoArgs: the demo's history of requests is off unless a test wants it,
  // so request figures in tests are exactly the ones they create.
  static async start({ kind = 'demo', extra = [], demoArgs = ['--requests', '0'] } = {}) {
    const s = new Server();
    s.dir = mkdtempSync(join(tmpdir(), 'linli-test-'));
    s.db = newDatabase(s.dir);
    if (kind === 'demo') linli(['demo', '--db', s.db, ...demoArgs]);
    else linli(['init', '--db', s.db, '--password', 'linli-admin-1']);
    s.extra = extra;
    await s.launch();
    return s;
  }

  async launch() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(BIN, ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, ...this.extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: this.dir,
    });
    this.log = '';
    this.proc.stderr.on('data', (d) => (this.log += d));
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(this.base + '/api/v1/health');
        if (r.ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('server did not start: ' + this.log);
  }

  async kill(signal = 'SIGTERM') {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(signal);
    await exited;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) await this.kill();
    if (process.env.LINLI_TEST_LOG) process.stderr.write(this.log);
    dropDatabase(this.db);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async login(username, password = username === 'admin' ? 'linli-admin-1' : 'linli-demo-1') {
    const r = await this.req('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
    return new Client(this, r.json.token, r.json.user);
  }

  // Raw request: body may be an object (JSON), a string or a Buffer.
  async req(method, path, { body, token, headers = {}, raw = false } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let data = body;
    if (body !== undefined && !(typeof body === 'string') && !Buffer.isBuffer(body)) {
      data = JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    } else if (body !== undefined) {
      h['Content-Type'] ??= 'application/json';
    }
    const r = await fetch(this.base + path, { method, headers: h, body: data });
    const buf = Buffer.from(await r.arrayBuffer());
    let json = null;
    if ((r.headers.get('content-type') || '').includes('json') && !raw) {
      try { json = JSON.parse(buf.toString('utf8')); } catch {}
    }
    return { status: r.status, json, buf, headers: r.headers };
  }
}

export class Client {
  constructor(server, token, user) {
    this.s = server;
    this.token = token;
    this.user = user;
  }
  req(method, path, opts = {}) { return this.s.req(method, path, { ...opts, token: this.token }); }
  get(path, opts) { return this.req('GET', path, opts); }
  post(path, body, opts = {}) { return this.req('POST', path, { ...opts, body }); }
  patch(path, body, opts = {}) { return this.req('PATCH', path, { ...opts, body }); }
  del(path, opts) { return this.req('DELETE', path, opts); }
}

// A valid 18-digit ID-card number for a birth date and sequence.
export function idCard(birth = '19800101', seq = 123, region = '430302') {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const body = region + birth + String(seq).padStart(3, '0');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
  return body + '10X98765432'[sum % 11];
}

export async function auditCount(admin) {
  const r = await admin.get('/api/v1/audit?limit=1');
  return r.json.items.length ? r.json.items[0].id : 0;
}

// Every item of a list, page by page: lists read a bounded window per page,
// so a filtered or searched page may be short (even empty) and still have
// a next_cursor to go on from.
export async function listAll(client, path, maxPages = 500) {
  const all = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    all.push(...r.json.items);
    if (!r.json.next_cursor) return all;
    cursor = r.json.next_cursor;
  }
  throw new Error(`${path}: more than ${maxPages} pages`);
}

// A request through node's http client from a given loopback address
// (127.0.0.x), for what depends on the client's address: rate limits,
// proxies, logins. body: a string as it is, anything else as JSON.
export function requestFrom(port, path, { method = 'GET', headers = {}, body, localAddress = '127.0.0.1', agent = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, localAddress, agent }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (b += d));
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(b); } catch {}
        resolve({ status: res.statusCode, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

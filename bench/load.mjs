#!/usr/bin/env node
// bench/load.mjs — a closed-loop HTTP/1.1 load tool that records every
// request's latency (wrk's corrected percentiles overstate tails). N
// keep-alive connections on plain sockets (no http.Agent), each sending its
// next request when the last is answered; K worker threads share the
// connections so one event loop is not the bottleneck. Loopback only.
//
//   node bench/load.mjs --url http://127.0.0.1:8080/api/v1/requests \
//     --method POST --token T --body '{"category":…}' --conns 16 --secs 10
//
// Options: --url URL (required; its host must be 127.0.0.1, ::1 or
// localhost), --method M (GET), --body TEXT (sent with Content-Type
// application/json unless a --header sets it), --token T (Authorization:
// Bearer T), --header 'Name: value' (repeatable), --conns N (16), --secs S
// (10), --warmup S (0: requests begun in the first S seconds are not
// counted), --threads K (1), --paths-file F (one path per line, "/…?…";
// each request takes the next, round-robin, on the URL's host), --timeout S
// (30: a request unanswered this long counts as an error), --tokens F (one
// token a line: requests take them in turn, as many accounts behind one
// address would).
//
// Prints one JSON line: rps (requests begun in the measured window ÷ its
// length), requests, status counts, errors, p50/p90/p99/p99.9/max in ms
// (nearest rank over every request), per_conn (completed requests of each
// connection) and fairness: how far the least and most served connection
// lie from the mean, in percent.
import net from 'node:net';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);
const now = () => performance.timeOrigin + performance.now();

function parseArgs(argv) {
  const o = { method: 'GET', body: '', token: '', headers: [], conns: 16, secs: 10, warmup: 0, threads: 1, timeout: 30 };
  const num = (name, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
    return n;
  };
  for (let i = 2; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${name}: missing value`);
    switch (name) {
      case 'url': o.url = v; break;
      case 'method': o.method = v.toUpperCase(); break;
      case 'body': o.body = v; break;
      case 'token': o.token = v; break;
      case 'header': o.headers.push(v); break;
      case 'paths-file': o.pathsFile = v; break;
      case 'tokens': o.tokensFile = v; break;
      case 'conns': case 'secs': case 'warmup': case 'threads': case 'timeout': o[name] = num(name, v); break;
      default: throw new Error(`unknown option --${name}`);
    }
  }
  if (!o.url) throw new Error('--url is required');
  o.conns = Math.max(1, Math.floor(o.conns));
  o.threads = Math.max(1, Math.min(Math.floor(o.threads), o.conns));
  return o;
}

// The request bytes, one buffer per path.
function buildRequests(o) {
  const url = new URL(o.url);
  if (url.protocol !== 'http:') throw new Error('http:// only');
  if (!LOOPBACK.has(url.hostname)) throw new Error(`loopback only (127.0.0.1, ::1, localhost), not ${url.hostname}`);
  let paths = [url.pathname + url.search];
  if (o.pathsFile) {
    paths = fs.readFileSync(o.pathsFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (!paths.length || paths.some((p) => !p.startsWith('/'))) throw new Error(`${o.pathsFile}: one path per line, each starting with /`);
  }
  const tokens = o.tokensFile ? fs.readFileSync(o.tokensFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [o.token];
  if (!tokens.length || tokens.some((t) => /[\s]/.test(t))) throw new Error(`${o.tokensFile}: one token per line`);
  const body = Buffer.from(o.body);
  let head = `Host: ${url.host}\r\nUser-Agent: linli-load\r\nAccept: */*\r\n`;
  const named = (n) => o.headers.some((h) => h.toLowerCase().startsWith(`${n}:`));
  for (const h of o.headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h) || /[\r\n]/.test(h)) throw new Error(`--header: not "Name: value": ${h}`);
    head += `${h}\r\n`;
  }
  if (body.length || !['GET', 'HEAD', 'DELETE'].includes(o.method)) {
    if (!named('content-type') && body.length) head += 'Content-Type: application/json\r\n';
    head += `Content-Length: ${body.length}\r\n`;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 80);
  return { host, port, head: o.method === 'HEAD', reqs: paths.flatMap((p) => tokens.map((t) => Buffer.concat([Buffer.from(`${o.method} ${p} HTTP/1.1\r\n${head}${t ? `Authorization: Bearer ${t}\r\n` : ''}\r\n`), body]))) };
}

// One keep-alive connection. send(buf, cb) writes a request and calls
// cb(status) when its response has been read whole, or cb(null, error).
class Conn {
  constructor(host, port, head) {
    this.host = host;
    this.port = port;
    this.noBody = head;
    this.sock = null;
  }

  connect() {
    this.buf = null;
    const s = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.sock = s;
    s.on('data', (d) => s === this.sock && this.onData(d));
    s.on('error', (err) => s === this.sock && this.fail(err));
    s.on('close', () => {
      if (s !== this.sock) return;
      this.sock = null;
      if (this.cb && this.bodyAt >= 0 && this.until === 'close') this.done(this.buf ? this.buf.length : 0);
      else this.fail(new Error('connection closed'));
    });
  }

  send(buf, cb) {
    if (!this.sock) this.connect();
    this.cb = cb;
    this.status = 0;
    this.bodyAt = -1;
    this.sock.write(buf);
  }

  drop() {
    const s = this.sock;
    this.sock = null;
    this.buf = null;
    if (s) s.destroy();
  }

  fail(err) {
    const cb = this.cb;
    this.cb = null;
    this.drop();
    if (cb) cb(null, err);
  }

  done(end) {
    const cb = this.cb;
    this.cb = null;
    if (this.close) this.drop();
    else this.buf = this.buf && end < this.buf.length ? this.buf.subarray(end) : null;
    cb(this.status);
  }

  onData(d) {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    if (!this.cb) return;
    const b = this.buf;
    if (this.bodyAt < 0) {
      const i = b.indexOf('\r\n\r\n');
      if (i < 0) return;
      const head = b.latin1Slice(0, i);
      this.status = Number(head.slice(9, 12));
      if (!head.startsWith('HTTP/1.') || !(this.status >= 100)) return this.fail(new Error('bad status line'));
      this.bodyAt = i + 4;
      this.close = /\r\nconnection:[ \t]*close/i.test(head) || head.startsWith('HTTP/1.0');
      const len = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
      if (this.noBody || this.status === 204 || this.status === 304) this.until = 0;
      else if (/\r\ntransfer-encoding:[ \t]*chunked/i.test(head)) this.until = 'chunked';
      else if (len) this.until = Number(len[1]);
      else this.until = 'close';
      this.chunkAt = this.bodyAt;
    }
    if (typeof this.until === 'number') {
      if (b.length >= this.bodyAt + this.until) this.done(this.bodyAt + this.until);
    } else if (this.until === 'chunked') {
      for (;;) {
        const eol = b.indexOf('\r\n', this.chunkAt);
        if (eol < 0) return;
        const size = parseInt(b.latin1Slice(this.chunkAt, eol), 16);
        if (!(size >= 0)) return this.fail(new Error('bad chunk'));
        if (size === 0) {
          // Trailers (none expected) end with an empty line.
          const end = b.indexOf('\r\n\r\n', eol - 2);
          if (end >= 0) this.done(end + 4);
          return;
        }
        if (b.length < eol + 2 + size + 2) return;
        this.chunkAt = eol + 2 + size + 2;
      }
    }
  }
}

async function sleepUntil(t) {
  while (now() < t) await new Promise((r) => setTimeout(r, Math.max(1, t - now())));
}

// Runs connections [first, first + n) of the whole run; resolves with the
// latencies (ms) of requests begun in [from, to), their statuses, errors and
// per-connection counts. Times are absolute (timeOrigin + now()).
async function drive({ host, port, head, reqs, first, n, start, from, to, timeout }) {
  const lat = [];
  const status = {};
  let errors = 0;
  const perConn = new Array(n).fill(0);
  let next = first % reqs.length;
  const one = (c, i) =>
    new Promise((resolve) => {
      const t0 = now();
      const req = reqs[next];
      next = next + 1 === reqs.length ? 0 : next + 1;
      const timer = setTimeout(() => c.fail(new Error('timeout')), timeout * 1000);
      c.send(req, (st) => {
        clearTimeout(timer);
        const t1 = now();
        if (t0 >= from && t0 < to) {
          if (st) {
            lat.push(t1 - t0);
            status[st] = (status[st] || 0) + 1;
            perConn[i]++;
          } else errors++;
        }
        resolve(st);
      });
    });
  const loop = async (i) => {
    const c = new Conn(host, port, head);
    c.connect();
    await sleepUntil(start);
    while (now() < to) {
      if (!(await one(c, i))) await new Promise((r) => setTimeout(r, 10));
    }
    c.drop();
  };
  await Promise.all(perConn.map((_, i) => loop(i)));
  return { lat: Float64Array.from(lat), status, errors, perConn };
}

function summarise(o, parts) {
  const n = parts.reduce((a, p) => a + p.lat.length, 0);
  const lat = new Float64Array(n);
  let k = 0;
  for (const p of parts) {
    lat.set(p.lat, k);
    k += p.lat.length;
  }
  lat.sort();
  const status = {};
  for (const p of parts) for (const [s, c] of Object.entries(p.status)) status[s] = (status[s] || 0) + c;
  const perConn = parts.flatMap((p) => p.perConn);
  const pct = (q) => (n ? lat[Math.min(n - 1, Math.max(0, Math.ceil((q / 100) * n) - 1))] : 0);
  const r2 = (x) => Math.round(x * 100) / 100;
  const mean = perConn.reduce((a, b) => a + b, 0) / perConn.length;
  const low = mean ? (Math.min(...perConn) / mean - 1) * 100 : 0;
  const high = mean ? (Math.max(...perConn) / mean - 1) * 100 : 0;
  return {
    rps: r2(n / o.secs),
    requests: n,
    secs: o.secs,
    conns: o.conns,
    threads: o.threads,
    status,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    p50: r2(pct(50)),
    p90: r2(pct(90)),
    p99: r2(pct(99)),
    p999: r2(pct(99.9)),
    max: r2(n ? lat[n - 1] : 0),
    per_conn: perConn,
    fairness: { low_pct: r2(low), high_pct: r2(high), spread_pct: r2(Math.max(-low, high)) },
  };
}

async function main() {
  let o, target;
  try {
    o = parseArgs(process.argv);
    target = buildRequests(o);
  } catch (err) {
    console.error(`load: ${err.message}`);
    process.exit(2);
  }
  const start = now() + 200; // the threads start and connect first
  const from = start + o.warmup * 1000;
  const to = from + o.secs * 1000;
  // Connections split as evenly as the threads allow.
  const jobs = [];
  for (let t = 0, first = 0; t < o.threads; t++) {
    const n = Math.floor(o.conns / o.threads) + (t < o.conns % o.threads ? 1 : 0);
    jobs.push({ ...target, first, n, start, from, to, timeout: o.timeout });
    first += n;
  }
  const parts = await Promise.all(
    jobs.map((job, t) =>
      o.threads === 1
        ? drive(job)
        : new Promise((resolve, reject) => {
            const w = new Worker(new URL(import.meta.url), { workerData: job });
            w.once('message', resolve);
            w.once('error', reject);
            w.once('exit', (code) => code && reject(new Error(`load: thread ${t} exited with ${code}`)));
          }),
    ),
  );
  console.log(JSON.stringify(summarise(o, parts)));
}

// Run as a program (or as one of its threads); imported, it only lends
// its request builder and connection (bench/suite.mjs times single
// requests with them).
export { buildRequests, Conn };
if (!isMainThread) {
  const r = await drive(workerData);
  parentPort.postMessage(r, [r.lat.buffer]);
} else if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) await main();

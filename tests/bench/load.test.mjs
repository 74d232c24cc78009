// bench/load.mjs against a small node:http server on 127.0.0.1: what it
// counts is what the server answered, statuses by code, connections each
// with their own count, the paths file in turn, warm-up left out, and no
// address but loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LOAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/load.mjs');

function run(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [LOAD, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, out: stdout, err: stderr, json: err ? null : JSON.parse(stdout) }),
    );
  });
}

// A server that counts what it answers, per path and per status; handle
// decides the answer (and may delay it).
async function server(handle) {
  const seen = { paths: {}, status: {}, total: 0, requests: [] };
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.total++;
      seen.paths[req.url] = (seen.paths[req.url] || 0) + 1;
      if (seen.requests.length < 5) seen.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const answer = (status, text = 'ok', headers = {}) => {
        seen.status[status] = (seen.status[status] || 0) + 1;
        res.writeHead(status, headers);
        res.end(text);
      };
      handle(req, answer, res);
    });
  });
  s.keepAliveTimeout = 30000;
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${s.address().port}`, close: () => new Promise((r) => s.close(r)) };
}

const tmpFile = (text) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'load-test-')), 'paths.txt');
  fs.writeFileSync(f, text);
  return f;
};

test('counts every answered request by status, paths in turn, one count per connection', async () => {
  const srv = await server((req, answer, res) => {
    if (req.url === '/missing') return answer(404, 'no');
    if (req.url.startsWith('/chunked')) {
      // No Content-Length: node sends the body chunked.
      res.writeHead(201, { 'Content-Type': 'text/plain' });
      srv.seen.status[201] = (srv.seen.status[201] || 0) + 1;
      res.write('part one, ');
      setImmediate(() => res.end('part two'));
      return;
    }
    if (req.url === '/close') return answer(200, 'bye', { Connection: 'close' });
    answer(200, 'hello', { 'Content-Length': '5' });
  });
  const paths = tmpFile('/ok\n/missing\n\n# a comment\n/chunked?x=1\n/close\n');
  const r = await run(['--url', `${srv.url}/ignored`, '--paths-file', paths, '--conns', '3', '--secs', '1']);
  await srv.close();
  assert.equal(r.code, 0, r.err);
  const j = r.json;
  assert.equal(j.errors, 0);
  assert.ok(j.requests > 20, `only ${j.requests} requests`);
  // Without warm-up every request the server answered is counted, once.
  assert.equal(j.requests, srv.seen.total);
  assert.deepEqual(j.status, Object.fromEntries(Object.entries(srv.seen.status).map(([k, v]) => [k, v])));
  assert.equal(j.status['404'], srv.seen.paths['/missing']);
  assert.equal(j.status['201'], srv.seen.paths['/chunked?x=1']);
  assert.equal(j.status['200'], srv.seen.paths['/ok'] + srv.seen.paths['/close']);
  assert.equal(srv.seen.paths['/ignored'], undefined);
  // Round-robin over the four paths: their counts differ by at most one.
  const counts = ['/ok', '/missing', '/chunked?x=1', '/close'].map((p) => srv.seen.paths[p]);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
  assert.equal(j.per_conn.length, 3);
  assert.equal(j.per_conn.reduce((a, b) => a + b, 0), j.requests);
  assert.ok(j.p50 <= j.p90 && j.p90 <= j.p99 && j.p99 <= j.p999 && j.p999 <= j.max);
  assert.ok(Math.abs(j.rps - j.requests / j.secs) < 0.01);
});

test('sends method, body, token and headers as given', async () => {
  const srv = await server((req, answer) => answer(201, '{}', { 'Content-Type': 'application/json' }));
  const r = await run(['--url', `${srv.url}/api/things?a=b`, '--method', 'post', '--body', '{"n":"压测"}', '--token', 'T0K',
    '--header', 'X-Bench: yes', '--conns', '1', '--secs', '0.3']);
  await srv.close();
  assert.equal(r.code, 0, r.err);
  const q = srv.seen.requests[0];
  assert.equal(q.method, 'POST');
  assert.equal(q.url, '/api/things?a=b');
  assert.equal(q.body, '{"n":"压测"}');
  assert.equal(q.headers.authorization, 'Bearer T0K');
  assert.equal(q.headers['x-bench'], 'yes');
  assert.equal(q.headers['content-type'], 'application/json');
  assert.equal(r.json.status['201'], srv.seen.total);
});

test('fairness: an even server is even, a server that starves one connection shows it', async () => {
  const delay = (ms, answer) => setTimeout(() => answer(200), ms);
  const even = await server((req, answer) => delay(2, answer));
  const a = await run(['--url', even.url + '/', '--conns', '4', '--threads', '2', '--secs', '1']);
  await even.close();
  assert.equal(a.code, 0, a.err);
  assert.equal(a.json.per_conn.length, 4);
  assert.equal(a.json.threads, 2);
  assert.ok(a.json.fairness.spread_pct < 20, JSON.stringify(a.json.fairness));

  // The first connection's requests wait 40 ms, the others' 2 ms.
  let slow = null;
  const uneven = await server((req, answer) => {
    slow ??= req.socket;
    delay(req.socket === slow ? 40 : 2, answer);
  });
  const b = await run(['--url', uneven.url + '/', '--conns', '4', '--secs', '1']);
  await uneven.close();
  assert.equal(b.code, 0, b.err);
  const pc = b.json.per_conn;
  const mean = pc.reduce((x, y) => x + y, 0) / pc.length;
  assert.ok(b.json.fairness.low_pct < -50, JSON.stringify(b.json.fairness));
  assert.ok(Math.abs(b.json.fairness.low_pct - (Math.min(...pc) / mean - 1) * 100) < 0.01);
  assert.ok(Math.abs(b.json.fairness.high_pct - (Math.max(...pc) / mean - 1) * 100) < 0.01);
});

test('warm-up requests are answered but not counted', async () => {
  const srv = await server((req, answer) => setTimeout(() => answer(200), 1));
  const r = await run(['--url', srv.url + '/', '--conns', '2', '--secs', '0.5', '--warmup', '0.5']);
  await srv.close();
  assert.equal(r.code, 0, r.err);
  assert.ok(r.json.requests > 0);
  assert.ok(srv.seen.total > r.json.requests * 1.5, `${srv.seen.total} served, ${r.json.requests} counted`);
});

test('refuses anything but loopback, and bad options', async () => {
  for (const url of ['http://192.0.2.1:80/', 'http://example.com/', 'http://10.0.0.1:8080/x']) {
    const r = await run(['--url', url, '--secs', '0.2']);
    assert.equal(r.code, 2, url);
    assert.match(r.err, /loopback only/);
  }
  assert.match((await run(['--url', 'https://127.0.0.1/'])).err, /http:\/\/ only/);
  assert.match((await run(['--secs', '1'])).err, /--url is required/);
  assert.match((await run(['--url', 'http://127.0.0.1/', '--conns', 'x'])).err, /not a number/);
  assert.match((await run(['--url', 'http://127.0.0.1/', '--paths-file', tmpFile('no-slash\n')])).err, /starting with \//);
});

// bench/load.mjs — a closed-loop load tool that records every request's
// latency (wrk's corrected percentiles overstate tails): N connections,
// each sending its next request when the last is answered, for S seconds.
// Prints one JSON line: requests/s, status counts, p50/p99/p99.9/max in ms,
// and the spread of completed requests per connection (fairness).
//
//   node bench/load.mjs --url http://127.0.0.1:8080/api/v1/requests \
//     --method POST --token T --body '{"category":…}' --conns 16 --secs 10
// --tokens FILE (one token a line) sends them in turn, one per request:
// many accounts from one address, as an office behind one NAT address.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const url = new URL(arg('url'));
const method = arg('method', 'GET');
const body = arg('body', '');
const token = arg('token', '');
const tokensFile = arg('tokens', '');
const conns = Number(arg('conns', '16'));
const secs = Number(arg('secs', '10'));
if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) throw new Error('load: loopback only');

const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
const headers = { 'Content-Type': 'application/json' };
if (body) headers['Content-Length'] = Buffer.byteLength(body);
const tokens = tokensFile ? readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean) : token ? [token] : [];
let nextToken = 0;

const lat = [];
const status = {};
const perConn = new Array(conns).fill(0);
const end = performance.now() + secs * 1000;

function once() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const h = tokens.length ? { ...headers, Authorization: `Bearer ${tokens[nextToken++ % tokens.length]}` } : headers;
    const req = http.request(url, { method, headers: h, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        lat.push(performance.now() - t0);
        status[res.statusCode] = (status[res.statusCode] || 0) + 1;
        resolve(true);
      });
    });
    req.on('error', () => {
      status.error = (status.error || 0) + 1;
      resolve(false);
    });
    if (body) req.write(body);
    req.end();
  });
}

async function loop(i) {
  while (performance.now() < end) if (await once()) perConn[i]++;
}

const start = performance.now();
await Promise.all(Array.from({ length: conns }, (_, i) => loop(i)));
const elapsed = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : 0);
const mean = perConn.reduce((a, b) => a + b, 0) / conns;
const r2 = (x) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    rps: r2(lat.length / elapsed),
    requests: lat.length,
    status,
    p50: r2(pct(50)),
    p99: r2(pct(99)),
    p999: r2(pct(99.9)),
    max: r2(lat.at(-1) || 0),
    per_conn_min: Math.min(...perConn),
    per_conn_max: Math.max(...perConn),
    fairness: r2(mean ? Math.max(...perConn.map((n) => Math.abs(n - mean) / mean)) : 0),
  }),
);
agent.destroy();

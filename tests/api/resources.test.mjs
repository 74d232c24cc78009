// What one client's upload may cost the server: an .xlsx compression bomb
// is refused within a bounded amount of memory, only a few imports run at
// once, and a photo declaring a huge canvas is refused by its dimensions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { Server } from './lib.mjs';
import { xlsxParts } from './zip.mjs';

let s, admin, node;
// 8 worker threads, so that 8 imports can really arrive at once.
before(async () => {
  s = await Server.start({ extra: ['--threads', '8'] });
  admin = await s.login('admin');
  node = (await admin.get('/api/v1/nodes/1/children')).json.items[0].id;
});
after(async () => s && (await s.stop()));

// kB from /proc/<pid>/status: VmRSS now, VmHWM the peak so far.
const mem = (key) => Number(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8').match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
const MiB = 1 << 20;
// Under ASan (make api-test-san) freed memory is held in quarantine, so
// the peak says nothing about the reader: the bounds are checked on the
// real binary only.
const SAN = !!process.env.LINLI_TEST_SANITIZED;
const repeat = (text, bytes) => Buffer.alloc(bytes, text);
const xml = (head, body, tail) => Buffer.concat([Buffer.from(head), body, Buffer.from(tail)]);
const SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
const WS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const sheetOf = (rows) => xml(WS, Buffer.from(rows), '</sheetData></worksheet>');

const bombs = {
  // The reported one: 40 MiB of tiny shared strings (2.5 million) in a
  // few hundred KiB.
  strings: () => xlsxParts({ strings: xml(SST, repeat('<si><t>a</t></si>', 40 * MiB), '</sst>'), sheet: sheetOf('') }),
  // One 60 KiB shared string referenced by 200,000 cells: 12 GB of cells.
  cells: () => {
    const row = '<row>' + '<c t="s"><v>0</v></c>'.repeat(20) + '</row>';
    return xlsxParts({
      strings: `${SST}<si><t>${'x'.repeat(60000)}</t></si></sst>`,
      sheet: xml(WS, repeat(row, row.length * 10000), '</sheetData></worksheet>'),
    });
  },
  // A 16 MiB attribute value that the XML parser would buffer whole.
  token: () => xlsxParts({ sheet: xml(WS + '<row><c r="', repeat('A', 16 * MiB), '"/></row></sheetData></worksheet>') }),
  // 130 MiB of a part with no content: over the per-part cap of 128 MiB.
  part: () => xlsxParts({ strings: xml(SST, repeat(' ', 130 * MiB), '</sst>'), sheet: sheetOf('') }),
};

const upload = (body) => admin.req('POST', `/api/v1/import/people?node=${node}`, {
  body, headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
});

test('xlsx compression bombs are refused with 413 within bounded memory', async () => {
  let t = Date.now();
  const files = Object.fromEntries(Object.entries(bombs).map(([k, f]) => [k, f()]));
  console.log(`bombs built in ${Date.now() - t} ms`);
  for (const [k, f] of Object.entries(files)) assert.ok(f.length < 2 * MiB, `${k}: ${f.length} bytes`);
  const base = mem('VmRSS');
  for (const [k, f] of Object.entries(files)) {
    t = Date.now();
    const r = await upload(f);
    console.log(`${k}: ${f.length} bytes, answered in ${Date.now() - t} ms`);
    assert.equal(r.status, 413, `${k}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error.field, 'file');
    assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
    console.log(`${k}: ${r.json.error.message}; peak RSS now ${(mem('VmHWM') / 1024).toFixed(0)} MiB (start ${(base / 1024).toFixed(0)})`);
  }
  // One import at a time: the peak grows by what one import may hold.
  if (!SAN) assert.ok(mem('VmHWM') - base < 160 * 1024, `peak RSS grew by ${((mem('VmHWM') - base) / 1024).toFixed(0)} MiB`);
  // The server is fine afterwards.
  assert.equal((await admin.get('/api/v1/health')).status, 200);
});

// fetch() would send these one after another on one kept-alive
// connection: each goes on a connection of its own instead.
function uploadOwnConnection(body) {
  return new Promise((resolve, reject) => {
    const rq = http.request({
      host: '127.0.0.1', port: s.port, path: `/api/v1/import/people?node=${node}`, method: 'POST',
      agent: new http.Agent({ keepAlive: false }),
      headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: new Headers(res.headers), json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    rq.on('error', reject);
    rq.end(body);
  });
}

test('imports at once: each is read within the caps or turned away with 503 and Retry-After', async () => {
  // Each of these takes the server a while (inflating 128 MiB), so eight
  // sent together overlap.
  const f = bombs.part();
  const base = mem('VmHWM');
  const rs = await Promise.all(Array.from({ length: 8 }, () => uploadOwnConnection(f)));
  const statuses = rs.map((r) => r.status).sort();
  console.log('8 at once:', statuses.join(' '), `peak RSS ${(mem('VmHWM') / 1024).toFixed(0)} MiB`);
  // Whether they overlap is the server's scheduling (libmicrohttpd may
  // give several connections to one worker thread, which then serves them
  // in turn); the gate itself is proven with threads in test_transfer.
  assert.ok(statuses.every((x) => x === 413 || x === 503), statuses.join(' '));
  const busy = rs.filter((r) => r.status === 503);
  assert.ok(rs.filter((r) => r.status === 413).length >= 2, 'two at least were read');
  for (const r of busy) {
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.json.error.message, /^同时进行的导入已达2个/);
  }
  if (!SAN) assert.ok(mem('VmHWM') - base < 2 * 160 * 1024, `peak RSS grew by ${((mem('VmHWM') - base) / 1024).toFixed(0)} MiB`);
});

// A PNG declaring 30000×30000 pixels (3.6 GB for whoever decodes it): a
// real signature, IHDR with its CRC, a small IDAT and IEND.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64 * 1024))), chunk('IEND', Buffer.alloc(0))]);
}

test('photos declaring too many pixels are refused by their dimensions', async () => {
  const jumin = await s.login('jumin');
  const r = await jumin.post('/api/v1/requests', { category: 'sewer', description: '井盖缺失' });
  assert.equal(r.status, 201);
  const up = (body) => jumin.req('POST', `/api/v1/requests/${r.json.id}/files`, { body, headers: { 'Content-Type': 'image/png' } });
  for (const [w, h] of [[30000, 30000], [16385, 10], [9000, 9000]]) {
    const big = await up(png(w, h));
    assert.equal(big.status, 413, `${w}×${h}: ${JSON.stringify(big.json)}`);
    assert.equal(big.json.error.field, 'file');
    assert.match(big.json.error.message, new RegExp(`^图片尺寸${w}×${h}过大`));
  }
  const broken = await up(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  assert.equal(broken.status, 400);
  const ok = await up(png(4000, 3000));
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  // Nothing of the refused ones was stored.
  const files = (await jumin.get(`/api/v1/requests/${r.json.id}`)).json.files || [];
  assert.ok(files.length <= 1);
});

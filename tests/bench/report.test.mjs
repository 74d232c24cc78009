// bench/report.mjs on a fixture results file: the ratios to the run's own
// baselines, the marks against the targets, Markdown, and --update that
// replaces only what lies between the markers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPORT = path.resolve(here, '../../bench/report.mjs');
const FIXTURE = path.join(here, 'fixture-results.json');
const report = (...args) => execFileSync(process.execPath, [REPORT, FIXTURE, ...args], { encoding: 'utf8' });
const row = (out, name) => out.split('\n').find((l) => l.includes(name)) || assert.fail(`no row ${name}`);

test('the text table: ratios to the baselines of the run, marked against the targets', () => {
  const out = report();
  assert.match(out, /hello-world \(bench\/hello\.c, libmicrohttpd\) 40,000 req\/s/);
  assert.match(out, /raw SQLite durable commits, one row per transaction \(bench\/raw_commit\.c\) 5,000\/s/);
  const person = row(out, 'GET one person');
  assert.match(person, /24,000/);
  assert.match(person, /0\.600 hello/); // 24,000 / 40,000
  assert.match(person, /✓ ≥ 0\.50× hello/);
  const list = row(out, 'list 25 requests: busiest community');
  assert.match(list, /0\.100 hello/);
  assert.match(list, /✗ ≥ 0\.25× hello/);
  assert.match(list, /✗ 0 errors/); // ten 429s
  const create = out.split('\n').filter((l) => l.startsWith('create a request, 16 connections'));
  assert.equal(create.length, 2); // SQLite and PostgreSQL
  assert.match(create[0], /1\.200 raw/); // 6,000 / 5,000
  assert.match(create[0], /12\.00/); // writes per commit
  assert.match(create[0], /✓ ≥ 1\.00× raw; ✓ p99 ≤ 20 ms; ✗ p99\.9 ≤ 50 ms; ✓ ±20% per conn; ✓ > 1 write\/commit/);
  assert.match(create[1], /✗ ≥ 2,000\/s; ✗ 0 errors/);
  assert.doesNotMatch(row(out, 'create a request, 1 connection'), /[✓✗]/); // no target
  assert.match(row(out, 'registry stats, community, first read'), /13\.0 +25\.0 .*✗ ≤ 20 ms/);
  assert.match(row(out, 'PostgreSQL, all 11 processes'), /120 \/ 40 +900 \/ 300 +950 \/ 320/);
  assert.match(row(out, 'through the domain code, postgres'), /64\.4 s/);
});

test('Markdown: a table per part', () => {
  const md = report('--markdown');
  assert.match(md, /^\*\*SQLite: load\*\*$/m);
  assert.match(md, /^\*\*PostgreSQL: load\*\*$/m);
  assert.match(md, /^\| scenario \| conns \| req\/s \| p50 ms \| p99 ms \| p99\.9 ms \| max ms \| per conn % \| writes\/commit \| ratio \| target \|$/m);
  assert.match(md, /^\|---\|---:\|/m);
  assert.match(md, /^\| GET one person \(1,000 ids in turn\) \| 16 \| 24,000 \| 0\.60 \| 3\.00 \| 6\.00 \| 8\.00 \| -10\/\+12 \| — \| 0\.600 hello \| ✓ ≥ 0\.50× hello \|$/m);
  assert.match(md, /^\| linli server \| 16\.9 \/ 9\.6 \| 146 \/ 52\.1 \| 24\.7 \/ 17\.1 \|$/m);
});

test('--update replaces only the text between the markers, and refuses a file without them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  const doc = path.join(dir, 'scaling.md');
  const before = '# Scaling\n\nText above.\n\n<!-- bench:begin -->\n';
  const after = '<!-- bench:end -->\n\nText below, kept.\n';
  fs.writeFileSync(doc, `${before}old table\n| a | b |\n${after}`);
  const out = report('--update', doc);
  assert.match(out, /updated/);
  const text = fs.readFileSync(doc, 'utf8');
  assert.ok(text.startsWith(before), text.slice(0, 80));
  assert.ok(text.endsWith(after));
  assert.doesNotMatch(text, /old table/);
  assert.ok(text.includes(report('--markdown').trimEnd()));
  report('--update', doc); // again: the same file
  assert.equal(fs.readFileSync(doc, 'utf8'), text);

  for (const body of ['# Scaling\n\nno markers\n', '<!-- bench:begin -->\nonly the first\n']) {
    fs.writeFileSync(doc, body);
    const r = spawnSync(process.execPath, [REPORT, FIXTURE, '--update', doc], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /markers .* are missing/);
    assert.equal(fs.readFileSync(doc, 'utf8'), body);
  }
  fs.rmSync(dir, { recursive: true });
});

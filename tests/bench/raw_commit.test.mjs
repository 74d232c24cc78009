// bench/raw_commit (built by `make bench-test`, path in LINLI_RAW_COMMIT):
// one second of durable one-row commits prints a positive rate and leaves
// nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = process.env.LINLI_RAW_COMMIT || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/bench/raw_commit');

test('raw_commit: a positive rate for one second, its database removed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-commit-'));
  const r = spawnSync(BIN, [dir, '1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.commits > 0 && j.rate > 0, r.stdout);
  assert.ok(j.secs >= 1 && j.secs < 2, r.stdout);
  assert.ok(Math.abs(j.rate - j.commits / j.secs) / j.rate < 0.01, r.stdout);
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true });
});

test('raw_commit: usage errors', () => {
  assert.equal(spawnSync(BIN, [], { encoding: 'utf8' }).status, 2);
  const r = spawnSync(BIN, [os.tmpdir(), '0'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /positive/);
  assert.equal(spawnSync(BIN, ['/nonexistent/dir', '1'], { encoding: 'utf8' }).status, 1);
});

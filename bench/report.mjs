#!/usr/bin/env node
// bench/report.mjs — the table of a `make bench` run (the results JSON that
// bench/suite.mjs writes): req/s, p50, p99, p99.9 and each figure's ratio to
// its baseline of the same run (hello-world for reads, raw SQLite durable
// commits for writes), marked against the targets of issue "Fast at city
// scale" (TARGETS below): ✓ met, ✗ missed.
//
//   node bench/report.mjs build/bench/results-street.json              text
//   node bench/report.mjs build/bench/results-street.json --markdown   Markdown
//   node bench/report.mjs build/bench/results-street.json --update docs/scaling.md
//
// --update replaces what lies between the lines <!-- bench:begin --> and
// <!-- bench:end --> in the file with the Markdown tables, and fails (exit
// 1, the file untouched) when the markers are missing.
import fs from 'node:fs';

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

// A target: a test of one scenario's figures and how to say it. Keyed by
// backend and scenario id (a trailing * matches any suffix).
const ratio = (min, of) => ({ say: `≥ ${min.toFixed(2)}× ${of}`, ok: (s) => s.ratio >= min });
const p99 = (ms) => ({ say: `p99 ≤ ${ms} ms`, ok: (s) => s.result.p99 <= ms });
const p999 = (ms) => ({ say: `p99.9 ≤ ${ms} ms`, ok: (s) => s.result.p999 <= ms });
const fair = (pct) => ({ say: `±${pct}% per conn`, ok: (s) => s.result.fairness.spread_pct <= pct });
const perCommit = { say: '> 1 write/commit', ok: (s) => (s.group_commit?.per_commit || 0) > 1 };
const rps = (min) => ({ say: `≥ ${min.toLocaleString('en-US')}/s`, ok: (s) => s.result.rps >= min });
const coldMs = (ms) => ({ say: `≤ ${ms} ms`, ok: (c) => c.max <= ms });
export const TARGETS = {
  sqlite: {
    get_person: [ratio(0.5, 'hello')],
    get_request: [ratio(0.5, 'hello')],
    'list_*': [ratio(0.25, 'hello')],
    create_16: [ratio(1.0, 'raw'), p99(20), p999(50), fair(20), perCommit],
    'stats_*_cold': [coldMs(20)],
  },
  postgres: {
    get_person: [ratio(0.2, 'hello')],
    create_16: [rps(2000)],
  },
};

function targetsOf(backend, id) {
  const t = TARGETS[backend] || {};
  if (t[id]) return t[id];
  for (const [k, v] of Object.entries(t)) {
    if (!k.includes('*')) continue;
    const [pre, post] = k.split('*');
    if (id.startsWith(pre) && id.endsWith(post)) return v;
  }
  return [];
}

const marks = (list, s) => list.map((t) => `${t.ok(s) ? '✓' : '✗'} ${t.say}`).join('; ');
const n0 = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const ms = (x) => (x == null ? '—' : x >= 100 ? String(Math.round(x)) : x.toFixed(x >= 10 ? 1 : 2));
const mibs = (m) => (m ? `${m.rss} / ${m.pss}` : '—');

// The report as titled tables of cells, rendered as text or Markdown.
export function build(r) {
  const out = [];
  const hello = r.baselines.hello;
  const raw = r.baselines.raw_commit;
  const d = r.data;
  out.push({
    text:
      `linli bench — ${r.scale} demo: ${n0(d.people)} residents, ${n0(d.requests)} requests; ` +
      `${r.settings.secs} s per scenario after ${r.settings.warmup} s of warm-up, bench/load.mjs ` +
      `(${r.settings.client_threads} client threads, every request timed); ${r.machine.cores} cores, ` +
      `load average ${r.machine.load_at_start[0]} at the start; ` +
      `${r.date.slice(0, 16).replace('T', ' ')} UTC${r.commit ? `, commit ${r.commit}` : ''}.`,
  });
  out.push({
    text:
      `Baselines of this run: hello-world (bench/hello.c, libmicrohttpd) ${n0(hello.rps)} req/s at ` +
      `${hello.conns} connections (p50 ${ms(hello.p50)} ms, p99 ${ms(hello.p99)} ms); raw SQLite durable ` +
      `commits, one row per transaction (bench/raw_commit.c) ${n0(raw.rate)}/s.`,
  });
  for (const [b, br] of Object.entries(r.backends)) {
    const rows = [];
    for (const s of br.scenarios) {
      const base = s.ratio_to === 'raw_commit' ? raw.rate : hello.rps;
      s.ratio = s.result.rps / base;
      const bad = s.result.errors + Object.entries(s.result.status).filter(([k]) => k < 200 || k >= 300).reduce((a, [, v]) => a + v, 0);
      const t = targetsOf(b, s.id);
      const zeroErr = { say: '0 errors', ok: () => bad === 0 };
      rows.push([
        s.name,
        String(s.result.conns),
        n0(s.result.rps),
        ms(s.result.p50),
        ms(s.result.p99),
        ms(s.result.p999),
        ms(s.result.max),
        s.result.conns > 1 ? `${s.result.fairness.low_pct.toFixed(0)}/+${s.result.fairness.high_pct.toFixed(0)}` : '—',
        s.group_commit ? s.group_commit.per_commit.toFixed(2) : '—',
        `${s.ratio.toFixed(3)} ${s.ratio_to === 'raw_commit' ? 'raw' : 'hello'}`,
        marks(bad ? [...t, zeroErr] : t, s),
      ]);
    }
    out.push({
      title: `${b === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: load`,
      head: ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'per conn %', 'writes/commit', 'ratio', 'target'],
      rows,
    });
    if (br.cold.length)
      out.push({
        title: `${b === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: statistics cold (first read after a write, ${br.cold[0].ms.length} times)`,
        head: ['statistics', 'median ms', 'max ms', 'each ms', 'target'],
        rows: br.cold.map((c) => [c.name, ms(c.median), ms(c.max), c.ms.map(ms).join(', '), marks(targetsOf(b, c.id), c)]),
      });
    const m = br.memory;
    const mrows = [['linli server', mibs(m.idle?.linli), mibs(m.reads_peak?.linli), mibs(m.writes_peak?.linli)]];
    if (m.idle?.pg_all) {
      mrows.push([`PostgreSQL, all ${m.reads_peak?.pg_all?.procs ?? ''} processes`, mibs(m.idle.pg_all), mibs(m.reads_peak?.pg_all), mibs(m.writes_peak?.pg_all)]);
      mrows.push(["PostgreSQL, linli's backends", mibs(m.idle.pg_backends), mibs(m.reads_peak?.pg_backends), mibs(m.writes_peak?.pg_backends)]);
    }
    out.push({
      title: `${b === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: memory, RSS / PSS MiB`,
      head: ['process', 'idle', 'peak under reads', 'peak creating (16)'],
      rows: mrows,
    });
  }
  const data = [[`demo generated (${r.scale}, SQLite)`, `${d.import_s} s`, `${n0(d.sqlite_mib)} MiB`]];
  if (d.pg_copy_s != null) data.push(['PostgreSQL copy (linli migrate, verified)', `${d.pg_copy_s} s`, `${n0(d.pg_mib)} MiB`]);
  for (const [b, s] of Object.entries(d.import_domain_s || {}))
    data.push([`street demo with 5,000 requests through the domain code, ${b}`, `${s} s`, '']);
  out.push({ title: 'Data (timed when first made; kept in build/bench/ between runs)', head: ['', 'time', 'size'], rows: data });
  return out;
}

function text(parts) {
  const lines = [];
  for (const p of parts) {
    if (p.text) {
      lines.push(p.text);
      continue;
    }
    lines.push('', p.title);
    const all = [p.head, ...p.rows];
    const w = p.head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
    for (const r of all) lines.push(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd());
  }
  return lines.join('\n') + '\n';
}

// Columns of text, aligned left in Markdown (the first one too).
const LEFT = new Set(['target', 'each ms']);

function markdown(parts) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  const lines = [];
  for (const p of parts) {
    if (p.text) {
      lines.push(p.text, '');
      continue;
    }
    lines.push(`**${p.title}**`, '', `| ${p.head.join(' | ')} |`, `|${p.head.map((h, i) => (i === 0 || LEFT.has(h) ? '---' : '---:')).join('|')}|`);
    for (const r of p.rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

// Replaces the text between the markers; throws when they are missing.
export function replaceBetween(doc, body) {
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END, i + BEGIN.length);
  if (i < 0 || j < 0) throw new Error(`the markers ${BEGIN} and ${END} are missing`);
  return `${doc.slice(0, i + BEGIN.length)}\n${body.trimEnd()}\n${doc.slice(j)}`;
}

function main(argv) {
  const args = argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--update');
  const upd = args.includes('--update') ? args[args.indexOf('--update') + 1] : null;
  if (!file || (args.includes('--update') && !upd)) {
    console.error('usage: report.mjs RESULTS.json [--markdown] [--update FILE.md]');
    return 2;
  }
  const parts = build(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (upd) {
    let doc;
    try {
      doc = replaceBetween(fs.readFileSync(upd, 'utf8'), markdown(parts));
    } catch (err) {
      console.error(`report: ${upd}: ${err.message}`);
      return 1;
    }
    fs.writeFileSync(`${upd}.tmp`, doc);
    fs.renameSync(`${upd}.tmp`, upd);
    console.log(`report: ${upd} updated`);
    return 0;
  }
  process.stdout.write(args.includes('--markdown') ? markdown(parts) : text(parts));
  return 0;
}

if (import.meta.url === `file://${fs.realpathSync(process.argv[1] || '.')}`) process.exitCode = main(process.argv);

// `make bench`: measures the rules, the browser payload and the server, side by side in one run,
// and writes docs/BENCHMARKS.md. Figures are medians or rates over a few seconds on a shared,
// noisy machine: compare the ratios within a run, not single figures across runs.
// Usage: node tools/bench.mjs BUILD_DIR OUT.md
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { sealOneAdultFamilies, load_ } from './bench-lib.mjs';

const [build, out] = process.argv.slice(2).map((p) => resolve(p));
const root = new URL('..', import.meta.url).pathname;
const bin = join(build, 'bin/daftar');
const require = createRequire(import.meta.url);
const { nikParser } = require('nik-parser');
const { load } = await import(pathToFileURL(join(build, 'web/js/daftar-core.mjs')));
const core = await load();
const log = (...a) => console.error('bench:', ...a);
const fmt = (n) => Math.round(n).toLocaleString('en');
const ratio = (a, b) => (a / b).toFixed(2);

// --- rules ------------------------------------------------------------------------------------
const family = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));
family.members.push(
  { nik: '3204112207170003', name: 'Dewi Santoso', birth_date: '2017-07-22', sex: 'M', relationship: 'child', marital_status: 'single' },
  { nik: '3204114103560001', name: 'Sri Wahyuni', birth_date: '1956-03-01', sex: 'F', relationship: 'parent', marital_status: 'widowed' });
family.documents.push({ kind: 'ktp', member: 5, media_type: 'image/jpeg', size: 90000, blake2b: 'c'.repeat(64) });
const dir = mkdtempSync(join(os.tmpdir(), 'daftar-bench-'));
writeFileSync(join(dir, 'family6.json'), JSON.stringify(family));

function perSecond(fn, ms = 1500) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 50; i++, n++) fn(n);
  return n / (ms / 1000);
}
log('rules');
const native = JSON.parse(execFileSync(join(build, 'bin/rules_bench'), [join(dir, 'family6.json')], { encoding: 'utf8' }));
const niks = Array.from({ length: 100 }, (_, i) => `320411${String((i % 28) + 1).padStart(2, '0')}0997${String(i + 1).padStart(4, '0')}`);
const wasmNik = perSecond((i) => core.call('check-nik', { nik: niks[i % 100], today: '2026-11-23' }));
const wasmValidate = perSecond(() => core.call('validate', { application: family, today: '2026-11-23' }));
const parserNik = perSecond((i) => { const p = nikParser(niks[i % 100]); return p.isValid() && p.lahir(); });

// --- browser payload --------------------------------------------------------------------------
const web = join(build, 'web');
const gz = (path) => gzipSync(readFileSync(join(web, path)), { level: 9 }).length;
const firstLoad = ['index.html', 'css/app.css', 'js/app.mjs', 'js/i18n.mjs', 'js/core-client.mjs', 'js/store.mjs', 'js/tus.mjs',
  'js/worker.mjs', 'js/daftar-core.mjs', 'js/daftar-rules.mjs', 'js/daftar-rules.wasm'];
const later = ['js/daftar-seal.mjs', 'js/daftar-seal.wasm', 'sw.js', 'js/vendor/qrcode.mjs'];

// --- server -----------------------------------------------------------------------------------
function startServer(name, config = {}) {
  const data = join(dir, name);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ limits: { registrations_per_minute: 1e9, lookups_per_minute: 1e9, max_connections: 4096, max_connections_per_client: 4096 }, ...config }));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', data, '--config', join(dir, `${name}.json`)]);
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout.on('data', (d) => { text += d; const m = text.match(/serving on http:\/\/([^/\s]+)/); if (m) ok({ child, host: m[1], data }); });
    child.on('exit', (code) => fail(new Error(`server exited ${code}: ${text}`)));
  });
}
const stop = (s) => new Promise((ok) => { s.child.removeAllListeners('exit'); s.child.on('exit', ok); s.child.kill('SIGTERM'); });

function wrk(host, path, connections) {
  const r = spawnSync('wrk', ['-t2', `-c${connections}`, '-d5s', '--latency', `http://${host}${path}`], { encoding: 'utf8' });
  const rps = Number(r.stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const pct = (p) => r.stdout.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
  const ms = (m) => (m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN);
  return { rps, p50: ms(pct(50)), p99: ms(pct(99)) };
}

const sealFamilies = (count, intakeKey, documentBytes) => sealOneAdultFamilies(core, family, count, intakeKey, documentBytes);

const results = {};
for (const [label, groupCommit] of [['grouped', true], ['single', false]]) {
  log(`server, commits ${label}`);
  const s = await startServer(label, { group_commit: groupCommit });
  const key = JSON.parse(execFileSync('curl', ['-s', `http://${s.host}/api/v1/config`], { encoding: 'utf8' })).keys.intake;
  results[label] = { health: {}, small: {}, large: {} };
  for (const c of [64, 256]) {
    results[label].health[c] = wrk(s.host, '/healthz', c);
    results[label].small[c] = await load_(s.host, sealFamilies(c === 64 ? 3000 : 4000, key, 2000), c);
  }
  results[label].large[64] = await load_(s.host, sealFamilies(400, key, 300 * 1024), 64);
  results[label].dbBytesPerRegistration = statSync(join(s.data, 'daftar.db')).size / (Object.values(results[label].small).concat(results[label].large[64]).reduce((a, r) => a + (r.statuses[201] ?? 0), 0) || 1);
  await stop(s);
}

// --- growth: throughput and the duplicate check with many registrations already stored -------
const growth = [];
for (const n of [10000, 100000, 1000000]) {
  log(`growth ${n}`);
  const s = await startServer(`growth-${n}`);
  const key = JSON.parse(execFileSync('curl', ['-s', `http://${s.host}/api/v1/config`], { encoding: 'utf8' })).keys.intake;
  await stop(s);
  const db = join(dir, `growth-${n}`, 'daftar.db');
  const seeded = performance.now();
  // Synthetic rows shaped like real ones (a 200-byte stand-in for each sealed package), with keyed
  // NIK hashes in the unique index the duplicate check uses.
  spawnSync('sqlite3', [db, `PRAGMA journal_mode=WAL; BEGIN;
    WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < ${n})
    INSERT INTO registrations (reference, status, first_status, created_at, created_date, segment, class, head_name, va, bill_amount, earliest, latest, warnings, package)
    SELECT printf('SEED-%08d', i), 'verified', 'verified', '2026-01-01T00:00:00Z', '2026-01-01', 'PBPU', '3', 'SEED', printf('99999%011d', i), 70000, '2026-01-01', '2026-01-31', '[]', randomblob(200) FROM x;
    INSERT INTO members (registration_id, position, nik_hash, nik_masked, name, relationship, card_number)
    SELECT id, p, randomblob(32), '3204********0000', 'SEED', CASE p WHEN 0 THEN 'head' ELSE 'spouse' END, printf('9%012d', id * 2 + p) FROM registrations, (SELECT 0 AS p UNION ALL SELECT 1);
    COMMIT;`]);
  const seedSeconds = (performance.now() - seeded) / 1000;
  const size = statSync(db).size;
  const s2 = await startServer(`growth-${n}`);
  const packages = sealFamilies(1500, key, 2000);
  const run = await load_(s2.host, packages, 64);
  const duplicates = await load_(s2.host, packages.slice(0, 500), 1);  // each NIK is taken now: 409 after the index lookup
  growth.push({ n, rps: run.rps, p50: run.p50, p99: run.p99, duplicateP50: duplicates.p50, statuses: run.statuses, dupStatuses: duplicates.statuses, seedSeconds, size });
  await stop(s2);
}

// --- the report ---------------------------------------------------------------------------------
const g = results.grouped, single = results.single;
const row = (cells) => `| ${cells.join(' | ')} |`;
const md = `# Benchmarks

Measured by \`make bench\` (\`node tools/bench.mjs build docs/BENCHMARKS.md\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.
This machine is shared and noisy: figures are from one run; ratios within the run are what to compare.
The load generator runs on the same 2 cores as the server, so server figures are a floor.

## Rules
| what | native (C++) | wasm under Node | npm nik-parser | native / wasm | wasm / nik-parser |
|---|---|---|---|---|---|
${row(['NIK checks per second (through the dispatcher, JSON in and out)', fmt(native.nik_dispatch_per_s), fmt(wasmNik), fmt(parserNik), ratio(native.nik_dispatch_per_s, wasmNik), ratio(wasmNik, parserNik)])}
${row(['NIK rule alone, per second', fmt(native.nik_rule_per_s), '', '', '', ''])}
${row(['6-member family validations per second', fmt(native.validate_per_s), fmt(wasmValidate), '', ratio(native.validate_per_s, wasmValidate), ''])}

nik-parser checks length and region codes and parses the date; Daftar also checks that the date
is real, the century, the serial, and answers with bilingual JSON.

## Browser payload (gzip -9)
| first load | bytes | | loaded later | bytes |
|---|---|---|---|---|
${Array.from({ length: Math.max(firstLoad.length, later.length) }, (_, i) => row([firstLoad[i] ?? '', firstLoad[i] ? fmt(gz(firstLoad[i])) : '', '', later[i] ?? '', later[i] ? fmt(gz(later[i])) : ''])).join('\n')}
${row(['**total**', `**${fmt(firstLoad.reduce((a, f) => a + gz(f), 0))}**`, '', '**total**', `**${fmt(later.reduce((a, f) => a + gz(f), 0))}**`])}

Wasm modules raw: rules ${fmt(statSync(join(web, 'js/daftar-rules.wasm')).size)} bytes, seal ${fmt(statSync(join(web, 'js/daftar-seal.wasm')).size)} bytes.
The first load on emulated slow 3G is in [web-budget.md](web-budget.md) (\`make bench-web\`).

## Server over loopback
Registrations: one-adult families, each a unique sealed package (KK + KTP), each durably stored
(SQLite WAL, synchronous=FULL) before its 201. "Grouped" commits many registrations with one disk
flush; "single" commits each on its own.

| | connections | grouped commits | single commits | grouped / single |
|---|---|---|---|---|
${[64, 256].map((c) => row([`GET /healthz, requests/s (wrk)`, c, fmt(g.health[c].rps), fmt(single.health[c].rps), ratio(g.health[c].rps, single.health[c].rps)])).join('\n')}
${[64, 256].map((c) => row([`registrations/s (${Math.round(g.small[c].bytes / (g.small[c].statuses[201] || 1) / 1024)} KB packages)`, c, fmt(g.small[c].rps), fmt(single.small[c].rps), ratio(g.small[c].rps, single.small[c].rps)])).join('\n')}
${[64, 256].map((c) => row([`registration latency p50 / p99 (ms)`, c, `${g.small[c].p50.toFixed(1)} / ${g.small[c].p99.toFixed(1)}`, `${single.small[c].p50.toFixed(1)} / ${single.small[c].p99.toFixed(1)}`, ''])).join('\n')}
${[64, 256].map((c) => row([`healthz latency p50 / p99 (ms)`, c, `${g.health[c].p50} / ${g.health[c].p99}`, `${single.health[c].p50} / ${single.health[c].p99}`, ''])).join('\n')}
${row(['registrations/s with 300 KB of documents', 64, fmt(g.large[64].rps), fmt(single.large[64].rps), ratio(g.large[64].rps, single.large[64].rps)])}
${row(['…the same in MB/s', 64, (g.large[64].bytes / g.large[64].seconds / 2 ** 20).toFixed(1), (single.large[64].bytes / single.large[64].seconds / 2 ** 20).toFixed(1), ''])}

Healthz over registrations (the cost of a registration relative to the ceiling), 64 connections:
${ratio(g.health[64].rps, g.small[64].rps)} (grouped). Database size per stored registration (real
packages, mixed sizes): ${fmt(g.dbBytesPerRegistration)} bytes. Answers seen: grouped ${JSON.stringify(g.small[64].statuses)}, single ${JSON.stringify(single.small[64].statuses)}.

## Growth
Registrations already stored (synthetic rows with keyed NIK hashes, seeded with sqlite3), then
1 500 new registrations at 64 connections, and 500 duplicates one at a time (each a 409 after the
unique-index lookup on the keyed NIK hash).

| stored before | registrations/s | p50 / p99 (ms) | duplicate check p50 (ms) | database size | seeding took |
|---|---|---|---|---|---|
${growth.map((x) => row([fmt(x.n), fmt(x.rps), `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)}`, x.duplicateP50.toFixed(2), `${(x.size / 2 ** 20).toFixed(0)} MB`, `${x.seedSeconds.toFixed(0)} s`])).join('\n')}
`;
// The scale-out and population-registry sections are make bench-scale's and bench-verify's: kept.
const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
const kept = ['scale', 'verify'].map((name) => previous.match(new RegExp(`<!-- ${name}:[\\s\\S]*<!-- \\/${name} -->\\n?`))?.[0]).filter(Boolean);
writeFileSync(out, [md.trimEnd(), ...kept.map((k) => k.trimEnd())].join('\n\n') + '\n');
console.log(md);

// The calendar job's daily roll over many families (make bench-roll): SQLite stores seeded with
// 10 000, 100 000 and 1 000 000 paying families of two (January and February paid), rolled on
// 8 March by a real server (`serve --clock-file`): every family's account computed by the rules
// core for that day, March recorded as billed and the reminder as due. Reports the time, families
// per second and the growth against the smallest run, in the "Daily roll" section of
// docs/BENCHMARKS.md. The families carry no contact, so no message is queued: this measures the
// roll, not the outbox. A benchmark: it reports, it never fails a build.
// Usage: node tools/bench-roll.mjs BUILD OUT [FAMILIES…]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { writeSection } from './bench-lib.mjs';

const [build, out, ...sizes] = process.argv.slice(2);
const bin = join(resolve(build), 'bin/daftar');
const counts = sizes.length ? sizes.map(Number) : [10_000, 100_000, 1_000_000];
const log = (...a) => console.error('bench-roll:', ...a);
const fmt = (n) => Math.round(n).toLocaleString('en');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function serve(dir, config) {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--config', join(dir, 'config.json'),
    '--clock-file', join(dir, 'today')]);
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout.on('data', (d) => { text += d; if (/serving on/.test(text)) ok(child); });
    child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${text}`)));
  });
}
const stop = (child) => new Promise((ok) => { child.removeAllListeners('exit'); child.on('exit', ok); child.kill('SIGTERM'); });
const sqlite = (db, sql) => {
  const r = spawnSync('sqlite3', [db], { input: sql, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

// N families as the server would have stored them after two paid months: one INSERT … SELECT per
// table from a counter, so a million families take seconds, not an hour of HTTP.
function seed(db, n) {
  sqlite(db, `
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
INSERT INTO registrations (id, reference, status, created_at, created_date, segment, class, head_name, va, bill_amount,
  earliest, latest, warnings, first_status, package, population_check)
SELECT i, printf('BENCH-%08d', i), 'active', '2026-01-15T02:00:00Z', '2026-01-15', 'PBPU', '3', 'BUDI SANTOSO',
  printf('88888%011d', i), 70000, '2026-01-15', '2026-02-14', '[]', 'verified', x'00', 'not_configured' FROM k;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
INSERT INTO members (registration_id, position, name, relationship, card_number)
SELECT i, p.position, p.name, p.relationship, printf('%012d%d', i * 2 + p.position, 0) FROM k,
  (SELECT 0 AS position, 'BUDI SANTOSO' AS name, 'head' AS relationship UNION ALL SELECT 1, 'SITI AMINAH', 'spouse') AS p;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
INSERT INTO paid_months (registration_id, month, amount, paid_at, bank_id, bank_ref)
SELECT i, m.month, 70000, m.paid_at, 'BANKX', printf('B-%d-%s', i, m.month) FROM k,
  (SELECT '2026-01' AS month, '2026-01-15T09:00:00+07:00' AS paid_at UNION ALL SELECT '2026-02', '2026-02-05T09:00:00+07:00') AS m;
COMMIT;`);
}

const runs = [];
for (const n of counts) {
  const dir = mkdtempSync(join(os.tmpdir(), `daftar-bench-roll-${n}-`));
  writeFileSync(join(dir, 'today'), '2026-02-20\n');
  const config = { calendar_check_seconds: 1, calendar_batch: 1000 };
  await stop(await serve(dir, config));  // creates the store and its schema
  const db = join(dir, 'var/daftar.db');
  log(`seeding ${fmt(n)} families`);
  const seeded = Date.now();
  seed(db, n);
  log(`seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s; rolling 8 March`);
  writeFileSync(join(dir, 'today'), '2026-03-08\n');
  const started = Date.now();
  const server = await serve(dir, config);
  while (sqlite(db, 'SELECT last_id FROM calendar_roll') !== '-1' || sqlite(db, 'SELECT day FROM calendar_roll') !== '2026-03-08') {
    await sleep(500);
  }
  const seconds = (Date.now() - started) / 1000;
  await stop(server);
  const billed = Number(sqlite(db, "SELECT COUNT(*) FROM account_events WHERE kind = 'billed' AND period = '2026-03'"));
  const reminded = Number(sqlite(db, "SELECT COUNT(*) FROM account_events WHERE kind = 'reminded' AND period = '2026-03'"));
  const mb = statSync(db).size / 1e6;
  log(`${fmt(n)} families: ${seconds.toFixed(1)} s, billed ${fmt(billed)}, reminded ${fmt(reminded)}`);
  runs.push({ n, seconds, billed, reminded, mb });
}

const base = runs[0];
const rows = runs.map((r) => `| ${fmt(r.n)} | ${r.seconds.toFixed(1)} s | ${fmt(r.n / r.seconds)} | ${(r.seconds / base.seconds).toFixed(1)}× for ${(r.n / base.n).toFixed(0)}× the families | ${fmt(r.billed)} / ${fmt(r.reminded)} | ${fmt(r.mb)} MB |`);
writeSection(out, 'roll', `<!-- roll: written by make bench-roll (tools/bench-roll.mjs) -->
## Daily roll

\`make bench-roll\` (tools/bench-roll.mjs, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, SQLite): a real
server rolls 8 March over N paying families of two seeded with January and February paid; for
each family the rules core computes the account for that day, and March is recorded as billed
and the reminder as due (the families carry no contact, so the outbox is not measured). One
server, 1 000 families per transaction. Time from the server's start until the day's cursor
says done.

| Families | Roll | Families/s | Growth | Billed / reminded | Database |
|---:|---:|---:|---|---|---:|
${rows.join('\n')}
<!-- /roll -->
`);

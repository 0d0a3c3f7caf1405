// Crash safety: registrations and payments in flight, the server killed with SIGKILL at random
// moments, restarted each time. Afterwards every request that got a success answer is stored,
// no card number was issued twice, no payment applied twice, the audit chain verifies, and SQLite's
// integrity_check is ok.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { family, seal, bin, BANK, bankHeaders, databaseArgs, sql as storeSql, store } from '../support/server.mjs';
import { jsonLines, eventually } from '../support/messages.mjs';

const dir = mkdtempSync(join(tmpdir(), 'daftar-crash-'));
const dataDir = join(dir, 'var');
writeFileSync(join(dir, 'config.json'), JSON.stringify({
  banks: { [BANK.id]: BANK.secret }, payment_window: { earliest_days: 0, latest_days: 30 },
  limits: { registrations_per_minute: 1e6, lookups_per_minute: 1e6 },
}));

function start() {
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--config', join(dir, 'config.json'), ...databaseArgs(dir)]);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (http:\/\/[^/\s]+)/); if (m) resolve({ child, url: m[1] }); });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}
const killed = (child) => new Promise((resolve) => { child.removeAllListeners('exit'); child.on('exit', resolve); child.kill('SIGKILL'); });
const sql = (query) => storeSql({ dir, dataDir }, query).trim();

test('SIGKILL at random moments loses nothing that was acknowledged', async () => {
  let server = await start();
  const key = (await (await fetch(`${server.url}/api/v1/config`)).json()).keys.intake;
  writeFileSync(join(dir, 'intake.pk'), Buffer.from(key, 'base64'));
  const packages = Array.from({ length: 24 }, (_, i) => seal({ dir }, family(5000 + i)));

  const acknowledged = new Map();  // index -> {reference, access_token}
  const paid = new Map();          // reference -> bank_ref
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  // Five rounds at least; more (at most 30, each window longer than the last) until a payment was
  // acknowledged before a kill, since on a loaded machine (or under ASan) a short window may close
  // before any answer.
  for (let round = 0; round < 5 || (paid.size === 0 && round < 30); round++) {
    const inFlight = [];
    // Registrations not yet acknowledged, retried with the same key: a lost answer is not a lost registration.
    packages.forEach((pkg, i) => {
      if (acknowledged.has(i)) return;
      inFlight.push(fetch(`${server.url}/api/v1/registrations`, {
        method: 'POST', body: pkg, headers: { 'Content-Type': 'application/vnd.daftar.package', 'Idempotency-Key': `crash-${i}` },
      }).then(async (r) => { if (r.status === 201) acknowledged.set(i, await r.json()); }).catch(() => {}));
    });
    // Payments for registrations acknowledged earlier.
    for (const [, reg] of acknowledged) {
      if (paid.has(reg.reference)) continue;
      inFlight.push((async () => {
        const s = await (await fetch(`${server.url}/api/v1/registrations/${reg.reference}`, { headers: { Authorization: `Bearer ${reg.access_token}` } })).json();
        if (!s.bill) return;
        const body = JSON.stringify({ va: s.bill.va, amount: s.bill.amount, bank_ref: `crash-${reg.reference}`, paid_at: new Date().toISOString() });
        const r = await fetch(`${server.url}/api/v1/va/payment`, { method: 'POST', body, headers: bankHeaders(body) });
        if (r.status === 200) paid.set(reg.reference, `crash-${reg.reference}`);
      })().catch(() => {}));
    }
    // PostgreSQL commits take longer here (every one waits for the one audit chain and an fsync):
    // a longer window before the kill, so that some registrations and payments are acknowledged
    // in each round on either store.
    await new Promise((r) => setTimeout(r, (20 + random() * 150) * (store === 'postgresql' ? 2.5 : 1) * (round < 5 ? 1 : round - 3)));
    await killed(server.child);
    await Promise.allSettled(inFlight);
    server = await start();
  }
  // A last calm round so that the test proves something about every package.
  for (const [i, pkg] of packages.entries()) {
    if (acknowledged.has(i)) continue;
    const r = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: pkg,
      headers: { 'Content-Type': 'application/vnd.daftar.package', 'Idempotency-Key': `crash-${i}` } });
    assert.equal(r.status, 201);
    acknowledged.set(i, await r.json());
  }

  for (const reg of acknowledged.values()) {
    const r = await fetch(`${server.url}/api/v1/registrations/${reg.reference}`, { headers: { Authorization: `Bearer ${reg.access_token}` } });
    assert.equal(r.status, 200, `acknowledged ${reg.reference} is stored`);
    const s = await r.json();
    if (paid.has(reg.reference)) {
      assert.equal(s.status, 'active');
      assert.equal(s.payments.length, 1);
    }
  }
  assert.equal(Number(sql('SELECT COUNT(*) FROM registrations')), packages.length, 'one registration per family, despite retries');
  assert.equal(sql('SELECT card_number FROM members WHERE card_number IS NOT NULL GROUP BY card_number HAVING COUNT(*) > 1'), '');
  assert.equal(sql('SELECT registration_id FROM payments GROUP BY registration_id HAVING COUNT(*) > 1'), '');
  assert.equal(sql("SELECT COUNT(*) FROM registrations r WHERE status = 'active' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.registration_id = r.id)"), '0');
  if (store === 'sqlite') assert.equal(sql('PRAGMA integrity_check'), 'ok');
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.on('exit', r));
  const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', dataDir, ...databaseArgs(dir)], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
  assert.ok(paid.size > 0 && acknowledged.size === packages.length, `${paid.size} payments acknowledged`);
});

// The calendar job and monthly payments under SIGKILL: thirty families, half of them a month
// behind, the daily roll taking three families per transaction, payments of arrears in flight, the
// server killed again and again. Afterwards every family is billed for the month once, suspended
// and reminded at most once, each told once (one message id however often a kill made it resend),
// every acknowledged payment recorded, no month paid twice, and the audit chain holds.
test('SIGKILL during the daily roll and monthly payments: nothing billed, suspended, told or paid twice', async () => {
  const rollDir = mkdtempSync(join(tmpdir(), 'daftar-roll-crash-'));
  const clock = join(rollDir, 'today'), sink = join(rollDir, 'outbox.jsonl');
  writeFileSync(clock, '2026-01-15\n');
  writeFileSync(join(rollDir, 'config.json'), JSON.stringify({
    banks: { [BANK.id]: BANK.secret }, payment_window: { earliest_days: 0, latest_days: 30 },
    limits: { registrations_per_minute: 1e6, lookups_per_minute: 1e6 },
    // A killed server's claimed messages wait out their lease: a short one here.
    notifications: { sink_file: sink, lease_seconds: 2, retry_base_seconds: 1 }, calendar_check_seconds: 1, calendar_batch: 3,
  }));
  const rollData = join(rollDir, 'var');
  const startRoll = () => {
    const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', rollData, '--config', join(rollDir, 'config.json'),
      '--clock-file', clock, ...databaseArgs(rollDir)]);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (http:\/\/[^/\s]+)/); if (m) resolve({ child, url: m[1] }); });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
  };
  const rollSql = (query) => storeSql({ dir: rollDir, dataDir: rollData }, query).trim();
  const post = async (server, what, body) => {
    const text = JSON.stringify(body);
    const r = await fetch(`${server.url}/api/v1/va/${what}`, { method: 'POST', body: text, headers: bankHeaders(text) });
    return { status: r.status, body: await r.json() };
  };

  // January: thirty families register and pay; in February only the even ones pay.
  let server = await startRoll();
  writeFileSync(join(rollDir, 'intake.pk'), Buffer.from((await (await fetch(`${server.url}/api/v1/config`)).json()).keys.intake, 'base64'));
  const families = [];
  for (let i = 0; i < 30; i++) {
    const r = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: seal({ dir: rollDir }, family(6000 + i)),
      headers: { 'Content-Type': 'application/vnd.daftar.package' } });
    assert.equal(r.status, 201);
    const { reference, access_token: token } = await r.json();
    const s = await (await fetch(`${server.url}/api/v1/registrations/${reference}`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal((await post(server, 'payment', { va: s.bill.va, amount: s.due_now.amount, bank_ref: `ROLL-${i}-1`, paid_at: '2026-01-15T09:00:00+07:00' })).status, 200);
    families.push({ reference, va: s.bill.va, i });
  }
  writeFileSync(clock, '2026-02-05\n');
  for (const f of families.filter((x) => x.i % 2 === 0)) {
    const due = (await post(server, 'inquiry', { va: f.va })).body;
    assert.equal((await post(server, 'payment', { va: f.va, amount: due.amount, bank_ref: `ROLL-${f.i}-2`, paid_at: '2026-02-05T09:00:00+07:00' })).status, 200);
  }
  await killed(server.child);

  // From 8 March, a day a round: the odd families are suspended since 1 March, the even ones are
  // reminded of March; each day's roll goes over every family again.
  const acknowledged = new Map();  // bank_ref -> months
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const day = (round) => `2026-03-${String(8 + round).padStart(2, '0')}`;
  for (let round = 0; round < 6; round++) {
    writeFileSync(clock, `${day(round)}\n`);
    server = await startRoll();
    const inFlight = families.filter((f) => f.i % 2 === 1 && f.i % 3 === round % 3).map((f) => (async () => {
      const due = (await post(server, 'inquiry', { va: f.va })).body;
      if (!due.months?.length) return;
      const ref = `ROLL-${f.i}-R${round}`;
      const r = await post(server, 'payment', { va: f.va, amount: due.amount, bank_ref: ref, paid_at: `${day(round)}T09:00:00+07:00` });
      if (r.status === 200) acknowledged.set(ref, { reference: f.reference, months: due.months });
    })().catch(() => {}));
    await new Promise((r) => setTimeout(r, (30 + random() * 400) * (store === 'postgresql' ? 2 : 1)));
    await killed(server.child);
    await Promise.allSettled(inFlight);
  }
  // A calm start finishes the day's roll and sends what is left.
  server = await startRoll();
  const settled = await eventually(() => rollSql('SELECT day, last_id FROM calendar_roll') === `${day(5)}|-1`
    && rollSql('SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL') === '0', (done) => done, 60);
  assert.ok(settled, 'the last day rolled and every message sent');
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.on('exit', r));

  assert.equal(rollSql("SELECT COUNT(*) FROM account_events WHERE kind = 'billed' AND period = '2026-03'"), '30', 'every family billed for March once');
  const suspended = Number(rollSql("SELECT COUNT(*) FROM account_events WHERE kind = 'suspended' AND period = '2026-03-01'"));
  assert.ok(suspended > 0 && suspended <= 15, `${suspended} suspended: only families a month behind`);
  assert.equal(rollSql("SELECT COUNT(*) FROM outbox WHERE template = 'notify.suspended'"), String(suspended * 2), 'each suspension told once, by SMS and e-mail');
  const reminded = Number(rollSql("SELECT COUNT(*) FROM account_events WHERE kind = 'reminded' AND period = '2026-03'"));
  assert.ok(reminded >= 15, `${reminded} reminded: every family paid up to February`);
  assert.equal(rollSql("SELECT COUNT(*) FROM outbox WHERE template = 'notify.due_soon'"), String(reminded * 2));
  // Delivery is at least once: a message resent after a kill carries the same id.
  const sent = jsonLines(sink);
  const ids = new Map();
  for (const m of sent) {
    const key = `${m.template}|${m.params.reference}|${m.channel}|${m.params.month ?? m.params.suspended_from ?? m.params.bank_ref ?? ''}`;
    ids.set(key, new Set([...(ids.get(key) ?? []), m.id]));
  }
  for (const [key, set] of ids) assert.equal(set.size, 1, `${key}: one message`);
  for (const [ref, { reference, months }] of acknowledged) {
    const recorded = rollSql(`SELECT month FROM paid_months WHERE bank_ref = '${ref}' ORDER BY month`).split('\n');
    assert.deepEqual(recorded, months, `${reference}: ${ref} paid exactly its months`);
  }
  assert.equal(rollSql('SELECT registration_id, month FROM paid_months GROUP BY registration_id, month HAVING COUNT(*) > 1'), '');
  if (store === 'sqlite') assert.equal(rollSql('PRAGMA integrity_check'), 'ok');
  const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', rollData, ...databaseArgs(rollDir)], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
  assert.ok(acknowledged.size > 0, `${acknowledged.size} payments of arrears acknowledged`);
});

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

  // Five rounds at least; more (at most 15) until a payment was acknowledged before a kill, since
  // on a loaded machine a short window may close before any answer.
  for (let round = 0; round < 5 || (paid.size === 0 && round < 15); round++) {
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
    await new Promise((r) => setTimeout(r, (20 + random() * 150) * (store === 'postgresql' ? 2.5 : 1) * (round < 5 ? 1 : 2)));
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

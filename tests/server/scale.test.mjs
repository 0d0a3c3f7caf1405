// Issue 10's failure test: three `daftar serve` processes on one PostgreSQL database behind HAProxy
// (deploy/haproxy.cfg as it is), families registering and paying through it with the retries a
// real client makes, while one server after another is killed with SIGKILL and restarted.
// Afterwards every acknowledged registration and payment is there, no card number was issued
// twice, no payment applied twice, and the one audit chain verifies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { family, bin, root, BANK, bankHeaders, postgres } from '../support/server.mjs';

const FAMILIES = 240;
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

const cluster = postgres();
const database = cluster.createDatabase();
const dir = mkdtempSync(join(tmpdir(), 'daftar-scale-'));
const keys = join(dir, 'keys');
writeFileSync(join(dir, 'config.json'), JSON.stringify({
  banks: { [BANK.id]: BANK.secret }, payment_window: { earliest_days: 0, latest_days: 30 },
  trusted_proxies: ['127.0.0.1'],
  limits: { registrations_per_minute: 1e6, lookups_per_minute: 1e6, uploads_per_minute: 1e6 },
}));
const ports = [await freePort(), await freePort(), await freePort()];
const servers = [null, null, null];

function startServer(i) {
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${ports[i]}`, '--data-dir', join(dir, `var${i}`), '--keys-dir', keys,
    '--database', database, '--config', join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers[i] = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (/serving on/.test(out)) resolve(); });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`server ${i} exited ${code}: ${out}`)));
  });
}
const kill = (i) => new Promise((resolve) => {
  servers[i].removeAllListeners('exit');
  servers[i].on('exit', resolve);
  servers[i].kill('SIGKILL');
});

await startServer(0);  // the first makes the shared keys; the others read them
await Promise.all([startServer(1), startServer(2)]);
const listen = await freePort();
const haproxy = spawn('haproxy', ['-f', join(root, 'deploy/haproxy.cfg'), '-db'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, DAFTAR_LISTEN: `127.0.0.1:${listen}`, DAFTAR_SERVER1: `127.0.0.1:${ports[0]}`,
    DAFTAR_SERVER2: `127.0.0.1:${ports[1]}`, DAFTAR_SERVER3: `127.0.0.1:${ports[2]}` },
});
after(async () => {
  haproxy.kill('SIGKILL');
  for (const s of servers) s?.kill('SIGKILL');
});
const proxy = `http://127.0.0.1:${listen}`;
for (let i = 0; i < 100; i++) {
  if (await fetch(`${proxy}/healthz`).then((r) => r.status === 200, () => false)) break;
  await pause(100);
}

// What a client does on a cut connection or a 5xx: the same request again, a little later.
async function persist(send) {
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      const r = await send();
      if (r.status < 500) return { status: r.status, body: await r.json() };
    } catch { /* the server went away mid-request */ }
    await pause(100 + attempt * 20);
  }
  throw new Error('no answer after 60 attempts');
}

function sealFamily(n) {
  const app = join(dir, `app-${n}.json`);
  writeFileSync(app, JSON.stringify(family(7000 + n)));
  const r = spawnSync(bin, ['seal', '--key', join(keys, 'intake.pk'), '--application', app,
    '--document', `kk::${join(dir, 'kk.jpg')}`, '--document', `ktp:0:${join(dir, 'ktp0.jpg')}`, '--document', `ktp:1:${join(dir, 'ktp1.jpg')}`,
    '--out', `${app}.daftar`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return readFileSync(`${app}.daftar`);
}

test(`${FAMILIES} families register and pay through HAProxy while servers are killed`, async () => {
  const { jpeg } = await import('../support/files.mjs');
  writeFileSync(join(dir, 'kk.jpg'), jpeg(1600, 1200));
  writeFileSync(join(dir, 'ktp0.jpg'), jpeg(1024, 640));
  writeFileSync(join(dir, 'ktp1.jpg'), jpeg(1000, 700));
  const packages = Array.from({ length: FAMILIES }, (_, n) => sealFamily(n));

  let running = true;
  const chaos = (async () => {
    let kills = 0;
    for (let round = 0; running; round++) {
      await pause(250);
      const victim = round % 3;
      await kill(victim);
      kills += 1;
      await pause(150);
      await startServer(victim);
    }
    return kills;
  })();

  const acknowledged = [];
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < packages.length) {
      const n = next++;
      const reg = await persist(() => fetch(`${proxy}/api/v1/registrations`, { method: 'POST', body: packages[n],
        headers: { 'Content-Type': 'application/vnd.daftar.package', 'Idempotency-Key': `scale-${n}` } }));
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      const s = await persist(() => fetch(`${proxy}/api/v1/registrations/${reg.body.reference}`,
        { headers: { Authorization: `Bearer ${reg.body.access_token}` } }));
      const body = JSON.stringify({ va: s.body.bill.va, amount: s.body.bill.amount, bank_ref: `scale-pay-${n}`, paid_at: new Date().toISOString() });
      const paid = await persist(() => fetch(`${proxy}/api/v1/va/payment`, { method: 'POST', body, headers: bankHeaders(body) }));
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      acknowledged.push({ ...reg.body, receipt: paid.body.receipt });
    }
  }));
  running = false;
  const kills = await chaos;
  assert.ok(kills >= 3, `servers were killed ${kills} times during the load`);
  console.log(`# ${kills} kills during the load`);

  assert.equal(acknowledged.length, FAMILIES);
  for (const a of acknowledged) {
    const s = await persist(() => fetch(`${proxy}/api/v1/registrations/${a.reference}`, { headers: { Authorization: `Bearer ${a.access_token}` } }));
    assert.equal(s.body.status, 'active', a.reference);
    assert.equal(s.body.payments.length, 1, a.reference);
  }
  const sql = (q) => cluster.sql(database, q).trim();
  assert.equal(sql('SELECT COUNT(*) FROM registrations'), String(FAMILIES), 'one registration per family, despite retries');
  assert.equal(sql("SELECT COUNT(*) FROM registrations WHERE status = 'active'"), String(FAMILIES));
  assert.equal(sql('SELECT card_number FROM members WHERE card_number IS NOT NULL GROUP BY card_number HAVING COUNT(*) > 1'), '');
  assert.equal(sql('SELECT COUNT(*) FROM members WHERE card_number IS NULL'), '0');
  assert.equal(sql('SELECT COUNT(*) FROM payments'), String(FAMILIES), 'no payment twice');
  // Each step audited exactly once, in one chain.
  assert.equal(sql("SELECT event || ':' || COUNT(*) FROM audit GROUP BY event ORDER BY event").split('\n').join(' '),
    `numbers_issued:${FAMILIES} payment_applied:${FAMILIES} registration_received:${FAMILIES}`);
  const audit = spawnSync(bin, ['audit', 'verify', '--database', database, '--keys-dir', keys], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
  assert.equal(JSON.parse(audit.stdout).entries, 3 * FAMILIES);
});

// Issue 10's failover test: a PostgreSQL primary with a streaming standby in synchronous mode,
// two servers whose connection string names both (target_session_attrs=read-write), families
// registering and paying. Half-way the primary is killed and the standby promoted: the servers
// reconnect by themselves, and every registration and payment they acknowledged is there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { family, bin, BANK, bankHeaders, postgres } from '../support/server.mjs';
import { jpeg } from '../support/files.mjs';

const FAMILIES = 60;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

const primary = postgres();
const name = new URL(primary.createDatabase()).pathname.slice(1);
const standby = primary.startStandby();
after(() => standby.stop());
const conninfo = `host=${primary.dir},${standby.dir} port=${primary.port},${standby.port} dbname=${name} user=postgres ` +
  'target_session_attrs=read-write connect_timeout=2';

const dir = mkdtempSync(join(tmpdir(), 'daftar-failover-'));
const keys = join(dir, 'keys');
writeFileSync(join(dir, 'config.json'), JSON.stringify({
  banks: { [BANK.id]: BANK.secret }, payment_window: { earliest_days: 0, latest_days: 30 },
  limits: { registrations_per_minute: 1e6, lookups_per_minute: 1e6 },
}));
const children = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));
function startServer(i) {
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, `var${i}`), '--keys-dir', keys,
    '--database', conninfo, '--config', join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (http:\/\/[^/\s]+)/); if (m) resolve(m[1]); });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`server ${i} exited ${code}: ${out}`)));
  });
}
const urls = [await startServer(0)];
urls.push(await startServer(1));

async function persist(send) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const r = await send();
      if (r.status < 500) return { status: r.status, body: await r.json() };
    } catch { /* retried below */ }
    await pause(100);
  }
  throw new Error('no answer after 100 attempts');
}

test('the primary is lost, the standby promoted: nothing acknowledged is lost', async () => {
  for (const [file, bytes] of [['kk.jpg', jpeg(1600, 1200)], ['ktp0.jpg', jpeg(1024, 640)], ['ktp1.jpg', jpeg(1000, 700)]]) {
    writeFileSync(join(dir, file), bytes);
  }
  const acknowledged = [];
  let failedOver = false;
  for (let n = 0; n < FAMILIES; n++) {
    if (n === FAMILIES / 2) {
      primary.kill();
      standby.promote();
      failedOver = true;
    }
    const app = join(dir, `app-${n}.json`);
    writeFileSync(app, JSON.stringify(family(8000 + n)));
    const sealed = spawnSync(bin, ['seal', '--key', join(keys, 'intake.pk'), '--application', app, '--document', `kk::${join(dir, 'kk.jpg')}`,
      '--document', `ktp:0:${join(dir, 'ktp0.jpg')}`, '--document', `ktp:1:${join(dir, 'ktp1.jpg')}`, '--out', `${app}.daftar`], { encoding: 'utf8' });
    assert.equal(sealed.status, 0, sealed.stdout);
    const url = urls[n % 2];
    const reg = await persist(() => fetch(`${url}/api/v1/registrations`, { method: 'POST', body: readFileSync(`${app}.daftar`),
      headers: { 'Content-Type': 'application/vnd.daftar.package', 'Idempotency-Key': `failover-${n}` } }));
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const s = await persist(() => fetch(`${url}/api/v1/registrations/${reg.body.reference}`, { headers: { Authorization: `Bearer ${reg.body.access_token}` } }));
    const body = JSON.stringify({ va: s.body.bill.va, amount: s.body.bill.amount, bank_ref: `failover-${n}`, paid_at: new Date().toISOString() });
    const paid = await persist(() => fetch(`${url}/api/v1/va/payment`, { method: 'POST', body, headers: bankHeaders(body) }));
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    acknowledged.push(reg.body);
  }
  assert.ok(failedOver);
  // Everything acknowledged, before and after the failover, is on the promoted standby.
  const sql = (q) => primary.sql(`postgresql:///${name}?host=${standby.dir}&port=${standby.port}&user=postgres`, q).trim();
  assert.equal(sql('SELECT COUNT(*) FROM registrations'), String(FAMILIES));
  assert.equal(sql("SELECT COUNT(*) FROM registrations WHERE status = 'active'"), String(FAMILIES));
  assert.equal(sql('SELECT COUNT(*) FROM payments'), String(FAMILIES));
  for (const a of acknowledged) {
    const s = await persist(() => fetch(`${urls[0]}/api/v1/registrations/${a.reference}`, { headers: { Authorization: `Bearer ${a.access_token}` } }));
    assert.equal(s.body.status, 'active');
  }
  const audit = spawnSync(bin, ['audit', 'verify', '--database', conninfo, '--keys-dir', keys], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
});

// Verification against the population registry, corrections and the operators' decisions, with
// real processes: `daftar serve` and `daftar registry-sim` on loopback, operators made with
// `daftar operator add`. The registry is stopped for 30 s in the middle of 50 registrations, and
// the server is killed with jobs in flight; nothing is lost and nothing is verified twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, register, status, bin, databaseArgs, sql } from '../support/server.mjs';
import { population, startRegistrySim, registryConfig, consent, operator, signIn, settled, PASSWORD } from '../support/registry.mjs';

// Families 1-60 are known to the registry as they register; family 900's head is unknown to it
// (not found); the registry knows family 901's head as "BUDI SANTOSA".
const csv = population([...Array(60).keys()].map((i) => i + 1).concat([900, 901]), (row, n) => {
  if (n === 900 && row.name === 'BUDI SANTOSO') return null;
  return n === 901 && row.name === 'BUDI SANTOSO' ? { ...row, name: 'BUDI SANTOSA' } : row;
});
let sim = await startRegistrySim(csv);
const server = await startServer(registryConfig(sim.url));
after(async () => { await server.stop(); await sim.stop(); });

const withConsent = (n, extra = {}) => family(n, { consent: consent(), ...extra });
const count = (statement) => Number(sql(server, statement).trim());

test('an application without consent is refused by a server that asks the registry', async () => {
  const r = await register(server, seal(server, family(40)));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => [e.path, e.code]), [['/consent', 'consent.required']]);
  assert.match(r.body.errors[0].message.id, /Dukcapil/);
});

test('every member matches: verifying, then verified with card numbers', async () => {
  const r = await register(server, seal(server, withConsent(1)));
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'verifying', 'accepted at once, checked by the job');
  const s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'verified');
  assert.equal(s.population_check, 'done');
  assert.deepEqual(s.corrections, []);
  assert.ok(s.members.every((m) => /^\d{13}$/.test(m.card_number)));
  assert.ok(s.bill.va);
});

test('a misspelled name: needs_correction, the family corrects it, verified', async () => {
  const app = withConsent(2);
  app.members[1].name = 'Siti Aminha';
  const r = await register(server, seal(server, app));
  let s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'needs_correction');
  assert.deepEqual(s.corrections.map((c) => [c.path, c.code]), [['/members/1/name', 'registry.name_mismatch']]);
  assert.match(s.corrections[0].message.id, /Dukcapil/);
  assert.ok(s.members.every((m) => m.card_number === null), 'no numbers issued');

  // Only with the registration's own token, and only a valid package.
  const fixed = { ...app, members: [app.members[0], { ...app.members[1], name: 'Siti Aminah' }] };
  const post = (body, token, type = 'application/vnd.daftar.package') => fetch(`${server.url}/api/v1/registrations/${r.body.reference}/corrections`,
    { method: 'POST', body, headers: { 'Content-Type': type, Authorization: `Bearer ${token}` } });
  assert.equal((await post(seal(server, fixed), 'not-the-token')).status, 404);
  const invalid = await post(seal(server, { ...fixed, kk_number: '123' }, { allowInvalid: true }), r.body.access_token);
  assert.equal(invalid.status, 422);
  assert.equal((await invalid.json()).errors[0].code, 'kk.invalid_length');
  const corrected = await post(seal(server, fixed), r.body.access_token);
  assert.equal(corrected.status, 202);
  assert.deepEqual(await corrected.json(), { reference: r.body.reference, status: 'verifying' });
  s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'verified');
  assert.equal(s.members[1].name, 'SITI AMINAH');
  assert.deepEqual(s.corrections, []);
  // Once verified there is nothing to correct.
  assert.equal((await post(seal(server, fixed), r.body.access_token)).status, 409);
});

test('not found in the registry: review, and an operator approves it (CLI and API)', async () => {
  const r = await register(server, seal(server, withConsent(900)));
  const s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'review');

  const reviewer = await operator(server, 'rina', 'reviewer');
  const queue = await reviewer.call('GET', '/queue?status=review&district=32.04.11');
  assert.equal(queue.status, 200);
  const item = queue.body.queue.find((q) => q.reference === r.body.reference);
  assert.ok(item, 'in the queue, by district');
  assert.equal(item.district, '32.04.11');
  assert.equal((await reviewer.call('GET', '/queue?district=31.71')).body.queue.length, 0, 'another district: none');

  const view = await reviewer.call('GET', `/registrations/${r.body.reference}`);
  assert.equal(view.status, 200);
  assert.equal(view.body.members[0].nik, '3204110609870900', 'the full NIK, for operators only');
  assert.equal(view.body.members[0].registry.result, 'not_found');
  assert.equal(view.body.members[1].registry.result, 'match');
  assert.equal(view.body.documents.length, 3);
  const image = await reviewer.call('GET', `/registrations/${r.body.reference}/documents/0`);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/jpeg');
  assert.match(image.headers.get('content-security-policy'), /sandbox/);
  const pdf = await reviewer.call('GET', `/registrations/${r.body.reference}/documents/2`);
  assert.match(pdf.headers.get('content-disposition'), /^attachment/);
  assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');

  // The same from the native binary, for operators without a browser.
  const env = { ...process.env, DAFTAR_OPERATOR_PASSWORD: PASSWORD };
  const cli = (...args) => spawnSync(bin, ['admin', ...args, '--server', server.url, '--operator', 'rina'], { encoding: 'utf8', env });
  const shown = cli('show', r.body.reference);
  assert.equal(shown.status, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).reference, r.body.reference);
  const approved = cli('approve', r.body.reference, '--note', 'KK checked against the document');
  assert.equal(approved.status, 0, approved.stdout + approved.stderr);
  assert.equal(JSON.parse(approved.stdout).status, 'verified');
  assert.equal(cli('approve', r.body.reference).status, 1, 'decided once');
  const after = await status(server, r.body.reference, r.body.access_token);
  assert.equal(after.body.status, 'verified');
  assert.ok(after.body.members.every((m) => m.card_number));

  // Every view and decision is in the audit chain under the operator's name and id.
  const audit = sql(server, `SELECT event, detail FROM audit WHERE subject = '${r.body.reference}' ORDER BY seq`);
  assert.match(audit, /case_viewed\|\{"operator":"rina","operator_id":\d+\}/);
  assert.match(audit, /document_viewed\|\{"operator":"rina","operator_id":\d+,"document":0\}/);
  assert.match(audit, /approved\|\{"operator":"rina","operator_id":\d+,"override_registry":false\}/);
});

test('overriding a registry mismatch needs a supervisor; a rejection gives catalogued reasons', async () => {
  const r = await register(server, seal(server, withConsent(901)));
  const s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'needs_correction');
  const reviewer = await signIn(server, 'rina');
  const supervisor = await operator(server, 'sari', 'supervisor');
  const refused = await reviewer.call('POST', `/registrations/${r.body.reference}/approve`, {});
  assert.equal(refused.status, 403);
  assert.equal(refused.body.errors[0].code, 'operator.supervisor_required');
  assert.equal((await status(server, r.body.reference, r.body.access_token)).body.status, 'needs_correction', 'unchanged');
  const overridden = await supervisor.call('POST', `/registrations/${r.body.reference}/approve`, { note: 'name on the KK is SANTOSO' });
  assert.equal(overridden.status, 200);
  assert.equal(overridden.body.status, 'verified');

  // A rejection: reasons from the catalogue only, shown to the family with their messages.
  const other = await register(server, seal(server, withConsent(41)));  // family 41 matches
  await settled(server, other.body.reference, other.body.access_token);
  const third = withConsent(42);
  third.members[0].name = 'Budi Santos';
  const wrong = await register(server, seal(server, third));
  await settled(server, wrong.body.reference, wrong.body.access_token);
  const unknown = await reviewer.call('POST', `/registrations/${wrong.body.reference}/reject`, { reasons: ['looks odd'] });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.errors[0].code, 'review.unknown_reason');
  const reasons = await reviewer.call('GET', '/reasons');
  assert.ok(reasons.body.reasons.some((x) => x.code === 'reason.documents_do_not_match' && x.message.en));
  const rejected = await reviewer.call('POST', `/registrations/${wrong.body.reference}/reject`,
    { reasons: ['reason.documents_do_not_match'], note: 'name differs from the KTP' });
  assert.equal(rejected.status, 200);
  const seen = (await status(server, wrong.body.reference, wrong.body.access_token)).body;
  assert.equal(seen.status, 'rejected');
  assert.equal(seen.rejection.reasons[0].code, 'reason.documents_do_not_match');
  assert.match(seen.rejection.reasons[0].message.id, /KK atau KTP/);
});

test('an operator asks for a correction; the corrected family returns to the operator', async () => {
  // A newborn without a NIK is not sent to the registry: its birth certificate is for an operator.
  const born = new Date(Date.now() - 20 * 86400000).toISOString().slice(0, 10);
  const newborn = { nik: null, name: 'Bayi Santoso', birth_date: born, sex: 'F', relationship: 'child', marital_status: 'single' };
  const app = withConsent(44);
  app.members.push(newborn);
  const r = await register(server, seal(server, app, { extra: ['birth_certificate:2'] }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await settled(server, r.body.reference, r.body.access_token)).status, 'review');
  const reviewer = await signIn(server, 'rina');
  assert.equal((await reviewer.call('POST', `/registrations/${r.body.reference}/request-correction`, {})).body.errors[0].code,
    'review.message_required');
  const asked = await reviewer.call('POST', `/registrations/${r.body.reference}/request-correction`,
    { message: 'Foto akta kelahiran terpotong; unggah ulang.', paths: ['/documents/3'] });
  assert.equal(asked.status, 200);
  let s = await status(server, r.body.reference, r.body.access_token);
  assert.equal(s.body.status, 'needs_correction');
  assert.deepEqual(s.body.corrections.map((c) => [c.path, c.code]), [['/documents/3', 'review.correction_requested']]);
  assert.match(s.body.corrections[0].message.id, /akta kelahiran terpotong/);
  // Not in review any more: a second request is refused.
  assert.equal((await reviewer.call('POST', `/registrations/${r.body.reference}/request-correction`, { message: 'x' })).status, 409);

  const corrected = await fetch(`${server.url}/api/v1/registrations/${r.body.reference}/corrections`, { method: 'POST',
    body: seal(server, app, { extra: ['birth_certificate:2'] }),
    headers: { 'Content-Type': 'application/vnd.daftar.package', Authorization: `Bearer ${r.body.access_token}` } });
  assert.equal(corrected.status, 202);
  s = await settled(server, r.body.reference, r.body.access_token);
  assert.equal(s.status, 'review', 'an operator asked, so an operator looks again');
  assert.equal(count(`SELECT COUNT(*) FROM replaced_packages WHERE registration_id = (SELECT id FROM registrations WHERE reference = '${r.body.reference}')`), 1,
    'both packages kept');
  const view = await reviewer.call('GET', `/registrations/${r.body.reference}`);
  assert.equal(view.body.corrected_times, 1);
  assert.equal(view.body.members[2].registry, null, 'the newborn was not sent');
  assert.equal((await reviewer.call('POST', `/registrations/${r.body.reference}/approve`, {})).status, 200);
});

test('the registry down for 30 s in the middle of 50 registrations: all verified, none twice', async () => {
  const families = [...Array(37).keys()].map((i) => i + 3).concat([...Array(13).keys()].map((i) => i + 45));  // 3-39, 45-57
  const registered = [];
  for (const [i, n] of families.entries()) {
    if (i === 15) await sim.stop();  // the registry goes down with jobs still coming
    const r = await register(server, seal(server, withConsent(n)));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    registered.push(r.body);
  }
  // While it is down, the family is told in plain words that it waits.
  await new Promise((done) => setTimeout(done, 3000));
  const waiting = await status(server, registered.at(-1).reference, registered.at(-1).access_token);
  assert.equal(waiting.body.status, 'verifying');
  assert.equal(waiting.body.population_check, 'waiting');
  assert.match(waiting.body.waiting.message.id, /Menunggu jawaban dari Dukcapil/);
  assert.ok(waiting.body.waiting.attempts >= 1);
  await new Promise((done) => setTimeout(done, 27000));
  sim = await startRegistrySim(csv, { port: sim.port });
  for (const r of registered) {
    const s = await settled(server, r.reference, r.access_token, 120);
    assert.equal(s.status, 'verified', `${r.reference}: ${JSON.stringify(s.waiting ?? s.corrections)}`);
  }
  const references = registered.map((r) => `'${r.reference}'`).join(',');
  assert.equal(count(`SELECT COUNT(*) FROM audit WHERE event = 'population_checked' AND subject IN (${references})`), 50);
  assert.equal(count(`SELECT COUNT(*) FROM audit WHERE event = 'numbers_issued' AND subject IN (${references})`), 50);
  assert.equal(count('SELECT COUNT(*) FROM verification_jobs'), 0);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /daftar_registry_unavailable_total [1-9]/);
});

test('kill -9 with verification jobs in flight: the restarted server finishes them', async () => {
  const slow = await startRegistrySim(csv, { args: ['--latency-ms', '400'] });
  const victim = await startServer(registryConfig(slow.url, { concurrency: 2 }));
  const registered = [];
  for (const n of [45, 46, 47, 48, 49, 50]) {
    const r = await register(victim, seal(victim, withConsent(n)));
    registered.push(r.body);
  }
  await new Promise((done) => setTimeout(done, 500));
  await victim.stop('SIGKILL');
  const again = await startServer(registryConfig(slow.url, { concurrency: 2 }), { dir: victim.dir });
  try {
    for (const r of registered) assert.equal((await settled(again, r.reference, r.access_token, 90)).status, 'verified');
    const references = registered.map((r) => `'${r.reference}'`).join(',');
    await again.stop();
    const checked = Number(sql(again, `SELECT COUNT(*) FROM audit WHERE event = 'population_checked' AND subject IN (${references})`).trim());
    assert.equal(checked, registered.length, 'each concluded exactly once');
    const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', again.dataDir, ...databaseArgs(again.dir)], { encoding: 'utf8' });
    assert.equal(audit.status, 0, audit.stdout);
  } finally {
    await again.stop();
    await slow.stop();
  }
});

test('mutual TLS: the registry over HTTPS with a client certificate; without one, the family waits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-tls-'));
  const openssl = (...args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test registry CA');
  for (const [name, ext] of [['registry', 'subjectAltName=IP:127.0.0.1'], ['daftar', 'extendedKeyUsage=clientAuth']]) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`,
      '-days', '2', '-extfile', `${name}.ext`);
  }
  const secure = await startRegistrySim(csv, { args: ['--tls-cert', join(dir, 'registry.pem'), '--tls-key', join(dir, 'registry.key'),
    '--client-ca', join(dir, 'ca.pem')] });
  assert.match(secure.url, /^https:/);
  const tls = { ca_file: join(dir, 'ca.pem') };
  const withCert = await startServer(registryConfig(secure.url, { ...tls, client_cert: join(dir, 'daftar.pem'), client_key: join(dir, 'daftar.key') }));
  const withoutCert = await startServer(registryConfig(secure.url, tls));
  try {
    const ok = await register(withCert, seal(withCert, withConsent(58)));
    assert.equal((await settled(withCert, ok.body.reference, ok.body.access_token)).status, 'verified');
    const refused = await register(withoutCert, seal(withoutCert, withConsent(59)));
    await new Promise((done) => setTimeout(done, 2000));
    const s = await status(withoutCert, refused.body.reference, refused.body.access_token);
    assert.equal(s.body.status, 'verifying');
    assert.equal(s.body.population_check, 'waiting', 'the handshake fails: unavailable, retried, never verified without the certificate');
  } finally {
    await withCert.stop();
    await withoutCert.stop();
    await secure.stop();
  }
});

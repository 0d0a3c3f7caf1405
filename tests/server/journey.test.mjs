// The whole journey against a real server process: seal with the CLI, upload with tus (cut in the
// middle, resumed), register, verified, inquiry, a bad signature, a wrong amount, the exact
// payment, a replay, active, and the receipt and cards verified with the public key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { connect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { startServer, family, seal, bank, status, today, bin, BANK, databaseArgs } from '../support/server.mjs';

const server = await startServer();
after(() => server.stop());

function verifySigned(doc, keyBase64) {
  assert.equal(doc.key, keyBase64, 'signed with the server key');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keyBase64, 'base64')]);
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  return verify(null, Buffer.from(doc.payload, 'utf8'), key, Buffer.from(doc.signature, 'base64'));
}

// Sends a PATCH whose body stops half-way, then drops the connection: a phone losing signal.
function cutPatch(url, path, offset, bytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`PATCH ${path} HTTP/1.1\r\nHost: ${hostname}\r\nTus-Resumable: 1.0.0\r\n` +
        `Content-Type: application/offset+octet-stream\r\nUpload-Offset: ${offset}\r\nContent-Length: ${bytes.length}\r\n\r\n`);
      socket.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => { socket.destroy(); resolve(); }, 50));
    });
    socket.on('error', resolve);
  });
}

test('a family goes from a sealed package to active signed cards', async () => {
  const pkg = seal(server, family(1));
  const tus = { 'Tus-Resumable': '1.0.0' };

  // Create the upload, send the first half, lose the connection during the second.
  const created = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(pkg.length) } });
  assert.equal(created.status, 201);
  const location = created.headers.get('location');
  assert.match(location, /^\/api\/v1\/uploads\/[0-9a-f]{32}$/);
  const half = pkg.length >> 1;
  let r = await fetch(server.url + location, { method: 'PATCH', body: pkg.subarray(0, half),
    headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('upload-offset'), String(half));
  await cutPatch(server.url, location, half, pkg.subarray(half));

  // Registering an unfinished upload is refused; the client asks where to resume and finishes.
  let reg = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ upload: location.split('/').pop() }) });
  assert.equal(reg.status, 409);
  assert.equal((await reg.json()).errors[0].code, 'upload.incomplete');
  const head = await fetch(server.url + location, { method: 'HEAD', headers: tus });
  assert.equal(head.status, 200);
  const offset = Number(head.headers.get('upload-offset'));
  assert.equal(offset, half, 'resumes where the last acknowledged PATCH ended');
  assert.equal(head.headers.get('upload-length'), String(pkg.length));
  r = await fetch(server.url + location, { method: 'PATCH', body: pkg.subarray(offset),
    headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) } });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('upload-offset'), String(pkg.length));

  reg = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ upload: location.split('/').pop() }) });
  assert.equal(reg.status, 201);
  const { reference, access_token: token, status: state } = await reg.json();
  assert.equal(state, 'verified');

  // Status: card numbers (Verhoeff), the family VA, the bill from the shared quote, the window.
  let s = await status(server, reference, token);
  assert.equal(s.status, 200);
  assert.equal(s.body.status, 'verified');
  assert.equal(s.body.members.length, 2);
  for (const m of s.body.members) {
    assert.match(m.card_number, /^\d{13}$/);
    assert.equal(spawnSync(bin, ['check', 'card', m.card_number]).status, 0, 'a valid Verhoeff card number');
    assert.match(m.nik_masked, /^\d{4}\*{8}\d{4}$/);
    assert.ok(!JSON.stringify(s.body).includes('3204110609870001'), 'no full NIK anywhere');
  }
  const head_card = s.body.members[0].card_number;
  assert.equal(s.body.bill.va, '88888' + head_card.slice(2));
  assert.equal(s.body.bill.amount, 2 * 35000, 'two members, class III, today\'s tariff');
  assert.equal(s.body.bill.earliest, today());
  const { va, amount } = s.body.bill;

  // The bank asks, with a wrong signature first.
  assert.equal((await bank(server, 'inquiry', { va }, { secret: 'not-the-secret-0000000000' })).status, 401);
  assert.equal((await bank(server, 'inquiry', { va }, { id: 'NOBANK' })).status, 401);
  const inquiry = await bank(server, 'inquiry', { va });
  assert.equal(inquiry.status, 200);
  assert.equal(inquiry.body.amount, amount);
  assert.equal(inquiry.body.name, 'BU** SA*****');
  assert.equal(inquiry.body.latest, s.body.bill.latest);

  // Short, outside the window: refused, nothing applied.
  const paidAt = `${today()}T10:15:00+07:00`;
  let pay = await bank(server, 'payment', { va, amount: amount - 1, bank_ref: 'BX-1', paid_at: paidAt });
  assert.equal(pay.status, 422);
  assert.equal(pay.body.errors[0].code, 'payment.amount_mismatch');
  pay = await bank(server, 'payment', { va, amount, bank_ref: 'BX-1', paid_at: '2099-01-01T10:00:00+07:00' });
  assert.equal(pay.body.errors[0].code, 'payment.outside_window');
  assert.equal((await status(server, reference, token)).body.status, 'verified');

  // The exact amount, then the same payment again.
  pay = await bank(server, 'payment', { va, amount, bank_ref: 'BX-2', paid_at: paidAt });
  assert.equal(pay.status, 200);
  assert.equal(pay.body.status, 'paid');
  const replay = await bank(server, 'payment', { va, amount, bank_ref: 'BX-2', paid_at: paidAt });
  assert.equal(replay.status, 200);
  assert.deepEqual(replay.body, pay.body);
  const second = await bank(server, 'payment', { va, amount, bank_ref: 'BX-3', paid_at: paidAt });
  assert.equal(second.status, 409);
  assert.equal(second.body.errors[0].code, 'payment.already_paid');

  s = await status(server, reference, token);
  assert.equal(s.body.status, 'active');
  assert.equal(s.body.payments.length, 1);
  const signing = server.config.keys.signing;
  assert.ok(verifySigned(s.body.receipt, signing));
  const receipt = JSON.parse(s.body.receipt.payload);
  assert.deepEqual([receipt.reference, receipt.va, receipt.amount, receipt.bank_ref, receipt.paid_at], [reference, va, amount, 'BX-2', paidAt]);
  assert.equal(s.body.cards.length, 2);
  for (const card of s.body.cards) {
    assert.ok(verifySigned(card, signing));
    const payload = JSON.parse(card.payload);
    assert.equal(payload.status, 'active');
    assert.equal(payload.class, 3);
    assert.ok(payload.card && payload.name && payload.issued);
  }
  // A forged card fails verification.
  const forged = { ...s.body.cards[0], payload: s.body.cards[0].payload.replace('"class":3', '"class":1') };
  assert.equal(verifySigned(forged, signing), false);
});

test('daftar pay posts a signed payment as a bank would', async () => {
  const reg = await (await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: seal(server, family(2)),
    headers: { 'Content-Type': 'application/vnd.daftar.package' } })).json();
  const s = await status(server, reg.reference, reg.access_token);
  const r = spawnSync(bin, ['pay', '--server', server.url, '--bank', BANK.id, '--secret', BANK.secret,
    '--va', s.body.bill.va, '--amount', String(s.body.bill.amount)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 'paid');
  assert.equal((await status(server, reg.reference, reg.access_token)).body.status, 'active');
  const wrong = spawnSync(bin, ['pay', '--server', server.url, '--bank', BANK.id, '--secret', BANK.secret,
    '--va', s.body.bill.va, '--amount', '1'], { encoding: 'utf8' });
  assert.equal(wrong.status, 1);
});

test('an operator opens a stored package with the intake secret key', async () => {
  const pkg = seal(server, family(3));
  const reg = await (await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: pkg,
    headers: { 'Content-Type': 'application/vnd.daftar.package' } })).json();
  const out = `${server.dir}/opened-${reg.reference}`;
  const r = spawnSync(bin, ['open', '--key', `${server.dataDir}/keys/intake.sk`, '--data-dir', server.dataDir,
    ...databaseArgs(server.dir), reg.reference, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).documents.length, 3);
  assert.equal(spawnSync(bin, ['open', '--key', `${server.dataDir}/keys/intake.sk`, '--data-dir', server.dataDir,
    ...databaseArgs(server.dir), 'NOPE-NOPE-NOPE', '--out', out]).status, 2);
});

test('the audit chain verifies after all this', async () => {
  const r = spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir, ...databaseArgs(server.dir)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
  const answer = JSON.parse(r.stdout);
  assert.equal(answer.valid, true);
  assert.ok(answer.entries >= 6);
});

// Messages to families: queued in the outbox with the event they tell of, sent by the server over
// a real SMTP server (aiosmtpd on loopback) and an SMS gateway that checks signatures, copied to
// the sink file; retried while either is down, and sent after a kill -9, each message once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, register, status, bank, bin } from '../support/server.mjs';
import { startSmtp, startGateway, jsonLines, eventually } from '../support/messages.mjs';
import { registryConfig, consent } from '../support/registry.mjs';

const SECRET = 'b3e1f7a9c5d2e8f4a0b6c2d8e4f0a6b2c8d4e0f6a2b8c4d0e6f2a8b4c0d6e2f8';
const smtp = await startSmtp();
const gateway = await startGateway(SECRET);
const sink = join(mkdtempSync(join(tmpdir(), 'daftar-sink-')), 'outbox.jsonl');
const config = {
  notifications: {
    email: { smtp_url: smtp.url, smtp_tls: 'none', from: 'daftar@bpjs-kesehatan.example' },
    sms: { url: gateway.url, secret: SECRET },
    sink_file: sink, retry_base_seconds: 1, retry_max_seconds: 2, lease_seconds: 3,
  },
};
let server = await startServer(config);
after(async () => { await server.stop(); await smtp.stop(); await gateway.stop(); });

const smsFor = (reference) => gateway.messages.filter((m) => m.text.includes(reference));
const mailFor = (reference) => smtp.messages().filter((m) => m.text.includes(reference));
const unique = (list, key) => new Set(list.map(key)).size === list.length;

test('a registration is told by SMS and e-mail, Bahasa Indonesia first, with its numbers', async () => {
  const r = await register(server, seal(server, family(1)));
  assert.equal(r.body.status, 'verified');
  const reference = r.body.reference;
  const sms = await eventually(() => smsFor(reference), (l) => l.length >= 2);
  assert.equal(sms.length, 2, JSON.stringify(gateway.messages));
  assert.match(sms[0].text, new RegExp(`^Pendaftaran JKN Anda sudah kami terima\\. Nomor pendaftaran: ${reference}\\.`));
  const s = (await status(server, reference, r.body.access_token)).body;
  const verified = sms.find((m) => m.text.startsWith(`Pendaftaran ${reference} disetujui`));
  assert.ok(verified, 'the approval with the numbers');
  assert.ok(verified.text.includes(s.members[0].card_number) && verified.text.includes(s.bill.va), verified.text);
  assert.ok(verified.text.includes('Rp70.000'), verified.text);
  assert.doesNotMatch(verified.text, /\d{4}-\d{2}-\d{2}/, 'dates in words, not ISO');
  assert.equal(gateway.refused, 0);
  assert.equal(sms[0].idempotency_key, sms[0].id);
  assert.equal(sms[0].path, '/send');

  const mail = await eventually(() => mailFor(reference), (l) => l.length >= 2);
  assert.equal(mail.length, 2);
  const received = mail.find((m) => m.subject === `Pendaftaran JKN diterima (${reference})`);
  assert.ok(received, JSON.stringify(mail.map((m) => m.subject)));
  assert.deepEqual(received.to, ['siti.aminah@example.co.id']);
  assert.equal(received.from, 'daftar@bpjs-kesehatan.example');
  assert.match(received.message_id, /^<daftar-\d+@bpjs-kesehatan\.example>$/);
  assert.match(received.content_type, /charset="?utf-8"?/i);
  const [indonesian, english] = received.text.split('\n---\n');
  assert.match(indonesian, /Pendaftaran JKN Anda sudah kami terima/);
  assert.match(english, /We have received your JKN registration/);

  const copies = jsonLines(sink).filter((l) => l.params.reference === reference);
  assert.deepEqual(copies.map((l) => [l.channel, l.template]).sort(), [
    ['email', 'notify.registration_received'], ['email', 'notify.verified'],
    ['sms', 'notify.registration_received'], ['sms', 'notify.verified']]);
  for (const line of copies) assert.deepEqual(Object.keys(line), ['at', 'id', 'channel', 'to', 'template', 'params', 'text']);
  assert.equal(copies.find((l) => l.template === 'notify.verified').params.va, s.bill.va);
});

test('the payment is confirmed with its receipt', async () => {
  const r = await register(server, seal(server, family(2)));
  const s = (await status(server, r.body.reference, r.body.access_token)).body;
  const paid = await bank(server, 'payment', { va: s.bill.va, amount: s.bill.amount, bank_ref: 'NOTIFY-PAY-1', paid_at: new Date().toISOString() });
  assert.equal(paid.status, 200);
  const sms = await eventually(() => gateway.messages.filter((m) => m.text.includes('NOTIFY-PAY-1')), (l) => l.length >= 1);
  assert.equal(sms.length, 1);
  assert.match(sms[0].text, /^Pembayaran Rp70\.000 untuk [A-Z][a-z]+ \d{4} sudah diterima \(ref\. bank NOTIFY-PAY-1\)/);
});

test('mail server and gateway down for a while: every message arrives once they are back, none twice', async () => {
  smtp.down(true);
  gateway.down(true);
  const references = [];
  for (const n of [3, 4, 5]) references.push((await register(server, seal(server, family(n)))).body.reference);
  await new Promise((done) => setTimeout(done, 2500));
  for (const reference of references) assert.equal(smsFor(reference).length + mailFor(reference).length, 0);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /daftar_outbox_messages\{state="failing"\} [1-9]/);
  smtp.down(false);
  gateway.down(false);
  for (const reference of references) {
    assert.equal((await eventually(() => smsFor(reference), (l) => l.length >= 2)).length, 2);
    assert.equal((await eventually(() => mailFor(reference), (l) => l.length >= 2)).length, 2);
  }
  assert.ok(unique(gateway.messages, (m) => m.id), 'no SMS twice');
  assert.ok(unique(smtp.messages(), (m) => m.message_id), 'no e-mail twice');
});

test('kill -9 with messages unsent: the restarted server sends them', async () => {
  gateway.down(true);
  smtp.down(true);
  const reference = (await register(server, seal(server, family(6)))).body.reference;
  await new Promise((done) => setTimeout(done, 500));
  await server.stop('SIGKILL');
  gateway.down(false);
  smtp.down(false);
  server = await startServer(config, { dir: server.dir });
  assert.equal((await eventually(() => smsFor(reference), (l) => l.length >= 2)).length, 2);
  assert.equal((await eventually(() => mailFor(reference), (l) => l.length >= 2)).length, 2);
  assert.ok(unique(gateway.messages, (m) => m.id));
});

test('in English when the family chose English', async () => {
  const app = family(7);
  const r = await register(server, seal(server, { ...app, contact: { ...app.contact, language: 'en' } }));
  const sms = await eventually(() => smsFor(r.body.reference), (l) => l.length >= 2);
  assert.match(sms[0].text, /^We have received your JKN registration/);
  const mail = await eventually(() => mailFor(r.body.reference), (l) => l.length >= 1);
  assert.match(mail[0].text, /^We have received your JKN registration[^]*\n---\n[^]*Pendaftaran JKN Anda sudah kami terima/);
});

test('serve --dev without notifications keeps every message in DATA/outbox.jsonl', async () => {
  const dev = await startServer({}, { args: ['--dev'] });
  try {
    const r = await register(dev, seal(dev, family(8)));
    const lines = await eventually(() => jsonLines(join(dev.dataDir, 'outbox.jsonl')), (l) => l.length >= 4);
    assert.deepEqual(lines.filter((l) => l.params.reference === r.body.reference).map((l) => l.channel).sort(), ['email', 'email', 'sms', 'sms']);
  } finally {
    await dev.stop();
  }
});

test('without STARTTLS a mail server gets nothing, so no password or code in clear; "none" only on this machine', async () => {
  const plain = await startSmtp();
  const s = await startServer({ notifications: { email: { smtp_url: plain.url, username: 'mailer', password: 'a mail password',
    from: 'daftar@bpjs-kesehatan.example' } } });
  try {
    assert.equal((await register(s, seal(s, family(9808)))).status, 201);
    const failing = await eventually(async () => Number((await (await fetch(`${s.url}/metrics`)).text()).match(/daftar_outbox_messages\{state="failing"\} (\d+)/)[1]),
      (n) => n > 0);
    assert.ok(failing > 0);
    assert.deepEqual(plain.messages(), []);
    assert.match(s.output(), /not sent: SMTP/);
  } finally {
    await s.stop();
    await plain.stop();
  }
  const dir = mkdtempSync(join(tmpdir(), 'daftar-smtp-config-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ notifications: { email: { smtp_url: 'smtp://mail.example.go.id:25', smtp_tls: 'none',
    from: 'daftar@example.go.id' } } }));
  const r = spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--config', join(dir, 'config.json')], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/notifications\/email\/smtp_tls: config\.smtp_tls_required/);
});

test('a population registry and an SMS gateway that never answer: each call times out, e-mail still goes, SIGTERM still ends the server', async () => {
  // Both accept connections and read forever, answering nothing.
  const sockets = [];
  const silent = createNetServer((socket) => { sockets.push(socket); socket.on('data', () => {}); });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = silent.address().port;
  const smtp2 = await startSmtp();
  const s = await startServer({
    ...registryConfig(`http://127.0.0.1:${port}`, { timeout_ms: 1000 }),
    notifications: { timeout_ms: 1000, retry_base_seconds: 1, retry_max_seconds: 2,
      email: { smtp_url: smtp2.url, smtp_tls: 'none', from: 'daftar@bpjs-kesehatan.example' },
      sms: { url: `http://127.0.0.1:${port}/send`, secret: SECRET } },
  });
  try {
    const r = await register(s, seal(s, family(9809, { consent: consent() })));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const metric = async (name) => Number((await (await fetch(`${s.url}/metrics`)).text()).match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? 0);
    assert.ok(await eventually(() => metric('daftar_registry_unavailable_total'), (n) => n >= 2), 'registry calls time out and are retried');
    // The registration's e-mail arrives although its SMS hangs.
    const mail = await eventually(() => smtp2.messages(), (m) => m.length > 0);
    assert.ok(mail.length > 0, 'the e-mail went out');
    assert.ok(await eventually(() => metric('daftar_message_failures_total'), (n) => n >= 1), 'the SMS timed out');
    assert.equal((await status(s, r.body.reference, r.body.access_token)).body.status, 'verifying');
  } finally {
    const exited = await Promise.race([s.stop(), new Promise((resolve) => setTimeout(() => resolve('still running'), 20000))]);
    if (exited === 'still running') s.child.kill('SIGKILL');
    assert.notEqual(exited, 'still running', 'SIGTERM ended the server');
    for (const socket of sockets) socket.destroy();
    silent.close();
    await smtp2.stop();
  }
});

// Issue 9, tried as an attacker would, against real `daftar serve` processes: hostile manifests
// and documents, a reused Idempotency-Key, damaged key files, replayed bank calls, quotas, a full
// disk (the configured floor), concurrent uploads while metrics are read, unpaid registrations
// expiring (a faked clock), the keyed audit chain, and cards verified only against a trusted key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync, rmSync, statSync, existsSync, readdirSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, family, seal, register, bank, bankHeaders, status, bin, root, BANK, databaseArgs, sql, store, startOfAMinute } from '../support/server.mjs';
import { jpeg, pdf, pdfWithObjectStream } from '../support/files.mjs';

const { load } = await import(pathToFileURL(join(process.env.DAFTAR_BUILD, 'web/js/daftar-core.mjs')));
const core = await load();
const servers = [];
after(() => Promise.all(servers.map((s) => s.stop())));
async function serve(config, options) {
  const s = await startServer(config, options);
  servers.push(s);
  return s;
}

const healthy = async (server) => (await fetch(`${server.url}/healthz`)).status === 200;
const problem = (r) => r.body?.errors?.[0]?.code;

// Seals an application and documents as given, without the device's checks, in pieces of
// `piece` bytes: what a hostile client can send.
function sealAsGiven(server, application, docs, { piece = 64 * 1024 } = {}) {
  const entries = docs.map(({ kind, member, media_type, bytes }) => ({ kind, member, media_type, size: bytes.length,
    blake2b: core.call('blake2b', {}, bytes).blake2b }));
  let step = core.call('seal-start', { public_key: server.config.keys.intake, application: { ...application, documents: entries } });
  assert.ok(step.valid, JSON.stringify(step.errors));
  const parts = [step.bytes];
  for (const d of docs) {
    for (let at = 0; ; at += piece) {
      const last = at + piece >= d.bytes.length;
      step = core.call('seal-add', { state: step.state, last }, d.bytes.subarray(at, at + piece));
      parts.push(step.bytes);
      if (last) break;
    }
  }
  parts.push(core.call('seal-finish', { state: step.state }).bytes);
  return Buffer.concat(parts);
}

const goodDocs = (ktp = jpeg(1024, 640), mediaType = 'image/jpeg') => [
  { kind: 'kk', member: null, media_type: 'image/jpeg', bytes: jpeg(1600, 1200) },
  { kind: 'ktp', member: 0, media_type: mediaType, bytes: ktp },
  { kind: 'ktp', member: 1, media_type: 'image/jpeg', bytes: jpeg(1000, 700) },
];

// --- 1. hostile manifests never stop the server ----------------------------------------------------
test('hostile manifests: wrong types everywhere, huge arrays, tiny frames; the server keeps answering', async () => {
  const server = await serve();
  const base = family(9100);
  const wrong = [7, -1, 1e300, '', 'x'.repeat(10000), [], [[]], {}, { a: {} }, null, true];
  const cases = [];
  // Every field of the application and of a member, each replaced by every wrong type.
  for (const key of ['schema', 'segment', 'class', 'kk_number', 'contact', 'address', 'members', 'consent']) {
    for (const value of wrong) cases.push([`${key} = ${JSON.stringify(value).slice(0, 20)}`, { ...base, [key]: value }, goodDocs()]);
  }
  for (const key of ['nik', 'name', 'relationship', 'birth_date', 'sex', 'marital_status', 'ever_married']) {
    for (const value of wrong) {
      const members = structuredClone(base.members);
      members[0][key] = value;
      cases.push([`members[0].${key} = ${JSON.stringify(value).slice(0, 20)}`, { ...base, members }, goodDocs()]);
    }
  }
  for (const value of wrong) {
    cases.push([`members[1] = ${JSON.stringify(value).slice(0, 20)}`, { ...base, members: [base.members[0], value] }, goodDocs()]);
    // The documents' declared kind, member and type come from the manifest as the sender wrote them.
    for (const field of ['kind', 'member', 'media_type']) {
      cases.push([`documents[1].${field} = ${JSON.stringify(value).slice(0, 20)}`, base,
        goodDocs().map((d, i) => (i === 1 ? { ...d, [field]: value } : d))]);
    }
  }
  cases.push(['a thousand members', { ...base, members: Array.from({ length: 1000 }, () => base.members[1]) }, goodDocs()]);
  cases.push(['members with keys missing', { ...base, members: [{}, {}] }, goodDocs()]);
  cases.push(['no keys at all', {}, goodDocs()]);
  // Some replacements are harmless (an optional field, a value the rules accept): stored once, then
  // a duplicate. Every other answer is a refusal whose every error has a code and both messages.
  const seen = {};
  for (const [name, application, docs] of cases) {
    const r = await register(server, sealAsGiven(server, application, docs));
    assert.ok([201, 409, 422].includes(r.status), `${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    if (r.status !== 201) {
      assert.ok(r.body.errors.length > 0 && r.body.errors.every((e) => e.code && e.message.id && e.message.en), name);
    }
    seen[r.status] = (seen[r.status] ?? 0) + 1;
    assert.ok(await healthy(server), `the server answers after "${name}"`);
  }
  assert.ok(cases.length > 200 && seen[422] > 150, JSON.stringify(seen));

  // The member cap, with its own code.
  const crowd = { ...base, members: [base.members[0], ...Array.from({ length: 20 }, () => base.members[1])] };
  assert.equal(problem(await register(server, sealAsGiven(server, crowd, goodDocs()))), 'family.too_many_members');
  // 65 documents: refused by the package reader before any is checked.
  const many = Array.from({ length: 65 }, () => ({ kind: 'kk', member: null, media_type: 'image/jpeg', bytes: jpeg(1600, 1200) }));
  assert.equal(problem(await register(server, sealAsGiven(server, base, many))), 'package.too_many_documents');
  // One-byte frames: a document of 4 KiB in 4096 frames is past its cap (16 + 4096 / 256).
  const tiny = await register(server, sealAsGiven(server, base, goodDocs(jpeg(1024, 640)), { piece: 1 }));
  assert.equal(problem(tiny), 'package.too_many_frames');
  assert.ok(await healthy(server));
});

// --- 2. documents: pixel bombs and PDFs read for real ------------------------------------------------
test('pixel bombs and PDFs with active content hidden in object streams are refused, each with its code', async () => {
  const server = await serve();
  const app = family(9200);
  const refusal = async (ktp, mediaType) => {
    const r = await register(server, sealAsGiven(server, app, goodDocs(ktp, mediaType)));
    assert.equal(r.status, 422, JSON.stringify(r.body));
    return r.body.errors.map((e) => e.code).sort();
  };
  assert.deepEqual(await refusal(jpeg(60000, 60000)), ['document.too_many_pixels']);
  assert.deepEqual(await refusal(jpeg(8001, 5000)), ['document.too_many_pixels']);
  // The browser runs the same check on the header alone, before it would decode anything.
  const inBrowser = core.call('check-document', { kind: 'ktp' }, jpeg(60000, 60000));
  assert.deepEqual(inBrowser.errors.map((e) => e.code), ['document.too_many_pixels']);

  // Compressed object streams: the names are not in the file's bytes, the light check passes ...
  const hidden = {
    'JavaScript as the open action': [pdfWithObjectStream('/OpenAction<</S/JavaScript/JS(app.alert\\(1\\))>>'),
      ['document.pdf_auto_action', 'document.pdf_javascript']],
    'an additional action': [pdfWithObjectStream('/AA<</O 4 0 R>>', ['<</S/Named/N/NextPage>>']), ['document.pdf_auto_action']],
    'a launch action': [pdfWithObjectStream('', ['<</Type/Action/S/Launch/F(cmd.exe)>>']), ['document.pdf_launch']],
    'embedded files': [pdfWithObjectStream('/Names<</EmbeddedFiles 4 0 R>>', ['<</Names[(a.exe) 5 0 R]>>', '<</Type/Filespec/F(a.exe)>>']),
      ['document.pdf_embedded_file']],
    'an XFA form': [pdfWithObjectStream('/AcroForm<</Fields[]/XFA 4 0 R>>', ['<</Length 0>>']), ['document.pdf_xfa']],
    'rich media': [pdfWithObjectStream('', ['<</Type/Annot/Subtype/RichMedia/RichMediaContent<<>>>>']), ['document.pdf_rich_media']],
  };
  for (const [name, [bytes, codes]] of Object.entries(hidden)) {
    assert.ok(!Buffer.from(bytes).includes('JavaScript') && !Buffer.from(bytes).includes('Launch'), name);
    assert.equal(core.call('check-document', { kind: 'ktp' }, bytes).valid, true, `the light check cannot see ${name}`);
    assert.deepEqual(await refusal(bytes, 'application/pdf'), codes, name);
  }
  // ... and a plain PDF in an object stream is accepted.
  const plain = await register(server, sealAsGiven(server, family(9201), goodDocs(pdfWithObjectStream(), 'application/pdf')));
  assert.equal(plain.status, 201, JSON.stringify(plain.body));
  assert.equal((await register(server, sealAsGiven(server, family(9202), goodDocs(pdf(), 'application/pdf')))).status, 201);
});

// --- 3. an Idempotency-Key is not a credential --------------------------------------------------------
test('the same Idempotency-Key with another package reveals nothing', async () => {
  const server = await serve();
  const bytes = seal(server, family(9300));
  const key = 'idem-9300-abcdef';
  const first = await register(server, bytes, { 'Idempotency-Key': key });
  assert.equal(first.status, 201);
  const retry = await register(server, bytes, { 'Idempotency-Key': key });
  assert.deepEqual(retry.body, first.body, 'a retry of the identical package gets the first answer');
  for (const other of [Buffer.alloc(0), Buffer.from('x'), seal(server, family(9301))]) {
    const stolen = await register(server, other, { 'Idempotency-Key': key });
    assert.equal(stolen.status, 422);
    assert.equal(problem(stolen), 'registration.idempotency_key_reused');
    const text = JSON.stringify(stolen.body);
    assert.ok(!text.includes(first.body.reference) && !text.includes(first.body.access_token), text);
  }
});

// --- 4. keys are never silently replaced ----------------------------------------------------------------
test('a missing, short or mismatched key file stops the server with a message naming it', async () => {
  const server = await serve();
  const keys = join(server.dataDir, 'keys');
  const signing = readFileSync(join(keys, 'signing.pk'));
  await server.stop();
  for (const f of ['intake.sk', 'signing.sk', 'nik.key', 'token.key', 'audit.key']) {
    assert.equal(statSync(join(keys, f)).mode & 0o777, 0o600, f);
  }
  const restart = async () => {
    try {
      await startServer({}, { dir: server.dir });
      return null;
    } catch (e) {
      return e.message;
    }
  };
  const damage = [
    ['signing.pk', () => rmSync(join(keys, 'signing.pk')), /signing\.pk is missing/],
    ['signing.pk', () => writeFileSync(join(keys, 'signing.pk'), signing.subarray(0, 31)), /signing\.pk has 31 bytes/],
    ['signing.pk', () => writeFileSync(join(keys, 'signing.pk'), Buffer.alloc(32, 1)), /signing\.pk does not belong to signing\.sk/],
    ['audit.key', () => rmSync(join(keys, 'audit.key')), /audit\.key is missing/],
  ];
  for (const [file, act, message] of damage) {
    const saved = readFileSync(join(keys, file));
    act();
    const damaged = existsSync(join(keys, file)) ? readFileSync(join(keys, file)) : null;
    const refused = await restart();
    assert.match(refused ?? 'started', message);
    assert.match(refused, /Restore the key folder from your backup/);
    // Nothing was written in its place.
    assert.deepEqual(existsSync(join(keys, file)) ? readFileSync(join(keys, file)) : null, damaged);
    writeFileSync(join(keys, file), saved);
  }
  // Restored: the same signing key as before, so every card issued still verifies.
  const again = await serve({}, { dir: server.dir });
  assert.equal(again.config.keys.signing, signing.toString('base64'));

  // --keys-dir keeps keys apart from the data; an empty folder gets a whole new set.
  const apart = mkdtempSync(join(tmpdir(), 'daftar-keys-'));
  const separate = await serve({}, { args: ['--keys-dir', apart] });
  assert.deepEqual(readdirSync(apart).filter((f) => !f.startsWith('.')).sort(),
    ['audit.key', 'intake.pk', 'intake.sk', 'nik.key', 'signing.pk', 'signing.sk', 'token.key']);
  assert.ok(!existsSync(join(separate.dataDir, 'keys')));
  // The folder `daftar keygen` writes is one a server can use as it is.
  const made = join(mkdtempSync(join(tmpdir(), 'daftar-keygen-')), 'keys');
  assert.equal(spawnSync(bin, ['keygen', '--out', made]).status, 0);
  const fromKeygen = await serve({}, { args: ['--keys-dir', made] });
  assert.equal(fromKeygen.config.keys.signing, JSON.parse(readFileSync(join(made, 'public.json'), 'utf8')).signing);
});

// --- 5. no development secret in production ---------------------------------------------------------------
test('without --dev and without banks, payments answer 503; --dev brings the development bank', async () => {
  const production = await serve({ banks: null });
  for (const what of ['inquiry', 'payment']) {
    const r = await bank(production, what, { va: '1' });
    assert.equal(r.status, 503);
    assert.equal(problem(r), 'payment.no_banks_configured');
  }
  assert.ok(!existsSync(join(production.dataDir, 'bank-secret')));
  const dev = await serve({ banks: null }, { args: ['--dev'] });
  const secret = readFileSync(join(dev.dataDir, 'bank-secret'), 'utf8').trim();
  const r = spawnSync(bin, ['pay', '--server', dev.url, '--bank', 'DEV', '--secret', secret, '--va', '8888800000000000', '--amount', '1'], { encoding: 'utf8' });
  assert.equal(JSON.parse(r.stdout).errors[0].code, 'va.unknown', r.stdout);  // signed, fresh, accepted: the VA is unknown
});

test('the examples\' secrets, short or chosen ones stop the server at start, each named, with how to make one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-secrets-'));
  const start = (config) => spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--config', config],
    { encoding: 'utf8', timeout: 20000 });
  const shipped = start(join(root, 'deploy/config.example.json'));
  assert.equal(shipped.status, 2, shipped.stdout + shipped.stderr);
  assert.match(shipped.stderr, /config \/banks\/BANKX: config\.weak_bank_secret: .*openssl rand -hex 32/);
  assert.match(shipped.stderr, /config \/admin_token: config\.weak_admin_token/);
  for (const weak of ['bank-x-shared-secret-0123456789', 'a'.repeat(64), 'correct horse battery staple and a long phrase here', '0123456789abcdef'.repeat(3)]) {
    writeFileSync(join(dir, 'weak.json'), JSON.stringify({ banks: { BANKX: weak }, notifications: { sms: { url: 'https://sms.example/send', secret: weak } } }));
    const r = start(join(dir, 'weak.json'));
    assert.equal(r.status, 2, weak);
    assert.match(r.stderr, /\/banks\/BANKX: config\.weak_bank_secret/);
    assert.match(r.stderr, /\/notifications\/sms\/secret: config\.weak_gateway_secret/);
  }
});

test('no secret in what the server prints: passwords in a database string or a mail server\'s address are left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-logs-'));
  for (const database of ['postgresql://daftar:pg-Pa55word-never-printed@127.0.0.1:1/daftar',
    'host=127.0.0.1 port=1 user=daftar password=kw-Pa55word-never-printed dbname=daftar']) {
    const r = spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--database', database], { encoding: 'utf8', timeout: 20000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /daftar serve: database .*\*\*\*/);
    assert.doesNotMatch(r.stdout + r.stderr, /Pa55word/);
  }
  const s = await serve({ notifications: { email: { smtp_url: 'smtps://mailer:url-Pa55word-never-printed@127.0.0.1:1', username: 'mailer',
    password: 'cfg-Pa55word-never-printed', from: 'daftar@example.go.id' } } });
  assert.equal((await register(s, seal(s, family(9807)))).status, 201);  // a message to send, which fails
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.match(s.output(), /e-mail via smtps:\/\/mailer:\*\*\*@127\.0\.0\.1:1/);
  assert.match(s.output(), /not sent: SMTP/);
  assert.doesNotMatch(s.output(), /Pa55word/);
});

test('an X-Forwarded-For in a chunked body\'s trailer is no header: limits count the proxy\'s client, not the sender\'s choice', async () => {
  await startOfAMinute();
  const s = await serve({ trusted_proxies: ['127.0.0.1'] });
  const send = (i) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ name: `nobody-${i}`, password: 'a wrong password' });  // a name each: only the address counts
    const socket = connect(Number(new URL(s.url).port), '127.0.0.1', () => {
      socket.end(`POST /api/v1/operator/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n` +
        `Trailer: X-Forwarded-For\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\nX-Forwarded-For: 203.0.113.${i}\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (d) => { answer += d; });
    socket.on('end', () => resolve(Number(answer.slice(9, 12))));
    socket.on('error', reject);
  });
  const statuses = [];
  for (let i = 1; i <= 11; ++i) statuses.push(await send(i));
  assert.deepEqual(statuses, [...Array(10).fill(401), 429], 'one client, whatever the trailers say');
});

// --- 6. bank calls cannot be replayed --------------------------------------------------------------------
test('a bank call is accepted once, and only within five minutes of the server clock', async () => {
  const server = await serve();
  const reg = await register(server, seal(server, family(9600)));
  const { bill } = (await status(server, reg.body.reference, reg.body.access_token)).body;
  const body = JSON.stringify({ va: bill.va, amount: bill.amount, bank_ref: 'replay-1', paid_at: new Date().toISOString() });
  const headers = bankHeaders(body);
  const send = (h, b = body) => fetch(`${server.url}/api/v1/va/payment`, { method: 'POST', body: b, headers: h })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  assert.equal((await send(headers)).status, 200);
  const replayed = await send(headers);
  assert.deepEqual([replayed.status, problem(replayed)], [401, 'auth.replayed']);
  const now = Math.floor(Date.now() / 1000);
  // Just outside the window; the one ahead with room for a slow machine (the request may arrive
  // seconds after `now`, which brings a timestamp ahead closer to the server's clock).
  for (const timestamp of [now - 301, now + 330, 0]) {
    const r = await send(bankHeaders(body, { timestamp }));
    assert.deepEqual([r.status, problem(r)], [401, 'auth.replayed'], `timestamp ${timestamp - now}`);
  }
  for (const nonce of ['short', 'x'.repeat(65), 'has space in it 0123', 'dots.are.not.allowed.0123']) {
    const r = await send(bankHeaders(body, { nonce }));
    assert.deepEqual([r.status, problem(r)], [401, 'auth.replayed'], nonce);
  }
  // The old signature (body only) no longer counts, and a signature must cover timestamp and nonce.
  const old = { ...headers, 'X-Signature': createHmac('sha256', BANK.secret).update(body).digest('hex') };
  assert.equal(problem(await send(old)), 'auth.bad_signature');
  const fresh = bankHeaders(body);
  const moved = { ...fresh, 'X-Timestamp': String(Number(fresh['X-Timestamp']) + 1) };
  assert.equal(problem(await send(moved)), 'auth.bad_signature');
  // Still paid once.
  assert.equal((await status(server, reg.body.reference, reg.body.access_token)).body.payments.length, 1);
});

// --- 7. quotas: uploads, disk, connections ------------------------------------------------------------------
const tus = { 'Tus-Resumable': '1.0.0' };
const createUpload = (server, length) => fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(length) } })
  .then(async (r) => ({ status: r.status, location: r.headers.get('location'), retry: r.headers.get('retry-after'), body: r.status >= 400 ? await r.json() : null }));

test('uploads are rate-limited and their unfinished bytes capped per address', async () => {
  const limited = await serve({ limits: { uploads_per_minute: 3 } });
  await startOfAMinute();
  const first = await Promise.all([1, 2, 3].map(() => createUpload(limited, 10)));
  assert.deepEqual(first.map((r) => r.status), [201, 201, 201]);
  const fourth = await createUpload(limited, 10);
  assert.deepEqual([fourth.status, problem(fourth)], [429, 'http.rate_limited']);
  assert.ok(Number(fourth.retry) > 0);

  const capped = await serve({ limits: { upload_bytes_per_client: 3000 } });
  const a = await createUpload(capped, 2000);
  assert.equal(a.status, 201);
  const b = await createUpload(capped, 2000);
  assert.deepEqual([b.status, problem(b), b.body.errors[0].params.max_bytes], [429, 'upload.quota_exceeded', 3000]);
  // Finishing or deleting an upload gives its bytes back.
  assert.equal((await fetch(`${capped.url}${a.location}`, { method: 'DELETE', headers: tus })).status, 204);
  assert.equal((await createUpload(capped, 2000)).status, 201);

  const total = await serve({ limits: { upload_bytes_total: 5000 } });
  assert.equal((await createUpload(total, 4000)).status, 201);
  const over = await createUpload(total, 2000);
  assert.deepEqual([over.status, over.body.errors[0].params.max_bytes], [429, 5000]);
});

test('below the free-disk floor, uploads and registrations get 503 with Retry-After and nothing is stored', async () => {
  const server = await serve({ limits: { min_free_disk_bytes: 2 ** 50 } });
  const upload = await createUpload(server, 100);
  assert.deepEqual([upload.status, problem(upload)], [503, 'storage.low_disk']);
  assert.ok(Number(upload.retry) > 0);
  const r = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: seal(server, family(9700)),
    headers: { 'Content-Type': 'application/vnd.daftar.package' } });
  assert.equal(r.status, 503);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal((await r.json()).errors[0].code, 'storage.low_disk');
  assert.ok(await healthy(server));
  // Reads still work.
  assert.equal((await fetch(`${server.url}/api/v1/config`)).status, 200);
});

// A real full disk: the data folder on a 4 MiB tmpfs (mounting needs root, which CI has), the
// floor set to zero so that SQLite itself meets the full disk.
const smallDiskServer = mkdtempSync(join(tmpdir(), 'daftar-small-disk-'));
const smallDisk = join(smallDiskServer, 'var');
mkdirSync(smallDisk);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', smallDisk]).status === 0;
after(() => mounted && spawnSync('umount', ['-l', smallDisk]));
test('on a full disk registrations fail cleanly, nothing acknowledged is lost, and it recovers', {
  skip: (store !== 'sqlite' && 'the database is PostgreSQL\'s, not on this disk') || (!mounted && 'cannot mount a tmpfs here (not root)'),
}, async () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'daftar-keys-'));
  const server = await serve({ limits: { min_free_disk_bytes: 0 } }, { dir: smallDiskServer, args: ['--keys-dir', keysDir] });
  // Leave about half a megabyte: a few registrations fit, then the disk is full.
  const free = () => Number(spawnSync('df', ['--output=avail', '-B1', smallDisk], { encoding: 'utf8' }).stdout.split('\n')[1]);
  writeFileSync(join(smallDisk, 'filler'), Buffer.alloc(Math.max(0, free() - 512 * 1024)));
  const acknowledged = [];
  let full = 0;
  for (let n = 0; n < 40 && full < 3; n += 1) {
    const r = await register(server, seal(server, family(9400 + n)));
    assert.ok(r.status === 201 || r.status === 503, `${r.status} ${JSON.stringify(r.body)}`);
    if (r.status === 201) acknowledged.push(r.body);
    if (r.status === 503) {
      assert.equal(problem(r), 'storage.unavailable');
      full += 1;
    }
    assert.ok(await healthy(server));
  }
  assert.ok(full > 0 && acknowledged.length > 0, `${acknowledged.length} stored before the disk filled`);
  rmSync(join(smallDisk, 'filler'));
  const after = await register(server, seal(server, family(9480)));
  assert.equal(after.status, 201, 'space is back: registrations are stored again');
  for (const a of [...acknowledged, after.body]) assert.equal((await status(server, a.reference, a.access_token)).status, 200);
  await server.stop();
  const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir, '--keys-dir', keysDir, ...databaseArgs(server.dir)], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
  assert.equal(JSON.parse(audit.stdout).entries, 2 * (acknowledged.length + 1));  // received + numbers issued
});

test('connections are capped per address: the one over the cap hears why', async () => {
  const server = await serve({ limits: { max_connections_per_client: 3 } });
  const { hostname, port } = new URL(server.url);
  const open = () => new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
  });
  const held = [await open(), await open(), await open()];
  await new Promise((r) => setTimeout(r, 100));
  const answer = await new Promise((resolve) => {
    let text = '';
    const s = connect(Number(port), hostname);
    s.on('data', (d) => { text += d; });
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
  assert.match(answer, /^HTTP\/1\.1 503/);
  assert.match(answer, /http\.too_many_connections/);
  held.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(await healthy(server), 'a slot is free again once the others close');
});

// --- 8. concurrency ---------------------------------------------------------------------------------------------
test('concurrent resumable uploads while the metrics page is read: every byte lands once', async () => {
  const server = await serve();
  const packages = [9800, 9801, 9802, 9803, 9804, 9805].map((n) => seal(server, family(n)));
  let reading = true;
  const metrics = (async () => {
    let reads = 0;
    while (reading) {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
      reads += 1;
    }
    return reads;
  })();
  const results = await Promise.all(packages.map(async (bytes) => {
    const { location } = await createUpload(server, bytes.length);
    for (let at = 0; at < bytes.length; at += 8192) {
      const r = await fetch(`${server.url}${location}`, { method: 'PATCH', body: bytes.subarray(at, at + 8192),
        headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(at) } });
      assert.equal(r.status, 204);
    }
    const done = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: JSON.stringify({ upload: location.split('/').pop() }),
      headers: { 'Content-Type': 'application/json' } });
    return done.status;
  }));
  reading = false;
  assert.ok(await metrics > 0);
  assert.deepEqual(results, packages.map(() => 201));
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const received = Number(text.match(/^daftar_upload_bytes_total (\d+)/m)[1]);
  assert.equal(received, packages.reduce((n, p) => n + p.length, 0));
});

test('an empty PATCH changes nothing: the upload goes on and registers (tus 1.0)', async () => {
  const server = await serve();
  const bytes = seal(server, family(9806));
  const { location } = await createUpload(server, bytes.length);
  const patch = (at, body) => fetch(`${server.url}${location}`, { method: 'PATCH', body,
    headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(at) } });
  const empty = await patch(0, new Uint8Array(0));
  assert.deepEqual([empty.status, empty.headers.get('upload-offset')], [204, '0']);
  const half = Math.floor(bytes.length / 2);
  assert.equal((await patch(0, bytes.subarray(0, half))).status, 204);
  assert.equal((await patch(half, new Uint8Array(0))).headers.get('upload-offset'), String(half));
  assert.equal((await patch(half, bytes.subarray(half))).status, 204);
  const done = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: JSON.stringify({ upload: location.split('/').pop() }),
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(done.status, 201, await done.text());
});

test('/healthz answers while the heaviest legal requests are being processed', async () => {
  const server = await serve({ limits: { max_members: 20 } });
  // Twenty members, each with a 2 MiB KTP: close to the 24 MiB package limit.
  const app = family(9900);
  app.members = [app.members[0], ...Array.from({ length: 10 }, (_, i) => ({ ...app.members[1], nik: `3204114512900${String(100 + i).padStart(3, '0')}` }))];
  const big = jpeg(1024, 640, { bulk: 2 * 1024 * 1024 - 400 });
  const docs = [{ kind: 'kk', member: null, media_type: 'image/jpeg', bytes: jpeg(1600, 1200) },
    ...app.members.map((_, i) => ({ kind: 'ktp', member: i, media_type: 'image/jpeg', bytes: big }))];
  const heavy = sealAsGiven(server, app, docs);
  assert.ok(heavy.length > 20 * 1024 * 1024, `${heavy.length} bytes`);
  let pending = 4;
  const registrations = Array.from({ length: 4 }, () => fetch(`${server.url}/api/v1/registrations`, { method: 'POST', body: heavy,
    headers: { 'Content-Type': 'application/vnd.daftar.package' } }).then((r) => { pending -= 1; return r.status; }));
  const answered = [];
  while (pending > 0) {
    const started = performance.now();
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    answered.push(performance.now() - started);
  }
  const statuses = await Promise.all(registrations);
  assert.ok(statuses.every((s) => s === 201 || s === 409 || s === 422), statuses.join());
  assert.ok(answered.length > 0);
  // A figure, not an assertion: this machine is shared and noisy.
  console.log(`# healthz during 4 heavy registrations: ${answered.length} answers, slowest ${Math.max(...answered).toFixed(1)} ms`);
});

// --- 9. unpaid registrations expire ---------------------------------------------------------------------------
test('a registration never paid expires when its window closes, which frees its NIKs', { skip: !existsSync('/usr/bin/faketime') && 'faketime is installed by make deps' }, async () => {
  const config = { payment_window: { earliest_days: 0, latest_days: 3 } };
  const server = await serve(config);
  const application = family(9950);
  const reg = await register(server, seal(server, application));
  assert.equal(reg.status, 201);
  assert.equal((await register(server, seal(server, application))).status, 409);
  await server.stop();
  // The same data, five days on: the server's own clock, faked for the process only.
  const later = await serve(config, { dir: server.dir, env: { LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
    FAKETIME: '+5d', FAKETIME_DONT_FAKE_MONOTONIC: '1',
    // Under AddressSanitizer (make sanitize) the preloaded library comes before ASan's runtime.
    ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ?? ''}:verify_asan_link_order=0` } });
  const s = await status(later, reg.body.reference, reg.body.access_token);
  assert.equal(s.body.status, 'expired');
  // The bank's clock agrees with the server's.
  const timestamp = Math.floor(Date.now() / 1000) + 5 * 86400;
  const inquiry = await bank(later, 'inquiry', { va: s.body.bill.va }, { timestamp });
  assert.equal(inquiry.body.status, 'expired');
  const pay = await bank(later, 'payment', { va: s.body.bill.va, amount: s.body.bill.amount, bank_ref: 'late-1',
    paid_at: new Date(Date.now() + 5 * 86400e3).toISOString() }, { timestamp });
  assert.deepEqual([pay.status, problem(pay)], [422, 'payment.outside_window']);
  assert.equal((await register(later, seal(later, application))).status, 201, 'the NIKs are free again');
  const metrics = await (await fetch(`${later.url}/metrics`)).text();
  assert.match(metrics, /daftar_registrations\{status="expired"\} 1/);
  await later.stop();
  const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', later.dataDir, ...databaseArgs(later.dir)], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
});

// --- 10. the audit chain is keyed ------------------------------------------------------------------------------
test('an audit entry rewritten by someone who can write the database is detected', async () => {
  const server = await serve();
  await register(server, seal(server, family(9960)));
  await register(server, seal(server, family(9961)));
  await server.stop();
  const verify = (keysDir) => JSON.parse(spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir,
    ...databaseArgs(server.dir), ...(keysDir ? ['--keys-dir', keysDir] : [])], { encoding: 'utf8' }).stdout);
  assert.equal(verify().valid, true);
  // The forger rewrites entry 1 and recomputes every hash after it, with any key but the real one.
  const rows = sql(server, 'SELECT seq, at, event, subject, detail FROM audit ORDER BY seq').trim().split('\n').map((l) => l.split('|'));
  const blob = (hex) => (store === 'sqlite' ? `X'${hex}'` : `'\\x${hex}'::bytea`);
  const rechain = (key) => {
    let prev = Buffer.alloc(32);
    for (const [seq, at, event, subject, original] of rows) {
      const detail = Number(seq) === 1 ? '{"status":"verified","members":9,"warnings":[]}' : original;
      const hash = createHmac('sha256', key).update(Buffer.concat([prev, Buffer.from(`${seq}\0${at}\0${event}\0${subject}\0${detail}`)])).digest();
      sql(server, `UPDATE audit SET detail = '${detail}', prev = ${blob(prev.toString('hex'))}, hash = ${blob(hash.toString('hex'))} WHERE seq = ${seq}`);
      prev = hash;
    }
  };
  rechain(Buffer.alloc(32));
  const forged = verify();
  assert.equal(forged.valid, false);
  assert.ok(forged.errors.some((e) => e.code === 'audit.altered'), JSON.stringify(forged));
  // With the real key (which lives apart from the database) the same rewrite would pass: the key is the anchor.
  rechain(readFileSync(join(server.dataDir, 'keys/audit.key')));
  assert.equal(verify().valid, true);
  assert.equal(spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir, '--keys-dir', '/nonexistent']).status, 2);
});

// --- 11. cards verify only against a trusted key ------------------------------------------------------------------
test('card verification fails closed without a trusted key', async () => {
  const server = await serve();
  const reg = await register(server, seal(server, family(9970)));
  const [card] = (await status(server, reg.body.reference, reg.body.access_token)).body.cards;
  const withKey = core.call('verify-signed', { ...card, trusted_key: server.config.keys.signing });
  assert.equal(withKey.valid, true);
  const without = core.call('verify-signed', card);
  assert.deepEqual(without.errors.map((e) => e.code), ['signature.no_trusted_key']);
  const other = core.call('verify-signed', { ...card, trusted_key: Buffer.alloc(32, 7).toString('base64') });
  assert.deepEqual(other.errors.map((e) => e.code), ['signature.untrusted_key']);
});

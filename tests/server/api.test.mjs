// The server's API contract and its defences, against real server processes on loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import https from 'node:https';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, register, status, bank, bin, databaseArgs, startOfAMinute } from '../support/server.mjs';
import { operator } from '../support/registry.mjs';

const web = mkdtempSync(join(tmpdir(), 'daftar-web-'));
writeFileSync(join(web, 'index.html'), '<!doctype html><title>Daftar</title>');
mkdirSync(join(web, 'js'));
writeFileSync(join(web, 'js/app.js'), 'console.log("daftar");'.repeat(50));
writeFileSync(join(web, 'js/app.js.gz'), gzipSync('console.log("daftar");'.repeat(50)));
writeFileSync(join(web, 'js/app.js.br'), brotliCompressSync('console.log("daftar");'.repeat(50)));
writeFileSync(join(web, 'js/core.0123abcd.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
writeFileSync(join(tmpdir(), 'secret-outside-web-root.txt'), 'secret');

// Lookups generous here: the rate limits have a test (and a server) of their own below.
const server = await startServer({ limits: { upload_expiry_seconds: 1, lookups_per_minute: 1000 } }, { webRoot: web });
// The coverage check and the access code look up registrations many times: on a server of their
// own, so that the per-address lookup limit of the main one stays for the tests that count on it.
const lookups = await startServer();
after(() => lookups.stop());
after(() => server.stop());
const tus = { 'Tus-Resumable': '1.0.0' };

// Raw bytes to the server, for requests fetch() would refuse to send.
function raw(text) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => socket.write(text));
    socket.on('data', (d) => { answer += d; });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    socket.setTimeout(3000, () => socket.destroy());
  });
}

test('GET /api/v1/config gives the keys, tariffs, limits and payment window', async () => {
  const c = server.config;
  assert.equal(Buffer.from(c.keys.intake, 'base64').length, 32);
  assert.equal(Buffer.from(c.keys.signing, 'base64').length, 32);
  assert.equal(c.tariffs.schema, 'daftar.tariffs/1');
  assert.equal(c.payment_window.earliest_days, 0);
  assert.ok(c.limits.documents.kinds.ktp.max_bytes > 0);
  assert.ok(c.version);
});

test('the config is revalidated by its ETag (a repeat visit costs a 304) and sent gzipped', async () => {
  const plain = await fetch(`${server.url}/api/v1/config`, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.equal(plain.headers.get('cache-control'), 'no-cache');
  const text = await plain.text();
  const zipped = await fetch(`${server.url}/api/v1/config`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  assert.ok(Number(zipped.headers.get('content-length')) < text.length / 2, 'compressed');
  assert.equal(await zipped.text(), text, 'the same document');
  const etag = zipped.headers.get('etag');
  assert.equal(etag, plain.headers.get('etag'), 'one ETag for the document, however it travels');
  const again = await fetch(`${server.url}/api/v1/config`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  assert.equal((await fetch(`${server.url}/api/v1/config`, { headers: { 'If-None-Match': '"other"' } })).status, 200);
});

test('a NIK already registered or pending is refused, naming the member', async () => {
  const first = await register(server, seal(server, family(100)));
  assert.equal(first.status, 201);
  const again = family(101);
  again.members[1].nik = family(100).members[1].nik;  // the spouse is already in another registration
  const dup = await register(server, seal(server, again));
  assert.equal(dup.status, 409);
  assert.equal(dup.headers.get('content-type'), 'application/problem+json');
  assert.equal(dup.body.errors[0].code, 'registration.nik_already_registered');
  assert.equal(dup.body.errors[0].path, '/members/1/nik');
  assert.ok(!JSON.stringify(dup.body).includes(first.body.reference), 'nothing about the other registration');
  // The refused attempt left nothing behind: family 101 as it really is registers.
  assert.equal((await register(server, seal(server, family(101)))).status, 201);
});

test('an Idempotency-Key retry returns the first answer and makes no second registration', async () => {
  const pkg = seal(server, family(200));
  const a = await register(server, pkg, { 'Idempotency-Key': 'retry-200' });
  const b = await register(server, pkg, { 'Idempotency-Key': 'retry-200' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.deepEqual(b.body, a.body);
  const c = await register(server, pkg, { 'Idempotency-Key': 'retry-200-other' });
  assert.equal(c.status, 409, 'without the key it is a second registration of the same NIKs');
});

test('a wrong or missing token answers exactly like an unknown reference', async () => {
  const reg = await register(server, seal(server, family(300)));
  const wrong = await status(server, reg.body.reference, 'x'.repeat(43));
  const missing = await fetch(`${server.url}/api/v1/registrations/${reg.body.reference}`);
  const unknown = await status(server, 'AAAA-BBBB-CCCC', reg.body.access_token);
  assert.equal(wrong.status, 404);
  assert.equal(missing.status, 404);
  assert.equal(unknown.status, 404);
  assert.deepEqual(wrong.body, unknown.body);
  assert.deepEqual(await missing.json(), unknown.body);
});

test('existing cover: recognised only from the NIK, the birth date and the KK number together', async () => {
  const app = family(303);
  assert.equal((await register(lookups, seal(lookups, app))).status, 201);
  const ask = async (body) => {
    const res = await fetch(`${lookups.url}/api/v1/coverage-check`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const [head] = app.members;
  const known = { nik: head.nik, birth_date: head.birth_date, kk_number: app.kk_number };
  const yes = await ask(known);
  assert.equal(yes.status, 200);
  assert.equal(yes.body.registered, true);
  assert.match(yes.body.message.id, /sudah terdaftar[\s\S]*Masuk/);
  // One of the three wrong, or someone unknown: the same bare answer.
  for (const other of [{ ...known, birth_date: '1987-09-07' }, { ...known, kk_number: '3204112203180099' },
    { ...known, nik: `320411060987${'9303'}` }]) {
    assert.deepEqual(await ask(other), { status: 200, body: { registered: false } });
  }
  const malformed = await ask({ ...known, kk_number: '123' });
  assert.equal(malformed.status, 422);
  assert.equal(malformed.body.errors[0].path, '/kk_number');
});

test('the access code, written down, opens the status on another phone as the token does', async () => {
  const reg = await register(lookups, seal(lookups, family(301)));
  const code = reg.body.access_code;
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const byToken = await status(lookups, reg.body.reference, reg.body.access_token);
  assert.equal(byToken.body.access_code, code);
  // Typed back in lower case, without dashes, with O for 0 and L for 1: the same.
  const typed = code.replace(/-/g, '').toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
  for (const written of [code, typed]) {
    const byCode = await status(lookups, reg.body.reference, written);
    assert.equal(byCode.status, 200, written);
    assert.deepEqual(byCode.body, byToken.body);
  }
  // Another registration's code, or one character off, opens nothing.
  const other = await register(lookups, seal(lookups, family(302)));
  assert.equal((await status(lookups, reg.body.reference, other.body.access_code)).status, 404);
  const off = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
  assert.equal((await status(lookups, reg.body.reference, off)).status, 404);
});

test('a package that fails the rules on the server is a 422 with the rule codes', async () => {
  const app = family(400);
  app.contact.phone = '022-7654321';
  app.members[1].birth_date = '1990-12-06';
  const r = await register(server, seal(server, app, { allowInvalid: true }));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => [e.path, e.code]),
    [['/contact/phone', 'phone.not_mobile'], ['/members/1/birth_date', 'member.birth_date_mismatch']]);
  assert.equal(r.body.status, 422);
  assert.ok(r.body.type && r.body.title && r.body.errors[0].message.en);
});

test('damaged, foreign and malformed packages are refused with their codes', async () => {
  const pkg = seal(server, family(500));
  const flipped = Buffer.from(pkg);
  flipped[pkg.length - 100] ^= 1;
  assert.equal((await register(server, flipped)).body.errors[0].code, 'package.corrupt_frame');
  assert.equal((await register(server, pkg.subarray(0, 500))).body.errors[0].code, 'package.truncated');
  assert.equal((await register(server, Buffer.from('hello'))).body.errors[0].code, 'package.not_a_package');
  const json = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"upload":' });
  assert.equal(json.status, 400);
  assert.equal((await json.json()).errors[0].code, 'input.malformed_json');
  const type = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
  assert.equal(type.status, 415);
  const unknownUpload = await fetch(`${server.url}/api/v1/registrations`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ upload: 'f'.repeat(32) }) });
  assert.equal(unknownUpload.status, 404);
});

test('tus: version, length, size limit, offsets, content type, expiry', async () => {
  const options = await fetch(`${server.url}/api/v1/uploads`, { method: 'OPTIONS' });
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('tus-version'), '1.0.0');
  assert.match(options.headers.get('tus-extension'), /creation/);
  assert.equal((await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { 'Upload-Length': '10' } })).status, 412);
  assert.equal((await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: tus })).status, 400);
  const big = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(1 << 30) } });
  assert.equal(big.status, 413);
  const created = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': '10' } });
  const at = server.url + created.headers.get('location');
  const patch = (offset, body, type = 'application/offset+octet-stream') =>
    fetch(at, { method: 'PATCH', body, headers: { ...tus, 'Content-Type': type, 'Upload-Offset': String(offset) } });
  assert.equal((await patch(3, 'abc')).status, 409);
  assert.equal((await patch(0, 'abc', 'text/plain')).status, 415);
  assert.equal((await patch(0, 'abcdefghijk')).status, 413);
  assert.equal((await patch(0, 'abc')).status, 204);
  // Abandoned: after the configured second, the upload is gone.
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal((await fetch(at, { method: 'HEAD', headers: tus })).status, 404);
});

test('warnings send a registration to review; operators approve or reject', async () => {
  const app = family(600);
  app.members[0].nik = '3299110609870600';  // an unknown regency: a warning, not an error
  const r = await register(server, seal(server, app));
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'review');
  const s = await status(server, r.body.reference, r.body.access_token);
  assert.equal(s.body.bill, null, 'no numbers before an operator decides');

  assert.equal((await fetch(`${server.url}/api/v1/operator/queue`)).status, 401);
  const reviewer = await operator(server, 'budi.reviewer', 'reviewer');
  const queue = await reviewer.call('GET', '/queue');
  const item = queue.body.queue.find((i) => i.reference === r.body.reference);
  assert.deepEqual(item.warnings, ['nik.unknown_regency']);
  assert.equal(item.population_check, 'not_configured');
  const approve = await reviewer.call('POST', `/registrations/${r.body.reference}/approve`);
  assert.equal(approve.status, 200);
  const after_ = await status(server, r.body.reference, r.body.access_token);
  assert.equal(after_.body.status, 'verified');
  assert.equal(after_.body.population_check, 'not_configured');
  assert.match(after_.body.members[0].card_number, /^\d{13}$/);
  assert.equal((await reviewer.call('POST', `/registrations/${r.body.reference}/approve`)).status, 409);

  const other = family(601);
  other.members[0].nik = '3299110609870601';
  const r2 = await register(server, seal(server, other));
  const noReason = await reviewer.call('POST', `/registrations/${r2.body.reference}/reject`, {});
  assert.equal(noReason.status, 422);
  const reject = await reviewer.call('POST', `/registrations/${r2.body.reference}/reject`, { reasons: ['reason.not_in_population_registry'] });
  assert.equal(reject.status, 200);
  // Rejected: the family may apply again.
  assert.equal((await register(server, seal(server, other))).status, 201);
  // A rejected registration cannot be paid.
  const pay = await bank(server, 'inquiry', { va: '8888899999999999' });
  assert.equal(pay.status, 404);
});

test('static files: types, gzip twins, ETags, caching, security headers, no escape from the web root', async () => {
  const index = await fetch(`${server.url}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const csp = index.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(index.headers.get('referrer-policy'));
  assert.equal(index.headers.get('strict-transport-security'), null, 'HSTS only under TLS');
  assert.equal(index.headers.get('x-frame-options'), 'DENY');
  assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');

  const js = await fetch(`${server.url}/js/app.js`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(js.headers.get('content-encoding'), 'gzip');
  // A script is never shown as a page: its policy, but not the page-only headers.
  assert.match(js.headers.get('content-security-policy'), /wasm-unsafe-eval/);
  assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(js.headers.get('x-frame-options'), null);
  assert.match(js.headers.get('content-type'), /text\/javascript/);
  assert.equal((await js.text()).length, 'console.log("daftar");'.length * 50);
  const etag = js.headers.get('etag');
  const cached = await fetch(`${server.url}/js/app.js`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
  assert.equal(cached.status, 304);
  // A 304 leaves the kept copy's headers in force: the validator and caching rules, nothing more.
  assert.equal(cached.headers.get('content-security-policy'), null);
  assert.equal(cached.headers.get('content-type'), null);
  assert.equal(cached.headers.get('etag'), etag);
  assert.equal(cached.headers.get('cache-control'), 'no-cache');
  assert.ok(js.headers.get('content-security-policy'));
  const br = await fetch(`${server.url}/js/app.js`, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers.get('content-encoding'), 'br', 'brotli where the browser takes it');
  assert.equal(await br.text(), 'console.log("daftar");'.repeat(50));
  assert.notEqual(br.headers.get('etag'), etag, 'each encoding its own ETag');
  assert.equal(js.headers.get('cache-control'), 'no-cache');
  const wasm = await fetch(`${server.url}/js/core.0123abcd.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.match(wasm.headers.get('cache-control'), /immutable/);

  for (const path of ['/../secret-outside-web-root.txt', '/%2e%2e/secret-outside-web-root.txt', '/js/..%2f..%2fsecret-outside-web-root.txt']) {
    const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 40[04]/, path);
    assert.doesNotMatch(answer, /secret$/, path);
  }
  assert.equal((await fetch(`${server.url}/nothing-here.html`)).status, 404);
  assert.equal((await fetch(`${server.url}/index.html`, { method: 'DELETE' })).status, 405);
});

test('malformed HTTP and oversized input get a clear 4xx, and the server keeps answering', async () => {
  assert.match(await raw('NONSENSE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
  assert.match(await raw(`POST /api/v1/va/inquiry HTTP/1.1\r\nHost: x\r\nContent-Length: ${1 << 30}\r\n\r\n`), /^HTTP\/1\.1 413/);
  assert.match(await raw('POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.equal((await fetch(`${server.url}/api/v1/nothing`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/v1/registrations`)).status, 405);
  const bad = await bank(server, 'payment', '{"va":');
  assert.equal(bad.status, 400);
  const types = await bank(server, 'payment', { va: 1, amount: 'lots', bank_ref: '', paid_at: 'yesterday' });
  assert.equal(types.status, 422);
  assert.deepEqual(types.body.errors.map((e) => e.path), ['/va', '/bank_ref', '/amount', '/paid_at']);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('many registrations in parallel: every one stored, every card number unique', async () => {
  // A server of its own: 40 families at once from one address come near its share of connections
  // (64), and the connections earlier tests left open (a response whose body was not read keeps
  // its connection until the server's read deadline) would push this test over it.
  const crowd = await startServer();
  try {
    const packages = Array.from({ length: 40 }, (_, i) => seal(crowd, family(1000 + i)));
    const answers = await Promise.all(packages.map((p) => register(crowd, p)));
    assert.deepEqual(answers.map((a) => a.status), answers.map(() => 201));
    const statuses = await Promise.all(answers.map((a) => status(crowd, a.body.reference, a.body.access_token)));
    assert.deepEqual(statuses.map((s) => s.status), statuses.map(() => 200), JSON.stringify(statuses.find((s) => s.status !== 200)?.body));
    const cards = statuses.flatMap((s) => s.body.members.map((m) => m.card_number));
    assert.equal(cards.length, 80);
    assert.equal(new Set(cards).size, 80);
    const vas = statuses.map((s) => s.body.bill.va);
    assert.equal(new Set(vas).size, 40);
  } finally {
    await crowd.stop();
  }
});

test('metrics in Prometheus text format', async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(text, /daftar_http_requests_total\{route="registrations",status="201"\} \d+/);
  assert.match(text, /daftar_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(text, /daftar_registrations\{status="verified"\} \d+/);
  assert.match(text, /daftar_upload_bytes_total \d+/);
});

test('per-address rate limits on registrations and lookups', async () => {
  const limited = await startServer({ limits: { registrations_per_minute: 2, lookups_per_minute: 3 } });
  await startOfAMinute();
  try {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await register(limited, Buffer.from('x'))).status);
    assert.deepEqual(codes, [422, 422, 429, 429]);
    const lookups = [];
    for (let i = 0; i < 5; i++) lookups.push((await status(limited, 'AAAA-BBBB-CCCC', 'x')).status);
    assert.deepEqual(lookups, [404, 404, 404, 429, 429]);
  } finally {
    await limited.stop();
  }
});

test('a slow sender is cut off (no slow-loris)', async () => {
  const slow = await startServer({ limits: { read_timeout_seconds: 1 } });
  try {
    const { hostname, port } = new URL(slow.url);
    const started = Date.now();
    const closed = await new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => {});
      setTimeout(() => { socket.destroy(); resolve(null); }, 5000);
    });
    assert.ok(closed !== null, 'the server closed the connection');
    // On a new connection: fetch's pooled one from start-up has been idle past the same deadline,
    // and the server may close it just as fetch reuses it.
    const health = await new Promise((resolve, reject) => {
      http.get(`${slow.url}/healthz`, { agent: false }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.equal(health, 200);
  } finally {
    await slow.stop();
  }
});

test('HTTPS with --tls-cert and --tls-key, with HSTS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { encoding: 'utf8' });
  if (made.status !== 0) return t.skip('openssl is not available');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'),
    '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), ...databaseArgs(dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (https:\/\/[^/\s]+)/); if (m) resolve(m[1]); });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const answer = await new Promise((resolve, reject) => {
      https.get(`${url}/healthz`, { ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost', checkServerIdentity: () => undefined }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, hsts: res.headers['strict-transport-security'], body }));
      }).on('error', reject);
    });
    assert.equal(answer.status, 200);
    assert.match(answer.hsts, /max-age=\d+/);
  } finally {
    child.kill('SIGTERM');
  }
});

test('SIGTERM stops the server cleanly', async () => {
  const s = await startServer();
  const pending = register(s, seal(s, family(2000))).catch(() => null);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await s.stop('SIGTERM'), 0);
  const answer = await pending;
  if (answer) assert.equal(answer.status, 201, 'a request in flight is finished, not dropped');
});

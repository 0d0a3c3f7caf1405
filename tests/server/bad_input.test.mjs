// A table of malformed requests, each with the status and code it must get, against a real server
// that must keep answering health checks throughout: HTTP, JSON, packages, documents, tus, banks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, family, seal, register, bank, bankHeaders, BANK } from '../support/server.mjs';
import { jpeg, pdf } from '../support/files.mjs';

const server = await startServer();
after(() => server.stop());
const { load } = await import(pathToFileURL(join(process.env.DAFTAR_BUILD, 'web/js/daftar-core.mjs')));
const core = await load();

// Raw bytes to the server; the status line's code, or null if the server closed without one.
function raw(bytes, { close = false } = {}) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(bytes);
      if (close) socket.end();
    });
    socket.on('data', (d) => { answer += d; if (/\r\n\r\n/.test(answer)) socket.destroy(); });
    socket.on('close', () => {
      const m = answer.match(/^HTTP\/1\.1 (\d{3})/);
      const body = answer.split('\r\n\r\n')[1] ?? '';
      let code = null;
      try { code = JSON.parse(body).errors?.[0]?.code ?? null; } catch { /* a partial or empty body */ }
      resolve({ status: m ? Number(m[1]) : null, code });
    });
    socket.on('error', () => {});
    socket.setTimeout(4000, () => socket.destroy());
  });
}

async function http(method, path, { body, headers = {} } = {}) {
  const r = await fetch(`${server.url}${path}`, { method, body, headers });
  const text = await r.text();
  let code = null;
  try { code = JSON.parse(text).errors?.[0]?.code ?? null; } catch { /* not JSON */ }
  return { status: r.status, code };
}

const signed = (path, body, { signature, ...options } = {}) => {
  const headers = bankHeaders(body, options);
  if (signature !== undefined) headers['X-Signature'] = signature;
  return http('POST', path, { body, headers });
};
const packageRequest = (bytes) => http('POST', '/api/v1/registrations', { body: bytes, headers: { 'Content-Type': 'application/vnd.daftar.package' } });

// Seals documents as given, without the device's checks: what a tampered client could send.
function sealAsGiven(application, docs) {
  const entries = docs.map(({ kind, member, media_type, bytes }) => ({ kind, member, media_type, size: bytes.length,
    blake2b: core.call('blake2b', {}, bytes).blake2b }));
  let step = core.call('seal-start', { public_key: server.config.keys.intake, application: { ...application, documents: entries } });
  const parts = [step.bytes];
  for (const d of docs) {
    step = core.call('seal-add', { state: step.state, last: true }, d.bytes);
    parts.push(step.bytes);
  }
  parts.push(core.call('seal-finish', { state: step.state }).bytes);
  return Buffer.concat(parts);
}

const rows = [];
const row = (group, name, send, status, code) => rows.push({ group, name, send, status, code });

// --- HTTP ----------------------------------------------------------------------------------------
for (const method of ['BREW', 'TRACE', 'CONNECT', 'PROPFIND', 'PURGE']) {
  row('http', `${method} /`, () => raw(`${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 405, 'http.method_not_allowed');
}
row('http', 'no version', () => raw('GET /\r\n\r\n'), 400, 'http.malformed_request');
row('http', 'HTTP/2 preface', () => raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 400, 'http.malformed_request');
row('http', 'garbage', () => raw('\x00\x01\x02\x03\r\n\r\n'), 400, 'http.malformed_request');
row('http', 'space in target', () => raw('GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'http.malformed_request');
row('http', 'header without colon', () => raw('GET / HTTP/1.1\r\nHost x\r\n\r\n'), 400, 'http.malformed_request');
for (const size of [20000, 40000, 100000]) {
  row('http', `a ${size}-byte header`, () => raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`), 431, 'http.headers_too_large');
}
row('http', 'a thousand headers', () => raw(`GET / HTTP/1.1\r\n${Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}`).join('\r\n')}\r\n\r\n`), 431, 'http.headers_too_large');
for (const length of ['abc', '-5', '1.5', '99999999999999999999']) {
  row('http', `Content-Length: ${length}`, () => raw(`POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`), 400, 'http.malformed_request');
}
row('http', 'two different Content-Lengths', () => raw('POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'), 400, 'http.malformed_request');
// Each route has its own body limit, known from the request line before the body is read.
row('http', 'a JSON body over 64 KiB', () => raw(`POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${(64 << 10) + 1}\r\n\r\n`), 413, 'http.body_too_large');
row('http', 'a bank call over 64 KiB', () => raw(`POST /api/v1/va/inquiry HTTP/1.1\r\nHost: x\r\nContent-Length: ${1 << 20}\r\n\r\n`), 413, 'http.body_too_large');
row('http', 'a status lookup with a body', () => raw('GET /api/v1/registrations/AAAA-BBBB-CCCC HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789'), 413, 'http.body_too_large');
row('http', 'a package over the package limit', () => raw(`POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.daftar.package\r\nContent-Length: ${1 << 30}\r\n\r\n`), 413, 'http.body_too_large');
row('http', 'bad chunked encoding', () => raw('POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'), 400, 'http.malformed_request');
for (const cut of [1, 10, 100]) {
  // The client stops sending half-way and closes its side: a clear 400, nothing stored.
  row('http', `a body cut ${cut} bytes in`, () => raw(`POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.daftar.package\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(cut)}`, { close: true }), 400, 'http.malformed_request');
}
for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/js/..\\..\\x', '/%00', '/./index.html']) {
  row('http', `path ${path}`, () => raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 400, 'http.bad_path');
}
for (const path of ['/api', '/api/v2/config', '/api/v1', '/api/v1/unknown', '/api/v1/registrations/a/b', '/api/v1/va/refund', '/api/v1/operator/queue']) {
  const operatorArea = path.startsWith('/api/v1/operator');
  row('http', `GET ${path}`, () => http('GET', path), operatorArea ? 401 : 404, operatorArea ? 'operator.session_required' : 'http.not_found');
}
for (const [method, path] of [['DELETE', '/api/v1/config'], ['PUT', '/api/v1/registrations'], ['GET', '/api/v1/va/payment'], ['PATCH', '/api/v1/registrations/X']]) {
  row('http', `${method} ${path}`, () => http(method, path), 405, 'http.method_not_allowed');
}

// --- JSON ----------------------------------------------------------------------------------------
const jsonBodies = {
  'empty': ['', 400, 'input.malformed_json'], 'an open brace': ['{', 400, 'input.malformed_json'],
  'trailing comma': ['{"upload":"a",}', 400, 'input.malformed_json'], 'single quotes': ["{'upload':'a'}", 400, 'input.malformed_json'],
  'invalid UTF-8': [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 400, 'input.malformed_json'],
  'a lone surrogate': ['{"upload":"\\ud800"}', 400, 'input.malformed_json'],
  'an array': ['[]', 422, 'input.required'], 'a string': ['"upload"', 422, 'input.required'], 'null': ['null', 422, 'input.required'],
  'upload as a number': ['{"upload":12}', 422, 'input.required'], 'upload as an object': ['{"upload":{}}', 422, 'input.required'],
  'upload not an id': ['{"upload":"../../etc/passwd"}', 422, 'input.required'],
  'an unknown upload': [`{"upload":"${'a'.repeat(32)}"}`, 404, 'upload.not_found'],
  'a huge number': [`{"upload":1${'0'.repeat(400)}}`, 400, 'input.malformed_json'],
  // Nesting is measured before parsing: deeper than 32 levels is refused, closed or not.
  'deep nesting': ['['.repeat(20000) + ']'.repeat(20000), 422, 'input.too_deep'],
  'deep nesting, unclosed': ['{"a":'.repeat(10000), 422, 'input.too_deep'],
  'nesting 33 deep': ['['.repeat(33) + ']'.repeat(33), 422, 'input.too_deep'],
  'nesting 32 deep': ['['.repeat(32) + ']'.repeat(32), 422, 'input.required'],
  'a long string': [`{"upload":"${'x'.repeat(60000)}"}`, 422, 'input.required'],
};
for (const [name, [body, status, code]] of Object.entries(jsonBodies)) {
  row('json', `registration: ${name}`, () => http('POST', '/api/v1/registrations', { body, headers: { 'Content-Type': 'application/json' } }), status, code);
}
const vaBodies = {
  'va as a number': ['{"va":8888800000000010}', 422, 'input.required'], 'no va': ['{}', 422, 'input.required'],
  'va null': ['{"va":null}', 422, 'input.required'], 'array': ['[1,2]', 422, 'input.required'],
  'unknown va': ['{"va":"8888899999999999"}', 404, 'va.unknown'], 'malformed': ['{"va":', 400, 'input.malformed_json'],
  'deep nesting': ['['.repeat(20000) + ']'.repeat(20000), 422, 'input.too_deep'],
};
for (const [name, [body, status, code]] of Object.entries(vaBodies)) row('json', `inquiry: ${name}`, () => signed('/api/v1/va/inquiry', body), status, code);
const payBodies = {
  'amount as text': [{ va: 'x', amount: '70000', bank_ref: 'r', paid_at: '2026-01-01' }, 422, 'input.wrong_type'],
  'amount as a float': [{ va: 'x', amount: 70000.5, bank_ref: 'r', paid_at: '2026-01-01' }, 422, 'input.wrong_type'],
  'amount huge': [{ va: 'x', amount: 1e300, bank_ref: 'r', paid_at: '2026-01-01' }, 422, 'input.wrong_type'],
  'no bank_ref': [{ va: 'x', amount: 1, paid_at: '2026-01-01' }, 422, 'input.required'],
  'empty bank_ref': [{ va: 'x', amount: 1, bank_ref: '', paid_at: '2026-01-01' }, 422, 'input.required'],
  'bank_ref too long': [{ va: 'x', amount: 1, bank_ref: 'r'.repeat(65), paid_at: '2026-01-01' }, 422, 'input.required'],
  'paid_at not a date': [{ va: 'x', amount: 1, bank_ref: 'r', paid_at: 'yesterday' }, 422, 'input.invalid_date'],
  'paid_at 30 February': [{ va: 'x', amount: 1, bank_ref: 'r', paid_at: '2026-02-30T10:00:00Z' }, 422, 'input.invalid_date'],
  'not an object': [[1], 422, 'input.wrong_type'],
  'unknown va': [{ va: '8888899999999999', amount: 1, bank_ref: 'r-unknown', paid_at: '2026-01-01' }, 404, 'va.unknown'],
};
for (const [name, [body, status, code]] of Object.entries(payBodies)) row('json', `payment: ${name}`, () => signed('/api/v1/va/payment', JSON.stringify(body)), status, code);

// --- banks: signatures, replays, amounts ----------------------------------------------------------
const signatures = ['', 'nothex', '0'.repeat(64), 'A'.repeat(64), createHmac('sha256', BANK.secret).update('other').digest('hex'),
  createHmac('sha1', BANK.secret).update('{"va":"x"}').digest('hex'), createHmac('sha256', BANK.secret).update('{"va":"x"}').digest('hex').toUpperCase(),
  createHmac('sha256', BANK.secret).update('{"va":"x"}').digest('base64')];
signatures.forEach((signature, i) => {
  row('bank', `inquiry with bad signature ${i}`, () => signed('/api/v1/va/inquiry', '{"va":"x"}', { signature }), 401, 'auth.bad_signature');
  row('bank', `payment with bad signature ${i}`, () => signed('/api/v1/va/payment', '{"va":"x"}', { signature }), 401, 'auth.bad_signature');
});
for (const id of ['', 'bankx', 'BANKY', 'BANK', "BANKX'--"]) {
  row('bank', `unknown bank id "${id}"`, () => signed('/api/v1/va/inquiry', '{"va":"x"}', { id }), 401, 'auth.bad_signature');
}
row('bank', 'no signature headers', () => http('POST', '/api/v1/va/payment', { body: '{}', headers: { 'Content-Type': 'application/json' } }), 401, 'auth.bad_signature');

// A registration to pay, for the amount and replay rows.
const reg = await register(server, seal(server, family(9000)));
const status = await (await fetch(`${server.url}/api/v1/registrations/${reg.body.reference}`, { headers: { Authorization: `Bearer ${reg.body.access_token}` } })).json();
const { va, amount } = status.bill;
const today = new Date().toISOString();
for (const wrong of [0, 1, amount - 1, amount + 1, amount * 2, -amount]) {
  row('bank', `payment of ${wrong} for a bill of ${amount}`, () => signed('/api/v1/va/payment', JSON.stringify({ va, amount: wrong, bank_ref: `w${wrong}`, paid_at: today })), 422, 'payment.amount_mismatch');
}
for (const when of ['1999-01-01', '2099-12-31T00:00:00Z']) {
  row('bank', `payment dated ${when}`, () => signed('/api/v1/va/payment', JSON.stringify({ va, amount, bank_ref: `d${when}`, paid_at: when })), 422, 'payment.outside_window');
}
row('bank', 'the exact payment', () => signed('/api/v1/va/payment', JSON.stringify({ va, amount, bank_ref: 'ok-1', paid_at: today })), 200, null);
for (let i = 0; i < 3; i++) row('bank', `its replay ${i + 1}`, () => signed('/api/v1/va/payment', JSON.stringify({ va, amount, bank_ref: 'ok-1', paid_at: today })), 200, null);
row('bank', 'a second payment for a paid bill', () => signed('/api/v1/va/payment', JSON.stringify({ va, amount, bank_ref: 'ok-2', paid_at: today })), 409, 'payment.already_paid');

// --- packages: tampering at every region ----------------------------------------------------------
const good = seal(server, family(9001));
for (let i = 0; i < 40; i++) {
  const at = Math.floor((i / 40) * good.length);
  const bad = Buffer.from(good);
  bad[at] ^= 1 << (i % 8);
  const code = at < 8 ? 'package.not_a_package' : at === 8 ? 'package.unsupported_version' : at < 89 ? 'package.wrong_key' : 'package.corrupt_frame';
  row('package', `bit flipped at byte ${at}`, () => packageRequest(bad), 422, code);
}
for (const cut of [0, 5, 9, 88, 113, 117, 200, 1000, good.length - 20, good.length - 1]) {
  row('package', `cut to ${cut} bytes`, () => packageRequest(good.subarray(0, cut)), 422, 'package.truncated');
}
row('package', 'bytes after the end', () => packageRequest(Buffer.concat([good, Buffer.from('x')])), 422, 'package.trailing_data');
row('package', 'two packages end to end', () => packageRequest(Buffer.concat([good, good])), 422, 'package.trailing_data');
row('package', 'version 2', () => { const b = Buffer.from(good); b[8] = 2; return packageRequest(b); }, 422, 'package.unsupported_version');
row('package', 'sealed to another key', () => { const b = Buffer.from(good); b.fill(7, 9, 89); return packageRequest(b); }, 422, 'package.wrong_key');
row('package', 'frame length zero', () => { const b = Buffer.from(good); b.writeUInt32LE(0, 113); return packageRequest(b); }, 422, 'package.corrupt_frame');
row('package', 'frame length huge', () => { const b = Buffer.from(good); b.writeUInt32LE(0xffffffff, 113); return packageRequest(b); }, 422, 'package.corrupt_frame');
row('package', 'not a package', () => packageRequest(Buffer.from('%PDF-1.4 hello')), 422, 'package.not_a_package');
row('package', 'empty', () => packageRequest(Buffer.alloc(0)), 422, 'package.truncated');

// --- documents inside well-sealed packages: the server checks the bytes again --------------------
const app = family(9002);
// The KK and the spouse's KTP are fine; member 0's KTP is the row's bytes, declared as `mediaType`.
const docPackage = (ktp, mediaType = 'image/jpeg') => sealAsGiven(app, [
  { kind: 'kk', member: null, media_type: 'image/jpeg', bytes: jpeg(1600, 1200) },
  { kind: 'ktp', member: 0, media_type: mediaType, bytes: ktp },
  { kind: 'ktp', member: 1, media_type: 'image/jpeg', bytes: jpeg(1000, 700) },
]);
const documents = {
  'a GIF': [Buffer.from('GIF89a\x01\x00\x01\x00'), 'document.unrecognized_type'],
  'HTML': [Buffer.from('<html><script>alert(1)</script></html>'), 'document.unrecognized_type'],
  'an executable': [Buffer.from('\x7fELF\x02\x01\x01'), 'document.unrecognized_type'],
  'a truncated JPEG': [jpeg(1024, 640).subarray(0, 300), 'document.corrupt_image'],
  'a JPEG without its end': [jpeg(1024, 640).subarray(0, -2), 'document.corrupt_image'],
  'a tiny JPEG': [jpeg(200, 100), 'document.image_too_small'],
  'a PDF with JavaScript': [Buffer.from('%PDF-1.4\n1 0 obj <</OpenAction <</S /JavaScript /JS (x)>> >> endobj\n%%EOF\n'), 'document.pdf_active_content'],
  'a PDF with a launch action': [Buffer.from('%PDF-1.4\n1 0 obj <</A <</S /Launch /F (cmd)>> >> endobj\n%%EOF\n'), 'document.pdf_active_content'],
  'an encrypted PDF': [Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <</Encrypt 2 0 R>>\n%%EOF\n'), 'document.pdf_encrypted'],
  'a PDF cut short': [pdf().subarray(0, 40), 'document.corrupt_pdf'],
  'an empty file': [Buffer.alloc(0), 'document.empty'],
  'a file too large': [Buffer.concat([jpeg(1024, 640), Buffer.alloc(2 * 1024 * 1024)]), 'document.too_large'],
};
for (const [name, [bytes, code]] of Object.entries(documents)) row('document', name, () => packageRequest(docPackage(bytes)), 422, code);
row('document', 'a JPEG declared as a PDF', () => packageRequest(docPackage(jpeg(1024, 640), 'application/pdf')), 422, 'document.media_type_mismatch');

// --- tus ------------------------------------------------------------------------------------------
const tus = { 'Tus-Resumable': '1.0.0' };
for (const version of ['', '0.2.2', '2.0.0', '1.0']) {
  row('tus', `Tus-Resumable "${version}"`, () => http('POST', '/api/v1/uploads', { headers: { 'Tus-Resumable': version, 'Upload-Length': '10' } }), 412, 'upload.tus_version');
}
for (const length of ['', 'abc', '-1', '1e3', '0x10', '1 0', '9999999999999']) {
  row('tus', `Upload-Length "${length}"`, () => http('POST', '/api/v1/uploads', { headers: { ...tus, 'Upload-Length': length } }), 400, 'upload.length_required');
}
row('tus', 'Upload-Length over the limit', () => http('POST', '/api/v1/uploads', { headers: { ...tus, 'Upload-Length': String(1 << 30) } }), 413, 'upload.too_large');
for (const id of ['zzzz', 'a'.repeat(32), 'A'.repeat(32), '%2e%2e%2f%2e%2e%2fetc', `${'a'.repeat(31)}.`]) {
  row('tus', `HEAD an unknown upload ${id}`, () => http('HEAD', `/api/v1/uploads/${id}`, { headers: tus }), 404, null);
  row('tus', `PATCH an unknown upload ${id}`, () => http('PATCH', `/api/v1/uploads/${id}`, { body: 'x', headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' } }), 404, 'upload.not_found');
}
const created = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': '100' } });
const upload = created.headers.get('location');
const patch = (offset, body, type = 'application/offset+octet-stream') => http('PATCH', upload, { body, headers: { ...tus, 'Content-Type': type, 'Upload-Offset': offset } });
for (const offset of ['1', '-1', 'abc', '', '100', '99999999999']) row('tus', `PATCH at offset "${offset}"`, () => patch(offset, 'x'), 409, 'upload.offset_mismatch');
for (const type of ['application/octet-stream', 'text/plain', '']) row('tus', `PATCH with Content-Type "${type}"`, () => patch('0', 'x', type), 415, 'upload.content_type');
row('tus', 'PATCH past the length', () => patch('0', 'x'.repeat(101)), 413, 'upload.exceeds_length');
row('tus', 'register an unfinished upload', () => http('POST', '/api/v1/registrations', { body: JSON.stringify({ upload: upload.split('/').pop() }), headers: { 'Content-Type': 'application/json' } }), 409, 'upload.incomplete');
row('tus', 'a finished upload that is no package', async () => {
  await patch('0', 'y'.repeat(100));
  return http('POST', '/api/v1/registrations', { body: JSON.stringify({ upload: upload.split('/').pop() }), headers: { 'Content-Type': 'application/json' } });
}, 422, 'package.not_a_package');

// --- the table, run --------------------------------------------------------------------------------
test(`a table of ${rows.length} malformed requests`, async () => {
  assert.ok(rows.length >= 200, `${rows.length} rows`);
  const failures = [];
  for (const [i, r] of rows.entries()) {
    const answer = await r.send();
    if (answer.status !== r.status || (r.code !== null && answer.code !== r.code)) {
      failures.push(`${r.group}: ${r.name}: got ${answer.status} ${answer.code}, want ${r.status} ${r.code}`);
    }
    if (i % 5 === 0 || answer.status === null) {
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200, `the server answers after "${r.name}"`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

// Sign-in and sessions tried as an attacker would (docs/SECURITY.md, "Attacks on sign-in"): a flood
// of sign-in requests, wrong passwords from elsewhere, a stranger's phone flooded through a contact
// change, telling members from strangers, codes at rest, 40 requests racing one limit, login CSRF,
// sessions outliving a password reset or a new phone, cookies behind a TLS proxy. Clients come
// from chosen loopback addresses (127.0.0.0/8), so the server sees different people. Run on
// SQLite and on PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, register, status, sql, bin, databaseArgs, startOfAMinute } from '../support/server.mjs';
import { operator, signIn, PASSWORD, registryConfig, consent, settled } from '../support/registry.mjs';
import { jsonLines, eventually, startSmtp } from '../support/messages.mjs';

const work = mkdtempSync(join(tmpdir(), 'daftar-security-'));
const sink = join(work, 'outbox.jsonl');
const server = await startServer({ notifications: { sink_file: sink }, limits: { sign_ins_per_minute: 100000 } });
const servers = [server];
after(() => Promise.all(servers.map((s) => s.stop())));

// One HTTP request from the loopback address `from`, without a connection pool.
function http(target, method, path, { body, headers = {}, from = '127.0.0.1', tls = false } = {}) {
  const url = new URL(target.url + path);
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'object' ? { 'Content-Type': 'application/json' } : {};
  return new Promise((resolve, reject) => {
    const request = tls ? httpsRequest : httpRequest;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, agent: false,
      rejectUnauthorized: false, headers: { ...type, ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(data); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: json });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}
const problem = (r) => r.body?.errors?.[0]?.code;
const cookies = (r) => r.headers['set-cookie'] ?? [];
const cookieValue = (r, name) => cookies(r).map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);

// Family n, registered and verified, reached at a phone of its own (or at `contact`).
const pad = (n) => String(n).padStart(4, '0');
async function member(n, contact = { phone: `0812-0000-${pad(n)}` }) {
  const r = await register(server, seal(server, family(n, { contact })));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const s = (await status(server, r.body.reference, r.body.access_token)).body;
  return { card: s.members[0].card_number, reference: r.body.reference, phone: contact.phone ? `+628120000${pad(n)}` : undefined, email: contact.email };
}
const codesTo = (to, template = 'notify.sign_in_code') => jsonLines(sink).filter((l) => l.template === template && l.to === to);
// The codes sent to `to` once the outbox has sent `count` of them (and a moment more for any extra).
async function codesSent(to, count, template) {
  await eventually(() => codesTo(to, template), (l) => l.length >= count);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return codesTo(to, template);
}
const start = (body, from) => http(server, 'POST', '/api/v1/session/start', { body, from });
const verify = (challenge, code, from) => http(server, 'POST', '/api/v1/session/verify', { body: { challenge, code }, from });
async function memberSession(p) {
  const before = codesTo(p.phone).length;
  const asked = await start({ card: p.card });
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  const sms = await codesSent(p.phone, before + 1);
  const done = await verify(asked.body.challenge, sms.at(-1).params.code);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return done.body.session;
}
const me = (session) => http(server, 'GET', '/api/v1/me', { headers: { Authorization: `Bearer ${session}` } });
const wrongCode = (code) => String((Number(code) + 1) % 1000000).padStart(6, '0');

test('a flood of sign-in requests from one address sends each member one code, and the owners still sign in at once', async () => {
  const people = [await member(71), await member(72), await member(73)];
  for (let i = 0; i < 30; ++i) {
    const r = await start({ card: people[i % 3].card }, '127.0.0.21');
    assert.equal(r.status, 202, JSON.stringify(r.body));
  }
  for (const p of people) {
    assert.equal((await codesSent(p.phone, 1)).length, 1, 'one code, not ten');
    // The owner asks from its own phone: no new code while one lives, and the one received works.
    const mine = await start({ card: p.card });
    assert.equal(mine.status, 202);
    assert.ok(mine.body.expires_in > 0 && mine.body.expires_in <= 300, String(mine.body.expires_in));
    const sms = codesTo(p.phone);
    assert.equal(sms.length, 1);
    const done = await verify(mine.body.challenge, sms[0].params.code);
    assert.equal(done.status, 200, JSON.stringify(done.body));
  }
});

test('wrong passwords from elsewhere slow the attacker, not the operator', async () => {
  await operator(server, 'rina', 'reviewer');  // signed in from 127.0.0.1
  const browser = await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: PASSWORD }, from: '127.0.0.5' });
  assert.equal(browser.status, 200);
  const device = cookieValue(browser, 'daftar_device');
  assert.ok(device, cookies(browser).join(' | '));
  await startOfAMinute();  // the per-address count (10 a minute) stays inside one minute on PostgreSQL
  const tries = [];
  for (const from of ['127.0.0.22', '127.0.0.23']) {
    for (let i = 0; i < 8; ++i) tries.push(await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: `guess ${i}` }, from }));
  }
  assert.equal(tries.filter((r) => r.status === 401).length, 5, 'five guesses judged, then the name waits');
  const waiting = tries.filter((r) => r.status === 429);
  assert.equal(waiting.length, 11);
  for (const r of waiting) {
    assert.equal(problem(r), 'operator.too_many_tries');
    assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 900, r.headers['retry-after']);
  }
  // The owner's browser (its device cookie, from a new address) and its usual address go straight in.
  const withCookie = await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: PASSWORD }, from: '127.0.0.6',
    headers: { Cookie: `daftar_device=${device}` } });
  assert.equal(withCookie.status, 200, JSON.stringify(withCookie.body));
  const usual = await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: PASSWORD } });
  assert.equal(usual.status, 200, JSON.stringify(usual.body));
  // A forged device cookie is a stranger's: it waits with everyone else, not for long.
  const forged = await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: PASSWORD }, from: '127.0.0.7',
    headers: { Cookie: 'daftar_device=not-a-device' } });
  assert.equal(forged.status, 429);
  assert.ok(Number(forged.headers['retry-after']) <= 900);
});

test('changing the contact again and again sends a stranger two codes, then makes the member wait', async () => {
  const p = await member(74);
  const session = await memberSession(p);
  const STRANGER = '+6281399990001';
  const answers = [];
  for (let i = 0; i < 20; ++i) {
    answers.push(await http(server, 'POST', '/api/v1/me/changes', { body: { type: 'contact', phone: '0813-9999-0001' },
      headers: { Authorization: `Bearer ${session}` } }));
  }
  assert.deepEqual(answers.map((r) => r.status), [201, 201, ...Array(18).fill(429)]);
  assert.equal(problem(answers[2]), 'session.too_many_codes');
  assert.ok(Number(answers[2].headers['retry-after']) > 0 && Number(answers[2].headers['retry-after']) <= 30);
  assert.equal((await codesSent(STRANGER, 2, 'notify.confirm_contact')).length, 2);
});

test('where codes go by e-mail only, a member and a stranger get answers of the same shape', async () => {
  const smtp = await startSmtp();
  const mailing = await startServer({ notifications: { email: { smtp_url: smtp.url, smtp_tls: 'none', from: 'daftar@bpjs-kesehatan.example' } } });
  servers.push(mailing);
  after(() => smtp.stop());
  const r = await register(mailing, seal(mailing, family(75, { contact: { phone: '0812-0000-0075', email: 'sari.lestari@example.co.id' } })));
  const card = (await status(mailing, r.body.reference, r.body.access_token)).body.members[0].card_number;
  const mine = await http(mailing, 'POST', '/api/v1/session/start', { body: { card } });
  const stranger = await http(mailing, 'POST', '/api/v1/session/start', { body: { card: '0000000099975' } });
  for (const a of [mine, stranger]) {
    assert.equal(a.status, 202);
    assert.deepEqual(Object.keys(a.body), ['challenge', 'sent_to', 'expires_in']);
    assert.match(a.body.sent_to, /^\+62 8\*\*-\*\*\*\*-\d{4}$/);
    assert.equal(a.body.expires_in, 300);
    assert.equal(a.headers['content-length'], String(JSON.stringify(a.body).length));
  }
  // The code went to the e-mail all the same, and signs in.
  const mail = await eventually(() => smtp.messages().filter((m) => m.to.includes('sari.lestari@example.co.id') && m.subject === 'Kode masuk Daftar JKN'), (l) => l.length > 0);
  const code = mail[0].text.match(/: (\d{6})\./)[1];
  assert.equal((await http(mailing, 'POST', '/api/v1/session/verify', { body: { challenge: mine.body.challenge, code } })).status, 200);
});

test('codes at rest: the database keeps no code in clear, and the outbox forgets a code once sent', async () => {
  const p = await member(76);
  const asked = await start({ card: p.card });
  const [sms] = await codesSent(p.phone, 1);
  const rows = await eventually(() => sql(server, `SELECT params, sent_at FROM outbox WHERE template = 'notify.sign_in_code' AND recipient = '${p.phone}'`),
    (text) => /\|\d{4}-/.test(text));
  assert.match(rows, /\|\d{4}-\d\d-\d\dT/, 'sent');
  assert.doesNotMatch(rows, /code/, rows);
  assert.ok(!rows.includes(sms.params.code), rows);
  // Every stored code is a keyed hash; the challenges hold none.
  const lengths = sql(server, 'SELECT length(code_hash) FROM member_codes').split('\n').filter(Boolean);
  assert.ok(lengths.length > 0 && lengths.every((n) => n === '32'), lengths.join(' '));
  assert.equal((await verify(asked.body.challenge, sms.params.code)).status, 200);

  // Unsent (the gateway is down), the code waits sealed.
  const down = await startServer({ notifications: { sms: { url: 'http://127.0.0.1:9/send', secret: 'c0ffee1234567890deadbeef0badf00d13579bdf2468ace0fedcba9876543210' } } });
  servers.push(down);
  const r = await register(down, seal(down, family(76, { contact: { phone: '0812-0000-0076' } })));
  const card = (await status(down, r.body.reference, r.body.access_token)).body.members[0].card_number;
  assert.equal((await http(down, 'POST', '/api/v1/session/start', { body: { card } })).status, 202);
  const waiting = sql(down, "SELECT params FROM outbox WHERE template = 'notify.sign_in_code'");
  assert.match(waiting, /"code_sealed":"[A-Za-z0-9+/=]{40,}"/, waiting);
  assert.doesNotMatch(waiting, /"code":/);
});

test('40 requests racing one limit: one code sent, five guesses judged, one sign-in', async () => {
  const p = await member(77);
  const asks = await Promise.all(Array.from({ length: 40 }, () => start({ card: p.card })));
  assert.deepEqual([...new Set(asks.map((r) => r.status))], [202]);
  const [sms] = await codesSent(p.phone, 1);
  assert.equal(codesTo(p.phone).length, 1, 'one code for 40 asks');
  const guesses = await Promise.all(asks.map((a) => verify(a.body.challenge, wrongCode(sms.params.code))));
  const judged = guesses.filter((r) => problem(r) === 'session.wrong_code');
  assert.deepEqual(judged.map((r) => r.body.errors[0].params.tries_left).sort(), [0, 1, 2, 3, 4]);
  assert.equal(guesses.filter((r) => problem(r) === 'session.code_expired').length, 35);
  // A new code, right 40 times at once: one session.
  const again = await start({ card: p.card });
  const fresh = (await codesSent(p.phone, 2)).at(-1);
  const more = await Promise.all(Array.from({ length: 39 }, () => start({ card: p.card })));
  const signIns = await Promise.all([again, ...more].map((a) => verify(a.body.challenge, fresh.params.code)));
  assert.equal(signIns.filter((r) => r.status === 200).length, 1);
  assert.equal(signIns.filter((r) => problem(r) === 'session.code_expired').length, 39);
});

test('sign-in and set-up refuse other sites and take JSON only (no login CSRF)', async () => {
  const body = JSON.stringify({ name: 'rina', password: PASSWORD });
  const post = (path, headers) => http(server, 'POST', `/api/v1/operator/${path}`, { body, headers });
  const form = await post('session', { 'Content-Type': 'text/plain', Origin: 'https://evil.example' });
  assert.deepEqual([form.status, problem(form)], [403, 'operator.cross_site']);
  assert.deepEqual(cookies(form), []);
  const fetched = await post('session', { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' });
  assert.deepEqual([fetched.status, problem(fetched)], [403, 'operator.cross_site']);
  const plain = await post('session', { 'Content-Type': 'text/plain' });
  assert.deepEqual([plain.status, problem(plain)], [415, 'http.json_required']);
  const setup = await post('setup', { 'Content-Type': 'application/json', Origin: 'null' });
  assert.deepEqual([setup.status, problem(setup)], [403, 'operator.cross_site']);
  // The console's own page may.
  const own = await post('session', { 'Content-Type': 'application/json', Origin: server.url, 'Sec-Fetch-Site': 'same-origin' });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  // A change with the cookie and the CSRF token, but sent from another site: refused too.
  const cookie = `daftar_operator=${cookieValue(own, 'daftar_operator')}`;
  const change = await http(server, 'POST', '/api/v1/operator/registrations/XXXX-XXXX-XXXX/approve', { body: {},
    headers: { Cookie: cookie, 'X-CSRF-Token': own.body.csrf, Origin: 'https://evil.example' } });
  assert.deepEqual([change.status, problem(change)], [403, 'operator.cross_site']);
});

test('a password reset ends the old password and every session; a new phone ends the family\'s other sessions', async () => {
  const budi = await operator(server, 'budi', 'reviewer');
  assert.equal((await budi.call('GET', '/queue')).status, 200);
  const reset = spawnSync(bin, ['operator', 'reset', 'budi', '--data-dir', server.dataDir, ...databaseArgs(server.dir), '--url', server.url],
    { encoding: 'utf8' });
  assert.equal(reset.status, 0, reset.stdout + reset.stderr);
  assert.equal((await budi.call('GET', '/queue')).status, 401, 'the old session ends');
  assert.equal((await signIn(server, 'budi')).status, 401, 'the old password ends');
  const token = JSON.parse(reset.stdout).setup_link.split('#setup=')[1];
  const setup = await http(server, 'POST', '/api/v1/operator/setup', { body: { token, password: 'a new and longer passphrase' } });
  assert.equal(setup.status, 200);
  assert.equal((await signIn(server, 'budi', 'a new and longer passphrase')).call !== undefined, true);

  const p = await member(78);
  const phone = await memberSession(p), lost = await memberSession(p);
  const asked = await http(server, 'POST', '/api/v1/me/changes', { body: { type: 'contact', phone: '0813-7777-0078' },
    headers: { Authorization: `Bearer ${phone}` } });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const [sms] = await codesSent('+6281377770078', 1, 'notify.confirm_contact');
  const confirmed = await http(server, 'POST', `/api/v1/me/changes/${asked.body.change}/confirm`, {
    body: { challenge: asked.body.confirm.challenge, code: sms.params.code }, headers: { Authorization: `Bearer ${phone}` } });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  assert.equal((await me(lost)).status, 401, 'the other session ends');
  assert.equal((await me(phone)).status, 200, 'the one that confirmed stays');
});

test('cookies: __Host-, Secure and HSTS behind a proxy that terminates TLS (as over TLS); plain on plain HTTP', async () => {
  const plain = await http(server, 'POST', '/api/v1/operator/session', { body: { name: 'rina', password: PASSWORD } });
  for (const c of cookies(plain)) assert.match(c, /^daftar_(operator|device)=[^;]+; Path=\/api\/v1\/operator; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  assert.equal(plain.headers['strict-transport-security'], undefined);

  const proxied = await startServer({ proxy_terminates_tls: true });
  servers.push(proxied);
  await operator(proxied, 'dewi', 'reviewer');
  {
    const target = proxied, tls = false;
    const r = await http(target, 'POST', '/api/v1/operator/session', { body: { name: 'dewi', password: PASSWORD }, tls });
    assert.equal(r.status, 200);
    assert.equal(cookies(r).length, 2);
    for (const c of cookies(r)) assert.match(c, /^__Host-daftar_(operator|device)=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
    assert.match(r.headers['strict-transport-security'], /max-age=\d+/);
    assert.match((await http(target, 'GET', '/healthz', { tls })).headers['strict-transport-security'], /max-age=\d+/);
    const session = cookieValue(r, '__Host-daftar_operator');
    assert.equal((await http(target, 'GET', '/api/v1/operator/session', { headers: { Cookie: `__Host-daftar_operator=${session}` }, tls })).status, 200);
    // A cookie without the prefix could have been planted by a neighbouring site: not read.
    assert.equal((await http(target, 'GET', '/api/v1/operator/session', { headers: { Cookie: `daftar_operator=${session}` }, tls })).status, 401);
  }
});

// What held before these changes, kept holding.

test('hostile population registry answers leave the family waiting, never verified, and the server answering', async () => {
  let hostile = true, calls = 0;
  const answers = [
    () => 'not json',
    () => JSON.stringify({ request_id: 'someone-else', result: 'match', fields: { kk_number: true, name: true, birth_date: true, sex: true } }),
    (id) => JSON.stringify({ request_id: id, result: 'match', fields: 'all of them' }),
    (id) => JSON.stringify({ request_id: id, result: 'verified!!', fields: {} }),
    () => '['.repeat(100000),
    (id) => JSON.stringify({ request_id: id, result: 'match', padding: ' '.repeat(1 << 20) }).slice(0, -2),
  ];
  const registry = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const id = JSON.parse(body).request_id;
      const n = calls++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(hostile ? answers[n % answers.length](id)
        : JSON.stringify({ request_id: id, result: 'match', fields: { kk_number: true, name: true, birth_date: true, sex: true } }));
    });
  });
  await new Promise((resolve) => registry.listen(0, '127.0.0.1', resolve));
  after(() => registry.close());
  const checked = await startServer(registryConfig(`http://127.0.0.1:${registry.address().port}`));
  servers.push(checked);
  const r = await register(checked, seal(checked, family(79, { consent: consent() })));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await eventually(() => calls, (n) => n >= 2 * answers.length, 60);
  assert.equal((await status(checked, r.body.reference, r.body.access_token)).body.status, 'verifying');
  assert.equal((await http(checked, 'GET', '/healthz')).status, 200);
  hostile = false;
  assert.equal((await settled(checked, r.body.reference, r.body.access_token)).status, 'verified');
});

test('a code is bound to its card, and an e-mail address cannot carry mail headers', async () => {
  const [a, b] = [await member(80), await member(81)];
  const askedA = await start({ card: a.card });
  await start({ card: b.card });
  const [codeB] = await codesSent(b.phone, 1);
  const [codeA] = await codesSent(a.phone, 1);
  if (codeA.params.code !== codeB.params.code) {  // (one chance in a million that they are the same)
    assert.equal(problem(await verify(askedA.body.challenge, codeB.params.code)), 'session.wrong_code', "B's code does not open A's card");
  }
  const session = await memberSession(b);
  const injected = await http(server, 'POST', '/api/v1/me/changes', { body: { type: 'contact', email: 'sari@example.co.id\r\nBcc: all@example.com' },
    headers: { Authorization: `Bearer ${session}` } });
  assert.equal(injected.status, 422);
  assert.equal(injected.body.errors[0].path, '/email');
});

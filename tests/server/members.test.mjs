// After registration, as a member tries it: signing in with a code sent to the family's phone (read
// from the server's sink file), the same answer for people who are not members, limits on codes;
// the member's page; and every change at its boundary dates, moving through the calendar with
// `serve --clock-file`: a first facility, a facility change 3 months later (sooner only with a
// supporting letter sealed with it, which an officer reads), a class change 12
// months after registration once arrears are paid, a new phone confirmed by a code, an address.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, sealChange, register, status, bank, bin, root, databaseArgs } from '../support/server.mjs';
import { operator } from '../support/registry.mjs';
import { jsonLines, eventually } from '../support/messages.mjs';

const work = mkdtempSync(join(tmpdir(), 'daftar-members-'));
const clock = join(work, 'today');
const on = (day) => writeFileSync(clock, `${day}\n`);
on('2026-01-15');
const sink = join(work, 'outbox.jsonl');
const server = await startServer({ notifications: { sink_file: sink } }, { args: ['--clock-file', clock] });
after(() => server.stop());

const call = async (method, path, body, session) => {
  const headers = { 'Content-Type': 'application/json' };
  if (session) headers.Authorization = `Bearer ${session}`;
  const res = await fetch(`${server.url}/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
const me = (session) => call('GET', 'me', undefined, session);
const change = (session, body) => call('POST', 'me/changes', body, session);
// A change with documents, sealed by `daftar seal` as the app seals it.
const sendChange = async (session, bytes) => {
  const res = await fetch(`${server.url}/api/v1/me/changes`, { method: 'POST', body: bytes,
    headers: { 'Content-Type': 'application/vnd.daftar.package', Authorization: `Bearer ${session}` } });
  return { status: res.status, body: await res.json() };
};
// The message with `template` sent to `to` after the first `skip` of them.
const message = async (template, to, skip = 0) => {
  const found = await eventually(() => jsonLines(sink).filter((l) => l.template === template && l.to === to), (l) => l.length > skip);
  assert.ok(found.length > skip, `no ${template} to ${to}`);
  return found[skip];
};
let bankRefs = 0;
const pay = (va, amount, day) => bank(server, 'payment', { va, amount, bank_ref: `MEMBERS-${++bankRefs}`, paid_at: `${day}T09:00:00+07:00` });
const OLD_PHONE = '+6281234567890';

// A paid family (registered 15 January 2026, paid 20 January).
const r = await register(server, seal(server, family(61)));
assert.equal(r.status, 201, JSON.stringify(r.body));
const registration = (await status(server, r.body.reference, r.body.access_token)).body;
const va = registration.bill.va;
const card = registration.members[0].card_number;
on('2026-01-20');
assert.equal((await pay(va, registration.due_now.amount, '2026-01-20')).status, 200);
// The branch loads its facility table after this family registered: it chooses one afterwards.
const imported = spawnSync(bin, ['facilities', 'import', join(root, 'examples/facilities.csv'), '--data-dir', server.dataDir,
  ...databaseArgs(server.dir)], { encoding: 'utf8' });
assert.equal(imported.status, 0, imported.stdout + imported.stderr);

let session;

test('a member signs in with the code sent to the family phone; a wrong code is counted', async () => {
  const started = await call('POST', 'session/start', { card });
  assert.equal(started.status, 202);
  assert.deepEqual(Object.keys(started.body), ['challenge', 'sent_to', 'expires_in']);
  assert.equal(started.body.sent_to, '+62 8**-****-7890');
  const sms = await message('notify.sign_in_code', OLD_PHONE);
  assert.match(sms.params.code, /^\d{6}$/);
  assert.equal(sms.text, `Kode masuk Daftar JKN Anda: ${sms.params.code}. Berlaku 5 menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas.`);
  const wrong = String((Number(sms.params.code) + 1) % 1000000).padStart(6, '0');
  const refused = await call('POST', 'session/verify', { challenge: started.body.challenge, code: wrong });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errors[0].code, 'session.wrong_code');
  assert.equal(refused.body.errors[0].params.tries_left, 4);
  assert.equal((await call('POST', 'session/verify', { challenge: started.body.challenge, code: '12a456' })).body.errors[0].code, 'session.code_format');
  const ok = await call('POST', 'session/verify', { challenge: started.body.challenge, code: sms.params.code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(Object.keys(ok.body), ['session', 'expires_at']);
  session = ok.body.session;
  // A code signs in once.
  assert.equal((await call('POST', 'session/verify', { challenge: started.body.challenge, code: sms.params.code })).body.errors[0].code,
    'session.code_expired');
});

test('no enumeration: someone who is no member gets the same answer, and no code ever works', async () => {
  const nobody = '0000000099991';
  const a = await call('POST', 'session/start', { card: nobody });
  const b = await call('POST', 'session/start', { card: nobody });
  assert.equal(a.status, 202);
  assert.deepEqual(Object.keys(a.body), ['challenge', 'sent_to', 'expires_in']);
  assert.match(a.body.sent_to, /^\+62 8\*\*-\*\*\*\*-\d{4}$/);
  assert.equal(a.body.sent_to, b.body.sent_to, 'the same mask every time');
  const tried = await call('POST', 'session/verify', { challenge: a.body.challenge, code: '123456' });
  assert.equal(tried.status, 401);
  assert.equal(tried.body.errors[0].code, 'session.wrong_code');
  // A NIK with the wrong birth date is no member either; with the right one it is.
  const nik = family(61).members[0].nik;
  const before = jsonLines(sink).filter((l) => l.template === 'notify.sign_in_code').length;
  const wrongBirth = await call('POST', 'session/start', { nik, birth_date: '1987-09-07' });
  assert.equal(wrongBirth.status, 202);
  const byNik = await call('POST', 'session/start', { nik, birth_date: '1987-09-06' });
  assert.equal(byNik.body.sent_to, '+62 8**-****-7890', JSON.stringify(byNik.body));
  const codes = await eventually(() => jsonLines(sink).filter((l) => l.template === 'notify.sign_in_code'), (l) => l.length > before);
  assert.equal(codes.length, before + 1, 'one code: for the right birth date only');
  // While a code lives, asking again sends none: every challenge takes the code already sent, and
  // their tries are shared (5). A spent code makes way for a new one: two at once, the third 30 s
  // later, then twice as long each time; meanwhile 429 with Retry-After, member or not.
  const spend = async (challenge) => {
    for (let i = 0; i < 5; ++i) await call('POST', 'session/verify', { challenge, code: '123456' });
    assert.equal((await call('POST', 'session/verify', { challenge, code: '123456' })).body.errors[0].code, 'session.code_expired');
  };
  await spend(b.body.challenge);
  assert.equal((await call('POST', 'session/verify', { challenge: a.body.challenge, code: '123456' })).body.errors[0].code,
    'session.code_expired', 'one code for both challenges');
  const second = await call('POST', 'session/start', { card: nobody });
  assert.equal(second.status, 202, JSON.stringify(second.body));
  await spend(second.body.challenge);
  const res = await fetch(`${server.url}/api/v1/session/start`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ card: nobody }) });
  const limited = await res.json();
  assert.equal(res.status, 429);
  assert.equal(limited.errors[0].code, 'session.too_many_codes');
  assert.ok(Number(res.headers.get('retry-after')) > 0 && Number(res.headers.get('retry-after')) <= 30, res.headers.get('retry-after'));
  assert.equal(limited.errors[0].params.seconds, Number(res.headers.get('retry-after')));
  // Malformed input is said plainly.
  assert.equal((await call('POST', 'session/start', { card: '12345' })).body.errors[0].code, 'card.invalid_length');
  assert.equal((await call('POST', 'session/start', {})).body.errors[0].code, 'session.identify_yourself');
});

test('the member page: family, members with cards, membership, bills', async () => {
  const page = await me(session);
  assert.equal(page.status, 200, JSON.stringify(page.body));
  assert.deepEqual(page.body.family, { reference: r.body.reference, segment: 'PBPU', class: 3, facility: null, membership: 'active', va,
    district_code: '32.04.11' });
  // What the browser gives the rules core to check a change offline, exactly as the server does.
  assert.deepEqual(page.body.change_rules, { family: { class: '3', facility: '', registered_on: '2026-01-15', unpaid_months: 0,
    members: [{ position: 0, relationship: 'head', covered: true }, { position: 1, relationship: 'spouse', covered: true }] }, today: '2026-01-20' });
  assert.deepEqual(page.body.members.map((m) => [m.card_number, m.status, m.you]), registration.members.map((m, i) => [m.card_number, 'active', i === 0]));
  assert.match(page.body.members[0].nik_masked, /^\d{4}\*{8}\d{4}$/);
  assert.deepEqual(page.body.changes, []);
  assert.deepEqual(page.body.bills.map((b) => [b.month, b.status]), [['2026-01', 'paid']]);
  assert.equal((await me('not-a-session')).status, 401);
  assert.equal((await me()).body.errors[0].code, 'session.required');
});

test('the health facility: the first choice at once, the next after 3 months from the 1st of the next month', async () => {
  assert.equal((await change(session, { type: 'facility', code: '32049999' })).body.errors[0].code, 'facility.unknown');
  const closed = await change(session, { type: 'facility', code: '32041202' });
  assert.equal(closed.status, 422);
  assert.equal(closed.body.errors[0].code, 'facility.full');
  const first = await change(session, { type: 'facility', code: '32041102' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.deepEqual([first.body.status, first.body.effective], ['applied', '2026-01-20']);
  assert.deepEqual((await me(session)).body.family.facility, { code: '32041102', name: 'Klinik Pratama Mawar (contoh)' });
  assert.equal((await message('notify.change_facility', OLD_PHONE)).params.facility, 'Klinik Pratama Mawar (contoh)');

  on('2026-04-19');
  const soon = await change(session, { type: 'facility', code: '32041103' });
  assert.equal(soon.status, 422);
  assert.deepEqual([soon.body.errors[0].path, soon.body.errors[0].code, soon.body.errors[0].params.earliest],
    ['/code', 'change.facility_too_soon', '2026-04-20']);
  assert.equal(soon.body.errors[0].message.id.includes('20 April 2026'), true);
  const moved = await change(session, { type: 'facility', code: '32041103', reason: 'moved' });
  assert.equal(moved.status, 201);
  assert.equal(moved.body.status, 'review');
  assert.equal(moved.body.warnings[0].code, 'change.document_needed');

  on('2026-04-20');
  const next = await change(session, { type: 'facility', code: '32041101' });
  assert.equal(next.status, 201, JSON.stringify(next.body));
  assert.deepEqual([next.body.status, next.body.effective], ['scheduled', '2026-05-01']);
  let page = (await me(session)).body;
  assert.equal(page.family.facility.code, '32041102', 'the old facility serves until the change takes effect');
  assert.deepEqual(page.family.facility_next, { code: '32041101', name: 'Puskesmas Cicalengka (contoh)', from: '2026-05-01' });
  on('2026-05-01');
  page = (await me(session)).body;
  assert.equal(page.family.facility.code, '32041101');
  assert.deepEqual(page.changes.map((c) => [c.type, c.status, c.effective]),
    [['facility', 'applied', '2026-01-20'], ['facility', 'review', '2026-05-01'], ['facility', 'applied', '2026-05-01']]);

  // Moved house in June, sooner than 3 months: the letter goes sealed with the change, never as a
  // claim in JSON, and an officer reads it before the family moves.
  on('2026-06-01');
  const moving = { type: 'facility', code: '32041103', reason: 'moved' };
  const claimed = await change(session, { ...moving, documents: [{ kind: 'supporting_letter' }] });
  assert.deepEqual([claimed.status, claimed.body.errors[0].code], [415, 'change.package_required']);
  const noLetter = await sendChange(session, sealChange(server, moving, ['kk:']));
  assert.deepEqual([noLetter.status, noLetter.body.errors[0].path, noLetter.body.errors[0].code],
    [422, '/documents', 'documents.missing_supporting_letter']);
  const withLetter = await sendChange(session, sealChange(server, moving, ['supporting_letter:']));
  assert.equal(withLetter.status, 201, JSON.stringify(withLetter.body));
  assert.deepEqual([withLetter.body.status, withLetter.body.effective, withLetter.body.warnings], ['review', '2026-07-01', undefined]);
  assert.equal((await message('notify.change_documents', OLD_PHONE)).params.reference, r.body.reference);
  const officer = await operator(server, 'dewi', 'reviewer');
  const seen = await officer.call('GET', `/changes/${withLetter.body.change}`);
  assert.deepEqual([seen.body.detail.reason, seen.body.documents.map((d) => d.kind)], ['moved', ['supporting_letter']]);
  const letter = await officer.call('GET', `/changes/${withLetter.body.change}/documents/0`);
  assert.deepEqual([letter.status, letter.headers.get('content-type')], [200, 'image/jpeg']);
  const approved = await officer.call('POST', `/changes/${withLetter.body.change}/approve`, {});
  assert.deepEqual([approved.status, approved.body.status], [200, 'scheduled'], JSON.stringify(approved.body));
  page = (await me(session)).body;
  assert.deepEqual([page.family.facility.code, page.family.facility_next.code, page.family.facility_next.from],
    ['32041101', '32041103', '2026-07-01']);
  on('2026-07-01');
  assert.equal((await me(session)).body.family.facility.code, '32041103');
});

test('the class: 12 months after registration, no arrears, the whole family from the 1st of the next month', async () => {
  const early = await change(session, { type: 'class', class: 2 });
  assert.equal(early.status, 422);
  assert.deepEqual([early.body.errors[0].code, early.body.errors[0].params.earliest], ['change.class_too_soon', '2027-01-15']);
  on('2027-01-15');
  const owing = await change(session, { type: 'class', class: 2 });
  assert.equal(owing.body.errors[0].code, 'change.unpaid_months');
  // The arrears and this month, paid: the class may change.
  const due = (await bank(server, 'inquiry', { va })).body;
  assert.equal((await pay(va, due.amount, '2027-01-15')).status, 200);
  assert.equal((await change(session, { type: 'class', class: 3 })).body.errors[0].code, 'change.same_class');
  const ok = await change(session, { type: 'class', class: 2 });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.deepEqual([ok.body.status, ok.body.effective], ['scheduled', '2027-02-01']);
  let page = (await me(session)).body;
  assert.deepEqual([page.family.class, page.family.class_next], [3, { class: 2, from: '2027-02-01' }]);
  assert.deepEqual({ ...page.change_rules.family, members: undefined }, { class: '2', facility: '32041103', registered_on: '2026-01-15',
    unpaid_months: 0, last_class_change: '2027-01-15', last_facility_change: '2026-06-01', members: undefined });
  assert.equal((await change(session, { type: 'class', class: 1 })).body.errors[0].code, 'change.class_too_soon');
  // February is billed at class II for both members: 2 x 100 000.
  on('2027-02-01');
  page = (await me(session)).body;
  assert.equal(page.family.class, 2);
  assert.deepEqual(page.due_now, { amount: 200000, months: ['2027-02'] });
  assert.equal((await bank(server, 'inquiry', { va })).body.amount, 200000);
  assert.equal(JSON.parse((await status(server, r.body.reference, r.body.access_token)).body.cards[0].payload).class, 2);
});

test('a new phone works once the code sent to it comes back, and the old one is told', async () => {
  const NEW_PHONE = '+6281311112222';
  assert.equal((await change(session, { type: 'contact', phone: '022-7654321' })).body.errors[0].path, '/phone');
  const asked = await change(session, { type: 'contact', phone: '0813-1111-2222' });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  assert.deepEqual([asked.body.status, asked.body.awaiting, asked.body.confirm.sent_to], ['scheduled', 'confirmation', '+62 8**-****-2222']);
  const { code } = (await message('notify.confirm_contact', NEW_PHONE)).params;
  const confirm = (body) => call('POST', `me/changes/${asked.body.change}/confirm`, body, session);
  const wrong = await confirm({ challenge: asked.body.confirm.challenge, code: code === '000000' ? '000001' : '000000' });
  assert.equal(wrong.body.errors[0].code, 'session.wrong_code');
  const done = await confirm({ challenge: asked.body.confirm.challenge, code });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'applied');
  await message('notify.contact_changed', OLD_PHONE);
  // The next sign-in code goes to the new phone.
  const started = await call('POST', 'session/start', { card });
  assert.equal(started.body.sent_to, '+62 8**-****-2222');
  await message('notify.sign_in_code', NEW_PHONE);
});

test('a newborn joins and a member dies: sealed documents, an operator decides, the bills follow', async () => {
  const NEW_PHONE = '+6281311112222';
  const reviewer = await operator(server, 'rina', 'reviewer');
  // April's early facility change waits for a person: refused with a reason, its place given back.
  const early = (await reviewer.call('GET', '/changes')).body.changes.find((c) => c.type === 'facility');
  assert.equal((await reviewer.call('POST', `/changes/${early.change}/reject`, {})).body.errors[0].code, 'review.reasons_required');
  const refused = await reviewer.call('POST', `/changes/${early.change}/reject`, { reasons: ['reason.documents_unreadable'] });
  assert.deepEqual([refused.status, refused.body.status], [200, 'refused']);
  assert.equal((await reviewer.call('POST', `/changes/${early.change}/approve`, {})).body.errors[0].code, 'change.already_decided');
  const told = (await me(session)).body.changes.find((c) => c.change === early.change);
  assert.deepEqual([told.status, told.reasons.map((x) => x.code)], ['refused', ['reason.documents_unreadable']]);
  assert.ok(told.reasons[0].message.id.length > 10);
  await message('notify.change_refused', NEW_PHONE);

  // Sari is born on 3 February 2027; February is paid for the two parents on the 10th.
  on('2027-02-10');
  assert.equal((await pay(va, 200000, '2027-02-10')).status, 200);
  const baby = { name: 'Sari Lestari', birth_date: '2027-02-03', sex: 'F', relationship: 'child', marital_status: 'single' };
  const asJson = await change(session, { type: 'add_member', member: baby });
  assert.deepEqual([asJson.status, asJson.body.errors[0].code], [415, 'change.package_required']);
  const noCertificate = await sendChange(session, sealChange(server, { type: 'add_member', member: baby }, []));
  assert.deepEqual([noCertificate.status, noCertificate.body.errors[0].code], [422, 'documents.missing_birth_certificate']);
  // Added 28 days after birth: covered from birth.
  on('2027-03-03');
  const added = await sendChange(session, sealChange(server, { type: 'add_member', member: baby }, ['birth_certificate:']));
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.deepEqual([added.body.status, added.body.effective], ['review', '2027-02-03']);
  await message('notify.change_documents', NEW_PHONE);

  const queue = (await reviewer.call('GET', '/changes')).body.changes;
  assert.deepEqual(queue.map((c) => [c.change, c.type, c.reference]), [[added.body.change, 'add_member', r.body.reference]]);
  const seen = await reviewer.call('GET', `/changes/${added.body.change}`);
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  assert.deepEqual([seen.body.detail.member.name, seen.body.documents.map((d) => d.kind)], ['Sari Lestari', ['birth_certificate']], 'as sent');
  const page = await reviewer.call('GET', `/changes/${added.body.change}/documents/0`);
  assert.deepEqual([page.status, page.headers.get('content-type')], [200, 'image/jpeg']);
  const approved = await reviewer.call('POST', `/changes/${added.body.change}/approve`, {});
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.status, 'applied');
  assert.match(approved.body.card_number, /^\d{13}$/);
  assert.equal((await message('notify.member_added', NEW_PHONE)).params.card, approved.body.card_number);
  let mine = (await me(session)).body;
  assert.deepEqual(mine.members.map((m) => [m.name, m.status]), [['BUDI SANTOSO', 'active'], ['SITI AMINAH', 'active'], ['SARI LESTARI', 'active']]);
  assert.deepEqual([mine.members[2].card_number, mine.members[2].covered_from], [approved.body.card_number, '2027-02']);
  // Sari's share of February, already paid for her parents, is due by her 28th day (a week after
  // the approval at the soonest); from March the family pays for three at class II.
  assert.deepEqual(mine.due_now, { amount: 400000, months: ['2027-02', '2027-03'] });
  assert.deepEqual(mine.bills.filter((b) => b.top_up), [{ month: '2027-02', amount: 100000, due: '2027-03-10', status: 'unpaid', top_up: true }]);
  assert.equal((await pay(va, 400000, '2027-03-03')).status, 200);
  mine = (await me(session)).body;
  assert.deepEqual(mine.bills.filter((b) => b.month >= '2027-02').map((b) => [b.month, b.amount, b.status]),
    [['2027-02', 300000, 'paid'], ['2027-03', 300000, 'paid']]);

  // Siti dies on 20 March; her cover ends after March.
  on('2027-03-25');
  const death = { type: 'death', member: 1, date: '2027-03-20' };
  const reported = await sendChange(session, sealChange(server, death, ['death_certificate:']));
  assert.equal(reported.status, 201, JSON.stringify(reported.body));
  assert.deepEqual([reported.body.status, reported.body.effective], ['review', '2027-04-01']);
  const ended = await reviewer.call('POST', `/changes/${reported.body.change}/approve`, {});
  assert.deepEqual([ended.status, ended.body.status], [200, 'scheduled']);
  assert.equal((await message('notify.member_ended', NEW_PHONE)).params.name, 'SITI AMINAH');
  assert.equal((await sendChange(session, sealChange(server, death, ['death_certificate:']))).body.errors[0].code, 'change.unknown_member');
  on('2027-04-01');
  mine = (await me(session)).body;
  assert.deepEqual(mine.members.map((m) => m.status), ['active', 'ended', 'active']);
  assert.deepEqual(mine.due_now, { amount: 200000, months: ['2027-04'] });
  assert.equal((await bank(server, 'inquiry', { va })).body.amount, 200000);
});

test('an address at any time; signing out ends the session everywhere', async () => {
  const bad = await change(session, { type: 'address', address: { line: 'Jl. Melati No. 9', rt: '0', rw: '2', village_code: '3204112001', postal_code: '40921' } });
  assert.equal(bad.status, 422);
  assert.deepEqual([bad.body.errors[0].path, bad.body.errors[0].code], ['/address/rt', 'rt.invalid']);
  const ok = await change(session, { type: 'address', address: { line: 'Jl. Melati No. 9', rt: '4', rw: '2', village_code: '3204112001', postal_code: '40921' } });
  assert.equal(ok.status, 201);
  assert.equal(ok.body.status, 'applied');
  assert.equal((await me(session)).body.changes.at(-1).detail.address.rt, '004');
  assert.equal((await change(session, { type: 'segment' })).body.errors[0].code, 'change.unknown_type');

  assert.equal((await call('POST', 'session/end', undefined, session)).status, 200);
  assert.equal((await me(session)).status, 401);
  assert.equal((await change(session, { type: 'class', class: 1 })).status, 401);
  assert.equal((await call('POST', 'session/end', undefined, session)).status, 401);
  // Every change and sign-in is in the audit chain, and the chain holds.
  const audit = spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir, ...databaseArgs(server.dir)], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
});

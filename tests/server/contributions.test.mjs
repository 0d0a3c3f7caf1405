// Monthly contributions, walked through the calendar with `serve --clock-file`: the first payment
// pays its month; each month is billed at its own tariff; a month unpaid at its end suspends cover
// from the 1st of the next; paying the arrears and the current month reactivates at once and opens
// the penalty window; months may be paid ahead; every month is paid once. Every amount is the
// hand-computed one in the table below, with a test tariff that changes on 1 June 2026. The
// calendar job tells the family (reminder before the 10th, suspension, reactivation), each once.
// The first family then walks on to its 26th month: a class change, a newborn covered from birth
// (its share of the months already paid as a top-up), a death, another missed month.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, sealChange, register, status, bank, sql, root } from '../support/server.mjs';
import { operator } from '../support/registry.mjs';
import { jsonLines, eventually } from '../support/messages.mjs';

// Class III for a family of two: 2 x 35 000 until May 2026, 2 x 42 000 from June (test tariff).
const MONTH = { before: 70000, after: 84000 };
const work = mkdtempSync(join(tmpdir(), 'daftar-months-'));
const tariffs = JSON.parse(readFileSync(join(root, 'shared/data/tariffs.json'), 'utf8'));
const current = tariffs.pbpu.at(-1);
current.to = '2026-05-31';
tariffs.pbpu.push({ from: '2026-06-01', basis: 'test tariff', classes: {
  1: current.classes['1'], 2: current.classes['2'], 3: { total: 49000, participant: 42000, subsidy: 7000 } } });
writeFileSync(join(work, 'tariffs.json'), JSON.stringify(tariffs));
const clock = join(work, 'today');
const on = (day) => writeFileSync(clock, `${day}\n`);
on('2026-01-15');
const sink = join(work, 'outbox.jsonl');
const config = { tariffs: join(work, 'tariffs.json'), calendar_check_seconds: 1, notifications: { sink_file: sink } };
let server = await startServer(config, { args: ['--clock-file', clock] });
after(() => server.stop());
// The SMS to the family of `reference` with `template` (and `params` like these), once sent.
const told = (reference, template, params = {}) => eventually(
  () => jsonLines(sink).filter((l) => l.params.reference === reference && l.template === template && l.channel === 'sms' &&
    Object.entries(params).every(([k, v]) => l.params[k] === v)),
  (l) => l.length >= 1);

let bankRefs = 0;
const pay = (va, amount, day, extra = {}) =>
  bank(server, 'payment', { va, amount, bank_ref: `MONTHS-${++bankRefs}`, paid_at: `${day}T09:00:00+07:00`, ...extra });
const inquiry = (va, extra = {}) => bank(server, 'inquiry', { va, ...extra });
const cardStatus = (s) => JSON.parse(s.cards[0].payload).status;
let walker;  // the first family, walked on by the last test

test('a family through ten months: on time, suspended, reactivated across a tariff change, paid ahead', async () => {
  const r = await register(server, seal(server, family(1)));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const see = async () => (await status(server, r.body.reference, r.body.access_token)).body;
  let s = await see();
  assert.equal(s.membership, 'none');
  assert.deepEqual(s.due_now, { amount: MONTH.before, months: ['2026-01'] });
  const va = s.bill.va;
  walker = { r, va, card: s.members[0].card_number };

  // January: the first payment pays the month it is made in.
  on('2026-01-20');
  assert.equal((await pay(va, MONTH.before, '2026-01-20')).status, 200);
  s = await see();
  assert.equal(s.status, 'active');
  assert.equal(s.membership, 'active');
  assert.deepEqual(s.bills.map((b) => [b.month, b.amount, b.due, b.status]), [['2026-01', 70000, '2026-01-10', 'paid']]);
  assert.deepEqual(s.due_now, { amount: 0, months: [] });

  // February, on time.
  on('2026-02-09');
  let q = (await inquiry(va)).body;
  assert.deepEqual([q.amount, q.months, q.status, q.membership], [MONTH.before, ['2026-02'], 'unpaid', 'active']);
  const february = await pay(va, MONTH.before, '2026-02-09');
  assert.equal(february.status, 200, JSON.stringify(february.body));
  assert.deepEqual(JSON.parse(february.body.receipt.payload).months, ['2026-02']);

  // March unpaid: reminded from the 7th, active to its last day, inactive from 1 April.
  on('2026-03-07');
  const [reminder] = await told(r.body.reference, 'notify.due_soon', { month: '2026-03' });
  assert.deepEqual(reminder.params, { reference: r.body.reference, month: '2026-03', amount: MONTH.before, due: '2026-03-10', va });
  assert.equal(reminder.text, `Iuran JKN bulan Maret 2026 sebesar Rp70.000 jatuh tempo 10 Maret 2026. Bayar ke virtual account ${va}.`);
  on('2026-03-31');
  s = await see();
  assert.equal(s.membership, 'active');
  assert.deepEqual(s.due_now, { amount: MONTH.before, months: ['2026-03'] });
  on('2026-04-01');
  s = await see();
  assert.equal(s.membership, 'inactive');
  assert.equal(s.suspended_from, '2026-04-01');
  assert.equal(cardStatus(s), 'inactive');
  assert.deepEqual(s.due_now, { amount: 2 * MONTH.before, months: ['2026-03', '2026-04'] });
  const [suspended] = await told(r.body.reference, 'notify.suspended');
  assert.deepEqual([suspended.params.suspended_from, suspended.params.amount], ['2026-04-01', 2 * MONTH.before]);

  // Still unpaid in June, after the tariff change: each month at its own tariff.
  on('2026-06-02');
  const arrears = 3 * MONTH.before + MONTH.after;  // March, April, May at 70 000; June at 84 000
  q = (await inquiry(va)).body;
  assert.deepEqual([q.amount, q.months, q.membership], [arrears, ['2026-03', '2026-04', '2026-05', '2026-06'], 'inactive']);
  const short = await pay(va, 4 * MONTH.before, '2026-06-02');
  assert.equal(short.status, 422);
  assert.equal(short.body.errors[0].code, 'payment.amount_mismatch');
  assert.equal(short.body.errors[0].params.expected, arrears);
  const reactivation = { va, amount: arrears, bank_ref: 'REACTIVATE-1', paid_at: '2026-06-02T10:00:00+07:00' };
  const first = await bank(server, 'payment', reactivation);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  s = await see();
  assert.equal(s.membership, 'active');
  assert.equal(cardStatus(s), 'active');
  assert.equal(s.reactivated_at, '2026-06-02');
  assert.equal(s.penalty_window_until, '2026-07-17');
  assert.deepEqual(s.penalty, { rate_bp: 500, months_in_arrears: 3, max_months: 12, cap: 30000000 });
  assert.deepEqual(s.bills.map((b) => [b.month, b.amount, b.status]), [
    ['2026-01', 70000, 'paid'], ['2026-02', 70000, 'paid'], ['2026-03', 70000, 'paid'],
    ['2026-04', 70000, 'paid'], ['2026-05', 70000, 'paid'], ['2026-06', 84000, 'paid']]);
  // The same payment again is the same answer, and pays nothing twice.
  const again = await bank(server, 'payment', reactivation);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.receipt, first.body.receipt);
  const [back] = await told(r.body.reference, 'notify.reactivated');
  assert.match(back.text, /aktif kembali sejak 2 Juni 2026\. Sampai 17 Juli 2026, rawat inap dikenai denda pelayanan 5% dari biaya/);
  // Restarted (the calendar job runs again at start): nothing is recorded or told twice.
  await server.stop();
  server = await startServer(config, { dir: server.dir, args: ['--clock-file', clock] });
  await new Promise((done) => setTimeout(done, 1500));
  const audit = sql(server, `SELECT event FROM audit WHERE subject = '${r.body.reference}' ORDER BY seq`).split('\n');
  assert.equal(audit.filter((e) => e === 'reactivated').length, 1);
  assert.equal(audit.filter((e) => e === 'suspended').length, 1);
  assert.equal((await told(r.body.reference, 'notify.suspended')).length, 1);
  assert.equal((await told(r.body.reference, 'notify.due_soon', { month: '2026-03' })).length, 1);
  assert.equal(audit.filter((e) => e === 'payment_applied').length, 3);

  // Three months ahead: July to September.
  on('2026-06-10');
  q = (await inquiry(va, { months_ahead: 3 })).body;
  assert.deepEqual([q.amount, q.months], [3 * MONTH.after, ['2026-07', '2026-08', '2026-09']]);
  const tooFar = await inquiry(va, { months_ahead: 13 });
  assert.equal(tooFar.status, 422);
  assert.equal(tooFar.body.errors[0].code, 'account.too_many_months_ahead');
  assert.equal((await pay(va, 3 * MONTH.after, '2026-06-10', { months_ahead: 3 })).status, 200);
  q = (await inquiry(va)).body;
  assert.deepEqual([q.amount, q.months, q.status], [0, [], 'paid']);
  const nothingDue = await pay(va, 0, '2026-06-10');
  assert.equal(nothingDue.status, 409);
  assert.equal(nothingDue.body.errors[0].code, 'payment.already_paid');

  // September: paid ahead, the penalty window closed; October due on the 10th.
  on('2026-09-15');
  s = await see();
  assert.equal(s.membership, 'active');
  assert.equal(s.penalty, null);
  assert.deepEqual(s.due_now, { amount: 0, months: [] });
  on('2026-10-01');
  s = await see();
  assert.equal(s.membership, 'active');
  assert.deepEqual(s.due_now, { amount: MONTH.after, months: ['2026-10'] });
  assert.deepEqual(s.bills.at(-1), { month: '2026-10', amount: MONTH.after, due: '2026-10-10', status: 'unpaid' });
});

test('two banks paying the same month at once: one is applied, the month is paid once', async () => {
  on('2026-10-02');
  const r = await register(server, seal(server, family(2)));
  const va = (await status(server, r.body.reference, r.body.access_token)).body.bill.va;
  assert.equal((await pay(va, MONTH.after, '2026-10-02')).status, 200);
  on('2026-11-03');
  const answers = await Promise.all([1, 2, 3, 4].map(() => pay(va, MONTH.after, '2026-11-03')));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409]);
  const months = sql(server, `SELECT month FROM paid_months WHERE registration_id = (SELECT id FROM registrations WHERE reference = '${r.body.reference}') ORDER BY month`);
  assert.deepEqual(months.trim().split('\n'), ['2026-10', '2026-11']);
});

test('the same family to its 26th month: a class change, a newborn covered from birth, a death, a missed month', async () => {
  const { r, va, card } = walker;
  const see = async () => (await status(server, r.body.reference, r.body.access_token)).body;
  // Each month's bill as computed by hand: class III for two (2 x 35 000, then 2 x 42 000 from June
  // 2026), class II from February 2027 (100 000 each), Sari from her birth in February 2027
  // (her share of February and March a top-up), Siti's cover ending after June 2027 (July was paid
  // ahead for three: nothing is refunded).
  const HAND = {
    '2026-02': 70000, '2026-03': 70000, '2026-04': 70000, '2026-05': 70000, '2026-06': 84000, '2026-07': 84000,
    '2026-08': 84000, '2026-09': 84000, '2026-10': 84000, '2026-11': 84000, '2026-12': 84000, '2027-01': 84000,
    '2027-02': 300000, '2027-03': 300000, '2027-04': 300000, '2027-05': 300000, '2027-06': 300000, '2027-07': 300000,
    '2027-08': 200000, '2027-09': 200000, '2027-10': 200000, '2027-11': 200000, '2027-12': 200000, '2028-01': 200000,
    '2028-02': 200000,
  };
  const due = async (amount, months, extra = {}) => {
    const q = (await inquiry(va, extra)).body;
    assert.deepEqual([q.amount, q.months], [amount, months]);
    const paid = await pay(va, amount, readFileSync(clock, 'utf8').trim(), extra);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
  };
  // October 2026 was left unpaid: inactive since 1 November; October and November reactivate.
  on('2026-11-05');
  assert.equal((await see()).membership, 'inactive');
  await due(168000, ['2026-10', '2026-11']);
  assert.equal((await see()).reactivated_at, '2026-11-05');
  on('2026-12-08');
  await due(84000, ['2026-12']);
  on('2027-01-08');
  await due(84000, ['2027-01']);

  // The member signs in (the code from the family's phone) and moves the family to class II.
  const member = async (method, path, body, type = 'application/json') => {
    const res = await fetch(`${server.url}/api/v1/${path}`, { method, body: type === 'application/json' && body ? JSON.stringify(body) : body,
      headers: { 'Content-Type': type, ...(session ? { Authorization: `Bearer ${session}` } : {}) } });
    return { status: res.status, body: await res.json() };
  };
  let session;
  const { challenge } = (await member('POST', 'session/start', { card })).body;
  const code = (await eventually(() => jsonLines(sink).filter((l) => l.template === 'notify.sign_in_code'), (l) => l.length > 0)).at(-1).params.code;
  session = (await member('POST', 'session/verify', { challenge, code })).body.session;
  assert.ok(session);
  on('2027-01-15');
  const klass = await member('POST', 'me/changes', { type: 'class', class: 2 });
  assert.deepEqual([klass.status, klass.body.effective], [201, '2027-02-01']);
  on('2027-02-09');
  await due(200000, ['2027-02']);
  on('2027-03-05');
  await due(200000, ['2027-03']);

  // Sari, born on 20 February, added on 10 March (18 days old) and approved on the 12th: covered
  // from birth; her share of February and March is due by 20 March (28 days after birth).
  on('2027-03-10');
  const sari = { name: 'Sari', birth_date: '2027-02-20', sex: 'F', relationship: 'child', marital_status: 'single' };
  const added = await member('POST', 'me/changes', sealChange(server, { type: 'add_member', member: sari }, ['birth_certificate:']),
    'application/vnd.daftar.package');
  assert.deepEqual([added.status, added.body.effective], [201, '2027-02-20']);
  const reviewer = await operator(server, 'walker', 'reviewer');
  on('2027-03-12');
  assert.equal((await reviewer.call('POST', `/changes/${added.body.change}/approve`, {})).status, 200);
  assert.deepEqual((await see()).due_now, { amount: 200000, months: ['2027-02', '2027-03'] });
  assert.deepEqual((await member('GET', 'me')).body.bills.filter((b) => b.top_up).map((b) => [b.month, b.amount, b.due]),
    [['2027-02', 100000, '2027-03-20'], ['2027-03', 100000, '2027-03-20']]);
  on('2027-03-15');
  await due(200000, ['2027-02', '2027-03']);
  on('2027-04-09');
  await due(300000, ['2027-04']);
  // Three months ahead: May to July, for three.
  on('2027-04-20');
  await due(900000, ['2027-05', '2027-06', '2027-07'], { months_ahead: 3 });

  // Siti dies on 14 June 2027: her cover ends after June; July stays paid, August is for two.
  on('2027-06-20');
  const death = await member('POST', 'me/changes', sealChange(server, { type: 'death', member: 1, date: '2027-06-14' }, ['death_certificate:']),
    'application/vnd.daftar.package');
  assert.deepEqual([death.status, death.body.effective], [201, '2027-07-01']);
  assert.equal((await reviewer.call('POST', `/changes/${death.body.change}/approve`, {})).body.status, 'scheduled');
  on('2027-08-05');
  assert.deepEqual((await member('GET', 'me')).body.members.map((m) => m.status), ['active', 'ended', 'active']);
  await due(200000, ['2027-08']);

  // September missed: inactive from 1 October; September to November reactivate on 3 November.
  on('2027-10-01');
  let s = await see();
  assert.deepEqual([s.membership, s.suspended_from], ['inactive', '2027-10-01']);
  on('2027-11-03');
  await due(600000, ['2027-09', '2027-10', '2027-11']);
  s = await see();
  assert.deepEqual([s.membership, s.reactivated_at, s.penalty.months_in_arrears], ['active', '2027-11-03', 2]);
  on('2027-12-09');
  await due(600000, ['2027-12', '2028-01', '2028-02'], { months_ahead: 2 });

  // February 2028, the 26th month: active, nothing due, and every bill is the hand-computed one.
  on('2028-02-15');
  s = await see();
  assert.deepEqual([s.membership, s.due_now], ['active', { amount: 0, months: [] }]);
  assert.deepEqual(Object.fromEntries(s.bills.map((b) => [b.month, b.amount])), HAND);
  assert.ok(s.bills.every((b) => b.status === 'paid'));
  // Paid once each: the months and their parts, and the payments' total is the bills' total.
  const parts = sql(server, `SELECT month || ':' || part || ':' || amount FROM paid_months WHERE registration_id =
    (SELECT id FROM registrations WHERE reference = '${r.body.reference}') AND month >= '2027-02' AND month <= '2027-03' ORDER BY month, part`);
  assert.deepEqual(parts.trim().split('\n'), ['2027-02:0:200000', '2027-02:1:100000', '2027-03:0:200000', '2027-03:1:100000']);
});

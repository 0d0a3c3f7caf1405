// The CLI contract of issue 2, tested from outside: the built binary, its JSON and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jpeg, pdf } from '../support/files.mjs';

const bin = process.env.DAFTAR_BIN;
const root = process.env.DAFTAR_SOURCE_DIR;
const family = join(root, 'examples/family.json');

function daftar(args, stdin) {
  const r = spawnSync(bin, args, { input: stdin, encoding: 'utf8' });
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  return { code: r.status, json, stdout: r.stdout, stderr: r.stderr };
}

test('check nik answers the documented shape', () => {
  const r = daftar(['check', 'nik', '3204110609970001', '--today', '2026-11-23']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.json, {
    valid: true, errors: [], warnings: [], normalized: '3204110609970001',
    nik: { province: '32', regency: '3204', district: '320411', birth_date: '1997-09-06', sex: 'M', serial: '0001' },
  });
});

test('an invalid NIK exits 1 and says why in both languages', () => {
  const r = daftar(['check', 'nik', '32041106099700', '--today', '2026-11-23']);
  assert.equal(r.code, 1);
  assert.equal(r.json.valid, false);
  const [e] = r.json.errors;
  assert.equal(e.path, '/nik');
  assert.equal(e.code, 'nik.invalid_length');
  assert.deepEqual(e.params, { length: 14 });
  assert.match(e.message.id, /16 angka/);
  assert.match(e.message.en, /16 digits/);
});

test('today defaults to the machine date', () => {
  const now = new Date();
  const dd = String(now.getDate()).padStart(2, '0');
  const mm = String(now.getMonth() + 1).padStart(2, '0');
  const yy = String(now.getFullYear() % 100).padStart(2, '0');
  const r = daftar(['check', 'nik', `320411${dd}${mm}${yy}0001`]);
  assert.equal(r.code, 0);
  assert.equal(r.json.nik.birth_date, `${now.getFullYear()}-${mm}-${dd}`);
});

test('check kk and check card', () => {
  const kk = daftar(['check', 'kk', '3204-1122-0318-0004', '--today', '2026-11-23']);
  assert.equal(kk.code, 0);
  assert.deepEqual(kk.json.kk, { district: '320411', issued: '2018-03-22', serial: '0004' });
  const card = daftar(['check', 'card', '0000000000010']);
  assert.equal(card.code, 0);
  assert.deepEqual(card.json.card, { serial: '000000000001' });
  assert.equal(daftar(['check', 'card', '0000000000011']).code, 1);
});

test('validate a file and standard input', () => {
  const file = daftar(['validate', family, '--today', '2026-11-23']);
  assert.equal(file.code, 0);
  assert.equal(file.json.valid, true);
  assert.equal(file.json.normalized.members[1].name, 'SITI AMINAH');
  const piped = daftar(['validate', '-', '--today', '2026-11-23'], JSON.stringify({ schema: 'daftar.application/1' }));
  assert.equal(piped.code, 1);
  assert.ok(piped.json.errors.some((e) => e.path === '/members' && e.code === 'input.required'));
});

test('a file that is not JSON is invalid input, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-'));
  writeFileSync(join(dir, 'bad.json'), '{"schema": ');
  const r = daftar(['validate', join(dir, 'bad.json'), '--today', '2026-11-23']);
  assert.equal(r.code, 1);
  assert.equal(r.json.errors[0].code, 'input.malformed_json');
});

test('quote answers the documented shape', () => {
  const r = daftar(['quote', '-', '--date', '2021-02-01'], JSON.stringify({
    segment: 'PBPU', class: 3, members: 4, unpaid_months: 30,
    penalty: { inpatient_cost: 10000000, months_in_arrears: 3 },
  }));
  assert.equal(r.code, 0);
  assert.deepEqual(r.json, {
    date: '2021-02-01', basis: 'Perpres 64/2020',
    per_member: { total: 42000, participant: 35000, subsidy: 7000 },
    monthly: { total: 168000, participant: 140000, subsidy: 28000 },
    reactivation: { months_counted: 24, amount: 2824000, months: r.json.reactivation.months },
    penalty: { rate_bp: 500, amount: 1500000 },
  });
  assert.equal(r.json.reactivation.months.length, 25);
  assert.deepEqual(r.json.reactivation.months[0], { month: '2019-02', amount: 4 * 25500 });
  const app = daftar(['quote', family, '--date', '2026-11-23']);
  assert.equal(app.json.monthly.participant, 4 * 35000);
});

test('card next and va', () => {
  assert.deepEqual(daftar(['card', 'next', '1']).json, { card: '0000000000010' });
  const va = daftar(['va', '0001944358917']);
  assert.equal(va.code, 0);
  assert.deepEqual(va.json, { va: '8888801944358917' });
  assert.deepEqual(daftar(['va', '0001944358917', '--prefix', '89888']).json, { va: '8988801944358917' });
});

test('usage errors exit 2 with a message on stderr', () => {
  for (const args of [[], ['check'], ['check', 'nik'], ['check', 'ktp', '1'], ['frobnicate'],
    ['validate'], ['validate', '/nonexistent/file.json'], ['check', 'nik', '1', '--when', 'x'],
    ['card', 'next'], ['va']]) {
    const r = daftar(args);
    assert.equal(r.code, 2, `daftar ${args.join(' ')}`);
    assert.ok(r.stderr.length > 0);
  }
  assert.equal(daftar(['--help']).code, 0);
});

test('call runs the dispatcher directly', () => {
  const r = daftar(['call', 'check-nik'], JSON.stringify({ nik: '3204110609970001', today: '2026-11-23' }));
  assert.equal(r.code, 0);
  assert.equal(r.json.nik.sex, 'M');
});

// --- keygen, seal, open (issue 3's contract) ---------------------------------------------------



const work = mkdtempSync(join(tmpdir(), 'daftar-cli-'));

test('keygen writes raw keys, secret files mode 0600, and public.json', () => {
  const r = daftar(['keygen', '--out', join(work, 'keys')]);
  assert.equal(r.code, 0, r.stderr);
  const size = (f) => statSync(join(work, 'keys', f)).size;
  const mode = (f) => statSync(join(work, 'keys', f)).mode & 0o777;
  assert.deepEqual([size('intake.pk'), size('intake.sk'), size('signing.pk'), size('signing.sk')], [32, 32, 32, 64]);
  assert.equal(mode('intake.sk'), 0o600);
  assert.equal(mode('signing.sk'), 0o600);
  const pub = JSON.parse(readFileSync(join(work, 'keys/public.json'), 'utf8'));
  assert.deepEqual(Buffer.from(pub.intake, 'base64'), readFileSync(join(work, 'keys/intake.pk')));
  assert.deepEqual(Buffer.from(pub.signing, 'base64'), readFileSync(join(work, 'keys/signing.pk')));
  // Keys are never overwritten by accident.
  assert.equal(daftar(['keygen', '--out', join(work, 'keys')]).code, 2);
});

test('seal computes the documents list itself and open gives everything back', () => {
  writeFileSync(join(work, 'kk.jpg'), jpeg(1600, 1200));
  writeFileSync(join(work, 'ktp0.jpg'), jpeg(1024, 640));
  writeFileSync(join(work, 'ktp1.pdf'), pdf());
  const app = JSON.parse(readFileSync(family, 'utf8'));
  app.documents = [{ kind: 'bogus' }];  // replaced by seal
  writeFileSync(join(work, 'app.json'), JSON.stringify(app));
  const sealed = daftar(['seal', '--key', join(work, 'keys/intake.pk'), '--application', join(work, 'app.json'),
    '--document', `kk::${join(work, 'kk.jpg')}`, '--document', `ktp:0:${join(work, 'ktp0.jpg')}`,
    '--document', `ktp:1:${join(work, 'ktp1.pdf')}`, '--out', join(work, 'family.daftar')]);
  assert.equal(sealed.code, 0, sealed.stdout);
  assert.deepEqual(sealed.json.documents.map((d) => [d.kind, d.member, d.media_type]),
    [['kk', null, 'image/jpeg'], ['ktp', 0, 'image/jpeg'], ['ktp', 1, 'application/pdf']]);
  const opened = daftar(['open', '--key', join(work, 'keys/intake.sk'), join(work, 'family.daftar'), '--out', join(work, 'out')]);
  assert.equal(opened.code, 0, opened.stdout);
  const application = JSON.parse(readFileSync(join(work, 'out/application.json'), 'utf8'));
  assert.deepEqual(application.documents, sealed.json.documents);
  assert.deepEqual(readFileSync(opened.json.documents[2].file), readFileSync(join(work, 'ktp1.pdf')));
  assert.ok(!readFileSync(opened.json.documents[1].file).includes('GPSLatitude'), 'location metadata removed');
});

test('seal refuses bad documents and invalid applications, saying why', () => {
  writeFileSync(join(work, 'tiny.jpg'), jpeg(200, 100));
  writeFileSync(join(work, 'notes.txt'), 'not a document');
  const r = daftar(['seal', '--key', join(work, 'keys/intake.pk'), '--application', family,
    '--document', `kk::${join(work, 'notes.txt')}`, '--document', `ktp:0:${join(work, 'tiny.jpg')}`,
    '--out', join(work, 'bad.daftar')]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.json.errors.map((e) => [e.path, e.code]),
    [['/documents/0', 'document.unrecognized_type'], ['/documents/1', 'document.image_too_small']]);
  assert.equal(r.json.errors[1].params.file, join(work, 'tiny.jpg'));
  assert.ok(!existsSync(join(work, 'bad.daftar')));
  // Only the KK: the KTPs the family needs are missing, so the rules refuse it...
  const missing = daftar(['seal', '--key', join(work, 'keys/intake.pk'), '--application', family,
    '--document', `kk::${join(work, 'kk.jpg')}`, '--out', join(work, 'partial.daftar')]);
  assert.equal(missing.code, 1);
  assert.ok(missing.json.errors.some((e) => e.code === 'documents.missing_ktp'));
  // ...unless the caller wants the server to see it fail.
  assert.equal(daftar(['seal', '--key', join(work, 'keys/intake.pk'), '--application', family,
    '--document', `kk::${join(work, 'kk.jpg')}`, '--allow-invalid', '--out', join(work, 'partial.daftar')]).code, 0);
  assert.equal(daftar(['seal', '--key', join(work, 'keys/intake.sk'), '--application', family, '--document', 'kk', '--out', 'x']).code, 2);
});

test('open refuses a damaged package and writes nothing', () => {
  const good = readFileSync(join(work, 'family.daftar'));
  const bad = Buffer.from(good);
  bad[good.length - 40] ^= 0x01;
  writeFileSync(join(work, 'damaged.daftar'), bad);
  const r = daftar(['open', '--key', join(work, 'keys/intake.sk'), join(work, 'damaged.daftar'), '--out', join(work, 'nothing')]);
  assert.equal(r.code, 1);
  assert.equal(r.json.errors[0].code, 'package.corrupt_frame');
  assert.ok(!existsSync(join(work, 'nothing')));
  daftar(['keygen', '--out', join(work, 'other')]);
  const wrong = daftar(['open', '--key', join(work, 'other/intake.sk'), join(work, 'family.daftar'), '--out', join(work, 'nothing')]);
  assert.equal(wrong.json.errors[0].code, 'package.wrong_key');
  assert.ok(!existsSync(join(work, 'nothing')));
});

test('a document nested deeper than 32 levels is refused before anything copies it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-cli-deep-'));
  writeFileSync(join(dir, 'deep.json'), `${'['.repeat(100000)}${']'.repeat(100000)}`);
  const r = daftar(['validate', join(dir, 'deep.json')]);
  assert.equal(r.code, 1);
  assert.equal(r.json.errors[0].code, 'input.too_deep');
  assert.equal(daftar(['keygen', '--out', join(dir, 'keys')]).code, 0);
  const sealed = daftar(['seal', '--key', join(dir, 'keys/intake.pk'), '--application', join(dir, 'deep.json'), '--out', join(dir, 'x')]);
  assert.equal(sealed.code, 2);
  assert.match(sealed.stderr, /nests deeper than 32 levels/);
});

// Sealed packages across builds: sealed by the browser build (wasm under Node) and opened by the
// native CLI (only the server opens packages); document checks agree byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jpeg, pdf, scriptedPdf } from '../support/files.mjs';

const { DAFTAR_BIN: bin, DAFTAR_WEB: web, DAFTAR_SOURCE_DIR: root } = process.env;
const { load } = await import(pathToFileURL(join(web, 'js/daftar-core.mjs')));
const core = await load();
const dir = mkdtempSync(join(tmpdir(), 'daftar-pkg-'));
const run = (...args) => spawnSync(bin, args, { encoding: 'utf8' });
const family = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));

assert.equal(run('keygen', '--out', join(dir, 'keys')).status, 0);
const publicKeys = JSON.parse(readFileSync(join(dir, 'keys/public.json'), 'utf8'));
const secretKey = readFileSync(join(dir, 'keys/intake.sk')).toString('base64');

// Seals in wasm as the browser will: check each file, then seal it piece by piece.
function sealInWasm(application, files, piece = 50000) {
  const entries = [], cleaned = [];
  for (const { kind, member, bytes } of files) {
    const checked = core.call('check-document', { kind }, bytes);
    assert.equal(checked.valid, true, JSON.stringify(checked.errors));
    entries.push({ kind, member, media_type: checked.document.media_type, size: checked.document.size, blake2b: checked.document.blake2b });
    cleaned.push(checked.bytes);
  }
  const parts = [];
  let step = core.call('seal-start', { public_key: publicKeys.intake, application: { ...application, documents: entries } });
  assert.equal(step.valid, true, JSON.stringify(step.errors));
  parts.push(step.bytes);
  for (const bytes of cleaned) {
    for (let at = 0; at < bytes.length || at === 0; at += piece) {
      const last = at + piece >= bytes.length;
      step = core.call('seal-add', { state: step.state, last }, bytes.subarray(at, at + piece));
      assert.equal(step.valid, true);
      parts.push(step.bytes);
      if (last) break;
    }
  }
  parts.push(core.call('seal-finish', { state: step.state }).bytes);
  return { package: Buffer.concat(parts), cleaned, entries };
}

test('sealed in the browser build, opened by the native CLI', () => {
  const files = [
    { kind: 'kk', member: null, bytes: jpeg(1600, 1200, { bulk: 300000 }) },
    { kind: 'ktp', member: 0, bytes: jpeg(1024, 640) },
    { kind: 'ktp', member: 1, bytes: pdf() },
  ];
  const sealed = sealInWasm(family, files);
  writeFileSync(join(dir, 'wasm.daftar'), sealed.package);
  const r = run('open', '--key', join(dir, 'keys/intake.sk'), join(dir, 'wasm.daftar'), '--out', join(dir, 'opened'));
  assert.equal(r.status, 0, r.stdout);
  const answer = JSON.parse(r.stdout);
  assert.equal(answer.documents.length, 3);
  answer.documents.forEach((d, i) => assert.deepEqual(new Uint8Array(readFileSync(d.file)), sealed.cleaned[i]));
  const application = JSON.parse(readFileSync(answer.application, 'utf8'));
  assert.deepEqual(application.documents, sealed.entries);
  assert.equal(application.members[0].name, family.members[0].name);
  // The browser removed the location metadata before sealing.
  assert.ok(!readFileSync(answer.documents[1].file).includes('GPSLatitude'));
});

test('tampering with a package sealed in the browser is refused when it is opened', () => {
  const { package: good } = sealInWasm(family, [{ kind: 'kk', member: null, bytes: jpeg(1600, 1200) }]);
  for (const at of [0, 8, 30, 120, 200, good.length - 5]) {
    const bad = Buffer.from(good);
    bad[at] ^= 0x10;
    writeFileSync(join(dir, 'bad.daftar'), bad);
    const r = run('open', '--key', join(dir, 'keys/intake.sk'), join(dir, 'bad.daftar'), '--out', join(dir, `bad-${at}`));
    assert.equal(JSON.parse(r.stdout).valid, false, `byte ${at}`);
    assert.ok(!existsSync(join(dir, `bad-${at}`)), 'nothing is written for a refused package');
  }
  writeFileSync(join(dir, 'short.daftar'), good.subarray(0, good.length - 30));
  const r = run('open', '--key', join(dir, 'keys/intake.sk'), join(dir, 'short.daftar'), '--out', join(dir, 'short'));
  assert.equal(JSON.parse(r.stdout).errors[0].code, 'package.truncated');
});

// Only the server holds the intake key, issues card numbers and virtual accounts and computes a
// family's statement: the browser's modules leave those commands out.
test('what only the server runs is in neither browser module', () => {
  for (const command of ['open-package', 'card-next', 'va', 'account']) {
    assert.equal(core.call(command, {}).errors[0].code, 'api.unknown_command', command);
  }
  const opened = spawnSync(bin, ['call', 'open-package', '-'], { input: JSON.stringify({ secret_key: secretKey }), encoding: 'utf8' });
  assert.equal(JSON.parse(opened.stdout).errors[0].code, 'package.truncated', 'the native build still opens packages');
});

test('document checks agree between builds', () => {
  const cases = [['ktp', jpeg(1024, 640)], ['kk', pdf()], ['kk', scriptedPdf()], ['ktp', jpeg(300, 200)], ['ktp', Uint8Array.from([1, 2, 3])]];
  for (const [kind, bytes] of cases) {
    const wasm = core.call('check-document', { kind }, bytes);
    const file = join(dir, 'doc.bin');
    writeFileSync(file, bytes);
    // --allow-invalid: the application's own rules do not decide here, the document checks do.
    const r = run('seal', '--key', join(dir, 'keys/intake.pk'), '--application', join(root, 'examples/family.json'),
      '--document', `${kind}:${kind === 'kk' ? '' : '0'}:${file}`, '--allow-invalid', '--out', join(dir, 'x.daftar'));
    const native = JSON.parse(r.stdout);
    assert.equal(r.status === 0, wasm.valid, `${kind} ${bytes.length} bytes`);
    if (wasm.valid) {
      assert.equal(native.documents[0].blake2b, wasm.document.blake2b);
      assert.equal(native.documents[0].size, wasm.bytes.length);
    } else {
      assert.deepEqual(native.errors.map((e) => e.code), wasm.errors.map((e) => e.code));
      // The sealing module carries its own part of the catalogue: each refusal in words.
      for (const e of wasm.errors) assert.deepEqual(e.message, native.errors.find((n) => n.code === e.code).message);
    }
  }
});

test('the first page module has the rules but not sealing; sealing, added later, does not repeat them', async () => {
  const core = await load({ sealing: false });
  assert.equal(core.checkNik('3204110609970001', '2026-11-23').valid, true);
  assert.equal(core.call('seal-start', {}).errors[0].code, 'api.unknown_command');
  assert.equal(await core.loadSealing(), core);
  assert.equal(core.call('blake2b', {}, new Uint8Array([1, 2, 3])).valid, true);
  assert.equal(core.checkNik('3204110609970001', '2026-11-23').valid, true, 'the rules still answer');
});

// The browser and the server run the same rules: every case in tests/cases/ goes through the wasm
// build (build/web/js/daftar-core.mjs, as a page or worker would load it) and through the native
// binary (`daftar call`), and the two answers must be identical. What the server alone runs (a
// family's statement, issuing card numbers and virtual accounts) the browser's modules leave out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { DAFTAR_BIN: bin, DAFTAR_WEB: web, DAFTAR_SOURCE_DIR: root } = process.env;
const { load } = await import(pathToFileURL(join(web, 'js/daftar-core.mjs')));
const core = await load();

function native(command, input) {
  const r = spawnSync(bin, ['call', command, '-'], { input, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout);
}

const nativeOnly = new Set(['account', 'card-next', 'va']);
const casesDir = join(root, 'tests/cases');
let total = 0;
for (const file of readdirSync(casesDir).filter((f) => f.endsWith('.json'))) {
  const suite = JSON.parse(readFileSync(join(casesDir, file), 'utf8'));
  test(`parity: ${file}`, () => {
    for (const c of suite.cases) {
      const command = c.command ?? suite.command;
      const input = JSON.stringify(c.input);
      if (nativeOnly.has(command)) {
        assert.equal(core.call(command, input).errors[0].code, 'api.unknown_command', `${file}: ${c.name}`);
        continue;
      }
      const answer = core.call(command, input);
      assert.deepEqual(answer, native(command, input), `${file}: ${c.name}`);
      // Each module carries its part of the catalogue: no finding falls back to its bare code.
      assert.doesNotMatch(JSON.stringify(answer), /Invalid input \(/, `${file}: ${c.name}`);
      total++;
    }
  });
}

test('inputs may be objects or JSON text, and the wrappers agree', () => {
  const input = { nik: '3204 1146 0997 0001', today: '2026-11-23' };
  assert.deepEqual(core.call('check-nik', input), core.call('check-nik', JSON.stringify(input)));
  assert.deepEqual(core.checkNik(input.nik, input.today), core.call('check-nik', input));
  assert.equal(core.checkNik('3204114609970001', '2026-11-23').nik.sex, 'F');
  assert.deepEqual(core.checkCard('0000000000010'), core.call('check-card', { card: '0000000000010' }));
});

test('malformed input gets an answer, not an exception', () => {
  assert.equal(core.call('check-nik', '{"nik":').errors[0].code, 'input.malformed_json');
  assert.equal(core.call('no-such-command', {}).errors[0].code, 'api.unknown_command');
  assert.deepEqual(core.call('check-nik', '{"nik":'), native('check-nik', '{"nik":'));
});

test('the village table comes after start: until then a village is checked as far as its district', async () => {
  const lazy = await load({ sealing: false, villages: false });  // a module of its own, without the table
  const family = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));
  const withVillage = (code) => JSON.stringify({ application: { ...family, address: { ...family.address, village_code: code } }, today: '2026-11-23' });
  const codes = (answer) => answer.errors.map((e) => e.code);
  const unlisted = withVillage('3204119999');  // a district that exists, a village that does not
  assert.deepEqual(codes(lazy.call('validate', unlisted)), []);
  assert.deepEqual(codes(lazy.call('validate', withVillage('3299999999'))), ['village.unknown']);
  assert.equal(lazy.call('load-villages', {}, new Uint8Array([0x80])).errors[0].code, 'regions.invalid_village_table');
  assert.equal(await lazy.villages(), true);
  assert.deepEqual(codes(lazy.call('validate', unlisted)), ['village.unknown']);
  assert.deepEqual(lazy.call('validate', unlisted), native('validate', unlisted));
  assert.equal(lazy.call('load-villages', {}, readFileSync(join(web, 'js/daftar-villages.bin'))).villages, 83762);
});

test('the corpus is not empty', () => assert.ok(total >= 60, `${total} cases`));

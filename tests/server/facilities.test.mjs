// `daftar facilities import` loads the first-level health facilities (FKTP) into the server's store,
// by code, all or nothing; `GET /api/v1/facilities` lists those of a district or a regency that
// accept members and have room. Once facilities are loaded an application names one: checked,
// its members counted against the facility's capacity, given back when the registration expires.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, bin, root, databaseArgs, family, seal, register, status } from '../support/server.mjs';

const clock = join(mkdtempSync(join(tmpdir(), 'daftar-facility-clock-')), 'today');
writeFileSync(clock, '2026-03-02\n');
let server = await startServer({}, { args: ['--clock-file', clock] });
after(() => server.stop());
const load = (file) => spawnSync(bin, ['facilities', 'import', file, '--data-dir', server.dataDir, ...databaseArgs(server.dir)], { encoding: 'utf8' });
const list = async (query) => {
  const r = await fetch(`${server.url}/api/v1/facilities?${query}`);
  return { status: r.status, body: await r.json() };
};

test('the example table: listed by district and by regency, only those accepting and with room', async () => {
  const r = load(join(root, 'examples/facilities.csv'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { imported: 6, facilities: 6 });
  const district = await list('district=32.04.11');
  assert.equal(district.status, 200);
  assert.deepEqual(district.body.facilities.map((f) => f.code).sort(), ['32041101', '32041102', '32041103', '32041104']);
  assert.deepEqual(Object.keys(district.body.facilities[0]), ['code', 'name', 'type', 'district_code']);
  const regency = await list('regency=32.04');
  assert.deepEqual(regency.body.facilities.map((f) => f.code).sort(), ['32041101', '32041102', '32041103', '32041104', '32041201'],
    'the clinic that does not accept members is not offered');
  const none = await list('');
  assert.equal(none.status, 422);
  assert.equal(none.body.errors[0].code, 'input.required');
});

test('importing again updates by code; a full facility is not offered', async () => {
  const file = join(server.dir, 'update.csv');
  writeFileSync(file, 'code,name,type,regency_code,district_code,accepting,capacity\n' +
    '32041101,"Puskesmas Cicalengka, renamed",puskesmas,32.04,32.04.11,1,20000\n32041103,dr. Sari Wulandari (contoh),dokter,32.04,32.04.11,1,0\n');
  assert.equal(load(file).status, 0);
  const district = (await list('district=32.04.11')).body.facilities;
  assert.equal(district.find((f) => f.code === '32041101').name, 'Puskesmas Cicalengka, renamed');
  assert.ok(!district.some((f) => f.code === '32041103'), 'capacity 0: full');
});

test('a table with mistakes is refused whole, each mistake with its line', async () => {
  const file = join(server.dir, 'bad.csv');
  writeFileSync(file, 'code,name,type,regency_code,district_code,accepting,capacity\n' +
    '32041109,Klinik Baru,klinik,32.04,32.04.11,1,100\n123,Klinik,rumah_sakit,32.4,33.01.01,ya,-5\n');
  const r = load(file);
  assert.equal(r.status, 1);
  const answer = JSON.parse(r.stdout);
  assert.equal(answer.imported, 0);
  assert.deepEqual([...new Set(answer.errors.map((e) => e.line))], [3]);
  assert.equal(answer.errors.length, 6);
  assert.ok(!(await list('district=32.04.11')).body.facilities.some((f) => f.code === '32041109'), 'nothing of it was imported');
  const header = join(server.dir, 'header.csv');
  writeFileSync(header, 'kode,nama\n');
  assert.equal(load(header).status, 2);
});

test('an application names a facility once they are loaded; its room is counted and given back on expiry', async () => {
  const file = join(server.dir, 'tiny.csv');
  writeFileSync(file, 'code,name,type,regency_code,district_code,accepting,capacity\nTINY0001,Klinik Kecil,klinik,32.04,32.04.11,1,2\n');
  assert.equal(load(file).status, 0);
  const apply = (n, facility) => register(server, seal(server, family(n, facility === undefined ? {} : { facility })));
  const refused = async (n, facility, code) => {
    const r = await apply(n, facility);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual([r.body.errors[0].path, r.body.errors[0].code], ['/facility', code]);
  };
  await refused(81, undefined, 'facility.required');
  await refused(81, '32049999', 'facility.unknown');
  await refused(81, '32041202', 'facility.full');  // not taking members
  const first = await apply(81, 'tiny0001');
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const tiny = async () => (await list('district=32.04.11')).body.facilities.some((f) => f.code === 'TINY0001');
  assert.equal(await tiny(), false, 'a family of two fills a capacity of two');
  await refused(82, 'TINY0001', 'facility.full');
  // The first family never pays: its registration expires and its place is free again.
  writeFileSync(clock, '2026-04-15\n');
  await server.stop();
  server = await startServer({}, { dir: server.dir, args: ['--clock-file', clock] });
  assert.equal((await status(server, first.body.reference, first.body.access_token)).body.status, 'expired');
  assert.equal(await tiny(), true);
  assert.equal((await apply(82, 'TINY0001')).status, 201);
});

// The operators' console in Debian's Chromium: a new operator follows the set-up link, signs in,
// filters the queue, opens a case the population registry could not find (documents shown),
// approves it; a reviewer cannot override a registry mismatch, a supervisor can. axe-core on
// every page, in both languages, on a laptop-sized screen.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, audit } from '../support/browser.mjs';
import { startServer, family, seal, register, status, bin, databaseArgs } from '../support/server.mjs';
import { population, startRegistrySim, registryConfig, consent, settled, operator, PASSWORD } from '../support/registry.mjs';

const web = join(process.env.DAFTAR_BUILD, 'web');
// Family 1 matches; family 2's head is unknown to the registry; family 3's head has another name there.
const csv = population([1, 2, 3], (row, n) => (n === 2 && row.name === 'BUDI SANTOSO' ? null
  : n === 3 && row.name === 'BUDI SANTOSO' ? { ...row, name: 'BUDI SANTOSA' } : row));
const sim = await startRegistrySim(csv);
const server = await startServer(registryConfig(sim.url), { webRoot: web });
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); await sim.stop(); });

async function laptop() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, locale: 'id-ID' });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

async function signInAs(page, name, password) {
  await page.getByLabel('Nama petugas').fill(name);
  await page.getByLabel('Kata sandi').fill(password);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('heading', { name: 'Antrean pemeriksaan' }).waitFor();
}

const registered = async (n) => {
  const r = await register(server, seal(server, family(n, { consent: consent() })));
  await settled(server, r.body.reference, r.body.access_token);
  return r.body;
};

test('set up, sign in, queue, case with documents, approve; in both languages', async () => {
  const notFound = await registered(2);
  const added = spawnSync(bin, ['operator', 'add', 'wulan', '--role', 'reviewer', '--data-dir', server.dataDir,
    ...databaseArgs(server.dir), '--url', server.url], { encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  const { setup_link: link } = JSON.parse(added.stdout);

  const page = await laptop();
  await page.goto(link);
  await page.getByRole('heading', { name: 'Siapkan akun petugas' }).waitFor();
  await audit(page, 'operator-1-setup');
  await page.getByLabel('Kata sandi', { exact: true }).fill('short');
  await page.getByLabel('Ulangi kata sandi').fill('short');
  await page.getByRole('button', { name: 'Siapkan akun petugas' }).click();
  await page.getByRole('alert').getByText('paling sedikit 12 karakter').waitFor();
  await page.getByLabel('Kata sandi', { exact: true }).fill('kata sandi yang panjang');
  await page.getByLabel('Ulangi kata sandi').fill('kata sandi yang panjang');
  await page.getByRole('button', { name: 'Siapkan akun petugas' }).click();
  await page.getByText('Akun wulan siap').waitFor();
  await audit(page, 'operator-2-sign-in');

  await page.getByLabel('Nama petugas').fill('wulan');
  await page.getByLabel('Kata sandi').fill('not the password');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('alert').getByText('Nama petugas atau kata sandi salah').waitFor();
  await page.getByLabel('Nama petugas').fill('wulan');
  await page.getByLabel('Kata sandi').fill('kata sandi yang panjang');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('heading', { name: 'Antrean pemeriksaan' }).waitFor();
  await page.getByRole('link', { name: notFound.reference }).waitFor();
  await audit(page, 'operator-3-queue');
  await page.getByLabel('Kecamatan atau kabupaten (kode)').fill('31.71');
  await page.getByRole('button', { name: 'Saring' }).click();
  await page.getByText('Tidak ada pendaftaran yang menunggu').waitFor();
  await page.getByLabel('Kecamatan atau kabupaten (kode)').fill('32.04');
  await page.getByRole('button', { name: 'Saring' }).click();
  await page.getByRole('link', { name: notFound.reference }).click();

  await page.getByRole('heading', { name: `Pendaftaran ${notFound.reference}` }).waitFor();
  await page.getByText('3204110609870002').waitFor();  // the full NIK, for operators
  await page.getByText('tidak ditemukan', { exact: true }).waitFor();
  const image = page.getByRole('img', { name: 'Kartu Keluarga' });
  await image.waitFor();
  assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the KK photo is shown');
  assert.ok(await page.getByRole('link', { name: /Unduh e-KTP anggota 2/ }).isVisible(), 'the PDF is a download');
  await audit(page, 'operator-4-case');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: `Registration ${notFound.reference}` }).waitFor();
  await audit(page, 'operator-5-case-en');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();

  await page.getByLabel('Catatan (disimpan di jejak audit)').first().fill('KK sesuai dokumen');
  await page.getByRole('button', { name: 'Setujui dan terbitkan nomor kartu' }).click();
  await page.getByText('Keputusan tersimpan: Terverifikasi').waitFor();
  await audit(page, 'operator-6-approved');
  const s = await status(server, notFound.reference, notFound.access_token);
  assert.equal(s.body.status, 'verified');
  assert.deepEqual(page.errors, []);
});

test('four eyes: a reviewer cannot override a registry mismatch, a supervisor can', async () => {
  const mismatch = await registered(3);
  assert.equal((await status(server, mismatch.reference, mismatch.access_token)).body.status, 'needs_correction');
  const page = await laptop();
  await page.goto(`${server.url}/operator/`);
  await signInAs(page, 'wulan', 'kata sandi yang panjang');
  await page.goto(`${server.url}/operator/#case=${mismatch.reference}`);
  await page.getByText('hanya supervisor yang dapat menyetujui').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Setujui dan terbitkan nomor kartu' }).isDisabled());
  await page.getByText('nama ✗').waitFor();
  await audit(page, 'operator-7-mismatch-reviewer');
  await page.getByRole('button', { name: 'Keluar' }).click();
  await page.getByRole('heading', { name: 'Masuk sebagai petugas' }).waitFor();

  await operator(server, 'dewi', 'supervisor');
  await signInAs(page, 'dewi', PASSWORD);
  await page.getByRole('link', { name: mismatch.reference }).click();
  await page.getByRole('button', { name: 'Setujui dan terbitkan nomor kartu' }).click();
  await page.getByText('Keputusan tersimpan: Terverifikasi').waitFor();
  assert.equal((await status(server, mismatch.reference, mismatch.access_token)).body.status, 'verified');
  assert.deepEqual(page.errors, []);
});

test('a change without the CSRF token is refused even with the session cookie', async () => {
  const page = await laptop();
  await page.goto(`${server.url}/operator/`);
  await signInAs(page, 'dewi', PASSWORD);
  const answer = await page.evaluate(async () => {
    const r = await fetch('/api/v1/operator/registrations/XXXX-XXXX-XXXX/approve', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    return { status: r.status, code: (await r.json()).errors[0].code };
  });
  assert.deepEqual(answer, { status: 403, code: 'operator.csrf' });
});

test('stored XSS: what a family typed is shown in the console as text, never run', async () => {
  const hostile = 'Jl. Mawar <img src=x onerror="window.__xss=1"> No. 5';
  const app = family(9, { consent: consent() });  // unknown to the registry: it goes to review
  app.address = { ...app.address, line: hostile };
  const r = await register(server, seal(server, app));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await settled(server, r.body.reference, r.body.access_token);
  const page = await laptop();  // the page's CSP is bypassed: escaping alone must hold
  await page.goto(`${server.url}/operator/`);
  await signInAs(page, 'dewi', PASSWORD);
  await page.getByRole('link', { name: r.body.reference }).click();
  await page.getByText(hostile).waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.deepEqual(page.errors, []);
});

// The member's side in Debian's Chromium on a 320 px wide phone: the health facility chosen while
// registering, once the branch loaded its table; "Masuk" with the code the server
// sent (read from its sink file), the family account, choosing a health facility, a new phone
// confirmed by its code, a class change the rules core refuses on the device before anything is
// sent, signing out; a new address from the region lists; a newborn added with its birth
// certificate (sealed on the phone), approved by an operator, then on the page with its card.
// axe-core on every page.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, family, seal, register, status, bank, bin, root, databaseArgs } from '../support/server.mjs';
import { launch, phone, audit, closePhones } from '../support/browser.mjs';
import { jsonLines, eventually } from '../support/messages.mjs';
import { completeForm } from '../support/journey.mjs';
import { page as documentPage } from '../support/images.mjs';
import { operator, PASSWORD } from '../support/registry.mjs';

const sink = join(mkdtempSync(join(tmpdir(), 'daftar-member-web-')), 'outbox.jsonl');
const server = await startServer({ notifications: { sink_file: sink } }, { webRoot: join(process.env.DAFTAR_BUILD, 'web') });
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); });
afterEach(closePhones);

// A family whose cards are issued and whose first month is paid, registered before the branch
// loaded its facility table.
const r = await register(server, seal(server, family(71)));
const registration = (await status(server, r.body.reference, r.body.access_token)).body;
const card = registration.members[0].card_number;
await bank(server, 'payment', { va: registration.bill.va, amount: registration.due_now.amount, bank_ref: 'WEB-MEMBER-1', paid_at: new Date().toISOString() });
spawnSync(bin, ['facilities', 'import', join(root, 'examples/facilities.csv'), '--data-dir', server.dataDir, ...databaseArgs(server.dir)]);

const codeFor = async (template, to) => {
  const found = await eventually(() => jsonLines(sink).filter((l) => l.template === template && l.to === to), (l) => l.length > 0);
  return found.at(-1).params.code;
};
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('sign in, choose a facility, change the phone, a class change refused on the device, sign out', async () => {
  const { page } = await phone(browser);
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${server.url}/`);
  await page.click('a:has-text("Masuk")');
  await page.waitForSelector('#m-card');
  await audit(page, 'm1-sign-in');
  assert.ok(await fitsWidth(page), 'no sideways scrolling at 320 px');
  await page.fill('#m-card', card);
  await page.click('button:has-text("Kirim kode")');
  await page.waitForSelector('#m-code');
  assert.match(await page.innerText('main'), /\+62 8\*\*-\*\*\*\*-7890/);
  await audit(page, 'm2-code');
  await page.fill('#m-code', await codeFor('notify.sign_in_code', '+6281234567890'));
  await page.click('button:has-text("Masuk")');
  await page.waitForSelector('#membership');
  assert.match(await page.innerText('#membership'), /Aktif/);
  assert.match(await page.innerText('main'), new RegExp(card));
  assert.ok(await fitsWidth(page));
  await audit(page, 'm3-account');

  // The first health facility: from the family's district.
  await page.click('#m-facility summary');
  await page.waitForSelector('input[name="m-facility"]');
  await page.check('input[value="32041102"]');
  await page.click('#m-facility button:has-text("Ajukan perubahan")');
  await page.waitForSelector('#m-note');
  assert.match(await page.innerText('main'), /Klinik Pratama Mawar/);
  await audit(page, 'm4-facility');

  // Moving again the same day needs a reason and its letter: the core asks for the letter on the
  // device; sealed with it, the change goes to an officer.
  await page.click('#m-facility summary');
  await page.waitForSelector('input[value="32041103"]');
  await page.check('input[value="32041103"]');
  assert.ok(await page.isHidden('#m-letter'), 'no letter asked for without a reason');
  await page.selectOption('#m-reason', 'moved');
  await page.click('#m-facility button:has-text("Ajukan perubahan")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /surat pendukung/i);
  await page.setInputFiles('#m-letter-file', { name: 'surat-domisili.png', mimeType: 'image/png', buffer: documentPage(1400, 1000) });
  await page.waitForSelector('#m-letter-status:has-text("Siap")');
  await audit(page, 'm4-facility-letter');
  await page.click('#m-facility button:has-text("Ajukan perubahan")');
  await page.waitForSelector('#m-note:has-text("1-7 hari kerja")');
  assert.match(await page.innerText('#changes'), /diperiksa petugas/);

  // A fixed-line number is refused by the core on the device; a mobile one needs its code.
  await page.click('#m-contact summary');
  await page.fill('#m-phone', '022-7654321');
  await page.click('#m-contact button:has-text("Kirim kode")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /HP/);
  assert.equal(jsonLines(sink).filter((l) => l.template === 'notify.confirm_contact').length, 0, 'nothing was sent');
  await page.fill('#m-phone', '0813-1111-2222');
  await page.click('#m-contact button:has-text("Kirim kode")');
  await page.waitForSelector('#m-confirm');
  await audit(page, 'm5-confirm-phone');
  await page.fill('#m-confirm', await codeFor('notify.confirm_contact', '+6281311112222'));
  await page.click('button:has-text("Pastikan")');
  await page.waitForSelector('#changes li:has-text("Kontak")');
  assert.match(await page.innerText('#changes'), /Kontak: berlaku/);
  assert.match(await page.innerText('#m-note'), /berlaku mulai/);

  // The class: registered today, so the core says when, in words, before anything is sent.
  await page.click('#m-class-change summary');
  await page.selectOption('#m-class', '2');
  await page.click('#m-class-change button:has-text("Ajukan perubahan")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /paling cepat \d{1,2} [A-Z][a-z]+ \d{4}/);
  await audit(page, 'm6-class-refused');

  // The month's receipt, verified on the device like a card.
  const receipt = await page.inputValue('.receipt .qr-text');
  assert.match(await page.innerText('.receipt'), /Rp70\.000/);
  await page.goto(`${server.url}/#/verify`);
  await page.fill('#qr-content', receipt);
  await page.click('button:has-text("Periksa")');
  await page.waitForSelector('#verify-result .panel-ok');
  assert.match(await page.innerText('#verify-result'), /Bukti pembayaran asli[\s\S]*Rp70\.000/);
  await page.goto(`${server.url}/#/akun`);
  await page.waitForSelector('#sign-out');
  await page.click('#sign-out');
  await page.waitForSelector('a:has-text("Mulai")');
  await page.goto(`${server.url}/#/akun`);
  await page.waitForSelector('#m-card');
  assert.deepEqual(page.errors, []);
});

test('a new address from the region lists; a newborn added with its birth certificate, approved, then on the page', async () => {
  const { page } = await phone(browser);
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${server.url}/#/masuk`);
  await page.fill('#m-card', card);
  await page.click('button:has-text("Kirim kode")');
  await page.waitForSelector('#m-code');
  await page.fill('#m-code', await codeFor('notify.sign_in_code', '+6281311112222'));
  await page.click('button:has-text("Masuk")');
  await page.waitForSelector('#membership');

  await page.click('#m-address summary');
  await page.waitForSelector('#m-address-province option[value="32"]', { state: 'attached' });
  await page.selectOption('#m-address-province', '32');
  await page.waitForSelector('#m-address-regency option[value="32.04"]', { state: 'attached' });
  await page.selectOption('#m-address-regency', '32.04');
  await page.waitForSelector('#m-address-district option[value="32.04.11"]', { state: 'attached' });
  await page.selectOption('#m-address-district', '32.04.11');
  await page.waitForSelector('#m-address-village option[value="32.04.11.2009"]', { state: 'attached' });
  await page.selectOption('#m-address-village', '32.04.11.2009');
  await page.fill('#m-address-rt', '0');
  await page.fill('#m-address-rw', '2');
  await page.fill('#m-address-postal', '40921');
  await page.fill('#m-address-line', 'Jl. Melati No. 9');
  await page.click('#m-address button:has-text("Ajukan perubahan")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /RT/);
  await page.fill('#m-address-rt', '4');
  await page.click('#m-address button:has-text("Ajukan perubahan")');
  await page.waitForSelector('#changes li:has-text("Alamat")');
  await audit(page, 'm8-address');

  // A baby born ten days ago: without the birth certificate the core says so on the phone.
  const born = new Date(Date.now() - 10 * 86400000).toISOString().slice(0, 10);
  await page.click('#m-newborn summary');
  await page.fill('#m-newborn-name', 'Sari Lestari');
  await page.fill('#m-newborn-birth', born);
  await page.selectOption('#m-newborn-sex', 'F');
  await page.click('#m-newborn button:has-text("Kirim untuk diperiksa")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /surat keterangan lahir/i);
  await page.setInputFiles('#m-newborn-certificate-file', { name: 'akta.png', mimeType: 'image/png', buffer: documentPage(1400, 1000) });
  await page.waitForSelector('#m-newborn-certificate-status:has-text("Siap")');
  await audit(page, 'm9-newborn');
  await page.click('#m-newborn button:has-text("Kirim untuk diperiksa")');
  await page.waitForSelector('#m-note:has-text("1-7 hari kerja")');
  assert.match(await page.innerText('#changes'), /Tambah anggota \(SARI LESTARI\): diperiksa petugas/);
  assert.ok(await fitsWidth(page));

  // An operator opens the change in the console, sees the sealed certificate and approves: the
  // baby has a card, covered from birth.
  await operator(server, 'ayu', 'reviewer');
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'id-ID' })).newPage();
  await desk.goto(`${server.url}/operator/`);
  await desk.getByLabel('Nama petugas').fill('ayu');
  await desk.getByLabel('Kata sandi').fill(PASSWORD);
  await desk.getByRole('button', { name: 'Masuk' }).click();
  await desk.getByRole('heading', { name: 'Perubahan data keluarga' }).waitFor();
  // First the early facility change, with the letter sealed on the phone.
  await desk.click('tr:has-text("Pindah faskes") a');
  await desk.waitForSelector('.documents img[src^="blob:"]');
  assert.match(await desk.innerText('main'), /Pindah faskes lebih awal[\s\S]*32041103[\s\S]*pindah domisili[\s\S]*Surat pendukung/);
  await audit(desk, 'op-change-facility');
  await desk.click('button:has-text("Setujui perubahan")');
  await desk.waitForSelector('.notice');
  await desk.click('a:has-text("Kembali")');
  await desk.click('tr:has-text("Tambah anggota") a');
  await desk.waitForSelector('.documents img[src^="blob:"]');
  assert.match(await desk.innerText('main'), /Tambah anggota[\s\S]*Sari Lestari[\s\S]*Perempuan[\s\S]*Anak/i);
  await audit(desk, 'op-change');
  await desk.click('button:has-text("Setujui perubahan")');
  await desk.waitForSelector('.notice:has-text("Nomor kartu baru")');
  const cardNumber = (await desk.innerText('.notice')).match(/\d{13}/)[0];
  await page.reload();
  await page.waitForSelector('#membership');
  assert.match(await page.innerText('main'), new RegExp(`SARI LESTARI[\\s\\S]*${cardNumber}`));
  assert.match(await page.innerText('#changes'), /Tambah anggota \(SARI LESTARI\): berlaku/);
  await audit(page, 'm10-newborn-added');
  assert.deepEqual(page.errors, []);
});

test('once facilities are loaded, a family registering chooses one from its district', async () => {
  const { page } = await phone(browser);
  await page.goto(`${server.url}/#/family`);
  await completeForm(page, '7202', { facility: '32041101' });
  await page.waitForSelector('#submit');
  assert.match(await page.innerText('main'), /Puskesmas Cicalengka \(contoh\)/);
  await audit(page, 'm7-check-with-facility');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('#reference', { timeout: 30000 });
  assert.deepEqual(page.errors, []);
});

// The whole journey in a real browser against a real `daftar serve`: a family registers from the
// first page to active digital cards; the test posts the bank's payment; the card is verified on
// the page. axe-core checks every step; screenshots are kept. Then the same journey in English on
// the narrowest phones, every page's visible text scanned for anything that is not the family's
// own words (message codes, ISO dates, region codes, stored values).
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, bank } from '../support/server.mjs';
import { launch, phone, audit, closePhones } from '../support/browser.mjs';
import { page as documentPage, photo } from '../support/images.mjs';
import { fillFamily, fillContact } from '../support/journey.mjs';

const web = join(process.env.DAFTAR_BUILD, 'web');
const server = await startServer({}, { webRoot: web });
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); });
afterEach(closePhones);

// What a page shows that a family should never read: a message code, an ISO date or time, a
// region code, a stored value (marital status, relationship, sex, media type), or a JavaScript
// placeholder. E-mail addresses are the family's own and are left out of the scan.
const CODES = /\b(?:nik|kk|name|date|phone|email|document|documents|application|quote|input|address_line|village|postal_code|rt|rw|contact|consent|registration|package|upload|card|family|facility|change|account|session|input)\.[a-z_]+\b/;
const RAW = [CODES, /\b\d{4}-\d{2}-\d{2}(?:T[\d:]+)?\b/, /\b\d{2}\.\d{2}\.\d{2}(?:\.\d{4})?\b/,
  /\b(?:image|application)\/[a-z]+/, /\bundefined\b|\bnull\b|\bNaN\b|\[object /];
// The stored values are English words: on an Indonesian page they can only be leaks.
const STORED = /\b(?:single|married|divorced|widowed|head|spouse|child|parent)\b/;
async function ownWordsOnly(page, where) {
  const text = (await page.locator('main').innerText()).replace(/\S+@\S+/g, '');
  const indonesian = (await page.getAttribute('html', 'lang')) === 'id';
  for (const pattern of indonesian ? [...RAW, STORED] : RAW) assert.doesNotMatch(text, pattern, `${where}: ${text.match(pattern)?.[0]}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${where}: no sideways scrolling`);
  await audit(page, where);
}

// Fills one member's fieldset.
async function fillMember(page, i, m) {
  await page.fill(`#f-members-${i}-nik`, m.nik);
  await page.fill(`#f-members-${i}-name`, m.name);
  for (const [part, value] of Object.entries(m.birth)) await page.fill(`#f-members-${i}-birth_date-${part}`, value);
  await page.check(`[data-path="/members/${i}/sex"] input[value="${m.sex}"]`);
  await page.selectOption(`#f-members-${i}-relationship`, m.relationship);
  await page.selectOption(`#f-members-${i}-marital_status`, 'married');
}

test('a family registers, pays and verifies its card, in a phone-sized browser', async () => {
  const { page } = await phone(browser);
  await page.goto(server.url);
  await page.waitForSelector('text=Rp140.000');
  await ownWordsOnly(page, '1-start');
  // "Mulai" is on the first screen of a 390 x 844 phone, without scrolling.
  const mulai = await page.getByRole('button', { name: 'Mulai', exact: true }).boundingBox();
  assert.ok(mulai.y + mulai.height <= 844, `Mulai ends at ${mulai.y + mulai.height} px`);

  await page.getByRole('button', { name: 'Mulai', exact: true }).click();
  await page.waitForSelector('#f-kk_number');
  await page.fill('#f-kk_number', '3204 1122 0318 0004');
  await fillMember(page, 0, { nik: '3204-1106-0987-0003', name: 'budi santoso', birth: { day: '6', month: '9', year: '1987' }, sex: 'M', relationship: 'head' });
  await page.getByRole('button', { name: 'Tambah anggota keluarga' }).click();
  await fillMember(page, 1, { nik: '3204114512900002', name: 'Siti Aminah', birth: { day: '05', month: '12', year: '1990' }, sex: 'F', relationship: 'spouse' });
  await ownWordsOnly(page, '2-family');
  await page.click('button:has-text("Lanjutkan")');

  await page.waitForSelector('#f-contact-phone');
  await page.fill('#f-contact-phone', '0812-3456-7890');
  await page.fill('#f-contact-email', 'siti.aminah@example.co.id');
  // The KK's district is chosen already; the village is the applicant's.
  await page.waitForSelector('#f-address-village_code option[value="32.04.11.2001"]', { state: 'attached' });
  assert.equal(await page.inputValue('#f-address-district'), '32.04.11');
  await page.selectOption('#f-address-village_code', '32.04.11.2001');
  await page.fill('#f-address-rt', '3');
  await page.fill('#f-address-rw', '7');
  await page.fill('#f-address-postal_code', '40921');
  await page.fill('#f-address-line', 'Jl. Mawar No. 5');
  await ownWordsOnly(page, '3-contact');
  await page.click('button:has-text("Lanjutkan")');

  await page.waitForSelector('text=Pembayaran pertama: Rp70.000.', { timeout: 10000 }).catch(async (e) => {
    throw new Error(`${e.message}\n${await page.locator('main').innerText()}`);
  });
  await ownWordsOnly(page, '4-class');
  await page.click('button:has-text("Lanjutkan")');

  await page.waitForSelector('#f-documents-kk');
  assert.equal(await page.locator('.document').count(), 3, 'KK and a KTP for each adult');
  // The family's own words on the file buttons; one opens the camera.
  assert.equal(await page.getAttribute('#f-documents-kk-camera', 'capture'), 'environment');
  assert.match(await page.innerText('[data-path="/documents/kk"]'), /Foto dengan kamera[\s\S]*Pilih foto atau PDF dari HP/);
  await page.setInputFiles('#f-documents-kk', { name: 'kk.png', mimeType: 'image/png', buffer: photo() });
  await page.setInputFiles('#f-documents-ktp-0', { name: 'ktp-budi.png', mimeType: 'image/png', buffer: documentPage(1200, 760) });
  await page.setInputFiles('#f-documents-ktp-1', { name: 'ktp-siti.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
  await page.waitForFunction(() => [...document.querySelectorAll('.document progress')].every((p) => p.value === 100), null, { timeout: 60000 });
  // A 4 MB phone photo leaves as at most 400 KB.
  const kkSize = await page.locator('[data-path="/documents/kk"] [aria-live]').first().innerText();
  const kb = Number(kkSize.match(/→ (\d+) KB/)?.[1] ?? kkSize.match(/(\d+) KB/)[1]);
  assert.ok(kb <= 400, `KK photo sent as ${kb} KB`);
  await ownWordsOnly(page, '5-documents');
  await page.click('button:has-text("Lanjutkan")');

  await page.waitForSelector('#submit');
  const summary = await page.locator('main').innerText();
  // The family's own data as it reads it: names as written, dates and places in words, no codes.
  assert.match(summary, /budi santoso\n/);
  assert.match(summary, /\+6281234567890/);
  assert.match(summary, /6 September 1987/);
  assert.match(summary, /Desa\/Kel\. Sangkanhurip, Kec\. Katapang, Kabupaten Bandung/);
  assert.match(summary, /Foto, \d+ KB/);
  assert.match(summary, /Rp[\d.]+ per bulan/);
  assert.doesNotMatch(summary, /\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{2}\.\d{4}|image\/|\b(single|married|head|spouse)\b/);
  assert.equal(await page.innerText('#submit'), 'Kirim pendaftaran');
  // "Ubah" goes to the step and back here.
  await page.click('a[aria-label="Ubah: Nomor HP"]');
  await page.waitForSelector('#f-contact-phone');
  await page.click('button:has-text("Lanjutkan")');
  await page.waitForSelector('#submit');
  await ownWordsOnly(page, '6-check');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('#reference', { timeout: 60000 });
  const reference = await page.innerText('#reference');
  assert.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(await page.innerText('main'), /paling lama 7 hari kerja[\s\S]*dibayar dalam 30 hari/);
  // The access code, to write down with the reference: it opens the status on another phone.
  const accessCode = await page.innerText('#access-code');
  assert.match(accessCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(await page.innerText('main'), /Catat nomor pendaftaran dan kode akses/);
  await ownWordsOnly(page, '7-sent');
  const other = await phone(browser);
  await other.page.goto(`${server.url}/#/status`);
  await other.page.fill('#lookup-reference', reference);
  await other.page.fill('#lookup-code', 'XXXX-XXXX-XXXX');
  await other.page.click('#lookup button');
  await other.page.waitForSelector('#lookup-error:not([hidden])');
  assert.match(await other.page.innerText('#lookup-error'), /tidak cocok/);
  await other.page.fill('#lookup-code', accessCode.toLowerCase());
  await other.page.click('#lookup button');
  await other.page.waitForSelector('#access-code');
  assert.equal(await other.page.innerText('#access-code'), accessCode);
  await audit(other.page, '7b-status-elsewhere');
  await other.context.close();

  await page.getByRole('link', { name: 'Status', exact: true }).click();
  await page.waitForSelector('#va');
  const va = await page.innerText('#va');
  const amount = Number(await page.getAttribute('#amount', 'data-amount'));
  assert.equal(amount, 70000);
  await ownWordsOnly(page, '8-status-verified');

  const paid = await bank(server, 'payment', { va, amount, bank_ref: 'BROWSER-1', paid_at: new Date().toISOString() });
  assert.equal(paid.status, 200);
  await page.getByRole('button', { name: 'Perbarui status' }).click();
  await page.waitForSelector('#status:has-text("Aktif")');
  assert.equal(await page.locator('.card svg').count(), 2, 'a QR code per member');
  // Paid: no more asking for payment; the cards carry the birth date; times in words.
  const active = await page.innerText('main');
  assert.match(active, /Iuran sudah lunas/);
  assert.doesNotMatch(active, /Cara membayar/);
  assert.match(await page.innerText('.card'), /Tanggal lahir: 6 September 1987/);
  assert.doesNotMatch(active, /\d{4}-\d{2}-\d{2}T/);
  await ownWordsOnly(page, '9-status-active');
  const qr = await page.locator('.qr-text').first().inputValue();

  await page.getByRole('link', { name: 'Periksa kartu', exact: true }).click();
  await page.waitForSelector('#qr-content');
  // The camera scan is offered only where the browser has BarcodeDetector (Chromium on Linux has
  // not): pasting the QR's text works everywhere.
  assert.equal(await page.locator('#scan').count(), await page.evaluate(() => ('BarcodeDetector' in window ? 1 : 0)));
  await page.fill('#qr-content', qr);
  await page.getByRole('button', { name: 'Periksa', exact: true }).click();
  await page.waitForSelector('text=Kartu asli');
  assert.match(await page.innerText('#verify-result'), /BUDI SANTOSO/);
  assert.match(await page.innerText('#verify-result'), /Aktif berarti kartu dapat dipakai berobat pada \d{1,2} \w+ \d{4}/);
  assert.equal(await page.locator('a:has-text("Ke halaman awal")').count(), 1);
  await ownWordsOnly(page, '10-verified');
  // A tampered card is refused, on the device.
  await page.fill('#qr-content', qr.replace('BUDI', 'BADU'));
  await page.getByRole('button', { name: 'Periksa', exact: true }).click();
  await page.waitForSelector('#verify-result .error-summary');
  assert.deepEqual(page.errors, []);
});

test('in English on a 320 px phone: every page in the family\'s own words, and it fits', async () => {
  const { page } = await phone(browser);
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(server.url);
  await page.click('#lang-toggle');
  await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
  await ownWordsOnly(page, 'en-1-start');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForSelector('#f-kk_number');
  // A mistake first: the messages name the member, in English.
  await page.fill('#f-members-0-nik', '3204 1106 0987');
  await page.click('button:has-text("Continue")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /There is a problem|problem/i);
  await ownWordsOnly(page, 'en-2-family-errors');
  await fillFamily(page, '7301');
  await ownWordsOnly(page, 'en-2-family');
  await page.click('button:has-text("Continue")');
  await page.waitForSelector('#f-contact-phone');
  await fillContact(page);
  await ownWordsOnly(page, 'en-3-contact');
  await page.click('button:has-text("Continue")');
  await page.waitForSelector('text=First payment');
  await ownWordsOnly(page, 'en-4-class');
  await page.click('button:has-text("Continue")');
  await page.waitForSelector('#f-documents-kk');
  await page.setInputFiles('#f-documents-kk', { name: 'kk.png', mimeType: 'image/png', buffer: documentPage(1400, 1000) });
  await page.setInputFiles('#f-documents-ktp-0', { name: 'ktp.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
  await page.waitForFunction(() => [...document.querySelectorAll('.document progress')].every((p) => p.value === 100), null, { timeout: 60000 });
  await ownWordsOnly(page, 'en-5-documents');
  await page.click('button:has-text("Continue")');
  await page.waitForSelector('#submit');
  const summary = await page.locator('main').innerText();
  assert.match(summary, /6 September 1987/);
  assert.match(summary, /Sangkanhurip/);
  assert.match(summary, /Single/i);
  await ownWordsOnly(page, 'en-6-check');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('#reference', { timeout: 60000 });
  await ownWordsOnly(page, 'en-7-sent');
  const reference = await page.innerText('#reference');
  await page.goto(`${server.url}/#/status/${reference}`);
  await page.waitForSelector('#va');
  await ownWordsOnly(page, 'en-8-status');
  const amount = Number(await page.getAttribute('#amount', 'data-amount'));
  assert.equal((await bank(server, 'payment', { va: await page.innerText('#va'), amount, bank_ref: 'BROWSER-EN-1', paid_at: new Date().toISOString() })).status, 200);
  await page.reload();
  await page.waitForSelector('#status:has-text("Active")');
  await ownWordsOnly(page, 'en-9-active');
  const qr = await page.locator('.qr-text').first().inputValue();
  await page.goto(`${server.url}/#/verify`);
  await page.fill('#qr-content', qr);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.waitForSelector('#verify-result .panel-ok');
  await ownWordsOnly(page, 'en-10-verified');
  assert.deepEqual(page.errors, []);
});

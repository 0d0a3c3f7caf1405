// How the web app behaves when things go wrong: instant messages from the rules core, continue
// blocked with an error summary that takes focus, working with no connection (queued, sent when
// the signal returns: by the app, or by the browser's Background Sync with the app closed), an upload cut in the middle resuming where it stopped, English.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, family, seal, register } from '../support/server.mjs';
import { launch, phone, audit, closePhones } from '../support/browser.mjs';
import { fillFamily, fillContact, documentsAndCheck, next, toDocuments, completeForm } from '../support/journey.mjs';
import { jpeg } from '../support/files.mjs';
import { page as documentPage, png } from '../support/images.mjs';

const web = join(process.env.DAFTAR_BUILD, 'web');
const server = await startServer({}, { webRoot: web });
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); });
afterEach(closePhones);

test('instant messages for a bad NIK, phone and e-mail; continue blocked until fixed', async () => {
  const { page } = await phone(browser);
  await page.goto(`${server.url}/#/family`);
  await page.fill('#f-members-0-nik', '3204 1106 0987');
  await page.press('#f-members-0-nik', 'Tab');
  await page.waitForSelector('[data-path="/members/0/nik"] .error-message:not([hidden])');
  assert.match(await page.innerText('[data-path="/members/0/nik"] .error-message'), /16 angka; yang diisi 12 angka/);

  await next(page);
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary', 'the summary takes focus');
  assert.ok(await summary.locator('a').count() >= 4);
  // Each problem names the member it is about; the steps are counted as they are.
  assert.match(await summary.innerText(), /Anggota 1: Pilih status perkawinan: belum kawin, kawin/);
  assert.match(await page.innerText('.steps'), /^Langkah 1 dari 5$/);
  assert.ok((await page.locator('main a:has-text("Kembali")').boundingBox()).y < (await page.locator('h1').boundingBox()).y, 'the back link is at the top');
  await audit(page, 'b1-family-errors');
  // A summary link takes the user to the field.
  await summary.locator('a', { hasText: 'NIK' }).first().click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-members-0-nik');

  await fillFamily(page, '7001');
  await next(page);
  await page.waitForSelector('#f-contact-phone');
  await page.fill('#f-contact-phone', '022-7654321');
  await page.press('#f-contact-phone', 'Tab');
  await page.fill('#f-contact-email', 'budi@gmail');
  await page.press('#f-contact-email', 'Tab');
  await page.waitForSelector('[data-path="/contact/email"] .error-message:not([hidden])');
  assert.match(await page.innerText('[data-path="/contact/phone"] .error-message'), /bukan nomor HP/);
  assert.match(await page.innerText('[data-path="/contact/email"] .error-message'), /gmail/);
  await next(page);
  await page.locator('.error-summary').waitFor();
  assert.ok(await page.isVisible('#f-contact-phone'), 'still on the contact step');
  await fillContact(page);
  await next(page);
  await page.waitForSelector('text=Kelas dan iuran');

  // The same messages in English.
  await page.click('#lang-toggle');
  await page.waitForSelector('h1:has-text("Class and contribution")');
  await page.click('text=Back');
  await page.fill('#f-contact-phone', '0800-1-234567');
  await page.press('#f-contact-phone', 'Tab');
  await page.waitForSelector('[data-path="/contact/phone"] .error-message:not([hidden])');
  assert.match(await page.innerText('[data-path="/contact/phone"] .error-message'), /not a mobile number/);
  await audit(page, 'b2-contact-errors-en');
  assert.deepEqual(page.errors, []);
});

// One visit while online (the service worker keeps the app) with the family's KK typed (its region
// lists are kept too); then no signal, and the whole form filled in and sent: it waits, sealed.
async function queuedOffline(context, page, serial) {
  await page.goto(server.url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto(`${server.url}/#/family`);
  await page.fill('#f-kk_number', '3204112203180004');
  await page.waitForFunction(async () => (await caches.keys()).length > 0 && !!(await caches.match('/regions/32.04.11.json')), null, { timeout: 15000 });

  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('#f-kk_number');
  assert.ok(await page.isVisible('#network'), 'the page says there is no signal');
  await completeForm(page, serial);
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('text=Pendaftaran menunggu sinyal', { timeout: 30000 }).catch(async (e) => {
    throw new Error(`${e.message}\n${await page.locator('main').innerText()}\n${page.errors}`);
  });
}

// The registrations sent from this device and the packages still waiting, read from IndexedDB.
const onDevice = (page) => page.evaluate(() => new Promise((resolve) => {
  const open = indexedDB.open('daftar', 1);
  open.onsuccess = () => {
    const tx = open.result.transaction(['outbox', 'registrations']);
    const waiting = tx.objectStore('outbox').count(), sent = tx.objectStore('registrations').getAllKeys();
    tx.oncomplete = () => resolve({ waiting: waiting.result, sent: sent.result });
  };
}));

test('with no connection, where the browser has no Background Sync: queued, and sent once the app sees the signal', async () => {
  const { context, page } = await phone(browser);
  await context.addInitScript(() => { delete ServiceWorkerRegistration.prototype.sync; });
  await queuedOffline(context, page, '7002');
  // Honest: without the app open nothing is sent.
  assert.match(await page.innerText('#queued'), /buka lagi Daftar JKN saat ada sinyal/);
  await audit(page, 'b3-queued');
  // The member's pages are not kept on a first visit (signing in needs a signal): offline, "Masuk"
  // says so; once the signal is back, the same page opens.
  await page.goto(`${server.url}/#/masuk`);
  await page.waitForSelector('text=Tidak ada sinyal. Coba lagi saat tersambung.');
  await audit(page, 'b3-sign-in-offline');

  await context.setOffline(false);
  await page.goto(`${server.url}/#/start`);
  await page.goto(`${server.url}/#/masuk`);
  await page.waitForSelector('text=Masuk dengan');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.goto(`${server.url}/#/status`);
  // Sent: a reference on the list, and nothing left waiting in the outbox.
  await page.waitForFunction(() => /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(document.querySelector('main').innerText) &&
    document.querySelectorAll('a[download]').length === 0, null, { timeout: 30000 });
  const reference = (await page.locator('main').innerText()).match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)[0];
  await page.click(`text=${reference}`);
  await page.waitForSelector('#status');
  assert.match(await page.innerText('#status'), /Terverifikasi/);
});

test('with no connection, in a browser with Background Sync: the browser sends it once the signal returns, the app closed', async () => {
  const { context, page } = await phone(browser);
  await queuedOffline(context, page, '7005');
  assert.match(await page.innerText('#queued'), /mengirimnya sendiri begitu ada sinyal, juga jika Daftar JKN ditutup/);
  await audit(page, 'b3-queued-background');
  assert.deepEqual(await onDevice(page), { waiting: 1, sent: [] });

  // The family closes the app; the signal returns; the browser fires the sync (here on DevTools'
  // command rather than after its own delay). Nothing of the app runs: a bare file of its origin.
  await page.close();
  await context.setOffline(false);
  const bare = await context.newPage();
  await bare.goto(`${server.url}/icon.svg`);
  await fireSync(context, bare);
  const deadline = Date.now() + 30000;
  let device = await onDevice(bare);
  while (device.waiting > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    device = await onDevice(bare);
  }
  assert.equal(device.waiting, 0, 'sent by the service worker');
  assert.equal(device.sent.length, 1);

  // Opened again: the registration is on the status page, verified.
  const again = await context.newPage();
  again.errors = [];
  again.on('pageerror', (e) => again.errors.push(e.message));
  await again.goto(`${server.url}/#/status/${device.sent[0]}`);
  await again.waitForSelector('#status');
  assert.match(await again.innerText('#status'), /Terverifikasi/);
  assert.deepEqual(again.errors, []);
});

// Fires the outbox's Background Sync through DevTools, as the browser would once the signal is back.
async function fireSync(context, page) {
  const devtools = await context.newCDPSession(page);
  const registration = new Promise((resolve) => devtools.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const live = registrations.find((r) => !r.isDeleted);
    if (live) resolve(live.registrationId);
  }));
  await devtools.send('ServiceWorker.enable');
  await devtools.send('ServiceWorker.dispatchSyncEvent', { origin: server.url, registrationId: await registration, tag: 'daftar-outbox', lastChance: false });
}

test('with the app still open on "waiting for a signal": the reference appears once the signal returns', async () => {
  const { context, page } = await phone(browser);
  await queuedOffline(context, page, '7006');
  // The page and the browser's sync both try; whichever sends it, the other finds nothing waiting.
  await context.setOffline(false);
  await fireSync(context, page);
  await page.waitForSelector('#reference', { timeout: 30000 });
  assert.match(await page.innerText('#reference'), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.deepEqual(await onDevice(page), { waiting: 0, sent: [await page.innerText('#reference')] });
  assert.deepEqual(page.errors, []);
});

test('a photo claiming 60 000 x 60 000 pixels is refused, with a message the family understands', async () => {
  const { page } = await phone(browser);
  await page.goto(`${server.url}/#/family`);
  await toDocuments(page, '7011');
  await page.waitForSelector('#f-documents-kk');
  await page.setInputFiles('#f-documents-kk', { name: 'kk.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpeg(60000, 60000)) });
  await page.waitForSelector('[data-path="/documents/kk"] >> text=terlalu besar untuk dibuka', { timeout: 30000 });
  assert.match(await page.innerText('[data-path="/documents/kk"]'), /60000x60000 piksel/);
});

test('an upload cut in the middle resumes from where it stopped', async () => {
  const { context, page } = await phone(browser);
  // The app's own resumption, which every browser has (Background Sync would send from the worker).
  await context.addInitScript(() => { delete ServiceWorkerRegistration.prototype.sync; });
  const patches = [];
  let cut = false;
  await page.route('**/api/v1/uploads/*', async (route) => {
    const request = route.request();
    if (request.method() === 'PATCH') {
      patches.push(Number(request.headers()['upload-offset']));
      if (!cut && patches.length === 2) {
        cut = true;
        return route.abort('connectionreset');  // the signal drops during the second piece
      }
    }
    return route.continue();
  });
  await page.goto(`${server.url}/#/family`);
  await toDocuments(page, '7003');
  await page.waitForSelector('#f-documents-kk');
  // Big enough for several 256 KB pieces.
  await page.setInputFiles('#f-documents-kk', { name: 'kk.png', mimeType: 'image/png', buffer: documentPage(2600, 2000) });
  await page.setInputFiles('#f-documents-ktp-0', { name: 'ktp.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
  await page.waitForFunction(() => [...document.querySelectorAll('.document progress')].every((p) => p.value === 100), null, { timeout: 60000 });
  await next(page);
  await page.waitForSelector('#submit');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('text=Pendaftaran menunggu sinyal', { timeout: 30000 });
  // The signal returns: the upload goes on from the server's offset, not from zero.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.goto(`${server.url}/#/status`);
  await page.waitForFunction(() => /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(document.querySelector('main').innerText), null, { timeout: 30000 });
  assert.ok(patches.length >= 3, `PATCH offsets: ${patches}`);
  assert.equal(patches[0], 0);
  assert.ok(patches[2] > 0, `resumed at ${patches[2]}, not from zero`);
  assert.equal(patches.filter((o) => o === 0).length, 1, 'never started over');
});

test('drafts survive closing the tab; "forget" deletes them; narrow screens and 200 % zoom fit', async () => {
  const { context, page } = await phone(browser);
  await page.goto(`${server.url}/#/family`);
  await page.fill('#f-kk_number', '3204112203180004');
  await page.fill('#f-members-0-name', 'Budi Santoso');
  await page.waitForTimeout(600);  // the draft is saved as the user types
  await page.close();
  const again = await context.newPage();
  await again.goto(`${server.url}/#/family`);
  await again.waitForSelector('#f-kk_number');
  assert.equal(await again.inputValue('#f-kk_number'), '3204112203180004');
  assert.equal(await again.inputValue('#f-members-0-name'), 'Budi Santoso');

  again.on('dialog', (d) => d.accept());
  await again.click('#forget');
  await again.waitForSelector('text=Rp140.000');
  await again.goto(`${server.url}/#/family`);
  await again.waitForSelector('#f-kk_number');
  assert.equal(await again.inputValue('#f-kk_number'), '');

  // 320 px wide (the smallest phones), and 1280 x 800 at 200 % zoom (640 x 400 CSS pixels).
  for (const viewport of [{ width: 320, height: 640 }, { width: 640, height: 400 }]) {
    await again.setViewportSize(viewport);
    for (const route of ['start', 'family', 'verify']) {
      await again.goto(`${server.url}/#/${route}`);
      await again.waitForSelector('h1');
      const overflow = await again.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${route} at ${viewport.width}px scrolls sideways by ${overflow}px`);
    }
  }
  await audit(again, 'b4-zoom-200');
});

test('an agent saves a sealed package to a file and another device, in agent mode, sends it', async () => {
  const agent = await phone(browser);
  const { page } = agent;
  await page.goto(server.url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto(`${server.url}/#/family`);
  await page.fill('#f-kk_number', '3204112203180004');
  await page.waitForFunction(async () => !!(await caches.match('/regions/32.04.11.json')), null, { timeout: 15000 });
  await agent.context.setOffline(true);
  await completeForm(page, '7004');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('text=Pendaftaran menunggu sinyal', { timeout: 30000 });
  await page.evaluate(() => { location.hash = '#/status'; });
  await page.waitForSelector('a[download]');
  const download = page.waitForEvent('download');
  await page.click('a[download]');
  const file = await (await download).path();

  // A family's device offers no import; the agent's device, in agent mode (#/agen), online, loads
  // the file: it is sent from there.
  assert.equal(await page.$('#import'), null);
  const office = await phone(browser);
  await office.page.goto(`${server.url}/#/agen`);
  await office.page.waitForSelector('#import');
  await audit(office.page, 'b-agent-mode');
  await office.page.setInputFiles('#import', file);
  await office.page.waitForFunction(() => /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(document.querySelector('main').innerText), null, { timeout: 30000 });
});

// Points 1, 2 and 5 of the usability walk, in each language at its phone size.
const WORDS = {
  id: { add: 'Tambah anggota keluarga', next: 'Lanjutkan', classTitle: 'Kelas dan iuran', remove: (n) => `Hapus anggota ${n}`,
    dark: /Foto terlalu gelap .*cari tempat yang lebih terang/, darkAgain: /Foto terlalu gelap/ },
  en: { add: 'Add a family member', next: 'Continue', classTitle: 'Class and contribution', remove: (n) => `Remove member ${n}`,
    dark: /The photo is too dark .*find more light/, darkAgain: /The photo is too dark/ },
};
for (const [lang, width, serial] of [['id', 390, '702'], ['en', 320, '704']]) {
  test(`a dark photo keeps its warning until replaced; removing a member keeps the others' documents (${lang}, ${width} px)`, async () => {
    const w = WORDS[lang];
    const { page } = await phone(browser);
    await page.setViewportSize({ width, height: 844 });
    page.on('dialog', (dialog) => dialog.accept());
    await page.goto(`${server.url}/#/family`);
    if (lang === 'en') await page.click('#lang-toggle');
    await fillFamily(page, `${serial}1`);
    // Two more adults, each with their own e-KTP.
    for (const [i, name, own] of [[1, 'Agus Santoso', `${serial}2`], [2, 'Dewi Santoso', `${serial}3`]]) {
      await page.click(`button:has-text("${w.add}")`);
      await page.waitForSelector(`#f-members-${i}-nik`);
      // The new member's first field has the focus; its relationship is the family's to choose.
      assert.equal(await page.evaluate(() => document.activeElement.id), `f-members-${i}-nik`);
      assert.equal(await page.inputValue(`#f-members-${i}-relationship`), '');
      await page.fill(`#f-members-${i}-nik`, `320411060987${own}`);
      await page.fill(`#f-members-${i}-name`, name);
      await page.fill(`#f-members-${i}-birth_date-day`, '6');
      await page.fill(`#f-members-${i}-birth_date-month`, '9');
      await page.fill(`#f-members-${i}-birth_date-year`, '1987');
      await page.check(`[data-path="/members/${i}/sex"] input[value="M"]`);
      await page.selectOption(`#f-members-${i}-relationship`, 'other');
      await page.selectOption(`#f-members-${i}-marital_status`, 'single');
    }
    const onward = () => page.click(`button:has-text("${w.next}")`);
    await onward();
    await page.waitForSelector('#f-contact-phone');
    await fillContact(page);
    await onward();
    await page.waitForSelector(`text=${w.classTitle}`);
    await onward();
    await page.waitForSelector('#f-documents-ktp-2');
    const dark = png(1000, 640, (x, y) => ((Math.floor(y / 14) % 3 !== 2) && x % 17 < 5 ? [8, 8, 10] : [48, 46, 44]));
    await page.setInputFiles('#f-documents-kk', { name: 'kk.png', mimeType: 'image/png', buffer: documentPage(1400, 1000) });
    await page.setInputFiles('#f-documents-ktp-0', { name: 'ktp0.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
    await page.setInputFiles('#f-documents-ktp-1', { name: 'ktp1.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
    await page.setInputFiles('#f-documents-ktp-2', { name: 'ktp2.png', mimeType: 'image/png', buffer: dark });
    await page.waitForFunction(() => [...document.querySelectorAll('.document progress')].every((p) => p.value === 100), null, { timeout: 60000 });
    const warning = '[data-path="/documents/ktp:2"] .doc-warning';
    await page.waitForSelector(warning);
    await page.waitForTimeout(500);  // the core's findings have come back since
    assert.match(await page.innerText(warning), w.dark);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
    await audit(page, `b-dark-photo-warning-${lang}`);

    // Member 2 goes: its e-KTP only; member 3's moves up with it, warning and all.
    await page.goto(`${server.url}/#/family`);
    await page.click(`button:has-text("${w.remove(2)}")`);
    await page.waitForSelector('#f-members-1-name');
    assert.equal(await page.inputValue('#f-members-1-name'), 'Dewi Santoso');
    await page.goto(`${server.url}/#/documents`);
    await page.waitForSelector('#f-documents-ktp-1');
    assert.equal(await page.$('#f-documents-ktp-2'), null);
    assert.deepEqual(await page.$$eval('.document progress', (all) => all.map((p) => p.value)), [100, 100, 100]);
    assert.match(await page.innerText('[data-path="/documents/ktp:1"]'), new RegExp(`Dewi Santoso[\\s\\S]*${w.darkAgain.source}`));
    assert.deepEqual(page.errors, []);
  });
}

test('before any upload, a member registered already is named, with what to do; on a phone one member is open at a time', async () => {
  // Budi (NIK ...0987 7031) registered earlier with this KK.
  const earlier = family(7031);
  earlier.members[0].nik = '3204110609877031';
  assert.equal((await register(server, seal(server, earlier))).status, 201);
  const { page } = await phone(browser);
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(`${server.url}/#/family`);
  await fillFamily(page, '7031');
  await page.click('button:has-text("Tambah anggota keluarga")');
  await page.waitForSelector('#f-members-1-nik');
  // Budi is summarised in a line now; Siti's answers are open.
  assert.equal(await page.locator('#f-members-0-nik').count(), 0);
  assert.match(await page.innerText('.member-summary'), /Budi Santoso[\s\S]*6 September 1987/);
  await page.fill('#f-members-1-nik', '3204114512907032');
  await page.fill('#f-members-1-name', 'Siti Aminah');
  await page.fill('#f-members-1-birth_date-day', '5');
  await page.fill('#f-members-1-birth_date-month', '12');
  await page.fill('#f-members-1-birth_date-year', '1990');
  await page.check('[data-path="/members/1/sex"] input[value="F"]');
  await page.selectOption('#f-members-1-relationship', 'spouse');
  await page.selectOption('#f-members-1-marital_status', 'married');
  await next(page);
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /Budi Santoso: Orang ini sudah terdaftar di JKN/);
  // Budi's answers open with the message at his NIK; Siti is summarised in a line.
  assert.match(await page.innerText('[data-path="/members/0/nik"] .error-message'), /sudah terdaftar/);
  assert.match(await page.innerText('.member-summary'), /Siti Aminah[\s\S]*5 Desember 1990/);
  await audit(page, 'b-already-registered');
  await page.click('.error-summary a');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-members-0-nik');
  // Budi leaves this registration; Siti goes on to the contact step.
  await page.click('button:has-text("Hapus anggota 1")');
  await page.waitForSelector('#f-members-0-nik');
  assert.equal(await page.inputValue('#f-members-0-name'), 'Siti Aminah');
  await page.selectOption('#f-members-0-relationship', 'head');
  await next(page);
  await page.waitForSelector('#f-contact-phone');
  assert.deepEqual(page.errors, []);
});

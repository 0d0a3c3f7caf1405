// The population registry from the family's side, in Debian's Chromium on a phone-sized screen:
// the consent asked for before sending, a misspelled name coming back as "needs correction", the
// family taken back to exactly that answer with its draft and documents, the correction sent, and
// the registration verified. axe-core on every page.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../support/server.mjs';
import { launch, phone, audit, closePhones } from '../support/browser.mjs';
import { completeForm, next } from '../support/journey.mjs';
import { startRegistrySim, registryConfig } from '../support/registry.mjs';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

// The registry knows the head of family as BUDI SANTOSO; the family types "Budi Santosa".
const csv = join(mkdtempSync(join(tmpdir(), 'daftar-people-')), 'people.csv');
writeFileSync(csv, 'nik,kk_number,name,birth_date,sex\n3204110609877301,3204112203180004,BUDI SANTOSO,1987-09-06,M\n');
const sim = await startRegistrySim(csv);
const server = await startServer(registryConfig(sim.url), { webRoot: join(process.env.DAFTAR_BUILD, 'web') });
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); await sim.stop(); });
afterEach(closePhones);

async function statusShows(page, pattern) {
  for (let i = 0; i < 60 && !pattern.test(await page.innerText('#status')); i++) {
    await page.waitForTimeout(250);
    await page.click('button:has-text("Perbarui status")');
    await page.waitForSelector('#status');
  }
  assert.match(await page.innerText('#status'), pattern);
}

test('consent, a name the registry disagrees with, the correction, verified', async () => {
  const { page } = await phone(browser);
  await page.goto(`${server.url}/#/family`);
  await completeForm(page, '7301');
  // Back to the name: misspelled, as a family might.
  await page.goto(`${server.url}/#/family`);
  await page.waitForSelector('#f-members-0-name');
  await page.fill('#f-members-0-name', 'Budi Santosa');
  await next(page);
  await page.waitForSelector('#f-contact-phone');
  await page.goto(`${server.url}/#/check`);
  await page.waitForSelector('#submit');
  await page.waitForSelector('#f-consent');
  assert.match(await page.innerText('[data-path="/consent"]'), /Dukcapil/);
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /Centang persetujuan/);
  await audit(page, 'c1-consent-required');
  await page.check('#f-consent');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('#reference', { timeout: 30000 });
  const reference = await page.innerText('#reference');

  await page.goto(`${server.url}/#/status/${reference}`);
  await page.waitForSelector('#status').catch(async (e) => { throw new Error(`${e.message}\n${await page.innerText('main')}\n${page.errors}`); });
  await statusShows(page, /Perlu perbaikan/);
  assert.match(await page.innerText('#corrections'), /Nama tidak sama dengan data Dukcapil/);
  await audit(page, 'c2-needs-correction');

  await page.click('#correct');
  await page.waitForSelector('#f-members-0-name');
  assert.equal(await page.inputValue('#f-members-0-name'), 'Budi Santosa', 'the draft is back');
  assert.match(await page.innerText('[data-path="/members/0/name"]'), /Nama tidak sama dengan data Dukcapil/);
  await audit(page, 'c3-correcting');
  await page.fill('#f-members-0-name', 'Budi Santoso');
  await page.locator('#f-members-0-name').blur();
  await page.waitForFunction(() => !/Dukcapil/.test(document.querySelector('[data-path="/members/0/name"]').innerText));
  await next(page);
  await page.waitForSelector('#f-contact-phone');
  await next(page);
  await page.waitForSelector('text=Kelas dan iuran');
  await next(page);
  await page.waitForSelector('#f-documents-kk');
  await next(page);  // the documents came back with the draft
  await page.waitForSelector('#submit');
  assert.match(await page.innerText('h1'), new RegExp(`Perbaikan pendaftaran ${reference}`));
  assert.equal(await page.innerText('#submit'), 'Kirim perbaikan');
  await audit(page, 'c4-check-correction');
  await page.check('#declaration');
  await page.click('#submit');
  await page.waitForSelector('#status', { timeout: 30000 });
  await statusShows(page, /Terverifikasi/);
  assert.match(await page.innerText('main'), /BUDI SANTOSO/);
  await audit(page, 'c5-verified');
  assert.deepEqual(page.errors, []);
});

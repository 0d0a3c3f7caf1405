// The web journey's steps as a family goes through them in the browser tests: the family (one
// adult), contact and address, class, small documents, up to "check your answers".
import { page as documentPage } from './images.mjs';

export async function fillFamily(page, serial) {
  await page.fill('#f-kk_number', '3204112203180004');
  await page.fill('#f-members-0-nik', `320411060987${serial}`);
  await page.fill('#f-members-0-name', 'Budi Santoso');
  await page.fill('#f-members-0-birth_date-day', '6');
  await page.fill('#f-members-0-birth_date-month', '9');
  await page.fill('#f-members-0-birth_date-year', '1987');
  await page.check('[data-path="/members/0/sex"] input[value="M"]');
  await page.selectOption('#f-members-0-marital_status', 'single');
}

export async function fillContact(page) {
  await page.fill('#f-contact-phone', '081234567890');
  await page.fill('#f-contact-email', 'budi@example.co.id');
  await page.waitForSelector('#f-address-village_code option[value="32.04.11.2001"]', { state: 'attached' });
  await page.selectOption('#f-address-village_code', '32.04.11.2001');
  await page.fill('#f-address-rt', '3');
  await page.fill('#f-address-rw', '7');
  await page.fill('#f-address-postal_code', '40921');
  await page.fill('#f-address-line', 'Jl. Mawar No. 5');
}

export async function documentsAndCheck(page) {
  await page.waitForSelector('#f-documents-kk');
  await page.setInputFiles('#f-documents-kk', { name: 'kk.png', mimeType: 'image/png', buffer: documentPage(1400, 1000) });
  await page.setInputFiles('#f-documents-ktp-0', { name: 'ktp.png', mimeType: 'image/png', buffer: documentPage(1000, 640) });
  await page.waitForFunction(() => [...document.querySelectorAll('.document progress')].every((p) => p.value === 100), null, { timeout: 60000 });
  await page.click('button:has-text("Lanjutkan")');
  await page.waitForSelector('#submit');
  await page.check('#declaration');
}

export const next = (page) => page.click('button:has-text("Lanjutkan")');

// Family, contact and class (and the health facility `facility`, where facilities are loaded), up
// to the documents step.
export async function toDocuments(page, serial, { facility } = {}) {
  await fillFamily(page, serial);
  await next(page);
  await page.waitForSelector('#f-contact-phone');
  await fillContact(page);
  await next(page);
  await page.waitForSelector('text=Kelas dan iuran');
  if (facility) await page.check(`input[value="${facility}"]`);
  await next(page);
}

// Every step from the family to "check your answers", with small documents.
export async function completeForm(page, serial, options = {}) {
  await toDocuments(page, serial, options);
  await documentsAndCheck(page);
}

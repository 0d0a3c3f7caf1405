// Debian's Chromium driven by playwright-core, with axe-core for accessibility and screenshots of
// every step kept in DAFTAR_ARTIFACTS.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const artifacts = process.env.DAFTAR_ARTIFACTS ?? '/tmp/daftar-artifacts';
mkdirSync(artifacts, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A phone-sized page. CSP is bypassed only so that axe-core can be injected.
const phones = new Set();
export async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, bypassCSP: true, locale: 'id-ID' });
  phones.add(context);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return { context, page };
}

// Closes the phones a test opened (afterEach): every open page keeps its connections, and the
// server allows one address (all of the tests' phones) a limited number.
export async function closePhones() {
  await Promise.all([...phones].map((context) => context.close()));
  phones.clear();
}

// No WCAG 2.1 A/AA violations on what the page shows now; a screenshot either way.
export async function audit(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(violations, [], `${name}: accessibility`);
}

// Measures the web app's first load and writes docs/web-budget.md: the compressed bytes of every
// request a first visit makes before the form is usable (the page's and its worker's), and the time
// until then on an emulated slow 3G link, then the same for a repeat visit (served by the service
// worker). The link is emulated by routing every request: 400 ms round trip each, and one shared
// 400 kbit/s pipe that responses queue for. Starts its own `daftar serve`.
// Usage: node tools/bench-web.mjs BUILD_DIR OUT.md   (or: make bench-web)
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [build, out] = process.argv.slice(2).map((p) => resolve(p));
const dir = mkdtempSync(join(tmpdir(), 'daftar-bench-web-'));
const server = spawn(join(build, 'bin/daftar'), ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--web-root', join(build, 'web')]);
const url = await new Promise((ok) => {
  let text = '';
  server.stdout.on('data', (d) => { text += d; const m = text.match(/serving on (http:\/\/[^/\s]+)/); if (m) ok(m[1]); });
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
const page = await context.newPage();

const LATENCY_MS = 400, BYTES_PER_MS = 400 * 1024 / 8 / 1000;
let pipeFree = 0;  // when the shared pipe is next free (ms since epoch)
let log = null;    // the current visit's requests
await context.route('**/*', async (route) => {
  const response = await route.fetch();
  const bytes = Number(response.headers()['content-length'] ?? (await response.body()).length);
  const start = Math.max(Date.now() + LATENCY_MS, pipeFree);
  pipeFree = start + bytes / BYTES_PER_MS;
  log?.push({ url: route.request().url(), bytes, background: !!route.request().serviceWorker?.() });
  await new Promise((r) => setTimeout(r, pipeFree - Date.now()));
  const headers = { ...response.headers() };
  delete headers['content-encoding'];  // the body handed on is already decoded
  delete headers['content-length'];
  await route.fulfill({ status: response.status(), headers, body: await response.body() });
});

const sum = (rows) => rows.reduce((a, r) => a + r.bytes, 0);
async function visit(label) {
  log = [];
  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  // Usable: the rules module answered (the live estimate is on the page) and the button works.
  await page.waitForSelector('text=Rp140.000', { timeout: 120000 });
  const usable = Date.now() - started;
  const rows = log.filter((r) => r.url.startsWith(url) && !r.background);
  return { label, usable, rows, total: sum(rows) };
}

const first = await visit('first visit');
await page.evaluate(() => navigator.serviceWorker.ready);
await page.waitForTimeout(5000);  // the service worker finishes keeping the app for offline use
// The whole first visit: what the page loaded, and everything the worker kept for offline use.
const whole = log.filter((r) => r.url.startsWith(url));
const offline = whole.filter((r) => !first.rows.includes(r));
log = null;

const repeat = await visit('repeat visit');
await browser.close();
server.kill('SIGTERM');

const kb = (n) => (n / 1024).toFixed(1);
const table = (v) => (v.rows.length ? v.rows.map((r) => `| ${new URL(r.url).pathname} | ${kb(r.bytes)} KB |`).join('\n') : '| (nothing: all from the service worker) | 0 |');
const text = `# Web app: first load (measured)

Produced by \`make bench-web\` (\`node tools/bench-web.mjs build docs/web-budget.md\`) on
${new Date().toISOString().slice(0, 10)}: Debian's Chromium, a 390 x 844 viewport, a slow 3G link emulated by routing
every request of the page and its worker (400 ms per request, one shared 400 kbit/s pipe). "Usable"
is the time from navigation until the rules module has answered on the page (the live estimate
shows). Bytes are as transferred (compressed: the server sends the gzip twins). One run on a
shared machine: read the figures as an order of magnitude.

| | compressed bytes before usable | time until usable |
|---|---|---|
| first visit | ${kb(first.total)} KB | ${(first.usable / 1000).toFixed(1)} s (goal: 5 s) |
| repeat visit (service worker cache) | ${kb(repeat.total)} KB | ${(repeat.usable / 1000).toFixed(1)} s (goal: 1 s) |

| the whole first visit | compressed bytes |
|---|---|
| before usable (above) | ${kb(first.total)} KB |
| kept for offline use afterwards (by the page and its worker) | ${kb(sum(offline))} KB |
| in all | ${kb(sum(whole))} KB (goal: 200 KB) |

After the first visit the service worker keeps the app shell, both wasm modules, the config and
the province and regency lists for offline use (Cache Storage); it fetches them in the
background once the page is usable, so they do not delay the first load, but the family pays for
them on its first visit all the same.

## Kept for offline use on the first visit
| path | transferred |
|---|---|
${offline.length ? offline.map((r) => `| ${new URL(r.url).pathname} | ${kb(r.bytes)} KB |`).join('\n') : '| (nothing) | 0 |'}

## First visit, request by request
| path | transferred |
|---|---|
${table(first)}

## Repeat visit
| path | transferred |
|---|---|
${table(repeat)}
`;
writeFileSync(out, text);
console.log(text);

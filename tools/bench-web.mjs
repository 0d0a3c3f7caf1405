// Measures the web app's first load and writes docs/web-budget.md: the compressed bytes a first
// visit costs before the form is usable, then everything it costs (what the service worker keeps
// for offline use included), and the time until usable on an emulated slow 3G link; then the same
// for a repeat visit. The link is a proxy in front of the server that the browser talks to: every
// request waits 400 ms (the round trip), and all responses share one 400 kbit/s pipe. The browser
// keeps its own HTTP cache as on a phone, so a file the page loaded and the worker keeps again is
// revalidated (304), not paid twice. Starts its own `daftar serve`.
// Usage: node tools/bench-web.mjs BUILD_DIR OUT.md   (or: make bench-web)
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [build, out] = process.argv.slice(2).map((p) => resolve(p));
const dir = mkdtempSync(join(tmpdir(), 'daftar-bench-web-'));
const server = spawn(join(build, 'bin/daftar'), ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--web-root', join(build, 'web')]);
const upstream = await new Promise((ok) => {
  let text = '';
  server.stdout.on('data', (d) => { text += d; const m = text.match(/serving on http:\/\/([^:/\s]+):(\d+)/); if (m) ok({ host: m[1], port: Number(m[2]) }); });
});

// The slow link. Each connection's requests are read off its first line ("GET /path HTTP/1.1"),
// and the bytes that come back are counted against the request they answer.
const LATENCY_MS = 400, BYTES_PER_MS = 400 * 1024 / 8 / 1000;
let pipeFree = 0;  // when the shared pipe is next free (ms since epoch)
let log = [];      // every request: {path, bytes, at}
const link = createServer((client) => {
  const origin = connect(upstream.port, upstream.host);
  let current = null;
  let sendAt = 0;  // responses leave no sooner than the round trip after their request
  client.on('data', (chunk) => {
    for (const m of chunk.toString('latin1').matchAll(/^(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1\r$/gm)) {
      current = { path: m[2], bytes: 0, at: Date.now() };
      log.push(current);
      sendAt = Date.now() + LATENCY_MS;
    }
    origin.write(chunk);
  });
  origin.on('data', (chunk) => {
    if (current) current.bytes += chunk.length;
    const start = Math.max(Date.now(), sendAt, pipeFree);
    pipeFree = start + chunk.length / BYTES_PER_MS;
    origin.pause();
    setTimeout(() => { client.write(chunk); origin.resume(); }, pipeFree - Date.now());
  });
  const close = () => { client.destroy(); origin.destroy(); };
  client.on('error', close); origin.on('error', close); client.on('close', close); origin.on('close', close);
});
await new Promise((ok) => link.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${link.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
const page = await context.newPage();
const sum = (rows) => rows.reduce((a, r) => a + r.bytes, 0);

async function visit(label) {
  log = [];
  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  // Usable: the rules module answered (the live estimate is on the page) and the button works.
  await page.waitForSelector('text=Rp140.000', { timeout: 120000 });
  const usable = Date.now() - started;
  const rows = log.filter((r) => r.at <= started + usable);
  return { label, usable, rows, total: sum(rows) };
}

const first = await visit('first visit');
await page.evaluate(() => navigator.serviceWorker.ready);
await page.waitForTimeout(8000);  // the service worker finishes keeping the app for offline use
// The whole first visit: what came before usable, and everything kept for offline use afterwards.
const offline = log.filter((r) => !first.rows.includes(r));
const whole = first.total + sum(offline);
const repeat = await visit('repeat visit');
await browser.close();
link.close();
server.kill('SIGTERM');

const kb = (n) => (n / 1024).toFixed(1);
const rows = (list) => (list.length ? list.map((r) => `| ${r.path} | ${kb(r.bytes)} KB |`).join('\n') : '| (nothing: all from the service worker) | 0 |');
const text = `# Web app: first load (measured)

Produced by \`make bench-web\` (\`node tools/bench-web.mjs build docs/web-budget.md\`) on
${new Date().toISOString().slice(0, 10)}: Debian's Chromium, a 390 x 844 viewport, a slow 3G link emulated by a proxy
between the browser and the server (each request waits 400 ms, all responses share one 400 kbit/s
pipe; the browser keeps its HTTP cache, so what the worker keeps again is revalidated, not sent
twice). "Usable" is the time from navigation until the rules module has answered on the page (the
live estimate shows). Bytes are as transferred, headers included, compressed as a phone receives
them over HTTPS: the server sends brotli twins to browsers that ask for brotli (Chromium asks over
HTTPS and on loopback, as here), gzip to the others. One run on a shared machine: read the figures
as an order of magnitude.

| | compressed bytes before usable | time until usable |
|---|---|---|
| first visit | ${kb(first.total)} KB | ${(first.usable / 1000).toFixed(1)} s (goal: 5 s) |
| repeat visit (service worker cache) | ${kb(repeat.total)} KB | ${(repeat.usable / 1000).toFixed(1)} s (goal: 1 s) |

| the whole first visit | compressed bytes |
|---|---|
| before usable (above) | ${kb(first.total)} KB |
| kept for offline use afterwards (the village table, the sealing module, the QR code maker, region lists, revalidations) | ${kb(sum(offline))} KB |
| in all | ${kb(whole)} KB (goal: 200 KB) |

Before and after issue 14, as recorded (the first row by the earlier version of this benchmark,
which routed requests through Playwright and so disabled the browser's HTTP cache; the second by
this one, on 2026-12-02, before the changes of that day: one region file per province, the page
and the config asked for over the network on every visit, every module found one import after
another):

| recorded | before usable | time until usable | repeat visit | the whole first visit |
|---|---|---|---|---|
| 2026-11-23 (issue 14 filed) | 125.1 KB | 6.2 s | 1.4 s | about 342 KB |
| 2026-12-02, before | 170.6 KB | 6.9 s | 1.5 s | 359.7 KB |
| 2026-12-02, at the stop before | 171.5 KB | 5.2 s | 0.6 s | 323.2 KB |
| 2026-12-02, at the previous stop | 122.0 KB | 4.2 s | 0.6 s | 198.7 KB |
| 2026-12-02, at the last stop | 115.4 KB | 3.8 s | 0.6 s | 184.2 KB |
| now (this run) | ${kb(first.total)} KB | ${(first.usable / 1000).toFixed(1)} s | ${(repeat.usable / 1000).toFixed(1)} s | ${kb(whole)} KB |

Since the last stop: the core reads JSON with its own reader (about 8 KB off each wasm module),
and the rules module is built for speed on a check's path (11 KB more for it; docs/wasm-budget.md).
The previous stop: the rules module without the village table (which the worker fetches after the
module and gives it, so the estimate does not wait for it) and both modules smaller by letting the
compiler inline again. The stop before: brotli twins beside the
gzip ones; scripts and styles minified (esbuild); the config gzipped and revalidated by its ETag; a
304 carries only its validator and caching rules, and the headers only a page heeds are left off
scripts, styles, wasm and JSON; the page kept once; the member's pages and their words fetched when
first opened (signing in needs a signal); smaller wasm modules.

After the first visit the service worker keeps the app shell, both wasm modules, the village
table, the config and the province and regency lists for offline use (Cache Storage); it fetches
them once the page is usable, so they do not delay the first load, but the family pays for them on
its first visit.

## First visit, request by request
| path | transferred |
|---|---|
${rows(first.rows)}

## Kept for offline use on the first visit
| path | transferred |
|---|---|
${rows(offline)}

## Repeat visit
| path | transferred |
|---|---|
${rows(repeat.rows)}
`;
writeFileSync(out, text);
console.log(text);

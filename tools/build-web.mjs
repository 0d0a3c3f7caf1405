// Assembles the web app in BUILD/web next to the wasm modules:
//   - web/** as it is (pages, styles, scripts, the service worker);
//   - js/vendor/qrcode.mjs from the npm package qrcode-generator (MIT), for the digital cards;
//   - regions/*.json: the current region codes and names from npm idn-area-data (ODbL): index.json
//     (provinces), regencies.json (every province's regencies, by province code), and a file per
//     parent below ("32.04" = its districts, "32.04.11" = its villages), fetched only when the user
//     opens that level;
//   - scripts and styles minified (esbuild): comments and long names are for readers of web/, not
//     for a family's data plan (measured: a fifth to a third of each file, compressed);
//   - the service worker's list of what to keep offline, with a version that changes with them.
// Usage: node tools/build-web.mjs NODE_MODULES WEB_SOURCE BUILD_WEB
import { cpSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { basename, join, relative } from 'node:path';

const [modules, source, out] = process.argv.slice(2);
cpSync(source, out, { recursive: true });
mkdirSync(join(out, 'js/vendor'), { recursive: true });
cpSync(join(modules, 'qrcode-generator/dist/qrcode.mjs'), join(out, 'js/vendor/qrcode.mjs'));

const regions = join(out, 'regions');
// Every script and style in place, each file on its own (imports stay as they are), the wasm
// modules' glue included; the service worker's two files keep their placeholders for below.
const minifiable = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
  const path = join(dir, entry.name);
  if (entry.isDirectory()) return path === regions ? [] : minifiable(path);
  return /^(?!sw\.)(?!.*\.[0-9a-f]{10}\.).*\.(mjs|css)$/.test(entry.name) ? [path] : [];
});
execFileSync('esbuild', [...minifiable(out), '--minify', '--allow-overwrite', `--outbase=${out}`, `--outdir=${out}`,
  '--out-extension:.js=.mjs', '--log-level=warning'], { stdio: 'inherit' });

// CSV with quoted fields (village names may hold commas).
function rows(file) {
  const lines = readFileSync(join(modules, 'idn-area-data/data', file), 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((line) => {
    const fields = [];
    let field = '', quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) { fields.push(field); field = ''; }
      else field += c;
    }
    fields.push(field.replace(/\r$/, ''));
    return fields;
  });
}

mkdirSync(regions, { recursive: true });
const children = new Map([['index', []]]);
const add = (parent, code, name) => {
  if (!children.has(parent)) children.set(parent, []);
  children.get(parent).push({ code, name });
};
for (const [code, name] of rows('provinces.csv')) add('index', code, name);
for (const [code, parent, name] of rows('regencies.csv')) add(parent, code, name);
for (const [code, parent, name] of rows('districts.csv')) add(parent, code, name);
for (const [code, parent, name] of rows('villages.csv')) add(parent, code, name);
for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name, 'id'));
// Every province's regencies in one file (each request costs its headers, about 0.6 KB on a slow
// link: 38 small files cost more in headers than in lists); the deeper levels a file per parent.
const provinces = new Set(children.get('index').map((p) => p.code));
writeFileSync(join(regions, 'regencies.json'), JSON.stringify(Object.fromEntries([...provinces].map((code) => [code, children.get(code) ?? []]))));
for (const [parent, list] of children) {
  if (!provinces.has(parent)) writeFileSync(join(regions, `${parent}.json`), JSON.stringify(list));
}

// Content-hashed copies of what the rules worker loads, which the server lets a browser keep for a
// year without asking again (on a slow link each revalidation is a round trip, and the worker finds
// its modules one after another). Leaves first: each copy's references to the files hashed before
// it are rewritten, then it is hashed; the plain names stay for Node (tests, benchmarks).
const hashed = new Map();  // '/js/worker.mjs' -> '/js/worker.0123456789.mjs'
for (const name of readdirSync(join(out, 'js'))) {
  if (/\.[0-9a-f]{10}\.(mjs|wasm|bin)(\.gz|\.br)?$/.test(name)) rmSync(join(out, 'js', name));  // an earlier build's
}
const renamed = (text) => [...hashed].reduce((t, [from, to]) => t.split(basename(from)).join(basename(to)), text);
for (const path of ['/js/daftar-rules.wasm', '/js/daftar-seal.wasm', '/js/daftar-villages.bin', '/js/daftar-rules.mjs',
  '/js/daftar-seal.mjs', '/js/daftar-core.mjs', '/js/worker.mjs']) {
  const bytes = /\.(wasm|bin)$/.test(path) ? readFileSync(join(out, path)) : Buffer.from(renamed(readFileSync(join(out, path), 'utf8')));
  const target = path.replace(/\.(\w+)$/, `.${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}.$1`);
  writeFileSync(join(out, target), bytes);
  hashed.set(path, target);
}
// The page starts the worker and preloads its modules by their hashed names.
for (const path of ['/js/core-client.mjs', '/index.html']) writeFileSync(join(out, path), renamed(readFileSync(join(out, path), 'utf8')));

// The app shell: everything a first visit needs to work offline afterwards (regions are cached
// as they are opened; the sealing module is fetched after the page is ready). The member's pages
// (member.mjs) are not in it: signing in needs a signal, and the page is kept once it is opened.
const shell = ['/', '/css/app.css', '/js/app.mjs', '/js/i18n.mjs', '/js/store.mjs', '/js/core-client.mjs',
  '/js/worker.mjs', '/js/tus.mjs', '/js/outbox.mjs', '/js/dom.mjs', '/js/regions.mjs', '/js/daftar-core.mjs', '/js/daftar-rules.mjs', '/js/daftar-rules.wasm',
  '/js/daftar-villages.bin', '/js/daftar-seal.mjs', '/js/daftar-seal.wasm', '/js/vendor/qrcode.mjs', '/manifest.webmanifest', '/icon.svg',
  // Provinces and their regencies (8 KB): deeper levels are kept as they are opened.
  '/regions/index.json', '/regions/regencies.json'].map((path) => hashed.get(path) ?? path);
const hash = createHash('sha256');
for (const path of [...shell.filter((p) => p !== '/'), '/index.html', '/sw.js', '/sw.mjs']) hash.update(readFileSync(join(out, path)));
const version = hash.digest('hex').slice(0, 16);
const sw = readFileSync(join(out, 'sw.js'), 'utf8')
  .replace('__VERSION__', version)
  .replace('__SHELL__', JSON.stringify(shell));
writeFileSync(join(out, 'sw.js'), sw);
execFileSync('esbuild', [join(out, 'sw.js'), '--minify', '--allow-overwrite', `--outfile=${join(out, 'sw.js')}`, '--log-level=warning']);
writeFileSync(join(out, 'sw.mjs'), readFileSync(join(out, 'sw.mjs'), 'utf8').replace('__VERSION__', version));
console.log(`web: ${children.size} region files, shell of ${shell.length} files`);

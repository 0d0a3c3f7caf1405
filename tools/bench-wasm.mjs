// Measures the browser build's budgets and writes them to docs/wasm-budget.md:
//   - gzip -9 sizes of what a first page loads (rules module) and of everything (full module);
//   - a single field check and a 6-member `validate` in the wasm build under Node (median µs);
//   - NIK checks per second, wasm vs the npm package nik-parser, in one run, as a ratio.
// Usage: node tools/bench-wasm.mjs BUILD_WEB_DIR OUT.md   (or: make bench-wasm)
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import os from 'node:os';

const [web, out] = process.argv.slice(2).map((p) => resolve(p));
const require = createRequire(import.meta.url);
const { nikParser } = require('nik-parser');
const { load } = await import(pathToFileURL(join(web, 'js/daftar-core.mjs')));
const core = await load();

const gz = (file) => gzipSync(readFileSync(join(web, 'js', file)), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1);

function medianMicros(fn, rounds = 2000) {
  for (let i = 0; i < 200; i++) fn();
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function perSecond(fn, ms = 1500) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 100; i++, n++) fn(i);
  return n / (ms / 1000);
}

const family = JSON.parse(readFileSync(new URL('../examples/family.json', import.meta.url), 'utf8'));
family.members.push(
  { nik: '3204112207170003', name: 'Dewi Santoso', birth_date: '2017-07-22', sex: 'M', relationship: 'child', marital_status: 'single' },
  { nik: '3204114103560001', name: 'Sri Wahyuni', birth_date: '1956-03-01', sex: 'F', relationship: 'parent', marital_status: 'widowed' });
family.documents.push({ kind: 'ktp', member: 5, media_type: 'image/jpeg', size: 90000, blake2b: 'c'.repeat(64) });
const check = core.validate(family, '2026-11-23');
if (!check.valid) throw new Error(JSON.stringify(check.errors));

const niks = Array.from({ length: 100 }, (_, i) => `320411${String((i % 28) + 1).padStart(2, '0')}0997${String(i + 1).padStart(4, '0')}`);
// Both sides answer the same question: is this NIK valid, and what are its parts.
const ours = perSecond((i) => core.call('check-nik', { nik: niks[i], today: '2026-11-23' }).valid);
const theirs = perSecond((i) => { const p = nikParser(niks[i]); return p.isValid() && p.lahir() && p.kelamin(); });

const rules = gz('daftar-rules.wasm'), seal = gz('daftar-seal.wasm');
const js = gz('daftar-rules.mjs') + gz('daftar-core.mjs'), sealJs = gz('daftar-seal.mjs');
const rows = [
  ['first page (instant checks): daftar-rules.wasm', `${kb(rules)} KB`, '80 KB'],
  ['  + its JS (glue and loader)', `${kb(js)} KB`, ''],
  ['sealing and document checks, loaded beside it: daftar-seal.wasm', `${kb(seal)} KB`, ''],
  ['  + its JS (glue)', `${kb(sealJs)} KB`, ''],
  ['all wasm together', `${kb(rules + seal)} KB`, '130 KB'],
];
const field = medianMicros(() => core.call('check-nik', { nik: '3204114609970001', today: '2026-11-23' }));
const validate = medianMicros(() => core.call('validate', { application: family, today: '2026-11-23' }), 1000);

const text = `# WebAssembly budgets (measured)

Produced by \`make bench-wasm\` (\`node tools/bench-wasm.mjs build/web docs/wasm-budget.md\`) on
${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.version}.
This machine is shared and noisy: compare the ratio, not single figures.

## Size (gzip -9)
| what | measured | goal |
|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

The rules module holds the region table (about 20 KB gzip: 83 762 villages, 7 808 districts),
nlohmann_json's parser and printer (about 37 KB, including the printf family its error path pulls
in), the messages in two languages and the rules themselves. The full module adds libsodium
(sealing, BLAKE2b) and the package format. A page loads the rules module first and the full one
when the user reaches the documents step.

## Speed (wasm under Node, median of repeated calls, JSON in and out included)
| what | median |
|---|---|
| one field check (\`check-nik\`) | ${field.toFixed(1)} µs |
| a 6-member family (\`validate\`) | ${validate.toFixed(1)} µs |

## NIK checks per second, side by side
| implementation | checks/s |
|---|---|
| Daftar (wasm, full answer as JSON) | ${Math.round(ours).toLocaleString('en')} |
| npm nik-parser 1.0.1 (JavaScript) | ${Math.round(theirs).toLocaleString('en')} |
| ratio Daftar / nik-parser | ${(ours / theirs).toFixed(2)} |

nik-parser checks length and region codes and parses the date; Daftar also checks the date is
real, the century, the serial, and writes a bilingual JSON answer.
`;
writeFileSync(out, text);
console.log(text);

// What the server benchmarks share: unique families sealed in-process, and a load generator.
import http from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { jpeg } from '../tests/support/files.mjs';

// Unique one-adult families (NIK serial and birth date vary), sealed in-process by the wasm build
// `core`, from the application `family` (with `more` fields, e.g. consent). The array's `people`
// holds each head's NIK and birth date, for a population registry that knows them.
let nextFamily = 0;
export function sealOneAdultFamilies(core, family, count, intakeKey, documentBytes, more = {}) {
  const kk = jpeg(1600, 1200, { bulk: documentBytes });
  const ktp = jpeg(1024, 640, { bulk: 2000 });
  const hash = (b) => core.call('blake2b', {}, b).blake2b;
  const kkHash = hash(kk), ktpHash = hash(ktp);
  const out = [];
  out.people = [];
  for (let i = 0; i < count; i++, nextFamily++) {
    const day = (nextFamily % 28) + 1, month = (Math.floor(nextFamily / 28) % 12) + 1, serial = Math.floor(nextFamily / 336) + 1;
    const dd = String(day).padStart(2, '0'), mm = String(month).padStart(2, '0');
    const app = { ...family, ...more, members: [{ nik: `320411${dd}${mm}85${String(serial).padStart(4, '0')}`, name: 'Budi Santoso', birth_date: `1985-${mm}-${dd}`, sex: 'M', relationship: 'head', marital_status: 'single' }],
      documents: [{ kind: 'kk', member: null, media_type: 'image/jpeg', size: kk.length, blake2b: kkHash }, { kind: 'ktp', member: 0, media_type: 'image/jpeg', size: ktp.length, blake2b: ktpHash }] };
    out.people.push({ nik: app.members[0].nik, birth_date: app.members[0].birth_date });
    let s = core.call('seal-start', { public_key: intakeKey, application: app });
    const parts = [s.bytes];
    for (const d of [kk, ktp]) { s = core.call('seal-add', { state: s.state, last: true }, d); parts.push(s.bytes); }
    parts.push(core.call('seal-finish', { state: s.state }).bytes);
    out.push(Buffer.concat(parts));
  }
  return out;
}

// Sends every package with `connections` requests in flight; rate, latencies, statuses.
export async function load_(host, packages, connections) {
  const [hostname, port] = host.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const statuses = {};
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < packages.length) {
      const body = packages[next++];
      const t = performance.now();
      const status = await new Promise((ok) => {
        const req = http.request({ hostname, port, path: '/api/v1/registrations', method: 'POST', agent,
          headers: { 'Content-Type': 'application/vnd.daftar.package', 'Content-Length': body.length } }, (res) => { res.resume(); res.on('end', () => ok(res.statusCode)); });
        req.on('error', () => ok(0));
        req.end(body);
      });
      latencies.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: packages.length / seconds, p50: at(0.5), p99: at(0.99), statuses, bytes: packages.reduce((a, p) => a + p.length, 0), seconds };
}


// Replaces the section between `<!-- NAME: … -->` and `<!-- /NAME -->` in the report `out` (or
// adds it at the end), keeping every other section as it is.
export function writeSection(out, name, section) {
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n';
  const kept = previous.replace(new RegExp(`<!-- ${name}:[\\s\\S]*<!-- \\/${name} -->\\n?`), '');
  writeFileSync(out, `${kept.trimEnd()}\n\n${section}`);
}

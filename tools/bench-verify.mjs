// The population registry check under load (make bench-verify): registrations/s while every
// family is compared with a registry (`daftar registry-sim`) that answers in 50 ms and in 2 s, how
// long until all of them are verified, and one family's time from "accepted" to "verified".
// Writes the "Population registry" section of docs/BENCHMARKS.md. A benchmark: it reports, it
// never fails a build.
// Usage: node tools/bench-verify.mjs BUILD OUT
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sealOneAdultFamilies, load_, writeSection } from './bench-lib.mjs';

const [build, out] = process.argv.slice(2).map((p) => resolve(p));
const root = new URL('..', import.meta.url).pathname;
const bin = join(build, 'bin/daftar');
const { load } = await import(pathToFileURL(join(build, 'web/js/daftar-core.mjs')));
const core = await load();
const family = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));
const dir = mkdtempSync(join(os.tmpdir(), 'daftar-bench-verify-'));
const log = (...a) => console.error('bench-verify:', ...a);
const fmt = (n) => Math.round(n).toLocaleString('en');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function started(args, pattern) {
  const child = spawn(bin, args);
  return new Promise((ok, fail) => {
    let text = '';
    child.stdout.on('data', (d) => { text += d; const m = text.match(pattern); if (m) ok({ child, host: m[1] }); });
    child.on('exit', (code) => fail(new Error(`${args[0]} exited ${code}: ${text}`)));
  });
}
const stop = (p) => new Promise((ok) => { p.child.removeAllListeners('exit'); p.child.on('exit', ok); p.child.kill('SIGTERM'); });

async function verifiedCount(host) {
  const metrics = await (await fetch(`http://${host}/metrics`)).text();
  return Number(metrics.match(/daftar_registrations\{status="verified"\} (\d+)/)?.[1] ?? 0);
}

const consent = { consent: { given_at: new Date().toISOString(), text_version: '1' } };
const runs = [];
for (const [latency, count] of [[50, 1200], [2000, 240]]) {
  log(`registry answering in ${latency} ms, ${count} families`);
  const name = `latency-${latency}`;
  // The intake key is the server's: start it once to make its keys, then seal for it.
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({
    limits: { registrations_per_minute: 1e9, lookups_per_minute: 1e9, max_connections: 4096, max_connections_per_client: 4096 },
    population_registry: { url: 'http://127.0.0.1:9', concurrency: 8, timeout_ms: 10000 } }));
  const serveArgs = ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, name), '--config', join(dir, `${name}.json`)];
  const first = await started(serveArgs, /serving on http:\/\/([^/\s]+)/);
  const key = (await (await fetch(`http://${first.host}/api/v1/config`)).json()).keys.intake;
  await stop(first);
  const packages = sealOneAdultFamilies(core, family, count + 20, key, 2000, consent);
  const csv = ['nik,kk_number,name,birth_date,sex', ...packages.people.map((p) => `${p.nik},3204112203180004,BUDI SANTOSO,${p.birth_date},M`)];
  writeFileSync(join(dir, `${name}.csv`), csv.join('\n') + '\n');
  const sim = await started(['registry-sim', '--data', join(dir, `${name}.csv`), '--listen', '127.0.0.1:0', '--latency-ms', String(latency)],
    /serving on http:\/\/([^/\s]+)/);
  const config = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  config.population_registry.url = `http://${sim.host}`;
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
  const server = await started(serveArgs, /serving on http:\/\/([^/\s]+)/);

  const t0 = performance.now();
  const accepted = await load_(server.host, packages.slice(0, count), 64);
  while ((await verifiedCount(server.host)) < count && performance.now() - t0 < 900000) await sleep(100);
  const allVerified = (performance.now() - t0) / 1000;
  // One family at a time, on an idle server: accepted, then verified.
  const single = [];
  for (const body of packages.slice(count)) {
    const r = await (await fetch(`http://${server.host}/api/v1/registrations`, { method: 'POST', body,
      headers: { 'Content-Type': 'application/vnd.daftar.package' } })).json();
    const t = performance.now();
    for (;;) {
      const s = await (await fetch(`http://${server.host}/api/v1/registrations/${r.reference}`, { headers: { Authorization: `Bearer ${r.access_token}` } })).json();
      if (s.status !== 'verifying') break;
      await sleep(5);
    }
    single.push(performance.now() - t);
  }
  single.sort((a, b) => a - b);
  runs.push({ latency, count, accepted, allVerified, verifiedPerSecond: count / allVerified, singleP50: single[10], singleMax: single.at(-1),
    verified: await verifiedCount(server.host) });
  await stop(server);
  await stop(sim);
}

const row = (cells) => `| ${cells.join(' | ')} |`;
const section = `<!-- verify: written by make bench-verify (tools/bench-verify.mjs) -->
## Population registry

Each family (one adult) is compared with \`daftar registry-sim\` answering every call after a fixed
delay; the server runs 8 verification workers (\`concurrency\`), 64 registrations in flight, one run
on this shared 2-core machine (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores).
"Accepted" is the \`201\` (durably stored, \`verifying\`); "all verified" is from the first
registration sent to the last one verified.

| registry answers in | families | accepted/s | accept p50 / p99 (ms) | all verified after | verified/s | one family: accepted → verified p50 / max (ms) |
|---|---|---|---|---|---|---|
${runs.map((r) => row([`${r.latency} ms`, fmt(r.count), fmt(r.accepted.rps), `${r.accepted.p50.toFixed(0)} / ${r.accepted.p99.toFixed(0)}`,
    `${r.allVerified.toFixed(1)} s`, r.verifiedPerSecond.toFixed(1), `${r.singleP50.toFixed(0)} / ${r.singleMax.toFixed(0)}`])).join('\n')}

Accepting does not wait for the registry: the acceptance rate is the server's own. Verification
is bounded by the workers: at most \`concurrency\` / latency calls a second (8 / 2 s = 4/s), which
is what the slow row shows: a slower registry needs more workers (`concurrency`, or more servers).
<!-- /verify -->
`;
writeSection(out, 'verify', section);
console.log(section);
process.exit(0);

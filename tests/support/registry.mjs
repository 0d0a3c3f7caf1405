// The population registry simulator (`daftar registry-sim`) as the tests start it, from a CSV of
// the people they register; and operator accounts made as an operator would (`daftar operator
// add`, the set-up link, a password), signed in over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, family, databaseArgs } from './server.mjs';

// The people of family(n) for each n, as the population registry knows them.
export function population(ns, edit = (row) => row) {
  const lines = ['nik,kk_number,name,birth_date,sex'];
  for (const n of ns) {
    const app = family(n);
    const kk = app.kk_number.replace(/\D/g, '');
    for (const m of app.members) {
      const row = edit({ nik: m.nik.replace(/\D/g, ''), kk_number: kk, name: m.name.toUpperCase().replace(/\s+/g, ' ').trim(),
        birth_date: m.birth_date, sex: m.sex }, n);
      if (row) lines.push([row.nik, row.kk_number, `"${row.name}"`, row.birth_date, row.sex].join(','));
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'daftar-people-')), 'people.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// Starts the simulator on `port` (0: any); resolves to { url, port, stop() }.
export function startRegistrySim(csv, { port = 0, args = [] } = {}) {
  const child = spawn(bin, ['registry-sim', '--data', csv, '--listen', `127.0.0.1:${port}`, ...args]);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving on (https?:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        resolve({ url: m[1], port: Number(m[2]), child,
          stop: () => new Promise((done) => { if (child.exitCode !== null) return done(); child.on('exit', done); child.kill('SIGKILL'); }) });
      }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`registry-sim exited ${code}: ${out}`)));
  });
}

// The registry part of a server config: quick retries and short leases, so that the tests see a
// recovery or a take-over in seconds.
export function registryConfig(url, more = {}) {
  return { population_registry: { url, timeout_ms: 2000, concurrency: 4, retry_base_seconds: 1, retry_max_seconds: 3,
    breaker_failures: 3, breaker_open_seconds: 2, lease_seconds: 4, ...more } };
}

export const consent = () => ({ given_at: new Date().toISOString(), text_version: '1' });

export const PASSWORD = 'a long operator passphrase';

// `daftar operator add` on the server's store, the set-up link followed, then signed in.
export async function operator(server, name, role) {
  const added = spawnSync(bin, ['operator', 'add', name, '--role', role, '--data-dir', server.dataDir, ...databaseArgs(server.dir),
    '--url', server.url], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`operator add: ${added.stdout}${added.stderr}`);
  const link = JSON.parse(added.stdout).setup_link;
  const token = link.split('#setup=')[1];
  const setup = await fetch(`${server.url}/api/v1/operator/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, password: PASSWORD }) });
  if (setup.status !== 200) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  return signIn(server, name);
}

export async function signIn(server, name, password = PASSWORD) {
  const r = await fetch(`${server.url}/api/v1/operator/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }) });
  const body = await r.json();
  if (r.status !== 200) return { status: r.status, body };
  const call = async (method, path, json) => {
    const res = await fetch(`${server.url}/api/v1/operator${path}`, { method,
      headers: { Authorization: `Bearer ${body.session}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
  };
  return { status: 200, name, session: body.session, csrf: body.csrf, cookie: r.headers.get('set-cookie'), call };
}

// Polls the registration's status until it leaves `verifying` (or `seconds` pass).
export async function settled(server, reference, token, seconds = 60) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const r = await fetch(`${server.url}/api/v1/registrations/${reference}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = await r.json();
    if (body.status !== 'verifying' || Date.now() > until) return body;
    await new Promise((done) => setTimeout(done, 100));
  }
}

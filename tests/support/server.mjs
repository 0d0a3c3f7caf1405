// A real `daftar serve` on loopback for the tests: its own data folder, config and web root,
// started and stopped like an operator would. Plus the HTTP helpers the tests share.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jpeg, pdf } from './files.mjs';
import { startCluster } from './postgres.mjs';

export const bin = process.env.DAFTAR_BIN;
export const root = process.env.DAFTAR_SOURCE_DIR;
export const BANK = { id: 'BANKX', secret: '6f1c0b9e2d4a7385c1e0f9a2b7d4c6e85a3f0d2c9b1e7a4f6c8d0e2b4a6c8e0f' };

// The store every server of this run uses: SQLite (the default) or, with DAFTAR_STORE=postgresql,
// a private PostgreSQL cluster started on first use, a database per server folder.
export const store = process.env.DAFTAR_STORE === 'postgresql' ? 'postgresql' : 'sqlite';
let cluster;
export function postgres() {
  if (!cluster) {
    cluster = startCluster();
    process.on('exit', () => cluster.stop());
  }
  return cluster;
}

// `daftar serve` options naming the store for the server whose folder is `dir` (a restart in the
// same folder finds the same database).
export function databaseArgs(dir) {
  if (store === 'sqlite') return [];
  const saved = join(dir, 'database-url');
  if (!existsSync(saved)) writeFileSync(saved, postgres().createDatabase());
  return ['--database', readFileSync(saved, 'utf8')];
}

// Shared rate limits count per clock minute (PostgreSQL): a test that must see a limit reached
// starts early enough in a minute to stay inside it.
export async function startOfAMinute() {
  const intoMinute = Date.now() % 60000;
  if (intoMinute > 45000) await new Promise((r) => setTimeout(r, 60000 - intoMinute + 100));
}

// One SQL statement on a stopped server's store (the tests' look under the hood); rows as lines,
// columns separated by |.
export function sql(server, statement) {
  if (store === 'sqlite') return spawnSync('sqlite3', [join(server.dataDir, 'daftar.db'), statement], { encoding: 'utf8' }).stdout;
  return postgres().sql(readFileSync(join(server.dir, 'database-url'), 'utf8'), statement);
}

// `dir` reuses an earlier server's folder (a restart); `args` are more `daftar serve` options;
// `env` more environment (a faked clock, say); `database` a store of the test's choosing. A `banks`
// of null in `config` configures none.
export async function startServer(config = {}, { webRoot, dir: reuse, args: more = [], env = {}, database } = {}) {
  const dir = reuse ?? mkdtempSync(join(tmpdir(), 'daftar-server-'));
  const full = {
    banks: { [BANK.id]: BANK.secret },
    payment_window: { earliest_days: 0, latest_days: 30 },
    ...config,
    limits: { registrations_per_minute: 100000, lookups_per_minute: 100000, uploads_per_minute: 100000, ...(config.limits ?? {}) },
  };
  if (full.banks === null) delete full.banks;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(full));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--config', join(dir, 'config.json'),
    ...(database ? ['--database', database] : databaseArgs(dir)), ...more];
  if (webRoot) args.push('--web-root', webRoot);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const m = output.match(/serving on (http:\/\/[^/\s]+)/);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error(`daftar serve exited ${code}: ${output}`)));
  });
  const config_ = await (await fetch(`${url}/api/v1/config`)).json();
  writeFileSync(join(dir, 'intake.pk'), Buffer.from(config_.keys.intake, 'base64'));
  return {
    url, dir, child, config: config_, dataDir: join(dir, 'var'),
    output: () => output,  // what it printed so far, stdout and stderr
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    },
  };
}

// A family of two adults whose NIKs carry `n` as their serial: distinct families for distinct n.
export function family(n, extra = {}) {
  const app = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));
  const serial = String(n).padStart(4, '0');
  app.members = [
    { ...app.members[0], nik: `320411060987${serial}` },
    { ...app.members[1], nik: `320411451290${serial}` },
  ];
  return { ...app, ...extra };
}

let documents;
function documentFiles() {
  if (documents) return documents;
  const dir = mkdtempSync(join(tmpdir(), 'daftar-docs-'));
  documents = { kk: join(dir, 'kk.jpg'), ktp0: join(dir, 'ktp0.jpg'), ktp1: join(dir, 'ktp1.pdf') };
  writeFileSync(documents.kk, jpeg(1600, 1200, { bulk: 60000 }));
  writeFileSync(documents.ktp0, jpeg(1024, 640));
  writeFileSync(documents.ktp1, pdf());
  return documents;
}

// Seals `application` for `server` with the CLI; returns the package bytes. `extra` adds documents
// as "KIND:MEMBER" (a PDF each).
export function seal(server, application, { allowInvalid = false, extra = [] } = {}) {
  const docs = documentFiles();
  const app = join(server.dir, `app-${Math.random().toString(36).slice(2)}.json`);
  const out = `${app}.daftar`;
  writeFileSync(app, JSON.stringify(application));
  const args = ['seal', '--key', join(server.dir, 'intake.pk'), '--application', app,
    '--document', `kk::${docs.kk}`, '--document', `ktp:0:${docs.ktp0}`, '--document', `ktp:1:${docs.ktp1}`, '--out', out,
    ...extra.flatMap((kindAndMember) => ['--document', `${kindAndMember}:${docs.ktp1}`])];
  if (allowInvalid) args.push('--allow-invalid');
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`seal failed: ${r.stdout}${r.stderr}`);
  return readFileSync(out);
}

// Seals a member's change (schema "daftar.change/1") with its documents, each "KIND:" (a JPEG
// photo of a page; the server's rules say which kinds the change needs).
export function sealChange(server, manifest, kinds) {
  const page = documentFiles().kk;
  const file = join(server.dir, `change-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ schema: 'daftar.change/1', ...manifest }));
  const r = spawnSync(bin, ['seal', '--key', join(server.dir, 'intake.pk'), '--application', file, '--out', `${file}.daftar`,
    ...kinds.flatMap((kind) => ['--document', `${kind}:${page}`])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`seal failed: ${r.stdout}${r.stderr}`);
  return readFileSync(`${file}.daftar`);
}

export async function register(server, packageBytes, headers = {}) {
  const res = await fetch(`${server.url}/api/v1/registrations`, {
    method: 'POST', body: packageBytes, headers: { 'Content-Type': 'application/vnd.daftar.package', ...headers },
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

// A bank call's headers as docs/api.md specifies them: a fresh nonce and the current time, signed
// with the body. Any part can be given to build a replay or a stale call.
export function bankHeaders(text, { secret = BANK.secret, id = BANK.id, timestamp, nonce } = {}) {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const n = nonce ?? randomBytes(16).toString('hex');
  const signature = createHmac('sha256', secret).update(`${ts}.${n}.${text}`).digest('hex');
  return { 'Content-Type': 'application/json', 'X-Bank-Id': id, 'X-Timestamp': ts, 'X-Nonce': n, 'X-Signature': signature };
}

export async function bank(server, what, body, options = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${server.url}/api/v1/va/${what}`, { method: 'POST', body: text, headers: bankHeaders(text, options) });
  return { status: res.status, body: await res.json() };
}

export async function status(server, reference, token) {
  const res = await fetch(`${server.url}/api/v1/registrations/${reference}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

export const today = () => {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

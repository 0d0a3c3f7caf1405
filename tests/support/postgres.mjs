// A private PostgreSQL 15 cluster for the tests: initdb and pg_ctl as the `postgres` user (initdb
// refuses root), in a temporary folder, listening on a Unix socket only, removed afterwards. One
// cluster serves a whole test file; each server gets a database of its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

function run(tool, args, { check = true } = {}) {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { encoding: 'utf8' })
    : spawnSync(join(BIN, tool), args, { encoding: 'utf8' });
  if (check && r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r;
}

export function startCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-pg-'));
  chmodSync(dir, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // Durable as in production (fsync stays on); more connections than the default for several
  // servers, each with its pool.
  run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o',
    `-k ${dir} -p ${port} -c listen_addresses='' -c max_connections=300`, 'start']);
  let databases = 0;
  return {
    dir, port,
    url: (name) => `postgresql:///${name}?host=${dir}&port=${port}&user=postgres`,
    // A new, empty database; its connection string.
    createDatabase() {
      const name = `daftar_${process.pid}_${++databases}`;
      run('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', name]);
      return this.url(name);
    },
    // psql with one statement; its output, unaligned.
    sql(url, statement) {
      return run('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement]).stdout;
    },
    stop() {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop'], { check: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
    // The primary's loss: stopped at once, as a crash would (its files stay for stop()).
    kill() {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop'], { check: false });
    },
    // A streaming standby of this cluster, in its own folder and socket, and every commit on the
    // primary waiting for it (synchronous_standby_names): what is acknowledged is on both.
    startStandby() {
      const standby = mkdtempSync(join(tmpdir(), 'daftar-pg-standby-'));
      chmodSync(standby, 0o777);
      const standbyPort = port + 1;
      run('pg_basebackup', ['-h', dir, '-p', String(port), '-U', 'postgres', '-D', join(standby, 'data'), '-R', '-X', 'stream', '--checkpoint=fast']);
      run('pg_ctl', ['-D', join(standby, 'data'), '-l', join(standby, 'log'), '-w', '-o',
        `-k ${standby} -p ${standbyPort} -c listen_addresses='' -c max_connections=300`, 'start']);
      this.sql(this.url('postgres'), "ALTER SYSTEM SET synchronous_standby_names = '*'");
      this.sql(this.url('postgres'), 'SELECT pg_reload_conf()');
      return {
        dir: standby, port: standbyPort,
        promote: () => run('pg_ctl', ['-D', join(standby, 'data'), '-w', 'promote']),
        stop: () => {
          run('pg_ctl', ['-D', join(standby, 'data'), '-m', 'immediate', 'stop'], { check: false });
          rmSync(standby, { recursive: true, force: true });
        },
      };
    },
    stop() {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop'], { check: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

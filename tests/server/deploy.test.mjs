// The shipped deployment, as an operator installs it: the systemd unit's sandbox scored by
// `systemd-analyze security --offline=yes` (goal: 2.5 or below), and the database string read from
// a credential file rather than the command line, where every user of the machine can read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, root } from '../support/server.mjs';

test('deploy/daftar@.service: sandboxed, exposure 2.5 or below', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-unit-'));
  copyFileSync(join(root, 'deploy/daftar@.service'), join(dir, 'daftar@.service'));
  const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', join(dir, 'daftar@.service')], { encoding: 'utf8' });
  const score = Number(r.stdout.match(/Overall exposure level for daftar@[^:]*: ([\d.]+)/)?.[1]);
  assert.ok(score <= 2.5, `exposure ${score}:\n${r.stdout}${r.stderr}`);
  const unit = readFileSync(join(dir, 'daftar@.service'), 'utf8');
  for (const line of ['LoadCredential=database:', '--database-file ${CREDENTIALS_DIRECTORY}/database', 'CapabilityBoundingSet=\n',
    'SystemCallFilter=@system-service', 'MemoryDenyWriteExecute=yes', 'ProtectSystem=strict']) {
    assert.ok(unit.includes(line), line);
  }
});

test('serve --database-file: the database string comes from a file, not the command line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-credential-'));
  const credential = join(dir, 'database');
  writeFileSync(credential, `sqlite:${join(dir, 'daftar.db')}\n`, { mode: 0o600 });
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--database-file', credential], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { output += d; const m = output.match(/serving on (http:\/\/[^/\s]+)/); if (m) resolve(m[1]); });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  const missing = spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--database-file', join(dir, 'absent')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read --database-file/);
});

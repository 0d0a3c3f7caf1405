// `daftar serve --clock-file`: the server's calendar from a file, so tests and demos move through
// months: registration days, payment windows and expiry follow the file; a file without a date
// stops the server with a message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, family, seal, register, status, bank, bin } from '../support/server.mjs';

const clock = join(mkdtempSync(join(tmpdir(), 'daftar-clock-')), 'today');
writeFileSync(clock, '2026-01-15\n');
let server = await startServer({}, { args: ['--clock-file', clock] });
after(() => server.stop());

test('registration days, windows and expiry follow the clock file', async () => {
  const paid = await register(server, seal(server, family(1)));
  const unpaid = await register(server, seal(server, family(2)));
  const s = (await status(server, paid.body.reference, paid.body.access_token)).body;
  assert.equal(s.registered, '2026-01-15');
  assert.deepEqual([s.bill.earliest, s.bill.latest], ['2026-01-15', '2026-02-14']);
  const pay = await bank(server, 'payment', { va: s.bill.va, amount: s.bill.amount, bank_ref: 'CLK-1', paid_at: '2026-01-20T09:00:00+07:00' });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));

  // A month and more later (the file moves; the server restarts, which runs the expiry sweep).
  writeFileSync(clock, '2026-02-20\n');
  await server.stop();
  server = await startServer({}, { dir: server.dir, args: ['--clock-file', clock] });
  assert.equal((await status(server, unpaid.body.reference, unpaid.body.access_token)).body.status, 'expired');
  assert.equal((await status(server, paid.body.reference, paid.body.access_token)).body.status, 'active');
  const later = await register(server, seal(server, family(3)));
  assert.equal((await status(server, later.body.reference, later.body.access_token)).body.registered, '2026-02-20');
});

test('a clock file without a date stops the server with a message', () => {
  writeFileSync(join(server.dir, 'bad-clock'), 'soon');
  const r = spawnSync(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(server.dir, 'other'), '--clock-file', join(server.dir, 'bad-clock')],
    { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--clock-file .* must hold a date, YYYY-MM-DD/);
});

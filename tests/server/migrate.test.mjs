// Moving a running office from SQLite to PostgreSQL: `daftar migrate --from sqlite:… --to …`
// copies everything while the SQLite server still runs; a server on PostgreSQL with the same keys
// then serves the same registrations, cards and audit chain, and carries on numbering.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, family, seal, register, bank, status, bin, postgres } from '../support/server.mjs';

test('an office moves from SQLite to PostgreSQL and carries on', async () => {
  const sqlitePath = `sqlite:${join(tmpdir(), `daftar-migrate-${process.pid}.db`)}`;
  const office = await startServer({}, { database: sqlitePath });
  after(() => office.stop());
  const families = [];
  for (const n of [1, 2, 3]) {
    const reg = await register(office, seal(office, family(9500 + n)));
    assert.equal(reg.status, 201);
    const s = await status(office, reg.body.reference, reg.body.access_token);
    if (n !== 3) {
      const paid = await bank(office, 'payment', { va: s.body.bill.va, amount: s.body.bill.amount, bank_ref: `move-${n}`, paid_at: new Date().toISOString() });
      assert.equal(paid.status, 200);
    }
    families.push({ ...reg.body, cards: s.body.members.map((m) => m.card_number) });
  }
  const target = postgres().createDatabase();
  const copied = spawnSync(bin, ['migrate', '--from', sqlitePath, '--to', target], { encoding: 'utf8' });
  assert.equal(copied.status, 0, copied.stdout + copied.stderr);
  assert.ok(JSON.parse(copied.stdout).rows > 10);
  // Into a database that is not empty: refused, nothing copied.
  const again = spawnSync(bin, ['migrate', '--from', sqlitePath, '--to', target], { encoding: 'utf8' });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds registrations/);

  const moved = await startServer({}, { database: target, args: ['--keys-dir', join(office.dataDir, 'keys')] });
  after(() => moved.stop());
  for (const f of families) {
    const s = await status(moved, f.reference, f.access_token);
    assert.equal(s.status, 200);
    assert.deepEqual(s.body.members.map((m) => m.card_number), f.cards);
  }
  assert.equal((await status(moved, families[0].reference, families[0].access_token)).body.status, 'active');
  // The third family pays on the new server; its NIKs are still known; numbering continues.
  const third = await status(moved, families[2].reference, families[2].access_token);
  const paid = await bank(moved, 'payment', { va: third.body.bill.va, amount: third.body.bill.amount, bank_ref: 'move-3', paid_at: new Date().toISOString() });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  assert.equal((await register(moved, seal(moved, family(9501)))).status, 409);
  const fresh = await register(moved, seal(moved, family(9600)));
  assert.equal(fresh.status, 201);
  const freshCards = (await status(moved, fresh.body.reference, fresh.body.access_token)).body.members.map((m) => m.card_number);
  assert.ok(freshCards.every((c) => !families.some((f) => f.cards.includes(c))), 'no card number twice');
  await moved.stop();
  const audit = spawnSync(bin, ['audit', 'verify', '--database', target, '--keys-dir', join(office.dataDir, 'keys')], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout);
});

// `daftar registry-sim` speaks docs/population-registry.md from a CSV, with fault injection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bin, root } from '../support/server.mjs';

function startSim(args = []) {
  const child = spawn(bin, ['registry-sim', '--data', join(root, 'examples/population.csv'), '--listen', '127.0.0.1:0', ...args]);
  after(() => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (http:\/\/[^/\s]+)/); if (m) resolve(m[1]); });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`registry-sim exited ${code}: ${out}`)));
  });
}

const consent = { given_at: '2026-11-25T03:00:00Z', text_version: 'consent-1' };
const siti = { request_id: 'r-1', nik: '3204114512900002', kk_number: '3204112203180004', name: 'SITI AMINAH',
  birth_date: '1990-12-05', sex: 'F', purpose: 'jkn-registration', consent };
const verify = async (url, body) => {
  const r = await fetch(`${url}/v1/verify`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: r.status, body: await r.json() };
};

test('match, mismatch with the fields that differ, not found, and malformed requests', async () => {
  const url = await startSim();
  assert.deepEqual((await verify(url, siti)).body,
    { request_id: 'r-1', result: 'match', fields: { kk_number: true, name: true, birth_date: true, sex: true } });
  // Names compare normalized, as Daftar sends them.
  assert.equal((await verify(url, { ...siti, name: '  siti   aminah ' })).body.result, 'match');
  const misspelled = await verify(url, { ...siti, request_id: 'r-2', name: 'SITI AMINA', birth_date: '1990-12-06' });
  assert.deepEqual(misspelled.body, { request_id: 'r-2', result: 'mismatch',
    fields: { kk_number: true, name: false, birth_date: false, sex: true } });
  const unknown = await verify(url, { ...siti, nik: '3204114512900099' });
  assert.equal(unknown.body.result, 'not_found');
  assert.deepEqual(unknown.body.fields, { kk_number: false, name: false, birth_date: false, sex: false });
  const noConsent = await verify(url, { ...siti, consent: undefined });
  assert.deepEqual([noConsent.status, noConsent.body.field], [400, 'consent']);
  assert.equal((await verify(url, { ...siti, nik: 3204114512900002 })).status, 400);
  assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok', people: 4 });
});

test('fault injection: a registry that fails some of the time, or always', async () => {
  const flaky = await startSim(['--fail-rate', '0.5']);
  const statuses = new Set();
  for (let i = 0; i < 60; i++) statuses.add((await verify(flaky, { ...siti, request_id: `f-${i}` })).status);
  assert.deepEqual([...statuses].sort(), [200, 503]);
  const down = await startSim(['--fail-rate', '1', '--latency-ms', '20']);
  for (let i = 0; i < 5; i++) assert.equal((await verify(down, siti)).status, 503);
});

// What a family receives, as the tests see it: a real SMTP server on loopback (Debian's aiosmtpd,
// tests/support/smtp_sink.py) and a small SMS gateway that checks each call's signature, both with
// fault injection ("down for a while"); and the server's sink file.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './server.mjs';

export const jsonLines = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

// Polls `read` until `done(value)` holds (or `seconds` pass); resolves to the last value.
export async function eventually(read, done, seconds = 30) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// resolves to { url, messages(), down(bool), stop() }: messages as accepted, in order.
export function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-smtp-'));
  const out = join(dir, 'mail.jsonl'), fault = join(dir, 'down');
  // Debian's Python, where python3-aiosmtpd is installed (not whatever python3 is first on PATH).
  const child = spawn('/usr/bin/python3', [join(root, 'tests/support/smtp_sink.py'), '--out', out, '--fail-while', fault]);
  let said = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      said += d;
      const m = said.match(/listening on (\d+)/);
      if (m) {
        resolve({
          url: `smtp://127.0.0.1:${m[1]}`,
          messages: () => jsonLines(out),
          down: (yes) => (yes ? writeFileSync(fault, '') : rmSync(fault, { force: true })),
          stop: () => new Promise((done) => { if (child.exitCode !== null) return done(); child.on('exit', done); child.kill(); }),
        });
      }
    });
    child.stderr.on('data', (d) => { said += d; });
    child.on('exit', (code) => reject(new Error(`smtp_sink.py exited ${code}: ${said}`)));
  });
}

// An SMS gateway: accepts calls signed with `secret` (X-Timestamp, X-Nonce, X-Signature as the bank
// calls), answers 401 to others and 503 while down. Resolves to { url, messages, refused, down(bool), stop() }.
export function startGateway(secret) {
  const gateway = { messages: [], refused: 0, isDown: false };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const ts = req.headers['x-timestamp'], nonce = req.headers['x-nonce'];
      const expected = createHmac('sha256', secret).update(`${ts}.${nonce}.${body}`).digest('hex');
      if (req.headers['x-signature'] !== expected) {
        gateway.refused += 1;
        res.writeHead(401).end();
      } else if (gateway.isDown) {
        res.writeHead(503).end();
      } else {
        gateway.messages.push({ ...JSON.parse(body), idempotency_key: req.headers['idempotency-key'], path: req.url });
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":true}');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(gateway, {
    url: `http://127.0.0.1:${server.address().port}/send`,
    down: (yes) => { gateway.isDown = yes; },
    stop: () => new Promise((done) => server.close(done)),
  }))));
}

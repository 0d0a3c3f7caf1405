// Seed corpora for the fuzz harnesses, from tests/cases (dispatcher inputs) and the example family,
// plus documents and requests the harnesses understand. Usage: node tools/fuzz-seeds.mjs DIR
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jpeg, pdf } from '../tests/support/files.mjs';

const out = process.argv[2];
const root = new URL('..', import.meta.url).pathname;
const put = (harness, name, bytes) => {
  mkdirSync(join(out, harness), { recursive: true });
  writeFileSync(join(out, harness, name), bytes);
};
const commands = ['validate', 'quote', 'check-nik', 'check-kk', 'card-next', 'va'];
let n = 0;
for (const file of readdirSync(join(root, 'tests/cases'))) {
  const suite = JSON.parse(readFileSync(join(root, 'tests/cases', file), 'utf8'));
  for (const c of suite.cases) {
    const command = c.command ?? suite.command;
    const index = commands.indexOf(command);
    if (index >= 0) put('validate', `case-${n}`, Buffer.concat([Buffer.from([index]), Buffer.from(JSON.stringify(c.input))]));
    put('json', `case-${n}`, Buffer.concat([Buffer.from([n % 4]), Buffer.from(JSON.stringify(c.input))]));
    for (const [field, selector] of [['nik', 0], ['kk', 1], ['card', 2]]) {
      if (typeof c.input?.[field] === 'string') put('fields', `case-${n}-${field}`, Buffer.concat([Buffer.from([selector]), Buffer.from(c.input[field])]));
    }
    n++;
  }
}
const family = JSON.parse(readFileSync(join(root, 'examples/family.json'), 'utf8'));
[[3, family.contact.phone], [4, family.contact.email], [5, family.members[1].name], [7, family.address.village_code]]
  .forEach(([selector, text], i) => put('fields', `example-${i}`, Buffer.concat([Buffer.from([selector]), Buffer.from(text)])));
put('document', 'jpeg', Buffer.concat([Buffer.from([1]), jpeg(1024, 640, { bulk: 200 })]));
put('document', 'pdf', Buffer.concat([Buffer.from([0]), pdf()]));
put('json', 'invalid-utf8', Buffer.from([0, 0xe2, 0x82, 0x22, 0xed, 0xa0, 0x80, 0x0a, 0xf4, 0x90]));
put('json', 'numbers', Buffer.from('\x00[0,-0,1.5e3,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809,1E-2]'));
put('json', 'overflow', Buffer.from('\x00[1e400]'));
put('json', 'escapes', Buffer.from('\x01\uFEFF{"a\\u00e9\\ud83d\\ude00\\n":"\\/\\b\\f\\r\\t\\"\\\\","a\\u00e9\\ud83d\\ude00\\n":[true,false,null]}'));
put('package', 'flip', Buffer.from([0x10, 0, 0, 1]));
// register: the manifest, a NUL, then the one document every declared entry carries.
const declared = { ...family, documents: [
  { kind: 'kk', member: null, media_type: 'image/jpeg' }, { kind: 'ktp', member: 0, media_type: 'image/jpeg' },
  { kind: 'ktp', member: 1, media_type: 'image/jpeg' }] };
put('register', 'family', Buffer.concat([Buffer.from(JSON.stringify(declared)), Buffer.from([0]), jpeg(1024, 640, { bulk: 200 })]));
put('register', 'wrong-types', Buffer.from(JSON.stringify({ ...declared, documents: [{ kind: 7, member: 'x', media_type: [] }] })));
for (const [i, request] of [
  'GET /healthz\n\n', 'GET /api/v1/config\n\n', 'OPTIONS /api/v1/uploads\n\n',
  'POST /api/v1/uploads\ntus-resumable: 1.0.0\nupload-length: 10\n\n',
  'POST /api/v1/registrations\ncontent-type: application/json\n\n{"upload":"00000000000000000000000000000000"}',
  'POST /api/v1/registrations\ncontent-type: application/vnd.daftar.package\n\nDAFTARPK\x01',
  'POST /api/v1/va/inquiry\nx-bank-id: BANKX\nx-signature: 00\n\n{"va":"1"}',
  'GET /api/v1/operator/queue\nauthorization: Bearer admin-token-for-fuzzing-0123456\n\n',
  'GET /../index.html\n\n', 'GET /registrations/AAAA-BBBB-CCCC\nauthorization: Bearer x\n\n',
].entries()) put('http', `request-${i}`, Buffer.from(request, 'latin1'));
console.log(`fuzz seeds: ${n} cases`);

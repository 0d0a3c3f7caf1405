// Daftar's rules in any JavaScript environment: a page, a Web Worker, or Node.
//
//   import { load } from './daftar-core.mjs';
//   const core = await load();
//   core.call('check-nik', { nik: '3204110609970001' });   // -> the CLI's JSON answer
//
// `call(command, input, bytes)` runs the same dispatcher as the native `daftar` binary on the same
// bytes, so the browser and the server cannot disagree. `input` may be an object or JSON text;
// `bytes` (a Uint8Array) is the payload of the commands that take one (documents, pixels,
// packages), and an answer that carries bytes has them as `.bytes`. Dates the input leaves out are
// the device's local date, as the CLI uses the machine's.
//
// Two modules, neither repeating the other: the rules (the instant checks) and sealing (packages,
// document checks, signatures; libsodium). load() gives both; load({ sealing: false }) the rules
// only, which is what a first page needs, and its loadSealing() adds the other later (until then
// the sealing commands answer api.unknown_command). Each command goes to the module that has it.
//
// The village table (daftar-villages.bin) is not in the rules module, so that the first page's
// checks need not wait for it: load() fetches it beside the module and gives it to the module
// when it arrives (the `load-villages` command). load() waits for it; load({ villages: false })
// does not, and core.villages() says when it is there (until then a village code is checked as
// far as its district).

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';

// A file beside this one: read under Node, fetched elsewhere.
async function readBeside(name) {
  const url = new URL(name, import.meta.url);
  if (isNode) return new Uint8Array(await (await import('node:fs/promises')).readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function instantiate(factory, wasmName) {
  const url = new URL(wasmName, import.meta.url);
  const bytes = isNode ? await readBeside(wasmName) : null;
  const random = new Uint32Array(1);
  return factory({
    // libsodium's randomness: Web Crypto, which pages, workers and Node all have (libsodium's own
    // lookup expects `window` or `self`, which Node lacks).
    getRandomValue() {
      globalThis.crypto.getRandomValues(random);
      return random[0];
    },
    // Instantiate the module ourselves, streaming where the platform can, so the generated glue
    // never needs to find files on its own.
    instantiateWasm(imports, receive) {
      const ready = bytes
        ? WebAssembly.instantiate(bytes, imports)
        : WebAssembly.instantiateStreaming(fetch(url), imports);
      ready.then((result) => receive(result.instance));
      return {};
    },
  });
}

// The device's local date as YYYY-MM-DD, worked out again only when the day is over (it is
// passed with every call, and a Date costs more than a small check).
let todayText = '';
let todayEnds = 0;
function localToday() {
  const now = Date.now();
  if (now >= todayEnds || now < todayEnds - 86400000) {
    const date = new Date(now);
    const pad = (n) => String(n).padStart(2, '0');
    todayText = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
    todayEnds = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
  }
  return todayText;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NO_BYTES = new Uint8Array(0);

// `string` as UTF-8 and a NUL at `at` in `heap` (room for 3 bytes a UTF-16 unit and the NUL):
// where the next string goes.
function put(heap, at, string) {
  const { written } = encoder.encodeInto(string, heap.subarray(at, at + 3 * string.length));
  heap[at + written] = 0;
  return at + written + 1;
}

function bind(module) {
  // One buffer in wasm memory for every call's arguments, grown when a call needs more: a call
  // costs no allocation, and strings are encoded straight into it (no copies in between).
  let scratch = 0;
  let capacity = 0;
  const reserve = (size) => {
    if (size <= capacity) return;
    if (scratch) module._free(scratch);
    capacity = Math.max(size, 2 * capacity, 64 * 1024);
    scratch = module._malloc(capacity);
  };

  function call(command, input = {}, bytes = NO_BYTES) {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const name = String(command);
    const date = localToday();
    reserve(3 * (name.length + text.length + date.length) + 3 + bytes.length);
    const heap = module.HEAPU8;  // after reserve: a grown memory is a new buffer
    const inputAt = put(heap, scratch, name);
    const todayAt = put(heap, inputAt, text);
    const payloadAt = put(heap, todayAt, date);
    heap.set(bytes, payloadAt);
    module._daftar_call(scratch, inputAt, todayAt - inputAt - 1, payloadAt, bytes.length, todayAt);
    // The reply lives in wasm memory until the next call; memory may have grown during this one.
    const body = module._daftar_reply_body();
    const answer = JSON.parse(decoder.decode(module.HEAPU8.subarray(body, body + module._daftar_reply_body_size())));
    const size = module._daftar_reply_payload_size();
    if (size > 0) {
      const payload = module._daftar_reply_payload();
      answer.bytes = module.HEAPU8.slice(payload, payload + size);
    }
    return answer;
  }

  return { call };
}

// The dispatcher's commands by name, over whichever module answers them.
function commands(call) {
  return {
    call,
    checkNik: (nik, today) => call('check-nik', { nik, today }),
    checkKk: (kk, today) => call('check-kk', { kk, today }),
    checkCard: (card) => call('check-card', { card }),
    validate: (application, today) => call('validate', { application, today }),
    quote: (request, date) => call('quote', { request, date }),
    checkDocument: (kind, bytes) => call('check-document', { kind }, bytes),
  };
}

// Each module's glue and wasm, named in full (the web build gives the browser's copies
// content-hashed names and rewrites them here).
const MODULES = {
  rules: { glue: () => import('./daftar-rules.mjs'), wasm: 'daftar-rules.wasm' },
  seal: { glue: () => import('./daftar-seal.mjs'), wasm: 'daftar-seal.wasm' },
};
const VILLAGES = 'daftar-villages.bin';

// Each module's glue is imported only when that module is wanted: a first page needs no sealing.
async function loadModule(name) {
  const { default: factory } = await MODULES[name].glue();
  return bind(await instantiate(factory, MODULES[name].wasm)).call;
}

export async function load({ sealing = true, villages = true } = {}) {
  const rules = await loadModule('rules');
  // Given once; a failed fetch (no signal) is tried again by the next caller that waits for it.
  let givingVillages = null;
  const giveVillages = () => (givingVillages ??= readBeside(VILLAGES)
    .then((bytes) => rules('load-villages', {}, bytes).valid)
    .catch(() => { givingVillages = null; return false; }));
  const villagesGiven = giveVillages();
  let seal = null;
  let loading = null;
  // The commands the rules module does not know, learnt once each: sealing's from then on.
  const sealingCommands = new Set();
  function call(command, input, bytes) {
    if (seal && sealingCommands.has(command)) return seal(command, input, bytes);
    const answer = rules(command, input, bytes);
    if (!seal || answer.errors?.[0]?.code !== 'api.unknown_command') return answer;
    sealingCommands.add(command);
    return seal(command, input, bytes);
  }
  const core = {
    ...commands(call),
    loadSealing: () => (loading ??= loadModule('seal').then((s) => { seal = s; return core; })),
    // true once the rules module has the village table.
    villages: giveVillages,
  };
  if (villages) await villagesGiven;
  if (sealing) await core.loadSealing();
  return core;
}

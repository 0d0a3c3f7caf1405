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
// Two modules: load() gives everything; load({ sealing: false }) only the instant checks, which is
// smaller and what a first page needs (sealing and document commands then answer
// api.unknown_command).

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';

async function instantiate(factory, wasmName) {
  const url = new URL(wasmName, import.meta.url);
  const bytes = isNode ? await (await import('node:fs/promises')).readFile(url) : null;
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

// The device's local date as YYYY-MM-DD.
function localToday(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bind(module) {
  // Copies bytes into wasm memory, with a terminating NUL for C strings; the caller frees them.
  const put = (bytes) => {
    const ptr = module._malloc(bytes.length + 1);
    module.HEAPU8.set(bytes, ptr);
    module.HEAPU8[ptr + bytes.length] = 0;
    return [ptr, bytes.length];
  };

  function call(command, input = {}, bytes = new Uint8Array(0)) {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const pointers = [];
    const [commandPtr] = put(encoder.encode(String(command)));
    const [inputPtr, inputSize] = put(encoder.encode(text));
    const [payloadPtr, payloadSize] = put(bytes);
    const [todayPtr] = put(encoder.encode(localToday()));
    pointers.push(commandPtr, inputPtr, payloadPtr, todayPtr);
    try {
      module._daftar_call(commandPtr, inputPtr, inputSize, payloadPtr, payloadSize, todayPtr);
      const body = module._daftar_reply_body();
      const answer = JSON.parse(decoder.decode(module.HEAPU8.subarray(body, body + module._daftar_reply_body_size())));
      const size = module._daftar_reply_payload_size();
      if (size > 0) {
        const at = module._daftar_reply_payload();
        answer.bytes = module.HEAPU8.slice(at, at + size);
      }
      return answer;
    } finally {
      pointers.forEach((p) => module._free(p));
    }
  }

  return {
    call,
    checkNik: (nik, today) => call('check-nik', { nik, today }),
    checkKk: (kk, today) => call('check-kk', { kk, today }),
    checkCard: (card) => call('check-card', { card }),
    validate: (application, today) => call('validate', { application, today }),
    quote: (request, date) => call('quote', { request, date }),
    cardNext: (serial) => call('card-next', { serial }),
    va: (card, prefix) => call('va', prefix === undefined ? { card } : { card, prefix }),
    checkDocument: (kind, bytes) => call('check-document', { kind }, bytes),
  };
}

// Each module's glue is imported only when that module is wanted: a first page needs no sealing.
export async function load({ sealing = true } = {}) {
  const [glue, wasm] = sealing ? ['./daftar-full.mjs', './daftar-full.wasm'] : ['./daftar-rules.mjs', './daftar-rules.wasm'];
  const { default: factory } = await import(glue);
  return bind(await instantiate(factory, wasm));
}

// Daftar's rules in any JavaScript environment: a page, a Web Worker, or Node.
//
//   import { load } from './daftar-core.mjs';
//   const core = await load();
//   core.call('check-nik', { nik: '3204110609970001' });   // -> the CLI's JSON answer
//
// `call(command, input)` runs the same dispatcher as the native `daftar` binary on the same
// bytes, so the browser and the server cannot disagree. `input` may be an object or JSON text.
// Dates the input leaves out are the device's local date, as the CLI uses the machine's.
import createDaftarRules from './daftar-rules.mjs';

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';

async function wasmSource(url) {
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return { bytes: await readFile(url) };
  }
  return { response: fetch(url) };
}

async function instantiate(factory, wasmName) {
  const url = new URL(wasmName, import.meta.url);
  const source = await wasmSource(url);
  return factory({
    // Instantiate the module ourselves, streaming where the platform can, so the generated glue
    // never needs to find files on its own.
    instantiateWasm(imports, receive) {
      const ready = source.bytes
        ? WebAssembly.instantiate(source.bytes, imports)
        : WebAssembly.instantiateStreaming(source.response, imports);
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
  // Copies a string into wasm memory as UTF-8 with a terminating NUL; the caller frees it.
  const put = (text) => {
    const bytes = encoder.encode(text);
    const ptr = module._malloc(bytes.length + 1);
    module.HEAPU8.set(bytes, ptr);
    module.HEAPU8[ptr + bytes.length] = 0;
    return [ptr, bytes.length];
  };

  function call(command, input = {}) {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const [commandPtr] = put(String(command));
    const [inputPtr, inputSize] = put(text);
    const [todayPtr] = put(localToday());
    try {
      module._daftar_call(commandPtr, inputPtr, inputSize, todayPtr);
      const body = module._daftar_reply_body();
      const size = module._daftar_reply_body_size();
      return JSON.parse(decoder.decode(module.HEAPU8.subarray(body, body + size)));
    } finally {
      module._free(commandPtr);
      module._free(inputPtr);
      module._free(todayPtr);
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
  };
}

export async function load() {
  return bind(await instantiate(createDaftarRules, './daftar-rules.wasm'));
}

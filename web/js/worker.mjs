// The rules worker: runs the dispatcher (WebAssembly) off the main thread, so checks never stall
// typing. Starts with the small rules module; sealing and document checks load when asked.
import { load } from './daftar-core.mjs';

const core = load({ sealing: false, villages: false });
// The commands that read an address wait for the village table, fetched beside the rules module;
// the others (the estimate among them) answer as soon as the module is there.
const READS_ADDRESSES = new Set(['validate', 'change']);
const sealing = async () => (await core).loadSealing();

// A 4 MB phone photo leaves as at most this: downscaled and re-encoded here.
const TARGET_BYTES = 400 * 1024;
const QUALITY_SIDE = 512;  // the quality checks judge a copy this size

async function prepareDocument(file, kind) {
  const c = await sealing();
  let bytes = new Uint8Array(await file.arrayBuffer());
  let quality = null;
  // The core reads the header before any decoder runs: a pixel bomb never reaches createImageBitmap.
  const header = c.call('check-document', { kind }, bytes);
  if (header.errors?.some((e) => e.code === 'document.too_many_pixels')) return { checked: header, quality, original: file.size };
  const isImage = /^image\/(jpeg|png|webp|heic|heif)/.test(file.type) || bytes[0] === 0xff || bytes[0] === 0x89;
  if (isImage) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      bitmap = null;  // not decodable: the document check below says why
    }
    if (bitmap) {
      const scale = Math.min(1, QUALITY_SIDE / Math.max(bitmap.width, bitmap.height));
      const small = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
      small.getContext('2d').drawImage(bitmap, 0, 0, small.width, small.height);
      const pixels = small.getContext('2d').getImageData(0, 0, small.width, small.height);
      quality = c.call('check-image-quality', { width: small.width, height: small.height }, new Uint8Array(pixels.data.buffer));
      // Re-encoding also drops every metadata segment (EXIF with GPS, XMP); the core strips what
      // remains from files sent as they are.
      if (bytes.length > TARGET_BYTES || Math.max(bitmap.width, bitmap.height) > 2000) {
        for (const [side, q] of [[2000, 0.85], [1600, 0.8], [1600, 0.7], [1280, 0.7], [1280, 0.6]]) {
          const s = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
          const canvas = new OffscreenCanvas(Math.round(bitmap.width * s), Math.round(bitmap.height * s));
          canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: q })).arrayBuffer());
          if (bytes.length <= TARGET_BYTES) break;
        }
      }
    }
  }
  const checked = c.call('check-document', { kind }, bytes);
  return { checked, quality, original: file.size };
}

async function seal(publicKey, application, documents) {
  const c = await sealing();
  const parts = [];
  let step = c.call('seal-start', { public_key: publicKey, application });
  if (!step.valid) return { errors: step.errors };
  parts.push(step.bytes);
  const piece = 64 * 1024;
  for (const blob of documents) {
    // Piece by piece: the browser never holds every file twice.
    for (let at = 0; ; at += piece) {
      const last = at + piece >= blob.size;
      step = c.call('seal-add', { state: step.state, last }, new Uint8Array(await blob.slice(at, at + piece).arrayBuffer()));
      parts.push(step.bytes);
      if (last) break;
    }
  }
  parts.push(c.call('seal-finish', { state: step.state }).bytes);
  return { package: new Blob(parts, { type: 'application/vnd.daftar.package' }) };
}

self.onmessage = async ({ data }) => {
  const { id, op } = data;
  try {
    let result;
    if (op === 'call') {
      const c = await core;
      if (READS_ADDRESSES.has(data.command)) await c.villages();
      result = c.call(data.command, data.input, data.bytes);
    }
    else if (op === 'sealing') result = (await sealing(), true);
    else if (op === 'document') result = await prepareDocument(data.file, data.kind);
    else if (op === 'seal') result = await seal(data.publicKey, data.application, data.documents);
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};

// The page's side of the rules worker: call(command, input, bytes) answers with the dispatcher's
// JSON (and .bytes), exactly as the server's own check would. The worker starts with the small
// rules module and loads sealing on request.
const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
const pending = new Map();
let next = 0;

worker.onmessage = ({ data }) => {
  const { id, result, error } = data;
  const p = pending.get(id);
  pending.delete(id);
  if (error) p.reject(new Error(error));
  else p.resolve(result);
};

function post(message, transfer = []) {
  const id = ++next;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
}

export const call = (command, input = {}, bytes) => post({ op: 'call', command, input, bytes });
export const loadSealing = () => post({ op: 'sealing' });
// Image work off the main thread: a photo in, the bytes to send and what the checks said out.
export const prepareDocument = (file, kind) => post({ op: 'document', file, kind });
// A sealed package (Blob) from the application and the documents' bytes (Blobs, in order).
export const sealPackage = (publicKey, application, documents) => post({ op: 'seal', publicKey, application, documents });

// What stays on the device, in IndexedDB: the draft (answers and checked documents), the outbox
// (sealed packages waiting for a signal) and the registrations sent from here (reference and
// access token, and the last status seen). Drafts expire; one call forgets everything.
const DB = 'daftar';
const STORES = ['drafts', 'documents', 'outbox', 'registrations', 'settings'];

let opened;
function db() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => STORES.forEach((s) => request.result.createObjectStore(s));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function run(store, mode, work) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const result = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(result instanceof IDBRequest ? result.result : result);
    tx.onerror = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const put = (store, key, value) => run(store, 'readwrite', (s) => { s.put(value, key); });
export const remove = (store, key) => run(store, 'readwrite', (s) => { s.delete(key); });
export async function all(store) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const out = [];
    const request = d.transaction(store).objectStore(store).openCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve(out);
      out.push({ key: cursor.key, value: cursor.value });
      cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

// The draft, unless it is older than `maxDays`, in which case it (and its documents) are dropped.
export async function loadDraft(maxDays) {
  const draft = await get('drafts', 'current');
  if (draft && Date.now() - draft.saved > maxDays * 86400000) {
    await clearDraft();
    return undefined;
  }
  return draft;
}

export const saveDraft = (draft) => put('drafts', 'current', { ...draft, saved: Date.now() });
export async function clearDraft() {
  await remove('drafts', 'current');
  await run('documents', 'readwrite', (s) => { s.clear(); });
}

export async function forgetEverything() {
  const d = await db();
  await new Promise((resolve, reject) => {
    const tx = d.transaction(STORES, 'readwrite');
    STORES.forEach((s) => tx.objectStore(s).clear());
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
}

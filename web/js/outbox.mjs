// Sends the sealed registrations waiting on this device (the outbox): by the page while it is open,
// and by the service worker when the browser fires Background Sync (then even after the app was
// closed). Both run this same code over the same IndexedDB, one at a time.
import * as store from './store.mjs';
import { upload } from './tus.mjs';

// The Background Sync tag the page registers when a package has to wait for a signal.
export const SYNC_TAG = 'daftar-outbox';

// Runs `work` alone: across the page and the service worker where the browser has Web Locks, and
// one after the other within this context everywhere.
let queue = Promise.resolve();
const alone = (work) => {
  if (globalThis.navigator?.locks) return navigator.locks.request('daftar-outbox', work);
  const run = queue.then(work, work);
  queue = run.catch(() => {});
  return run;
};

// Sends every waiting package. `progress(sent, total)` follows each upload; `answered(item, status,
// body)` hears each answer once it is recorded. A lost connection throws, and what was not sent
// stays waiting. An answer that refuses the package is kept with the draft it came from, so the
// family sees the server's reasons when it opens the app, whoever sent it.
export function sendWaiting({ progress = () => {}, answered = () => {} } = {}) {
  return alone(async () => {
    for (const { value: item } of await store.all('outbox')) {
      const uploadId = await upload(item.package, {
        location: item.location,
        remember: (location) => store.put('outbox', item.id, { ...item, location }),
        progress,
      });
      const saved = item.correction ? await store.get('registrations', item.correction) : null;
      const response = await fetch(item.correction ? `/api/v1/registrations/${item.correction}/corrections` : '/api/v1/registrations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': item.id,
          ...(saved ? { Authorization: `Bearer ${saved.access_token}` } : {}) },
        body: JSON.stringify({ upload: uploadId }),
      });
      const body = await response.json();
      const accepted = response.status === 201 || response.status === 202;
      if (accepted) {
        await store.put('registrations', body.reference, { ...(saved ?? {}), ...body, created: saved?.created ?? Date.now(),
          snapshot: item.snapshot, last: undefined });
        if (item.draft) await store.clearDraft();
      } else if (item.draft) {
        const draft = await store.get('drafts', 'current');
        if (draft) await store.saveDraft({ ...draft, server_errors: body.errors ?? [] });
      }
      await store.remove('outbox', item.id);
      await answered(item, response.status, body);
    }
  });
}

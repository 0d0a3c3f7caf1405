// The service worker where the browser runs module workers: the offline app of sw.js, and the
// outbox sent by Background Sync, the same code the page sends it with (js/outbox.mjs).
import './sw.js';
import { sendWaiting, SYNC_TAG } from './js/outbox.mjs';

// Version __VERSION__: written here as in sw.js by tools/build-web.mjs, so that this file changes
// with every version of the app even for a browser that compares only the registered script.

// An open page hears of each answer, so that its status list shows what was just sent.
async function tell(item, status, body) {
  const news = { sent: true, status, reference: body.reference, correction: !!item.correction };
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(news);
}

self.addEventListener('sync', (event) => {
  // A rejected promise tells the browser to try again later (it backs off on its own).
  if (event.tag === SYNC_TAG) event.waitUntil(sendWaiting({ answered: tell }));
});

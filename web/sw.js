// The service worker: after one visit the whole form and every check work with no connection.
// The app shell and both wasm modules are kept; region lists are kept as they are opened; the
// config (keys, tariffs) is fetched fresh when the network answers quickly and kept for offline use.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = `daftar-${VERSION}`;

self.addEventListener('install', (event) => {
  // The config (keys, tariffs) too: a first visit fetches it before this worker is in control.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...SHELL, '/api/v1/config'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('daftar-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch {
    return (await cache.match(request)) ?? Response.error();
  }
}

// The network's answer if it comes quickly, the kept one otherwise (the network's then refreshes
// it for the next visit): on a slow link the page need not wait a round trip for its config.
async function freshIfQuick(event) {
  const cache = await caches.open(CACHE);
  const fresh = fetch(event.request).then((response) => {
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  });
  event.waitUntil(fresh.catch(() => {}));
  const kept = await cache.match(event.request);
  if (!kept) return fresh.catch(() => Response.error());
  const quick = await Promise.race([fresh.catch(() => null), new Promise((r) => setTimeout(r, QUICK_MS))]);
  return quick?.ok ? quick : kept;
}
const QUICK_MS = 300;

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The config, and the facility lists a family looked at, stay usable offline.
  if (url.pathname === '/api/v1/config') return event.respondWith(freshIfQuick(event));
  if (url.pathname === '/api/v1/facilities') return event.respondWith(networkFirst(event.request));
  if (url.pathname.startsWith('/api/')) return;  // registrations, uploads, status: always the network
  if (url.pathname.startsWith('/operator/')) return;  // the operators' console is not the applicants' to keep
  // The page itself from what this version of the worker kept: a new version of the app comes with
  // a new worker, which keeps the new page.
  if (event.request.mode === 'navigate') {
    const page = url.pathname === '/' || url.pathname === '/index.html';
    return event.respondWith(page ? caches.match('/').then((kept) => kept ?? fetch(event.request))
      : fetch(event.request).catch(() => caches.match('/')));
  }
  event.respondWith(cacheFirst(event.request));
});

// The tsak service worker: after one visit the app starts and works with the network gone.
// scripts/write-service-worker.mjs (a Trunk post_build hook) fills in VERSION (a hash of every
// file of the build) and PRECACHE (their paths), so a new deploy is a new worker with a new
// cache. Files under LAZY (the WebGPU module) are not precached: they are kept in the same
// cache the first time the app fetches them, so a browser without WebGPU never downloads them
// and one with it works offline once it has used them. A new worker waits until the page asks
// it to take over (the page's "new version" notice), so one page never mixes files of two
// versions; the old cache is dropped only then.
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const LAZY = '__LAZY__';
const CACHE = `tsak-${VERSION}`;

self.addEventListener('install', (event) => {
  // `reload`: fetch past the HTTP cache, so the new cache holds the new files.
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('tsak-') && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'version') event.source?.postMessage({ version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // The app is one page: every navigation (`?kiosk` included) gets the cached shell.
      const hit =
        request.mode === 'navigate'
          ? await cache.match('./', { ignoreSearch: true })
          : await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      const response = await fetch(request);
      if (response.ok && request.url.startsWith(new URL(LAZY, self.registration.scope).href)) {
        await cache.put(request, response.clone());
      }
      return response;
    })(),
  );
});

// The portal's service worker (scope /portal), hand-written and small. It keeps:
//  - the app shell (index.html, the hashed /assets/ files, the web app manifest and its icon), so
//    the portal — the check-in page included — opens with no signal;
//  - the answers of /api/v1/me/safety-plan and /api/v1/me/crisis-resources, network first with
//    the cached copy as the fallback, so the safety plan and crisis lines open with no signal.
// Nothing else from /api is cached: a check-in made with no signal is kept by the page itself
// (src/checkInQueue.ts) and sent when the connection returns. The page empties these caches on sign-out
// (src/portalData.ts, clearPortalData), since a phone may be shared.
const SHELL = 'tend-portal-shell-v2';
/** Files of the installable app that have no content hash (public/). */
const APP_FILES = ['/manifest.webmanifest', '/icon.svg'];
const DATA = 'tend-portal-data';
const DATA_PATHS = ['/api/v1/me/safety-plan', '/api/v1/me/crisis-resources'];

/** The shell: the page and the assets it names (Vite emits them with a content hash). */
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const page = await fetch('/portal', { cache: 'no-cache', credentials: 'same-origin' });
  if (!page.ok) return;
  const html = await page.clone().text();
  await cache.put('/portal', page);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll(assets);
  // the manifest and icon are nice to have offline; the shell must not fail for them
  await Promise.all(APP_FILES.map((f) => cache.add(f).catch(() => {})));
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('tend-portal-shell-') && key !== SHELL) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request.url, response.clone());
    // not signed in, or no plan: nothing to keep
    else if (response.status === 401 || response.status === 403 || response.status === 404) await cache.delete(request.url);
    return response;
  } catch (e) {
    const cached = await cache.match(request.url);
    if (cached) return cached;
    throw e;
  }
}

async function page(request) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put('/portal', response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match('/portal');
    if (cached) return cached;
    throw e;
  }
}

async function asset(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The manifest and icon: the newest when online, the kept copy without a signal. */
async function appFile(request) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (DATA_PATHS.includes(url.pathname)) event.respondWith(networkFirst(request));
  else if (url.pathname.startsWith('/api/')) return;
  else if (request.mode === 'navigate') event.respondWith(page(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
  else if (APP_FILES.includes(url.pathname)) event.respondWith(appFile(request));
});

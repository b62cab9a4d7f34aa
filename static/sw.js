// Serves one file: Python's runtime (pyodide.asm.wasm), inflated, from Cache Storage, where the
// worker put it on the first visit. A runtime the browser compiles from such a response gets its
// compiled machine code cached too, so on later visits Python starts in about half the time.
// Nothing else passes through here: the page, its files and the request to Netlify that carries
// the token are routed straight to the network, without this worker even starting.

const RUNTIME = new URL("%RUNTIME%", location.href).href;
const CACHE = "%CACHE%";

self.addEventListener("install", (event) => {
  event.waitUntil(routeAround(event));
  self.skipWaiting();
});

// Where the browser supports static routes, requests for anything but the runtime never reach
// this worker; elsewhere the fetch handler below lets them pass untouched.
async function routeAround(event) {
  try {
    await event.addRoutes?.([
      { condition: { urlPattern: new URLPattern(RUNTIME) }, source: "fetch-event" },
      { condition: { urlPattern: new URLPattern({}) }, source: "network" },
    ]);
  } catch {
    // An older form of the routing API: the fetch handler does the same, a little slower.
  }
}

self.addEventListener("activate", (event) => {
  // A new version of the site keeps its runtime under a new name; older copies go.
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  if (event.request.url !== RUNTIME) return;
  // No copy: the worker is told by a network error, and downloads the runtime itself.
  event.respondWith(
    caches.match(RUNTIME, { cacheName: CACHE }).then((kept) => kept ?? Response.error()),
  );
});

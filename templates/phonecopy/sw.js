// The phone copy's service worker: keeps the page and its assets, so the plan (kept by the page itself)
// opens with no connection. Our own origin only; nothing else is fetched or cached.
"use strict";
const CACHE = {{ cache_name|safe }};
const SHELL = {{ shell|safe }};
const ASSETS = {{ assets|safe }};
const WEAK_SIGNAL_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([SHELL, ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === SHELL) {
    // The page: from the network when it answers (and kept), else the copy kept here. A weak signal that
    // neither answers nor fails is not waited for: after a few seconds the kept copy is shown.
    event.respondWith(
      caches.match(SHELL).then((kept) => {
        const network = fetch(request).then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
          }
          return response;
        });
        if (!kept) return network;
        const slow = new Promise((resolve) => setTimeout(() => resolve(kept), WEAK_SIGNAL_MS));
        return Promise.race([network.catch(() => kept), slow]);
      }),
    );
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((kept) => kept || fetch(request)));
  }
});

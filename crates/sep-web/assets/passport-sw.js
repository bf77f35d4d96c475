// The service worker of /passport/verify (SPEC EP2: a verifier that works offline after its
// first visit). It keeps the page, its script and style, and the two signed lists; every
// request goes to the network first (a fresh annulment list when there is one) and falls back
// to what it kept. Nothing else of the portal passes through it.
'use strict';
var CACHE = 'sep-passport-verify-3';
var KEPT = [
  '/passport/verify',
  '/assets/passport-verify.js',
  '/assets/gost.js',
  '/assets/site.css',
  '/assets/live.js',
  '/prefs.css',
  '/.well-known/sep/trust-list',
  '/.well-known/sep/annulments',
];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(KEPT); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('sep-passport-verify-') === 0 && n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || KEPT.indexOf(url.pathname) < 0) return;
  // Kept without a query; the page shows nothing of the visitor but their language.
  var key = url.pathname;
  // A portal that is down behind a proxy answers 502 or 503 rather than not at all: what was
  // kept answers then too.
  function kept(res) {
    return caches.match(key).then(function (k) { return k || res || Response.error(); });
  }
  event.respondWith(fetch(event.request).then(function (res) {
    if (!res.ok) return kept(res);
    var copy = res.clone();
    event.waitUntil(caches.open(CACHE).then(function (c) { return c.put(key, copy); }));
    return res;
  }, function () { return kept(null); }));
});

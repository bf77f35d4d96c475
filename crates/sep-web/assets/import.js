// A bulk import's page while it runs (SPEC A4): asks its status every two seconds and moves
// the bar; once it is done it reloads, so the result appears. Without JavaScript the page
// still works: reload it by hand.
(function () {
  'use strict';
  var root = document.querySelector('[data-import-status]');
  if (!root || !window.fetch) return;
  var url = root.getAttribute('data-import-status');
  var bar = document.getElementById('progress');
  var done = root.querySelector('[data-done]');
  var timer = null;

  function tick() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (s) {
        if (bar) bar.value = s.done;
        if (done) done.textContent = String(s.done);
        if (s.final) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {
        window.clearInterval(timer);
      });
  }

  timer = window.setInterval(tick, 2000);
})();

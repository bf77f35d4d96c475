// A справка's order page while it is made (SPEC S2): asks /spravki/{id}/status every two
// seconds, changes the status badge in place and says so in #live-status; once the order is
// final it reloads, so the download links (or the reason) appear. Without JavaScript the page
// still works: reload it by hand.
(function () {
  'use strict';
  var root = document.querySelector('[data-order-status]');
  if (!root || !window.fetch) return;
  var url = root.getAttribute('data-order-status');
  var badge = document.getElementById('order-status');
  var live = document.getElementById('live-status');
  var timer = null;

  function tick() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (s) {
        if (badge && badge.getAttribute('data-status') !== s.status) {
          badge.setAttribute('data-status', s.status);
          badge.textContent = s.title;
          badge.className = 'badge badge-' + s.tone;
          if (live) live.textContent = s.title;
        }
        if (s.final) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {
        // Signed out or offline: stop asking; the page says what it last knew.
        window.clearInterval(timer);
      });
  }

  timer = window.setInterval(tick, 2000);
})();

// Personal data changes in place (SPEC C1): a form inside [data-inplace] is sent in the
// background and the block the server answers with replaces this one, focus on its message,
// so the page is not reloaded. The server marks such an answer with `x-sep-fragment`. A
// refusal before acting (signed out: a redirect; a stale form: 403) is left to an ordinary
// submission, which shows why; after anything else (a server error, a lost answer) the step may
// have happened, so it is not sent again: the contacts page shows where things stand.
// Without JavaScript the forms post and come back to /profile/contacts.
(function () {
  'use strict';
  if (!window.fetch) return;

  document.addEventListener('submit', function (event) {
    var form = event.target;
    var block = form.closest && form.closest('[data-inplace]');
    if (!block) return;
    event.preventDefault();
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      redirect: 'manual',
      headers: { 'x-sep-inplace': '1' },
    })
      .then(function (r) {
        if (r.status === 200 && r.headers.get('x-sep-fragment')) return r.text();
        var refused = r.type === 'opaqueredirect' || r.status === 401 || r.status === 403;
        throw new Error(refused ? 'refused' : 'unknown');
      })
      .then(function (html) {
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var fresh = holder.querySelector('[data-inplace]');
        if (!fresh) throw new Error('no block');
        block.replaceWith(fresh);
        var focus = fresh.querySelector('[data-focus]') || fresh.querySelector('details[open] input:not([type=hidden])');
        if (focus) focus.focus();
      })
      .catch(function (e) {
        buttons.forEach(function (b) { b.disabled = false; });
        if (e && e.message === 'refused') form.submit();
        else window.location.assign('/profile/contacts');
      });
  });
})();

// Drafts save as the person types (SPEC R8): the application form is sent in the background
// shortly after each change, so a session that times out mid-form loses nothing. Without
// JavaScript the «Сохранить черновик» button does the same.
(function () {
  'use strict';
  var form = document.querySelector('form[data-autosave]');
  if (!form || !window.fetch) return;
  var status = document.getElementById('draft-status');
  var timer = null;

  // The page gives the words, in its language.
  function say(text) {
    if (status && text) status.textContent = text;
  }

  function save() {
    timer = null;
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      // A signed-out save is answered 401, never sent through a login.
      redirect: 'error',
      headers: { 'x-sep-autosave': '1' },
    })
      .then(function (r) {
        say(r.status === 204 ? status.dataset.saved : status.dataset.unsaved);
      })
      .catch(function () {
        say(status.dataset.offline);
      });
  }

  function soon(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener('input', function () { soon(800); });
  form.addEventListener('change', function () { soon(0); });
})();

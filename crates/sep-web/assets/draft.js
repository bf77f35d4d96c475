// Drafts save as the person types (SPEC R8, M1): the application form, or a message being
// written, is sent in the background shortly after each change, so a session that times out
// mid-form loses nothing. Without JavaScript the «Сохранить черновик» button does the same.
// A form may name where its drafts go (`data-autosave="/mail/drafts"`); files stay for the
// buttons to send.
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

  function fields() {
    var out = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === 'string') out.append(name, value);
    });
    return out;
  }

  function save() {
    timer = null;
    if (sent) return;
    fetch(form.dataset.autosave || form.action, {
      method: 'POST',
      body: fields(),
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

  // A button pressed sends the form itself: a save still waiting would come after the sending.
  var sent = false;
  form.addEventListener('submit', function () {
    sent = true;
    if (timer) clearTimeout(timer);
    timer = null;
  });

  form.addEventListener('input', function () { if (!sent) soon(800); });
  form.addEventListener('change', function (e) {
    // Choosing a file saves nothing in the background: the buttons send it.
    if (e.target && e.target.type === 'file') return;
    soon(0);
  });
})();

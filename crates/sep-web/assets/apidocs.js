// /api/docs: each operation's «Попробовать» form sends the request from the browser with the
// reader's token (kept in this tab's sessionStorage only) and shows the answer. Nothing else
// runs: the page is drawn on the server from the OpenAPI document.
(function () {
  'use strict';
  var tokenInput = document.querySelector('[data-token]');
  if (!tokenInput || !window.fetch) return;
  try {
    tokenInput.value = sessionStorage.getItem('sep-api-token') || '';
    tokenInput.addEventListener('input', function () {
      sessionStorage.setItem('sep-api-token', tokenInput.value.trim());
    });
  } catch (e) {
    // Storage may be off: the token is then typed for each page.
  }

  function send(form) {
    var method = form.dataset.method;
    var path = form.dataset.path;
    var query = new URLSearchParams();
    var headers = {};
    form.querySelectorAll('[data-param]').forEach(function (input) {
      var v = input.value.trim();
      if (!v) return;
      var name = input.dataset.param;
      if (input.dataset.in === 'path') path = path.replace('{' + name + '}', encodeURIComponent(v));
      else if (input.dataset.in === 'query') query.append(name, v);
      else headers[name] = v;
    });
    var token = tokenInput.value.trim();
    if (token) headers.Authorization = 'Bearer ' + token;
    var init = { method: method, headers: headers, credentials: 'omit' };
    var body = form.querySelector('[data-body]');
    if (body && method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      init.body = body.value;
    }
    var url = path + (query.toString() ? '?' + query.toString() : '');
    var result = form.querySelector('[data-result]');
    var status = form.querySelector('[data-status]');
    var output = form.querySelector('[data-output]');
    fetch(url, init)
      .then(function (res) {
        return res.text().then(function (text) {
          status.textContent = res.status + ' ' + res.statusText;
          try {
            output.textContent = JSON.stringify(JSON.parse(text), null, 2);
          } catch (e) {
            output.textContent = text;
          }
          result.hidden = false;
        });
      })
      .catch(function (e) {
        status.textContent = String(e);
        output.textContent = '';
        result.hidden = false;
      });
  }

  document.querySelectorAll('form[data-try]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      send(form);
    });
  });
})();

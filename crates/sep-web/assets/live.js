// Live statuses (SPEC C2). A page marked data-live="<newest notification id>" listens to
// /events: status badges (data-app-status="<application id>") change in place, new
// notifications are added to #notice-list, and the news is announced in #live-status for
// screen readers. Without JavaScript every page still works, only without the live part.
(function () {
  'use strict';
  var root = document.querySelector('[data-live]');
  if (!root || !window.EventSource) return;
  var source = new EventSource('/events?since=' + encodeURIComponent(root.getAttribute('data-live')));

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  source.addEventListener('update', function (event) {
    var news = JSON.parse(event.data);
    var changed = false;
    news.statuses.forEach(function (s) {
      document.querySelectorAll('[data-app-status="' + s.id + '"]').forEach(function (badge) {
        if (badge.textContent !== s.status) changed = true;
        badge.textContent = s.status;
        badge.className = 'badge badge-' + s.tone;
      });
    });
    var list = document.getElementById('notice-list');
    if (list) {
      news.notices.forEach(function (n) {
        var item = el('li', 'unread' + (n.critical ? ' critical' : ''));
        var meta = el('p');
        meta.appendChild(el('span', 'muted', n.time + ' ' + news.labels.time + ' · ' + news.labels.new));
        if (n.critical) meta.appendChild(el('span', 'badge badge-red', news.labels.action));
        var title = el('p');
        var link = el('a', '', n.title);
        if (n.link.charAt(0) === '/') link.href = n.link;
        title.appendChild(link);
        item.appendChild(meta);
        item.appendChild(title);
        item.appendChild(el('p', 'hint', n.text));
        list.insertBefore(item, list.firstChild);
      });
      var count = document.getElementById('unread-count');
      if (count && news.notices.length) {
        var n = Number(count.getAttribute('data-count')) + news.notices.length;
        count.setAttribute('data-count', String(n));
        count.textContent = news.labels.count + ': ' + n;
        count.hidden = false;
      }
      var empty = document.getElementById('notice-empty');
      if (empty && news.notices.length) empty.hidden = true;
    }
    var mail = document.getElementById('mail-unread');
    if (mail && typeof news.mail_unread === 'string') {
      mail.setAttribute('data-mail-unread', news.mail_unread);
      mail.querySelector('[data-count]').textContent = news.mail_unread;
      mail.hidden = news.mail_unread === '';
    }
    var hint = document.getElementById('live-changed');
    if (hint && changed) hint.hidden = false;
    var region = document.getElementById('live-status');
    if (region && news.notices.length) {
      region.textContent = news.notices.map(function (n) { return n.title; }).join('. ');
    }
  });
})();

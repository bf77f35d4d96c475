// «Проверка электронного паспорта» in the browser (SPEC EP2): the same check as
// `sep passport verify`, with the lists this page fetched — and, through the service worker
// (/passport/sw.js), with the lists it cached, so it keeps working without the network.
//
// The code: Base45 → zlib (DecompressionStream) → COSE_Sign1 → the CWT's claims; its
// signature by a signer of the trust list — ES256 through WebCrypto, ГОСТ Р 34.10-2012 through
// gost.js — the dates, then the annulment list. The lists: COSE_Sign, each used only when every
// signature by a root the page pins (by SHA-256) holds; a signer counts only when its
// certificate was issued by the pinned root of its own algorithm and is in date. Without
// JavaScript the form posts to the portal, which checks the same way.
(function () {
  'use strict';
  var root = document.getElementById('passport-offline');
  var form = document.getElementById('verify-form');
  if (!root || !form || !window.crypto || !crypto.subtle || !window.DecompressionStream || !window.fetch) return;
  if (!window.SepGost || typeof BigInt === 'undefined') return;
  var T = JSON.parse(root.getAttribute('data-texts'));
  var PINS = (root.getAttribute('data-pins') || '').split(' ').filter(Boolean);
  var status = document.getElementById('offline-status');
  var out = document.getElementById('verdict');
  var ES256 = -7;
  var GOST = -65540;
  var SKEW = 5 * 60 * 1000;
  var MAX_TEXT = 4296;
  var MAX_CBOR = 16 * 1024;
  var B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

  function Fail(code) { this.code = code; }
  function fail(code) { throw new Fail(code); }

  // ---- bytes ----
  function hex(b) {
    var s = '';
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }
  function concat(parts) {
    var n = 0, i, at = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var r = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { r.set(parts[i], at); at += parts[i].length; }
    return r;
  }
  function sha256(b) {
    return crypto.subtle.digest('SHA-256', b).then(function (d) { return new Uint8Array(d); });
  }

  function base45(s) {
    var bytes = [];
    for (var i = 0; i < s.length; i += 3) {
      var chunk = s.slice(i, i + 3), v = 0;
      if (chunk.length < 2) fail('passport_code_base45');
      for (var j = chunk.length - 1; j >= 0; j--) {
        var d = B45.indexOf(chunk[j]);
        if (d < 0) fail('passport_code_base45');
        v = v * 45 + d;
      }
      if (chunk.length === 3) {
        if (v > 0xffff) fail('passport_code_base45');
        bytes.push(v >> 8, v & 0xff);
      } else {
        if (v > 0xff) fail('passport_code_base45');
        bytes.push(v);
      }
    }
    return new Uint8Array(bytes);
  }

  // zlib, never inflated past what a code may hold.
  async function inflate(bytes) {
    var reader;
    var parts = [], total = 0;
    try {
      reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
      for (;;) {
        var r = await reader.read();
        if (r.done) break;
        total += r.value.length;
        if (total > MAX_CBOR) { reader.cancel().catch(function () {}); fail('passport_code_compressed'); }
        parts.push(r.value);
      }
    } catch (e) {
      fail('passport_code_compressed');
    }
    return concat(parts);
  }

  // ---- CBOR (RFC 8949), definite lengths only: maps as Map, byte strings as Uint8Array,
  // tags as {tag, value}. Anything else is a malformed item (`bad`).
  function cbor(bytes, bad) {
    var r = { b: bytes, i: 0 };
    function need(n) { if (r.i + n > r.b.length) fail(bad); }
    function arg(info) {
      if (info < 24) return info;
      var n = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
      if (!n) fail(bad);
      need(n);
      var v = 0;
      for (var k = 0; k < n; k++) v = v * 256 + r.b[r.i++];
      if (v > Number.MAX_SAFE_INTEGER) fail(bad);
      return v;
    }
    function item(depth) {
      if (depth > 16) fail(bad);
      need(1);
      var ib = r.b[r.i++], major = ib >> 5, info = ib & 31;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 26 || info === 27) {
          var len = info === 26 ? 4 : 8;
          need(len);
          var view = new DataView(r.b.buffer, r.b.byteOffset + r.i, len);
          r.i += len;
          return info === 26 ? view.getFloat32(0) : view.getFloat64(0);
        }
        fail(bad);
      }
      var n = arg(info), k, v;
      switch (major) {
        case 0: return n;
        case 1: return -1 - n;
        case 2: need(n); v = r.b.subarray(r.i, r.i + n); r.i += n; return v;
        case 3:
          need(n);
          try { v = new TextDecoder('utf-8', { fatal: true }).decode(r.b.subarray(r.i, r.i + n)); } catch (e) { fail(bad); }
          r.i += n;
          return v;
        case 4:
          need(n);
          v = [];
          for (k = 0; k < n; k++) v.push(item(depth + 1));
          return v;
        case 5:
          need(n);
          v = new Map();
          for (k = 0; k < n; k++) { var key = item(depth + 1); v.set(key, item(depth + 1)); }
          return v;
        default: return { tag: n, value: item(depth + 1) };
      }
    }
    var value = item(0);
    if (r.i !== bytes.length) fail(bad);
    return value;
  }

  // A CBOR array of text and byte strings: the COSE Sig_structure.
  function sigStructure(items) {
    function head(major, n) {
      if (n < 24) return [(major << 5) | n];
      if (n < 0x100) return [(major << 5) | 24, n];
      if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
      return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    }
    var parts = [new Uint8Array(head(4, items.length))];
    items.forEach(function (x) {
      var b = typeof x === 'string' ? new TextEncoder().encode(x) : x;
      parts.push(new Uint8Array(head(typeof x === 'string' ? 3 : 2, b.length)), b);
    });
    return concat(parts);
  }

  function isBytes(x) { return x instanceof Uint8Array; }
  function untag(v, tag) { return v && v.tag === tag ? v.value : v; }

  // ---- X.509, as much as the check needs ----
  function der(b, i) {
    if (i + 2 > b.length) fail('passport_list_malformed');
    var tag = b[i], len = b[i + 1], p = i + 2;
    if (len & 0x80) {
      var n = len & 0x7f;
      if (n < 1 || n > 3) fail('passport_list_malformed');
      len = 0;
      for (var k = 0; k < n; k++) len = len * 256 + b[p++];
    }
    if (p + len > b.length) fail('passport_list_malformed');
    return { tag: tag, at: i, start: p, end: p + len };
  }
  function children(b, node) {
    var list = [];
    for (var i = node.start; i < node.end;) { var c = der(b, i); list.push(c); i = c.end; }
    return list;
  }
  function derTime(b, node) {
    var s = String.fromCharCode.apply(null, b.subarray(node.start, node.end));
    var year, rest;
    if (node.tag === 0x17) { year = +s.slice(0, 2); year += year < 50 ? 2000 : 1900; rest = s.slice(2); } else { year = +s.slice(0, 4); rest = s.slice(4); }
    return Date.UTC(year, +rest.slice(0, 2) - 1, +rest.slice(2, 4), +rest.slice(4, 6), +rest.slice(6, 8), +rest.slice(8, 10));
  }
  // ECDSA-Sig-Value (DER) as the r ‖ s WebCrypto takes.
  function rawSignature(b) {
    var seq = der(b, 0), rs = children(b, seq);
    if (rs.length !== 2) fail('passport_list_chain');
    return concat(rs.map(function (x) {
      var v = b.subarray(x.start, x.end);
      while (v.length > 32 && v[0] === 0) v = v.subarray(1);
      if (v.length > 32) fail('passport_list_chain');
      var padded = new Uint8Array(32);
      padded.set(v, 32 - v.length);
      return padded;
    }));
  }
  var ECDSA_SHA256 = '06082a8648ce3d040302';
  var GOST_KEY = '1.2.643.7.1.1.1.1';
  // ГОСТ Р 34.10-2012 (256) with Стрибог-256, as a certificate's signature algorithm.
  var GOST_SIGNED = '1.2.643.7.1.1.3.2';
  var EC_KEY = '1.2.840.10045.2.1';

  function oid(b, node) {
    var out = [], v = 0;
    for (var i = node.start; i < node.end; i++) {
      v = v * 128 + (b[i] & 0x7f);
      if (!(b[i] & 0x80)) {
        if (!out.length) out.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
        else out.push(v);
        v = 0;
      }
    }
    return out.join('.');
  }

  // A SubjectPublicKeyInfo: its algorithm, and for ГОСТ the parameter set and the key x ‖ y.
  function publicKey(spki) {
    var parts = children(spki, der(spki, 0));
    var alg = children(spki, parts[0]);
    var kind = oid(spki, alg[0]);
    if (kind === EC_KEY) return { alg: ES256, spki: spki };
    if (kind !== GOST_KEY || !alg[1]) fail('passport_list_malformed');
    var set = oid(spki, children(spki, alg[1])[0]);
    var bits = parts[1];
    var inner = der(spki, bits.start + 1);
    if (inner.tag !== 0x04 || inner.end - inner.start !== 64) fail('passport_list_malformed');
    return { alg: GOST, set: set, key: spki.subarray(inner.start, inner.end) };
  }

  // A verifier of `alg` for a SubjectPublicKeyInfo: function (signature, data) → Promise<bool>.
  async function verifier(spki, alg) {
    var k = publicKey(spki);
    if (k.alg !== alg) fail('passport_list_chain');
    if (alg === ES256) {
      var key = await es256Key(spki);
      return function (sig, data) { return verifyEs256(key, sig, data); };
    }
    return function (sig, data) { return Promise.resolve(SepGost.verify(k.set, k.key, sig, data)); };
  }
  function certificate(b) {
    var top = children(b, der(b, 0));
    if (top.length !== 3) fail('passport_list_malformed');
    var t = children(b, top[0]);
    var k = t[0].tag === 0xa0 ? 1 : 0;
    if (t.length < k + 6) fail('passport_list_malformed');
    var validity = children(b, t[k + 3]);
    var bits = top[2];
    return {
      tbs: b.subarray(top[0].at, top[0].end),
      signedWith: hex(b.subarray(top[1].start, top[1].end)),
      signedWithOid: oid(b, children(b, top[1])[0]),
      signature: b.subarray(bits.start + 1, bits.end),
      spki: b.subarray(t[k + 5].at, t[k + 5].end),
      notBefore: derTime(b, validity[0]),
      notAfter: derTime(b, validity[1]),
    };
  }
  function es256Key(spki) {
    return crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  }
  function verifyEs256(key, signature, data) {
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, data);
  }

  // ---- the lists ----
  // A list (COSE_Sign) of `kind`, used only when every signature by a pinned root holds and
  // there is one. The trust list names the roots; the annulment list is checked by those.
  async function openList(bytes, kind, roots) {
    var sign = untag(cbor(bytes, 'passport_list_malformed'), 98);
    if (!Array.isArray(sign) || sign.length !== 4 || !isBytes(sign[0]) || !isBytes(sign[2]) || !Array.isArray(sign[3])) fail('passport_list_malformed');
    var body = cbor(sign[2], 'passport_list_malformed');
    if (!(body instanceof Map) || body.get('kind') !== kind) fail('passport_list_malformed');
    if (!roots) {
      roots = [];
      for (var r of body.get('roots') || []) {
        if (!isBytes(r) || PINS.indexOf(hex(await sha256(r))) < 0) continue;
        var alg = publicKey(certificate(r).spki).alg;
        roots.push({ cert: r, alg: alg, kid: hex((await sha256(r)).subarray(0, 8)), check: await verifier(certificate(r).spki, alg) });
      }
      if (!roots.length) fail('passport_list_signature');
    }
    var checked = 0;
    for (var s of sign[3]) {
      if (!Array.isArray(s) || s.length !== 3 || !isBytes(s[0]) || !isBytes(s[2])) fail('passport_list_malformed');
      var h = s[0].length ? cbor(s[0], 'passport_list_malformed') : new Map();
      var by = isBytes(h.get(4)) ? roots.find(function (x) { return x.kid === hex(h.get(4)); }) : null;
      if (!by) continue;
      if (h.get(1) !== by.alg) fail('passport_list_signature');
      var tbs = sigStructure(['Signature', sign[0], s[0], new Uint8Array(0), sign[2]]);
      if (!(await by.check(s[2], tbs))) fail('passport_list_signature');
      checked++;
    }
    if (!checked) fail('passport_list_signature');
    return { body: body, roots: roots };
  }

  async function openLists(trustBytes, annulBytes, now) {
    var trust = await openList(trustBytes, 'trust');
    var signers = {};
    for (var e of trust.body.get('signers') || []) {
      if (!(e instanceof Map) || !isBytes(e.get('cert')) || !isBytes(e.get('kid'))) continue;
      var alg = e.get('alg');
      var root = trust.roots.find(function (r) { return r.alg === alg; });
      if (!root || (alg !== ES256 && alg !== GOST)) continue;
      var cert = e.get('cert');
      var c = certificate(cert);
      var kid = hex((await sha256(cert)).subarray(0, 8));
      if (kid !== hex(e.get('kid')) || now < c.notBefore || now > c.notAfter) continue;
      if (publicKey(c.spki).alg !== alg) continue;
      var issued = alg === ES256
        ? c.signedWith === ECDSA_SHA256 && (await root.check(rawSignature(c.signature), c.tbs))
        : c.signedWithOid === GOST_SIGNED && (await root.check(c.signature, c.tbs));
      if (!issued) continue;
      signers[kid] = { alg: alg, check: await verifier(c.spki, alg), notAfter: c.notAfter };
    }
    if (!Object.keys(signers).length) fail('passport_list_chain');
    var annul = await openList(annulBytes, 'annulments', trust.roots);
    var annulled = {};
    for (var a of annul.body.get('annulled') || []) if (isBytes(a)) annulled[hex(a)] = true;
    var iat = annul.body.get('iat');
    if (typeof iat !== 'number') fail('passport_list_malformed');
    return { signers: signers, annulled: annulled, issued: iat * 1000 };
  }

  async function fetchLists() {
    // Asked of the portal each time (the service worker answers from its cache offline).
    var get = function (u) {
      return fetch(u, { cache: 'no-cache' }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.arrayBuffer();
      }).then(function (b) { return new Uint8Array(b); });
    };
    var both = await Promise.all([get('/.well-known/sep/trust-list'), get('/.well-known/sep/annulments')]);
    try {
      return await openLists(both[0], both[1], Date.now());
    } catch (e) {
      // A list whose structure surprised the reader is a malformed list, not a missing one.
      if (e instanceof Fail) throw e;
      fail('passport_list_malformed');
    }
  }

  // ---- the code ----
  function text(data, key, name) {
    var v = data.get(key);
    if (typeof v !== 'string' || v.length > 1000 || /[\u0000-\u001f\u007f-\u009f]/.test(v)) claims(name);
    return v;
  }

  async function parse(code) {
    code = code.trim();
    if (code.length > MAX_TEXT) fail('passport_code_too_long');
    if (code.indexOf('SEP1:') !== 0) fail('passport_code_prefix');
    var sign1 = untag(cbor(await inflate(base45(code.slice(5))), 'passport_code_malformed'), 18);
    if (!Array.isArray(sign1) || sign1.length !== 4 || !isBytes(sign1[0]) || !isBytes(sign1[2]) || !isBytes(sign1[3])) fail('passport_code_malformed');
    var h = cbor(sign1[0], 'passport_code_malformed');
    if (!(h instanceof Map) || typeof h.get(1) !== 'number' || !isBytes(h.get(4)) || !h.get(4).length) fail('passport_code_malformed');
    var set = cbor(sign1[2], 'passport_code_malformed');
    if (!(set instanceof Map)) fail('passport_code_malformed');
    if (set.get(1) !== 'RU') claims('iss');
    var iat = set.get(6), exp = set.get(4), data = set.get(-65537);
    if (typeof iat !== 'number' || !isFinite(iat)) claims('iat');
    if (typeof exp !== 'number' || !isFinite(exp)) claims('exp');
    if (!(data instanceof Map)) claims('data');
    var id = data.get(1);
    if (!isBytes(id) || id.length !== 16) claims('id');
    var dob = text(data, 5, 'dob');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dob)) claims('dob');
    return {
      alg: h.get(1),
      kid: hex(h.get(4)),
      signed: sigStructure(['Signature1', sign1[0], new Uint8Array(0), sign1[2]]),
      signature: sign1[3],
      claims: {
        id: id,
        number: text(data, 2, 'no'),
        lastName: text(data, 3, 'fn'),
        givenNames: text(data, 4, 'gn'),
        birthDate: dob,
        citizenship: text(data, 6, 'ci'),
        issuer: text(data, 7, 'is'),
        issued: Math.trunc(iat) * 1000,
        expires: Math.trunc(exp) * 1000,
      },
    };
  }
  function claims(name) { var f = new Fail('passport_code_claims'); f.claim = name; throw f; }

  async function verify(code, lists, now) {
    var p = await parse(code);
    var signer = lists.signers[p.kid];
    if (!signer) fail('passport_code_unknown_signer');
    if (p.alg !== signer.alg) fail('passport_code_algorithm');
    if (!(await signer.check(p.signature, p.signed))) fail('passport_code_signature');
    var c = p.claims;
    if (c.issued > now + SKEW || c.expires <= c.issued || c.expires > signer.notAfter) fail('passport_code_dates');
    if (now >= c.expires) fail('passport_code_expired');
    var label = new TextEncoder().encode('sep-passport-annulled:');
    var annulled = lists.annulled[hex(await sha256(concat([label, c.id])))];
    return { state: annulled ? 'annulled' : 'valid', claims: c, alg: p.alg };
  }

  // ---- the page ----
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function moscow(ms) {
    var d = new Date(ms + 3 * 3600 * 1000);
    return two(d.getUTCDate()) + '.' + two(d.getUTCMonth() + 1) + '.' + d.getUTCFullYear() + ' ' + two(d.getUTCHours()) + ':' + two(d.getUTCMinutes());
  }
  function moscowDay(ms) { return moscow(ms).slice(0, 10); }
  function isoDay(s) { return s.slice(8, 10) + '.' + s.slice(5, 7) + '.' + s.slice(0, 4); }
  function el(tag, attrs, content) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (content !== undefined) e.textContent = content;
    return e;
  }

  function show(state, title, what, code, facts, note) {
    out.textContent = '';
    var box = el('div', {
      class: 'passport-verdict-' + state,
      role: state === 'valid' ? 'status' : 'alert',
      tabindex: '-1',
      'aria-labelledby': 'verdict-title',
      'data-verdict': state,
      'data-checked': 'browser',
    });
    box.appendChild(el('h2', { id: 'verdict-title' }, title));
    box.appendChild(el('p', {}, what));
    var p = el('p', { class: 'muted' }, T.result_code + ': ');
    p.appendChild(el('code', {}, code));
    box.appendChild(p);
    out.appendChild(box);
    if (facts.length) {
      var dl = el('dl', { class: 'problem-facts' });
      facts.forEach(function (f) { dl.appendChild(el('dt', {}, f[0])); dl.appendChild(el('dd', {}, f[1])); });
      out.appendChild(dl);
      out.appendChild(el('p', { class: 'hint' }, T.check_holder));
    }
    if (note) out.appendChild(el('p', { class: 'muted', id: 'checked-where' }, note));
    box.focus();
  }

  function listNote(lists) {
    return T.checked_in_browser + ' ' + moscow(lists.issued) + ' ' + T.msk + '.';
  }

  function showVerdict(v, lists) {
    var c = v.claims, L = T.labels;
    var facts = [
      [L.number, c.number], [L.last_name, c.lastName], [L.given_names, c.givenNames],
      [L.birth_date, isoDay(c.birthDate)], [L.citizenship, c.citizenship],
      [L.issuer, T.issuers[c.issuer] || c.issuer], [L.issued, moscowDay(c.issued)], [L.until, moscowDay(c.expires)],
    ];
    if (v.state === 'valid') facts.push([L.signature, v.alg === GOST ? T.gost : T.es256]);
    facts.push([L.list, moscow(lists.issued) + ' ' + T.msk]);
    if (v.state === 'valid') show('valid', T.valid_title, T.valid_what, 'passport_valid', facts, listNote(lists));
    else show('annulled', T.annulled_title, T.annulled_what + ' ' + moscow(lists.issued) + ' ' + T.msk + '.', 'passport_annulled', facts, listNote(lists));
  }

  function showFailure(f) {
    var what = T.errors[f.code] || T.list_errors[f.code] || f.code;
    if (f.claim) what = what.replace('{0}', f.claim);
    show('invalid', f.code.indexOf('passport_list_') === 0 ? T.lists_title : T.invalid_title, what, f.code, []);
  }

  var lists = null;
  async function refresh() {
    try {
      lists = await fetchLists();
      if (status) status.textContent = T.ready + ' ' + moscow(lists.issued) + ' ' + T.msk + '.';
    } catch (e) {
      lists = null;
      if (status) status.textContent = e instanceof Fail ? (T.list_errors[e.code] || e.code) : T.lists_missing;
    }
    return lists;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var code = document.getElementById('code').value;
    (async function () {
      var l = await refresh();
      if (!l) {
        // No usable lists here: the portal checks it when it can be reached.
        if (navigator.onLine) return form.submit();
        return show('invalid', T.lists_title, T.lists_missing, 'passport_lists_missing', []);
      }
      try {
        showVerdict(await verify(code, l, Date.now()), l);
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        showFailure(e);
      }
    })().catch(function () { form.submit(); });
  });

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/passport/sw.js', { scope: '/passport/verify' }).catch(function () {});
  }
  refresh();
})();

// ГОСТ in the browser, for the e-passport's offline check (SPEC EP2): Стрибог-256 (ГОСТ Р
// 34.11-2012) and the check of a ГОСТ Р 34.10-2012 signature with a 256-bit key. WebCrypto
// has neither. Only public data pass through here (a code, a list, a certificate), so the
// arithmetic may take time that depends on them. Byte layouts are those of openssl's gost
// engine and of `sep-crypto`: a digest is read as a little-endian number, a signature is
// s ‖ r (big-endian), a public key x ‖ y (little-endian). The tests hold it to the standard's
// example and to openssl.
(function (root) {
  'use strict';
  // ГОСТ Р 34.11-2012's constants: the linear transformation's matrix (a row per bit, from the
  // least significant), the substitution π, and the twelve iteration constants (64 bytes each,
  // least significant first).
  var A = [
    '641c314b2b8ee083', 'c83862965601dd1b', '8d70c431ac02a736', '07e095624504536c',
    '0edd37c48a08a6d8', '1ca76e95091051ad', '3853dc371220a247', '70a6a56e2440598e',
    'a48b474f9ef5dc18', '550b8e9e21f7a530', 'aa16012142f35760', '492c024284fbaec0',
    '9258048415eb419d', '39b008152acb8227', '727d102a548b194e', 'e4fa2054a80b329c',
    'f97d86d98a327728', 'effa11af0964ee50', 'c3e9224312c8c1a0', '9bcf4486248d9f5d',
    '2b838811480723ba', '561b0d22900e4669', 'ac361a443d1c8cd2', '456c34887a3805b9',
    '5b068c651810a89e', 'b60c05ca30204d21', '71180a8960409a42', 'e230140fc0802984',
    'd960281e9d1d5215', 'afc0503c273aa42a', '439da0784e745554', '86275df09ce8aaa8',
    '0321658cba93c138', '0642ca05693b9f70', '0c84890ad27623e0', '18150f14b9ec46dd',
    '302a1e286fc58ca7', '60543c50de970553', 'c0a878a0a1330aa6', '9d4df05d5f661451',
    'accc9ca9328a8950', '4585254f64090fa0', '8a174a9ec8121e5d', '092e94218d243cba',
    '125c354207487869', '24b86a840e90f0d2', '486dd4151c3dfdb9', '90dab52a387ae76f',
    '46b60f011a83988e', '8c711e02341b2d01', '05e23c0468365a02', '0ad97808d06cb404',
    '14aff010bdd87508', '2843fd2067adea10', '5086e740ce47c920', 'a011d380818e8f40',
    '83478b07b2468764', '1b8e0b0e798c13c8', '3601161cf205268d', '6c022c38f90a4c07',
    'd8045870ef14980e', 'ad08b0e0c3282d1c', '47107ddd9b505a38', '8e20faa72ba0b470',
  ];
  var PI = [
    252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77,
    233, 119, 240, 219, 147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193,
    249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79,
    5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31,
    235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204,
    181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135,
    21, 161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177,
    50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128, 195, 189, 13, 87,
    223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3,
    224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74,
    167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65,
    173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59,
    7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137,
    225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97,
    32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82,
    89, 166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
  ];
  var C = [
    '0745a6f2596580dd234d74cc3674760515d360a4082a42a20169679291e07c4bfcc485758db84e7116d0452e43766a2f1f7c65c0812fcbebe9daca1eda5b08b1',
    'b79bb121700479e656cdcbd71ba2dd55caa70adbc261b55c5899d6126b17b59a3101b5160f5ed561982b230a72eafef3d7b5700f469de34f1a2f9da98ab5a36f',
    'b20aba0af5961e9931db7a8643f4b6c209db6260373ac9c1b19e3590e40fe2d37b7b29b11475eaf28b1f9c525f5ef10635843d6a28fc390ac72fce2bacdc74f5',
    '2ed1e384bcbe0c22f137e893a1ea5334be0352933313b7d875d603ed822cd7a93f355e68ad1c729d7d3c5c337e858e48dde4715da0e148f9d26615e8b3df1fef',
    '57fe6c7cfd581760f563eaa97ea2567a161a2723b700ffdfa3f53a254717cdbfbdff0f80d7359e354a1086161f1c157f6323a96c0c413f9a994747adac6bea4b',
    '6e7d64467a4068fa354f903672c571bfb6c6bec2661ff20ab4b79a1cb7a6facfc68ef09ab49a7f186ca44251f9c4662dc039307a3bc3a46fd9d33a1daeae4fae',
    '93d4143a4d568688f34a3ca24c45173504054a2883694706372c822dc5ab9209c9937a19333e47d3c987bfe6c7c69e39540924bffe86ac51ecc5aaee160ec7f4',
    '1ee702bfd40d7fa4d9a8515935c2ac362fc4a5d12b8dd16990069b92cb2b89f49ac4db4d3b44b4891ede369c71f8b74e41416e0c02aae703a7c9934d425b1f9b',
    'db5a238351446172602a1fcb92dc380e549c07a69a8a2b7bb1ceb2db0b440a8084090de0b755d93c244289251b3a7d3ade5f16ecd89a4c949b223116545a8f37',
    'ed9c4598fbc7b474c3b63b15d1fa9836f452763b306c1e7a4b3369af0267e79f0361331b8ae1ff1fdb788aff1ce74189f3f3e4b248e52a38526f0580a6debeab',
    '1b2df381cda4ca6b5dd86fc04a59a2de986e477d1dcdbaefcab948eaef711d8a79668414218001206107abebbb6bfad894fe5a63cdc60230fb89c8efd09ecd7b',
    '20d71bf14a92bc48991bb2d9d517f4fa5228e188aaa41de786cc91189def805d9b9f2130d41220f8771ddfbc323ca4cd7ab14904b08013d2ba3116f167e78e37',
  ];

  // ---- Стрибог: the state as sixteen 32-bit halves of eight 64-bit words, low half first ----
  var TABLE = new Uint32Array(8 * 256 * 2);
  (function () {
    var lo = [], hi = [];
    A.forEach(function (x) { hi.push(parseInt(x.slice(0, 8), 16)); lo.push(parseInt(x.slice(8), 16)); });
    // Row 8i + k of the matrix for bit k of the byte at position i of a word, the byte first
    // put through π.
    for (var i = 0; i < 8; i++) {
      for (var v = 0; v < 256; v++) {
        var l = 0, h = 0;
        for (var k = 0; k < 8; k++) {
          if ((PI[v] >> k) & 1) { l ^= lo[8 * i + k]; h ^= hi[8 * i + k]; }
        }
        TABLE[(i * 256 + v) * 2] = l >>> 0;
        TABLE[(i * 256 + v) * 2 + 1] = h >>> 0;
      }
    }
  })();
  var CONSTS = C.map(function (s) {
    var b = new Uint8Array(64);
    for (var i = 0; i < 64; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
    return words(b, 0);
  });
  var ZERO = new Uint32Array(16);

  function words(bytes, at) {
    var w = new Uint32Array(16);
    for (var i = 0; i < 16; i++) {
      var o = at + 4 * i;
      w[i] = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
    }
    return w;
  }

  // X, S, P and L in one: word i of the result from byte i of every word of a ⊕ b.
  function lps(a, b) {
    var t = new Uint32Array(16), out = new Uint32Array(16);
    for (var w = 0; w < 16; w++) t[w] = a[w] ^ b[w];
    for (var i = 0; i < 8; i++) {
      var lo = 0, hi = 0, half = i < 4 ? 0 : 1, shift = 8 * (i & 3);
      for (var j = 0; j < 8; j++) {
        var idx = (j * 256 + ((t[2 * j + half] >>> shift) & 255)) * 2;
        lo ^= TABLE[idx];
        hi ^= TABLE[idx + 1];
      }
      out[2 * i] = lo >>> 0;
      out[2 * i + 1] = hi >>> 0;
    }
    return out;
  }

  // g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m.
  function g(h, n, m) {
    var key = lps(h, n), block = m;
    for (var c = 0; c < 12; c++) {
      block = lps(block, key);
      key = lps(key, CONSTS[c]);
    }
    for (var w = 0; w < 16; w++) h[w] = (h[w] ^ block[w] ^ key[w] ^ m[w]) >>> 0;
  }

  // a += b modulo 2⁵¹².
  function add(a, b) {
    var carry = 0;
    for (var i = 0; i < 16; i++) {
      var s = a[i] + b[i] + carry;
      a[i] = s >>> 0;
      carry = s > 0xffffffff ? 1 : 0;
    }
  }

  function streebog256(msg) {
    var h = new Uint32Array(16).fill(0x01010101), n = new Uint32Array(16), sigma = new Uint32Array(16);
    function compress(m, bits) {
      g(h, n, m);
      var len = new Uint32Array(16);
      len[0] = bits;
      add(n, len);
      add(sigma, m);
    }
    var at = 0;
    for (; msg.length - at >= 64; at += 64) compress(words(msg, at), 512);
    var last = new Uint8Array(64);
    last.set(msg.subarray(at));
    last[msg.length - at] = 1;
    compress(words(last, 0), 8 * (msg.length - at));
    g(h, ZERO, n);
    g(h, ZERO, sigma);
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      var v = h[8 + i];
      out[4 * i] = v & 255; out[4 * i + 1] = (v >>> 8) & 255; out[4 * i + 2] = (v >>> 16) & 255; out[4 * i + 3] = v >>> 24;
    }
    return out;
  }

  // ---- ГОСТ Р 34.10-2012, 256-bit keys: the parameter sets by OID (p, a, b, q, x, y) ----
  var SETS = {
    '1.2.643.7.1.2.1.1.1': [
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97',
      'C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335',
      '295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513',
      '400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67',
      '91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28',
      '32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C',
    ],
    '1.2.643.2.2.35.1': [
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97',
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94',
      '00000000000000000000000000000000000000000000000000000000000000A6',
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893',
      '0000000000000000000000000000000000000000000000000000000000000001',
      '8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14',
    ],
    '1.2.643.2.2.35.2': [
      '8000000000000000000000000000000000000000000000000000000000000C99',
      '8000000000000000000000000000000000000000000000000000000000000C96',
      '3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B',
      '800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F',
      '0000000000000000000000000000000000000000000000000000000000000001',
      '3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC',
    ],
    '1.2.643.2.2.35.3': [
      '9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B',
      '9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598',
      '000000000000000000000000000000000000000000000000000000000000805A',
      '9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67',
    ],
  };
  // The XchA and XchB sets are the CryptoPro A and C sets under other names.
  SETS['1.2.643.2.2.36.0'] = SETS['1.2.643.2.2.35.1'];
  SETS['1.2.643.2.2.36.1'] = SETS['1.2.643.2.2.35.3'];
  SETS['1.2.643.7.1.2.1.1.2'] = SETS['1.2.643.2.2.35.1'];
  SETS['1.2.643.7.1.2.1.1.3'] = SETS['1.2.643.2.2.35.2'];
  SETS['1.2.643.7.1.2.1.1.4'] = SETS['1.2.643.2.2.35.3'];

  function big(bytes, littleEndian) {
    var h = '';
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[littleEndian ? bytes.length - 1 - i : i];
      h += (b < 16 ? '0' : '') + b.toString(16);
    }
    return BigInt('0x' + (h || '0'));
  }
  function mod(a, m) { var r = a % m; return r < 0n ? r + m : r; }
  function inverse(a, m) {
    var t = 0n, nt = 1n, r = m, nr = mod(a, m);
    while (nr !== 0n) {
      var k = r / nr;
      var x = t - k * nt; t = nt; nt = x;
      x = r - k * nr; r = nr; nr = x;
    }
    return r === 1n ? mod(t, m) : null;
  }

  // Points in Jacobian coordinates (X, Y, Z), the point at infinity with Z = 0.
  function curve(set) {
    var c = SETS[set];
    if (!c) return null;
    var p = BigInt('0x' + c[0]), a = BigInt('0x' + c[1]), q = BigInt('0x' + c[3]);
    function dbl(P) {
      var X = P[0], Y = P[1], Z = P[2];
      if (Z === 0n || Y === 0n) return [0n, 1n, 0n];
      var YY = Y * Y % p, S = 4n * X * YY % p, ZZ = Z * Z % p;
      var M = (3n * X * X + a * ZZ * ZZ) % p;
      var X3 = mod(M * M - 2n * S, p);
      return [X3, mod(M * (S - X3) - 8n * YY * YY, p), 2n * Y * Z % p];
    }
    function plus(P, Q) {
      if (P[2] === 0n) return Q;
      if (Q[2] === 0n) return P;
      var Z1Z1 = P[2] * P[2] % p, Z2Z2 = Q[2] * Q[2] % p;
      var U1 = P[0] * Z2Z2 % p, U2 = Q[0] * Z1Z1 % p;
      var S1 = P[1] * Z2Z2 % p * Q[2] % p, S2 = Q[1] * Z1Z1 % p * P[2] % p;
      if (U1 === U2) return S1 === S2 ? dbl(P) : [0n, 1n, 0n];
      var H = mod(U2 - U1, p), R = mod(S2 - S1, p), HH = H * H % p, HHH = HH * H % p;
      var X3 = mod(R * R - HHH - 2n * U1 * HH, p);
      return [X3, mod(R * (U1 * HH - X3) - S1 * HHH, p), H * P[2] % p * Q[2] % p];
    }
    function onCurve(x, y) {
      return x < p && y < p && mod(y * y - (x * x * x + a * x + BigInt('0x' + c[2])), p) === 0n;
    }
    return { p: p, q: q, G: [BigInt('0x' + c[4]), BigInt('0x' + c[5]), 1n], dbl: dbl, plus: plus, onCurve: onCurve };
  }

  // Whether signature (s ‖ r) of `message` holds for the key x ‖ y (little-endian) of `set`.
  function verify(set, key, signature, message) {
    var c = curve(set);
    if (!c || key.length !== 64 || signature.length !== 64) return false;
    var x = big(key.subarray(0, 32), true), y = big(key.subarray(32), true);
    if (!c.onCurve(x, y)) return false;
    var s = big(signature.subarray(0, 32)), r = big(signature.subarray(32));
    if (r === 0n || s === 0n || r >= c.q || s >= c.q) return false;
    var e = big(streebog256(message), true) % c.q;
    if (e === 0n) e = 1n;
    var v = inverse(e, c.q);
    var z1 = s * v % c.q, z2 = mod(-r * v, c.q);
    // z1·G + z2·Q by Shamir's trick, on public data only.
    var Q = [x, y, 1n], GQ = c.plus(c.G, Q), P = [0n, 1n, 0n];
    for (var i = 255; i >= 0; i--) {
      P = c.dbl(P);
      var b1 = (z1 >> BigInt(i)) & 1n, b2 = (z2 >> BigInt(i)) & 1n;
      if (b1 && b2) P = c.plus(P, GQ);
      else if (b1) P = c.plus(P, c.G);
      else if (b2) P = c.plus(P, Q);
    }
    if (P[2] === 0n) return false;
    var zi = inverse(P[2], c.p);
    var ax = P[0] * zi % c.p * zi % c.p;
    return ax % c.q === r;
  }

  var api = { streebog256: streebog256, verify: verify, sets: Object.keys(SETS) };
  root.SepGost = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof self !== 'undefined' ? self : globalThis);

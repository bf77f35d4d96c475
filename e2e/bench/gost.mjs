// How fast the browser's ГОСТ check (gost.js) is, beside the ES256 check of the same engine's
// WebCrypto in the same run: `node e2e/bench/gost.mjs` (needs openssl's gost engine to make
// the key and the signature). One core, V8 as in Chromium.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';

const gost = createRequire(import.meta.url)('../../crates/sep-web/assets/gost.js');
const dir = mkdtempSync(join(tmpdir(), 'sep-gost-bench-'));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
const message = Buffer.alloc(420, 7); // about a code's Sig_structure
writeFileSync(join(dir, 'm.bin'), message);
openssl('genpkey', '-engine', 'gost', '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', 'k.pem');
openssl('pkey', '-engine', 'gost', '-in', 'k.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der');
openssl('dgst', '-engine', 'gost', '-md_gost12_256', '-sign', 'k.pem', '-out', 'sig.bin', 'm.bin');
const spki = readFileSync(join(dir, 'pub.der'));
const key = spki.subarray(spki.length - 64);
const sig = readFileSync(join(dir, 'sig.bin'));

async function rate(f) {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 3000) {
    await f();
    n += 1;
  }
  return (n * 1000) / (performance.now() - start);
}

const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
const es = new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, message));
const gostRate = await rate(() => {
  if (!gost.verify('1.2.643.2.2.35.1', key, sig, message)) throw new Error('does not verify');
});
const esRate = await rate(() => webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, es, message));
console.log('browser checks per second, one core        gost.js   anchor: WebCrypto ES256   ratio');
console.log(`ГОСТ Р 34.10-2012 (256) over a 420-byte code  ${gostRate.toFixed(0).padStart(7)}   ${esRate.toFixed(0).padStart(23)}   ${(gostRate / esRate).toFixed(2)}`);

// gost.js — the browser's Стрибог-256 and ГОСТ Р 34.10-2012 check, used by /passport/verify
// offline — held to the standard's example and to openssl's gost engine, an implementation of
// its own: digests of every length around a block, and signatures openssl made with each
// 256-bit parameter set (a changed message or signature does not verify).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gost = createRequire(import.meta.url)('../../crates/sep-web/assets/gost.js');
const dir = mkdtempSync(join(tmpdir(), 'sep-gost-'));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
const hex = (b) => Buffer.from(b).toString('hex');

test('Стрибог-256 gives the standard example and what openssl gives', () => {
  // ГОСТ Р 34.11-2012, example 1 (the digest's bytes least significant first, as openssl prints).
  const m1 = Buffer.from('012345678901234567890123456789012345678901234567890123456789012');
  assert.equal(hex(gost.streebog256(m1)), '9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
  for (const n of [0, 1, 31, 63, 64, 65, 127, 128, 129, 1000]) {
    const m = randomBytes(n);
    writeFileSync(join(dir, 'm.bin'), m);
    const printed = openssl('dgst', '-engine', 'gost', '-md_gost12_256', 'm.bin').toString().trim().split('= ')[1];
    assert.equal(hex(gost.streebog256(m)), printed, `${n} bytes`);
  }
});

test('a ГОСТ Р 34.10-2012 signature made by openssl verifies, a changed one does not', () => {
  const sets = [['A', '1.2.643.2.2.35.1'], ['B', '1.2.643.2.2.35.2'], ['C', '1.2.643.2.2.35.3'], ['TCA', '1.2.643.7.1.2.1.1.1']];
  for (const [name, oid] of sets) {
    openssl('genpkey', '-engine', 'gost', '-algorithm', 'gost2012_256', '-pkeyopt', `paramset:${name}`, '-out', 'k.pem');
    openssl('pkey', '-engine', 'gost', '-in', 'k.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der');
    const spki = readFileSync(join(dir, 'pub.der'));
    const key = spki.subarray(spki.length - 64);
    const m = randomBytes(300);
    writeFileSync(join(dir, 'm.bin'), m);
    openssl('dgst', '-engine', 'gost', '-md_gost12_256', '-sign', 'k.pem', '-out', 'sig.bin', 'm.bin');
    const sig = readFileSync(join(dir, 'sig.bin'));
    assert.ok(gost.verify(oid, key, sig, m), name);
    const changed = Buffer.from(m);
    changed[7] ^= 1;
    assert.ok(!gost.verify(oid, key, sig, changed), `${name}: a changed message`);
    const forged = Buffer.from(sig);
    forged[40] ^= 1;
    assert.ok(!gost.verify(oid, key, forged, m), `${name}: a changed signature`);
    assert.ok(!gost.verify('1.2.3', key, sig, m), 'an unknown parameter set');
  }
});

// More known-answer tests from published vectors (test/crypto/vectors/extra.json):
// RFC 4231 HMAC test cases 3-5 and 7, AES-192/256-GCM from NIST CAVP,
// SHA-3-224/384/512 and SHA-384/512 two-block messages, HKDF-SHA-1 (RFC 5869
// A.4-A.7), PBKDF2-HMAC-SHA-256 (RFC 7914 section 11), RFC 7748 iterated
// X25519/X448 and its Diffie-Hellman examples, RFC 6979 P-384/P-521
// signatures and RFC 8439 A.5, each with negative cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as c from 'jsec/crypto';
import { JsecError } from 'jsec/errors';

const V = JSON.parse(readFileSync(new URL('./vectors/extra.json', import.meta.url), 'utf8'));
const hex = (s) => Buffer.from(s, 'hex');
const flip = (buf, i = 0) => {
  const b = Buffer.from(buf);
  b[i % b.length] ^= 0x01;
  return b;
};
const authFailed = (e) => e instanceof JsecError && e.code === 'ERR_JSEC_CRYPTO_AUTH_FAILED';

test('AEAD: CAVP AES-192/256-GCM encrypt and decrypt records, RFC 8439 A.5; tampering rejected', () => {
  const algs = new Set();
  for (const v of V.aead) {
    algs.add(v.alg);
    const [key, nonce, aad, tag] = [hex(v.key), hex(v.nonce), hex(v.aad), hex(v.tag)];
    const sealed = c.encrypt(v.alg, key, nonce, hex(v.pt), { aad });
    assert.equal(sealed.ciphertext.toString('hex'), v.ct, v.ref);
    assert.equal(sealed.tag.toString('hex'), v.tag, v.ref);
    assert.equal(c.decrypt(v.alg, key, nonce, hex(v.ct), tag, { aad }).toString('hex'), v.pt, v.ref);
    const bad = [
      () => c.decrypt(v.alg, key, nonce, hex(v.ct), flip(tag, 15), { aad }),
      () => c.decrypt(v.alg, flip(key, 7), nonce, hex(v.ct), tag, { aad }),
      () => c.decrypt(v.alg, key, flip(nonce, 11), hex(v.ct), tag, { aad }),
      () => c.decrypt(v.alg, key, nonce, hex(v.ct), tag, { aad: Buffer.concat([aad, Buffer.from([0])]) }),
    ];
    if (v.ct.length > 0) bad.push(() => c.decrypt(v.alg, key, nonce, flip(hex(v.ct), 3), tag, { aad }));
    for (const f of bad) assert.throws(f, authFailed, v.ref);
  }
  assert.deepEqual([...algs].sort(), ['aes-192-gcm', 'aes-256-gcm', 'chacha20-poly1305']);
});

test('hmac: RFC 4231 test cases 3, 4, 5 (truncated) and 7', () => {
  for (const v of V.hmac) {
    const mac = c.hmac(v.alg, hex(v.key), hex(v.data)).toString('hex');
    assert.equal(v.truncated ? mac.slice(0, v.mac.length) : mac, v.mac, v.ref);
    assert.notEqual(c.hmac(v.alg, flip(hex(v.key)), hex(v.data)).toString('hex').slice(0, v.mac.length), v.mac);
    assert.notEqual(c.hmac(v.alg, hex(v.key), flip(hex(v.data))).toString('hex').slice(0, v.mac.length), v.mac);
  }
});

test('digest: CAVP SHA-224/384/512 and SHA-3-224/384/512 ShortMsg, FIPS 180 two-block SHA-384/512', () => {
  for (const v of V.digest) {
    assert.equal(c.digest(v.alg, hex(v.msg)).toString('hex'), v.md, v.ref);
    assert.notEqual(c.digest(v.alg, Buffer.concat([hex(v.msg), Buffer.from([0])])).toString('hex'), v.md);
  }
});

test('hkdf: RFC 5869 A.4, A.6, A.7 (HKDF-SHA-1; A.7 without a salt)', async () => {
  for (const v of V.hkdf) {
    const o = { info: hex(v.info), length: v.length };
    if (v.salt !== null) o.salt = hex(v.salt);
    assert.equal((await c.hkdf(v.hash, hex(v.ikm), o)).toString('hex'), v.okm, v.ref);
    assert.equal(c.hkdfSync(v.hash, hex(v.ikm), o).toString('hex'), v.okm, v.ref);
    assert.notEqual(c.hkdfSync('sha256', hex(v.ikm), o).toString('hex'), v.okm);
  }
});

test('pbkdf2: RFC 7914 section 11 (HMAC-SHA-256, 1 and 80 000 iterations)', async () => {
  for (const v of V.pbkdf2) {
    const o = { iterations: v.iterations, length: v.length };
    assert.equal((await c.pbkdf2(v.hash, v.password, v.salt, o)).toString('hex'), v.dk, v.ref);
  }
  const v = V.pbkdf2[0];
  assert.equal(c.pbkdf2Sync(v.hash, v.password, v.salt, { iterations: v.iterations, length: v.length }).toString('hex'), v.dk);
  assert.notEqual(c.pbkdf2Sync(v.hash, v.password, v.salt, { iterations: 2, length: v.length }).toString('hex'), v.dk);
});

test('X25519 / X448: RFC 7748 iterated scalar multiplication (1 and 1000 rounds) and the section 6 exchanges', () => {
  for (const type of ['x25519', 'x448']) {
    const { iterated, dh } = V[type];
    // k, u start as the base point; each round: k' = X(k, u), u' = k
    let k = hex(iterated.k);
    let u = hex(iterated.k);
    for (let i = 1; i <= 1000; i++) {
      const next = c.deriveSharedSecret(c.importRawKey(type, k, { kind: 'private' }), c.importRawKey(type, u));
      u = k;
      k = next;
      if (i === 1) assert.equal(k.toString('hex'), iterated.after1, `${type} after 1`);
    }
    assert.equal(k.toString('hex'), iterated.after1000, `${type} after 1000`);
    const alice = c.importRawKey(type, hex(dh.alicePrivate), { kind: 'private' });
    const bob = c.importRawKey(type, hex(dh.bobPrivate), { kind: 'private' });
    assert.equal(c.exportRawKey(c.exportPublicKey(alice, { format: 'der' })).toString('hex'), dh.alicePublic, dh.ref);
    assert.equal(c.exportRawKey(c.exportPublicKey(bob, { format: 'der' })).toString('hex'), dh.bobPublic, dh.ref);
    assert.equal(c.deriveSharedSecret(alice, c.importRawKey(type, hex(dh.bobPublic))).toString('hex'), dh.shared, dh.ref);
    assert.equal(c.deriveSharedSecret(bob, c.importRawKey(type, hex(dh.alicePublic))).toString('hex'), dh.shared, dh.ref);
    assert.notEqual(c.deriveSharedSecret(bob, c.importRawKey(type, flip(hex(dh.alicePublic), 5))).toString('hex'), dh.shared);
  }
});

test('ECDSA: RFC 6979 A.2.6 / A.2.7 published P-384 and P-521 signatures verify under the published key (and not swapped or truncated)', () => {
  for (const v of V.ecdsa) {
    const priv = c.importRawKey(v.curve, hex(v.d), { kind: 'private' });
    const pub = c.exportPublicKey(priv);
    if (v.ux) assert.equal(c.exportRawKey(pub).toString('hex'), `04${v.ux}${v.uy}`, v.ref);
    const [a, b] = v.sigs.map((s) => Buffer.concat([hex(s.r), hex(s.s)]));
    const o = { dsaEncoding: 'ieee-p1363', hash: v.hash };
    assert.equal(c.verify(pub, v.sigs[0].msg, a, o), true, v.ref);
    assert.equal(c.verify(pub, v.sigs[1].msg, b, o), true, v.ref);
    // the curve's default hash is the one RFC 6979 used here
    assert.equal(c.verify(pub, v.sigs[0].msg, a, { dsaEncoding: 'ieee-p1363' }), true, 'default hash');
    assert.equal(c.verify(pub, v.sigs[1].msg, a, o), false);
    assert.equal(c.verify(pub, v.sigs[0].msg, b, o), false);
    assert.equal(c.verify(pub, v.sigs[0].msg, a, { ...o, hash: 'sha256' }), false);
    assert.equal(c.verify(pub, v.sigs[0].msg, a.subarray(0, a.length - 1), o), false, 'truncated');
    assert.equal(c.verify(pub, v.sigs[0].msg, flip(a, a.length - 1), o), false);
  }
});

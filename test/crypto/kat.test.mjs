// Known-answer tests from published vectors (test/crypto/vectors/*.json):
// NIST CAVP (SHA-2, SHA-3, HMAC, AES-GCM, AES-CCM, ECDSA SigVer), RFC 4231,
// RFC 5869, RFC 6070, RFC 7914, RFC 7748, RFC 8032, RFC 8439, RFC 6979 and
// the PKCS #1 v2.1 (RFC 8017) OAEP/PSS examples, with their negative cases.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as c from 'jsec/crypto';
import { JsecError } from 'jsec/errors';

const vec = (name) => JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), 'utf8'));
const hex = (s) => Buffer.from(s, 'hex');
const flip = (buf, i = 0) => {
  const b = Buffer.from(buf);
  b[i % b.length] ^= 0x01;
  return b;
};

test('digest: CAVP SHA-2 / SHA-3 and FIPS 180 examples', () => {
  for (const v of vec('digest').vectors) {
    assert.equal(c.digest(v.alg, hex(v.msg)).toString('hex'), v.md, v.ref);
  }
});

test('hmac: RFC 4231 and CAVP HMAC (truncated MACs on their prefix)', () => {
  for (const v of vec('hmac').vectors) {
    const mac = c.hmac(v.alg, hex(v.key), hex(v.data)).toString('hex');
    if (v.truncated) assert.equal(mac.slice(0, v.mac.length), v.mac, v.ref);
    else assert.equal(mac, v.mac, v.ref);
    // negative: one flipped key bit changes the MAC
    assert.notEqual(c.hmac(v.alg, flip(hex(v.key)), hex(v.data)).toString('hex').slice(0, v.mac.length), v.mac);
  }
});

test('hkdf: RFC 5869 A.1-A.3, async and sync', async () => {
  for (const v of vec('kdf').hkdf) {
    const o = { salt: hex(v.salt), info: hex(v.info), length: v.length };
    assert.equal((await c.hkdf(v.hash, hex(v.ikm), o)).toString('hex'), v.okm, v.ref);
    assert.equal(c.hkdfSync(v.hash, hex(v.ikm), o).toString('hex'), v.okm, v.ref);
  }
});

test('pbkdf2: RFC 6070', async () => {
  for (const v of vec('kdf').pbkdf2) {
    const o = { iterations: v.iterations, length: v.length };
    assert.equal((await c.pbkdf2(v.hash, v.password, v.salt, o)).toString('hex'), v.dk, v.ref);
    assert.equal(c.pbkdf2Sync(v.hash, v.password, v.salt, o).toString('hex'), v.dk, v.ref);
  }
});

test('scrypt: RFC 7914 section 12', async () => {
  for (const v of vec('kdf').scrypt) {
    const o = { cost: v.N, blockSize: v.r, parallelization: v.p, length: v.length };
    assert.equal((await c.scrypt(v.password, v.salt, o)).toString('hex'), v.dk, v.ref);
  }
  const v = vec('kdf').scrypt[0];
  assert.equal(c.scryptSync(v.password, v.salt, { cost: v.N, blockSize: v.r, parallelization: v.p, length: v.length }).toString('hex'), v.dk);
});

test('aead: CAVP GCM / CCM and RFC 8439 ChaCha20-Poly1305, with tampering rejected', () => {
  for (const v of vec('aead').vectors) {
    const key = hex(v.key);
    const nonce = hex(v.nonce);
    const aad = hex(v.aad);
    const tag = hex(v.tag);
    const sealed = c.encrypt(v.alg, key, nonce, hex(v.pt), { aad, tagLength: tag.length });
    assert.equal(sealed.ciphertext.toString('hex'), v.ct, v.ref);
    assert.equal(sealed.tag.toString('hex'), v.tag, v.ref);
    assert.equal(c.decrypt(v.alg, key, nonce, hex(v.ct), tag, { aad }).toString('hex'), v.pt, v.ref);
    const bad = [
      () => c.decrypt(v.alg, key, nonce, hex(v.ct), flip(tag), { aad }),
      () => c.decrypt(v.alg, key, flip(nonce), hex(v.ct), tag, { aad }),
      () => c.decrypt(v.alg, flip(key), nonce, hex(v.ct), tag, { aad }),
      () => c.decrypt(v.alg, key, nonce, hex(v.ct), tag, { aad: Buffer.concat([aad, Buffer.from([0])]) }),
    ];
    if (v.ct.length > 0) bad.push(() => c.decrypt(v.alg, key, nonce, flip(hex(v.ct)), tag, { aad }));
    // the same through a keyed AeadKey (key schedule computed once), used twice
    const k = c.createAeadKey(v.alg, key);
    for (let i = 0; i < 2; i++) {
      const s2 = k.encrypt(nonce, hex(v.pt), { aad, tagLength: tag.length });
      assert.equal(s2.ciphertext.toString('hex') + s2.tag.toString('hex'), v.ct + v.tag, v.ref);
      assert.equal(k.decrypt(nonce, hex(v.ct), tag, { aad }).toString('hex'), v.pt, v.ref);
    }
    bad.push(() => k.decrypt(nonce, hex(v.ct), flip(tag), { aad }), () => k.decrypt(flip(nonce), hex(v.ct), tag, { aad }));
    for (const f of bad) assert.throws(f, (e) => e instanceof JsecError && e.code === 'ERR_JSEC_CRYPTO_AUTH_FAILED', v.ref);
    k[Symbol.dispose]();
    assert.equal(k.state, 'closed');
  }
});

test('Ed25519 / Ed448: RFC 8032 deterministic signatures, public keys and negative cases', () => {
  const s = vec('signatures');
  for (const [type, list] of [['ed25519', s.ed25519], ['ed448', s.ed448]]) {
    for (const v of list) {
      const priv = c.importRawKey(type, hex(v.secret), { kind: 'private' });
      assert.equal(c.exportRawKey(c.exportPublicKey(priv, { format: 'der' })).toString('hex'), v.public, v.ref);
      assert.equal(c.sign(priv, hex(v.msg)).toString('hex'), v.sig, v.ref);
      const pub = c.importRawKey(type, hex(v.public));
      assert.equal(c.verify(pub, hex(v.msg), hex(v.sig)), true, v.ref);
      assert.equal(c.verify(pub, Buffer.concat([hex(v.msg), Buffer.from([1])]), hex(v.sig)), false);
      assert.equal(c.verify(pub, hex(v.msg), flip(hex(v.sig), 5)), false);
      assert.equal(c.verify(pub, hex(v.msg), hex(v.sig).subarray(1)), false, 'truncated signature');
    }
  }
});

test('ECDSA: CAVP SigVer [P-256,SHA-256] verdicts, both signature encodings', () => {
  for (const v of vec('signatures').ecdsaSigVer) {
    const key = c.importRawKey('P-256', Buffer.concat([Buffer.from([4]), hex(v.qx), hex(v.qy)]));
    const p1363 = Buffer.concat([hex(v.r), hex(v.s)]);
    assert.equal(c.verify(key, hex(v.msg), p1363, { dsaEncoding: 'ieee-p1363', hash: 'sha256' }), v.result === 'P', v.ref);
    const der = derSig(hex(v.r), hex(v.s));
    assert.equal(c.verify(key, hex(v.msg), der), v.result === 'P', v.ref);
  }
});

test('ECDSA: RFC 6979 A.2.5 published signatures verify under the published key (and not swapped)', () => {
  const v = vec('signatures').rfc6979;
  const priv = c.importRawKey('P-256', hex(v.d), { kind: 'private' });
  const pub = c.exportRawKey(c.exportPublicKey(priv, { format: 'der' }));
  assert.equal(pub.toString('hex'), `04${v.ux}${v.uy}`);
  const [a, b] = v.sigs.map((s) => Buffer.concat([hex(s.r), hex(s.s)]));
  const o = { dsaEncoding: 'ieee-p1363' };
  assert.equal(c.verify(priv, v.sigs[0].msg, a, o), true);
  assert.equal(c.verify(priv, v.sigs[1].msg, b, o), true);
  assert.equal(c.verify(priv, v.sigs[1].msg, a, o), false);
  assert.equal(c.verify(priv, v.sigs[0].msg, b, o), false);
  assert.equal(c.verify(priv, v.sigs[0].msg, a.subarray(0, 63), o), false, 'truncated');
});

test('RSA-PSS: PKCS #1 v2.1 pss-int example verifies (SHA-1, MGF1-SHA-1, salt 20); tampering fails', () => {
  const v = vec('signatures').rsaPss;
  const key = createPublicKey({ key: { kty: 'RSA', n: hex(v.n).toString('base64url'), e: hex(v.e).toString('base64url') }, format: 'jwk' });
  const o = { padding: 'pss', hash: v.hash, saltLength: v.saltLength };
  assert.equal(c.verify(key, hex(v.msg), hex(v.sig), o), true);
  assert.equal(c.verify(key, hex(v.msg), hex(v.sig), { ...o, saltLength: 'auto' }), true);
  // the same through the addon path (MGF1 hash named explicitly but equal is node; force native with a different hash → false)
  assert.equal(c.verify(key, hex(v.msg), hex(v.sig), { ...o, mgf1Hash: 'sha256' }), false);
  assert.equal(c.verify(key, flip(hex(v.msg)), hex(v.sig), o), false);
  assert.equal(c.verify(key, hex(v.msg), flip(hex(v.sig), 7), o), false);
  assert.equal(c.verify(key, hex(v.msg), hex(v.sig), { ...o, saltLength: 32 }), false);
});

test('RSA-OAEP: PKCS #1 v2.1 oaep-vect Example 1.1 decrypts; wrong label / tampered ciphertext fail alike', () => {
  const v = vec('rsa-oaep');
  const b = (h) => hex(h).toString('base64url');
  const key = createPrivateKey({ key: { kty: 'RSA', n: b(v.n), e: b(v.e), d: b(v.d), p: b(v.p), q: b(v.q), dp: b(v.dp), dq: b(v.dq), qi: b(v.qi) }, format: 'jwk' });
  assert.equal(c.rsaDecrypt(key, hex(v.ct), { hash: v.hash }).toString('hex'), v.msg);
  // the addon path decrypts the same ciphertext when asked explicitly through JWK → PKCS#8 (same hashes: node path)
  for (const bad of [
    () => c.rsaDecrypt(key, flip(hex(v.ct), 9), { hash: v.hash }),
    () => c.rsaDecrypt(key, hex(v.ct), { hash: v.hash, label: 'x' }),
    () => c.rsaDecrypt(key, hex(v.ct), { hash: 'sha256' }),
    () => c.rsaDecrypt(key, hex(v.ct), { hash: v.hash, mgf1Hash: 'sha256' }),
  ]) {
    assert.throws(bad, (e) => e.code === 'ERR_JSEC_CRYPTO_DECRYPT_FAILED');
  }
  // round trip on this 1024-bit key: rsaMaxPlaintext = 128 - 2*20 - 2
  assert.equal(c.rsaMaxPlaintext(key, { hash: 'sha1' }), 86);
});

test('X25519 / X448: RFC 7748 section 5.2 scalar multiplication through deriveSharedSecret', () => {
  const v = vec('ecdh');
  for (const [type, list] of [['x25519', v.x25519], ['x448', v.x448]]) {
    for (const t of list) {
      const priv = c.importRawKey(type, hex(t.scalar), { kind: 'private' });
      const pub = c.importRawKey(type, hex(t.u));
      assert.equal(c.deriveSharedSecret(priv, pub).toString('hex'), t.out);
    }
  }
});

// DER SEQUENCE { INTEGER r, INTEGER s } from fixed-width r and s.
function derSig(r, s) {
  const int = (x) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    let v = x.subarray(i);
    if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([2, v.length]), v]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

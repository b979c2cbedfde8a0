// The crypto API's contract: defaults, validation (typed errors naming the
// valid values), wrong key types, wrong sizes, invalid points, limits, and
// every operation's round trip. Asserts codes and classes, never messages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { KeyObject, X509Certificate, createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as c from 'jsec/crypto';
import { ConfigError, OpenSSLError, CertificateError, JsecError } from 'jsec/errors';
import { makePki } from '../helpers/crypto-pki.mjs';

const is = (code, Cls = JsecError) => (e) => e instanceof Cls && e.code === code;

describe('hashing, randomness, encoding', () => {
  test('digest and hmac validate the algorithm and list the valid ones', () => {
    assert.throws(() => c.digest('sha-256', 'x'), (e) => is('ERR_INVALID_ARG_VALUE', ConfigError)(e) && e.suggestion === 'sha256');
    assert.throws(() => c.hmac('md5', 'k', 'x'), is('ERR_INVALID_ARG_VALUE', ConfigError));
    assert.throws(() => c.digest('sha256', 42), is('ERR_INVALID_ARG_TYPE', ConfigError));
    assert.throws(() => c.digest('sha256', 'x', { outputLength: 8 }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.digest('sha256', 'x', { outputLen: 8 }), is('ERR_JSEC_UNKNOWN_OPTION'));
    assert.equal(c.digest('shake256', 'x', { outputLength: 64 }).length, 64);
    assert.equal(c.digest('sha512-256', '').length, 32);
    assert.equal(c.digest('sha256', new Uint8Array([1, 2, 3]).subarray(1)).toString('hex'), c.digest('sha256', Buffer.from([2, 3])).toString('hex'));
  });

  test('randomBytes, generateChallenge, timingSafeEqual', () => {
    assert.equal(c.randomBytes(1).length, 1);
    assert.throws(() => c.randomBytes(0), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.randomBytes(1.5), is('ERR_OUT_OF_RANGE'));
    assert.equal(c.generateChallenge().length, 32);
    assert.equal(c.generateChallenge(8).length, 8);
    assert.throws(() => c.generateChallenge(7), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.generateChallenge(65), is('ERR_OUT_OF_RANGE'));
    assert.notDeepEqual(c.randomBytes(32), c.randomBytes(32));
    assert.equal(c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), true);
    assert.equal(c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')), false);
    assert.equal(c.timingSafeEqual(Buffer.from('abc'), Buffer.from('ab')), false);
  });

  test('base64 / base64url are strict', () => {
    const data = Buffer.from([0xfb, 0xff, 0x00, 0x10]);
    assert.equal(c.base64Encode(data), '+/8AEA==');
    assert.equal(c.base64urlEncode(data), '-_8AEA');
    assert.deepEqual(c.base64Decode('+/8AEA=='), data);
    assert.deepEqual(c.base64urlDecode('-_8AEA'), data);
    assert.equal(c.base64Decode('').length, 0);
    for (const bad of ['+/8AEA=', '+/8AEA', '+/8A EA==', '+/8AEA==\n', '-_8AEA==', 'QR==', 'Q===', '====', 'QUJD*', 'QQ=A']) {
      assert.throws(() => c.base64Decode(bad), is('ERR_JSEC_CRYPTO_INVALID_ENCODING', ConfigError), bad);
    }
    for (const bad of ['-_8AEA==', '+/8AEA', 'Q', 'QR', 'QUJDR', 'a b']) {
      assert.throws(() => c.base64urlDecode(bad), is('ERR_JSEC_CRYPTO_INVALID_ENCODING', ConfigError), bad);
    }
    for (let n = 0; n < 40; n++) {
      const b = c.randomBytes(n + 1);
      assert.deepEqual(c.base64Decode(c.base64Encode(b)), b);
      assert.deepEqual(c.base64urlDecode(c.base64urlEncode(b)), b);
    }
  });
});

describe('keys', () => {
  test('generateKey: every type, async and sync, with keyInfo describing it', async () => {
    const expect = {
      rsa: { bits: 2048 },
      ec: { bits: 384, curve: 'P-384' },
      ed25519: { bits: 256 },
      ed448: { bits: 456 },
      x25519: { bits: 256 },
      x448: { bits: 448 },
    };
    for (const [type, want] of Object.entries(expect)) {
      const opts = type === 'rsa' ? { modulusLength: 2048 } : type === 'ec' ? { curve: 'P-384' } : {};
      const { privateKey, publicKey } = await c.generateKey(type, opts);
      assert.ok(privateKey instanceof KeyObject);
      const info = c.keyInfo(privateKey);
      assert.equal(info.type, type);
      assert.equal(info.kind, 'private');
      assert.equal(info.bits, want.bits);
      assert.equal(info.curve, want.curve);
      assert.equal(c.keyInfo(publicKey).kind, 'public');
    }
    const pem = c.generateKeySync('ec', { curve: 'secp256k1', format: 'pem' });
    assert.match(pem.privateKey, /BEGIN PRIVATE KEY/);
    assert.match(pem.publicKey, /BEGIN PUBLIC KEY/);
    assert.equal(c.keyInfo(pem.privateKey).curve, 'secp256k1');
    const jwk = c.generateKeySync('ed25519', { format: 'jwk' });
    assert.equal(jwk.privateKey.crv, 'Ed25519');
    assert.equal(c.keyInfo(c.generateKeySync('ec').privateKey).curve, 'P-256');
  });

  test('generateKey rejects weak or mismatched parameters', async () => {
    await assert.rejects(c.generateKey('rsa', { modulusLength: 1024 }), is('ERR_OUT_OF_RANGE', ConfigError));
    await assert.rejects(c.generateKey('rsa', { modulusLength: 2049 }), is('ERR_OUT_OF_RANGE'));
    await assert.rejects(c.generateKey('rsa', { publicExponent: 4 }), is('ERR_OUT_OF_RANGE'));
    await assert.rejects(c.generateKey('ed25519', { curve: 'P-256' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    await assert.rejects(c.generateKey('ec', { modulusLength: 2048 }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    await assert.rejects(c.generateKey('ec', { curve: 'P-192' }), is('ERR_INVALID_ARG_VALUE'));
    await assert.rejects(c.generateKey('dsa'), is('ERR_INVALID_ARG_VALUE'));
  });

  test('load / export / convert between PEM, DER, JWK, PKCS#1, PKCS#8, SEC1, SPKI', () => {
    const { privateKey } = c.generateKeySync('rsa', { modulusLength: 2048 });
    const spki = c.exportPublicKey(privateKey);
    for (const [format, encoding] of [['pem', 'pkcs8'], ['der', 'pkcs8'], ['pem', 'pkcs1'], ['der', 'pkcs1'], ['jwk', undefined]]) {
      const out = c.exportKey(privateKey, encoding ? { format, encoding } : { format });
      const back = c.loadKey(out);
      assert.equal(back.type, 'private');
      assert.equal(c.exportPublicKey(back), spki, `${format}/${encoding}`);
      assert.equal(c.detectFormat(out), format === 'jwk' ? 'jwk' : format);
    }
    for (const [format, encoding] of [['pem', 'spki'], ['der', 'spki'], ['pem', 'pkcs1'], ['der', 'pkcs1'], ['jwk', undefined]]) {
      const out = c.exportKey(privateKey, encoding ? { format, encoding, public: true } : { format, public: true });
      assert.equal(c.exportPublicKey(out), spki);
      assert.equal(c.loadKey(out).type, 'public');
    }
    assert.equal(c.loadKey(privateKey, { kind: 'public' }).type, 'public');
    assert.equal(c.exportPublicKey(privateKey, { format: 'der' }).length > 200, true);
    const ec = c.generateKeySync('ec').privateKey;
    assert.match(c.exportKey(ec, { encoding: 'sec1' }), /BEGIN EC PRIVATE KEY/);
    assert.equal(c.exportPublicKey(c.exportKey(ec, { encoding: 'sec1', format: 'der' })), c.exportPublicKey(ec));
    // encoding that does not fit
    assert.throws(() => c.exportKey(ec, { encoding: 'pkcs1' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { encoding: 'sec1' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { encoding: 'spki' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { encoding: 'pkcs1', passphrase: 'x' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { format: 'jwk', passphrase: 'x' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { cipher: 'aes-128-cbc' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.exportKey(privateKey, { cipher: 'des-ede3-cbc', passphrase: 'x' }), is('ERR_INVALID_ARG_VALUE'));
  });

  test('passphrase-encrypted PKCS#8: keyInfo without the password, loadKey with it', () => {
    const { privateKey } = c.generateKeySync('ed25519');
    for (const format of ['pem', 'der']) {
      const enc = c.exportKey(privateKey, { format, passphrase: 'pw', cipher: 'aes-128-cbc' });
      const info = c.keyInfo(enc);
      assert.equal(info.encrypted, true);
      assert.equal(info.kind, 'private');
      assert.equal(c.keyInfo(enc, { passphrase: 'pw' }).type, 'ed25519');
      assert.throws(() => c.loadKey(enc), is('ERR_MISSING_PASSPHRASE', ConfigError));
      assert.throws(() => c.loadKey(enc, { passphrase: 'wrong' }), is('ERR_JSEC_CRYPTO_BAD_PASSWORD', OpenSSLError));
      assert.equal(c.exportPublicKey(c.loadKey(enc, { passphrase: Buffer.from('pw') })), c.exportPublicKey(privateKey));
      assert.throws(() => c.sign(enc, 'x'), is('ERR_MISSING_PASSPHRASE'));
      assert.equal(c.verify(privateKey, 'x', c.sign(enc, 'x', { passphrase: 'pw' })), true);
    }
  });

  test('a wrong passphrase is always ERR_JSEC_CRYPTO_BAD_PASSWORD (also when the padding happens to decrypt)', () => {
    const { privateKey } = c.generateKeySync('ec');
    for (const format of ['pem', 'der']) {
      const enc = c.exportKey(privateKey, { format, passphrase: 'right' });
      for (let i = 0; i < 600; i++) {
        assert.throws(() => c.loadKey(enc, { passphrase: `wrong ${i}` }), is('ERR_JSEC_CRYPTO_BAD_PASSWORD'), `${format} #${i}`);
      }
    }
  });

  test('garbage and wrong kinds of key input', () => {
    for (const bad of ['not a key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', Buffer.from('garbage bytes'), Buffer.alloc(0), { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }]) {
      assert.throws(() => c.loadKey(bad), (e) => e instanceof JsecError && ['ERR_JSEC_CRYPTO_INVALID_KEY'].includes(e.code), String(bad));
    }
    assert.throws(() => c.loadKey(42), is('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => c.loadKey(null), is('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => c.loadKey('-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n'), is('ERR_JSEC_CRYPTO_INVALID_ENCODING'));
    const { publicKey } = c.generateKeySync('ec');
    assert.throws(() => c.loadKey(publicKey, { kind: 'private' }), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError));
    assert.throws(() => c.loadKey(c.exportPublicKey(publicKey), { kind: 'private' }), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    assert.throws(() => c.loadKey(c.exportPublicKey(publicKey, { format: 'der' }), { kind: 'private' }), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    assert.throws(() => c.loadKey(c.exportPublicKey(publicKey, { format: 'jwk' }), { kind: 'private' }), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
  });

  test('raw keys: import / export, wrong lengths, compressed EC points', () => {
    const { privateKey } = c.generateKeySync('x25519');
    const raw = c.exportRawKey(privateKey);
    assert.equal(raw.length, 32);
    assert.equal(c.exportPublicKey(c.importRawKey('x25519', raw, { kind: 'private' })), c.exportPublicKey(privateKey));
    assert.throws(() => c.importRawKey('ed25519', Buffer.alloc(31)), is('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH'));
    const ec = c.generateKeySync('ec', { curve: 'P-521' }).privateKey;
    const point = c.exportRawKey(c.exportPublicKey(ec));
    assert.equal(point.length, 133);
    const compressed = c.exportRawKey(c.exportPublicKey(ec), { compressed: true });
    assert.equal(compressed.length, 67);
    assert.equal(c.exportPublicKey(c.importRawKey('P-521', compressed)), c.exportPublicKey(ec));
    assert.equal(c.exportRawKey(ec).length, 66);
    assert.throws(() => c.importRawKey('P-256', Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)])), is('ERR_JSEC_CRYPTO_INVALID_POINT', ConfigError));
    assert.throws(() => c.importRawKey('P-256', Buffer.alloc(32, 0xff), { kind: 'private' }), is('ERR_JSEC_CRYPTO_INVALID_SCALAR'));
  });
});

describe('signatures and key agreement', () => {
  test('defaults per key type and explicit options', () => {
    const rsa = c.generateKeySync('rsa', { modulusLength: 2048 });
    const sig = c.sign(rsa.privateKey, 'm');
    assert.equal(sig.length, 256);
    assert.equal(c.verify(rsa.publicKey, 'm', sig), true);
    assert.equal(c.verify(rsa.publicKey, 'm', sig, { padding: 'pss' }), false);
    assert.deepEqual(c.sign(rsa.privateKey, 'm'), sig, 'PKCS#1 v1.5 is deterministic');
    const pss = c.sign(rsa.privateKey, 'm', { padding: 'pss', hash: 'sha512', mgf1Hash: 'sha256', saltLength: 32 });
    assert.equal(c.verify(rsa.publicKey, 'm', pss, { padding: 'pss', hash: 'sha512', mgf1Hash: 'sha256', saltLength: 32 }), true);
    assert.equal(c.verify(rsa.publicKey, 'm', pss, { padding: 'pss', hash: 'sha512', mgf1Hash: 'sha256', saltLength: 'auto' }), true);
    assert.equal(c.verify(rsa.publicKey, 'm', pss, { padding: 'pss', hash: 'sha512' }), false, 'MGF1 hash matters');
    assert.throws(() => c.sign(rsa.privateKey, 'm', { padding: 'pss', saltLength: 'auto' }), is('ERR_INVALID_ARG_VALUE'));
    assert.throws(() => c.sign(rsa.privateKey, 'm', { saltLength: 20 }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    assert.throws(() => c.sign(rsa.privateKey, 'm', { dsaEncoding: 'der' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    for (const [curve, len] of [['P-256', 64], ['P-384', 96], ['P-521', 132], ['secp256k1', 64]]) {
      const { privateKey, publicKey } = c.generateKeySync('ec', { curve });
      const raw = c.sign(privateKey, 'm', { dsaEncoding: 'ieee-p1363' });
      assert.equal(raw.length, len, curve);
      assert.equal(c.verify(publicKey, 'm', raw, { dsaEncoding: 'ieee-p1363' }), true);
      assert.equal(c.verify(publicKey, 'm', raw), false, 'DER expected by default');
      assert.equal(c.verify(publicKey, 'm', c.sign(privateKey, 'm')), true);
      assert.throws(() => c.sign(privateKey, 'm', { padding: 'pss' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    }
    const ed = c.generateKeySync('ed448');
    assert.equal(c.verify(ed.publicKey, 'm', c.sign(ed.privateKey, 'm')), true);
    assert.throws(() => c.sign(ed.privateKey, 'm', { hash: 'sha256' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
  });

  test('wrong key types and malformed signatures', () => {
    const x = c.generateKeySync('x25519');
    assert.throws(() => c.sign(x.privateKey, 'm'), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError));
    assert.throws(() => c.verify(x.publicKey, 'm', Buffer.alloc(64)), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    const ec = c.generateKeySync('ec');
    assert.throws(() => c.sign(ec.publicKey, 'm'), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    assert.throws(() => c.verify(ec.publicKey, 'm', 'sig'), is('ERR_INVALID_ARG_TYPE'));
    for (const sig of [Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(300, 0x30), c.randomBytes(72)]) {
      assert.equal(c.verify(ec.publicKey, 'm', sig), false);
    }
    const good = c.sign(ec.privateKey, 'm');
    assert.equal(c.verify(ec.publicKey, 'm', good.subarray(0, good.length - 1)), false, 'truncated');
    assert.throws(() => c.sign(ec.privateKey, 'm', { hsah: 'sha256' }), (e) => is('ERR_JSEC_UNKNOWN_OPTION')(e) && e.suggestion === 'hash');
  });

  test('deriveSharedSecret: X25519, X448, ECDH (= manual point multiplication), mismatches and invalid points', () => {
    for (const type of ['x25519', 'x448']) {
      const a = c.generateKeySync(type);
      const b = c.generateKeySync(type);
      assert.deepEqual(c.deriveSharedSecret(a.privateKey, b.publicKey), c.deriveSharedSecret(b.privateKey, a.publicKey));
    }
    // low-order X25519 point (u = 0): all-zero secret is refused
    const a = c.generateKeySync('x25519');
    assert.throws(() => c.deriveSharedSecret(a.privateKey, c.importRawKey('x25519', Buffer.alloc(32))), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
    assert.throws(() => c.deriveSharedSecret(a.privateKey, c.generateKeySync('x448').publicKey), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    assert.throws(() => c.deriveSharedSecret(c.generateKeySync('ed25519').privateKey, a.publicKey), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    for (const curve of ['P-256', 'P-384', 'P-521', 'secp256k1']) {
      const p = c.generateKeySync('ec', { curve });
      const q = c.generateKeySync('ec', { curve });
      const secret = c.deriveSharedSecret(p.privateKey, q.publicKey);
      const manual = c.ecPointMul(curve, c.exportRawKey(p.privateKey), c.exportRawKey(q.publicKey));
      assert.deepEqual(secret, manual.x, curve);
    }
    const p256 = c.generateKeySync('ec');
    assert.throws(() => c.deriveSharedSecret(p256.privateKey, c.generateKeySync('ec', { curve: 'P-384' }).publicKey), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
  });
});

describe('KDF limits', () => {
  test('hkdf length bounds, pbkdf2 iterations, scrypt parameters', async () => {
    assert.equal(c.hkdfSync('sha256', 'k', { length: 255 * 32 }).length, 8160);
    assert.throws(() => c.hkdfSync('sha256', 'k', { length: 255 * 32 + 1 }), (e) => is('ERR_OUT_OF_RANGE', ConfigError)(e) && e.max === 8160);
    await assert.rejects(c.hkdf('sha512', 'k', { length: 255 * 64 + 1 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.hkdfSync('sha256', 'k', {}), is('ERR_MISSING_OPTION'));
    assert.throws(() => c.hkdfSync('sha256', 'k', { length: 0 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.hkdfSync('shake128', 'k', { length: 16 }), is('ERR_INVALID_ARG_VALUE'));
    assert.throws(() => c.pbkdf2Sync('sha256', 'p', 's', { iterations: 0, length: 32 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.pbkdf2Sync('sha256', 'p', 's', { iterations: -5, length: 32 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.pbkdf2Sync('sha256', 'p', 's', { iterations: 1 }), is('ERR_MISSING_OPTION'));
    assert.throws(() => c.scryptSync('p', 's', { cost: 1000, length: 32 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.scryptSync('p', 's', { cost: 1024, length: 32, maxmem: 1024 }), is('ERR_OUT_OF_RANGE'));
    // over the 1 GiB default ceiling: refused before anything is allocated (2^21 x 8 x 128 = 2 GiB)
    assert.throws(() => c.scryptSync('p', 's', { cost: 2 ** 21, length: 32 }), (e) => is('ERR_OUT_OF_RANGE', ConfigError)(e) && e.max === 1024 ** 3 && e.actual > 2 * 1024 ** 3);
    await assert.rejects(c.scrypt('p', 's', { cost: 2 ** 20, blockSize: 16, length: 32 }), is('ERR_OUT_OF_RANGE'));
    // just under it with the default, and an explicit maxmem is the caller's call
    assert.equal(c.scryptSync('p', 's', { cost: 2 ** 10, blockSize: 8, length: 16 }).length, 16);
    assert.equal(c.scryptSync('p', 's', { cost: 2 ** 4, blockSize: 1, length: 16, maxmem: 64 * 1024 }).length, 16);
    assert.equal((await c.pbkdf2('sha512', 'p', 's', { iterations: 10, length: 64 })).length, 64);
  });
});

describe('AEAD', () => {
  test('round trips for every algorithm, empty and 1 MiB messages, cipherInfo and generateNonce', () => {
    for (const alg of c.AEAD_ALGORITHMS) {
      const info = c.cipherInfo(alg);
      const key = c.randomBytes(info.keyLength);
      for (const size of [0, 1, 1 << 20]) {
        const nonce = c.generateNonce(alg);
        assert.equal(nonce.length, info.nonceLength);
        const pt = c.randomBytes(Math.max(1, size)).subarray(0, size);
        const { ciphertext, tag } = c.encrypt(alg, key, nonce, pt, { aad: 'header' });
        assert.equal(ciphertext.length, size);
        assert.equal(tag.length, 16);
        assert.deepEqual(c.decrypt(alg, key, nonce, ciphertext, tag, { aad: 'header' }), pt);
        assert.throws(() => c.decrypt(alg, key, nonce, ciphertext, tag), is('ERR_JSEC_CRYPTO_AUTH_FAILED', OpenSSLError));
      }
    }
    assert.equal(c.generateNonce('aes-128-ccm', { length: 13 }).length, 13);
    assert.throws(() => c.generateNonce('aes-128-gcm', { length: 16 }), is('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH'));
    assert.deepEqual(c.cipherInfo('chacha20-poly1305').tagLengths, [16]);
    assert.throws(() => c.cipherInfo('aes-256-cbc'), (e) => is('ERR_INVALID_ARG_VALUE')(e) && /aes-256-gcm/.test(e.message));
  });

  test('AeadKey: keyed contexts agree with the one-shot calls, reject tampering, and close', () => {
    for (const alg of c.AEAD_ALGORITHMS) {
      const key = c.randomBytes(c.cipherInfo(alg).keyLength);
      const k = c.createAeadKey(alg, key);
      assert.equal(k.algorithm, alg);
      assert.equal(k.state, 'open');
      for (const size of [0, 100, 70_000]) {
        const nonce = c.generateNonce(alg);
        const pt = c.randomBytes(size + 1).subarray(1);
        const a = k.encrypt(nonce, pt, { aad: 'h' });
        const b = c.encrypt(alg, key, nonce, pt, { aad: 'h' });
        assert.deepEqual(a, b);
        assert.deepEqual(k.decrypt(nonce, a.ciphertext, a.tag, { aad: 'h' }), pt);
        assert.deepEqual(c.decrypt(alg, key, nonce, a.ciphertext, a.tag, { aad: 'h' }), pt);
        assert.throws(() => k.decrypt(nonce, a.ciphertext, a.tag), is('ERR_JSEC_CRYPTO_AUTH_FAILED', OpenSSLError));
        assert.throws(() => k.decrypt(nonce, a.ciphertext, Buffer.alloc(16)), is('ERR_JSEC_CRYPTO_AUTH_FAILED'));
      }
      assert.throws(() => k.encrypt(Buffer.alloc(3), 'x'), is('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH'));
      k.close();
      k.close();
      assert.equal(k.state, 'closed');
      assert.throws(() => k.encrypt(c.generateNonce(alg), 'x'), is('ERR_JSEC_CLOSED'));
      assert.throws(() => k.decrypt(c.generateNonce(alg), Buffer.alloc(1), Buffer.alloc(16)), is('ERR_JSEC_CLOSED'));
    }
    assert.throws(() => c.createAeadKey('aes-256-gcm', Buffer.alloc(16)), is('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH'));
    assert.throws(() => c.createAeadKey('aes-256-ctr', Buffer.alloc(32)), is('ERR_INVALID_ARG_VALUE'));
    const d = c.createAeadKey('aes-128-gcm', Buffer.alloc(16));
    d[Symbol.dispose]();
    assert.equal(d.state, 'closed');
  });

  test('AeadKey.encryptInto / decryptInto: caller-owned output, in place, sizes, overlap, wiped on failure', () => {
    for (const alg of ['aes-256-gcm', 'chacha20-poly1305', 'aes-128-ccm']) {
      const key = c.randomBytes(32).subarray(0, c.cipherInfo(alg).keyLength);
      const k = c.createAeadKey(alg, key);
      const nonce = c.generateNonce(alg);
      const pt = c.randomBytes(1000);
      const out = Buffer.alloc(1100, 0xee);
      assert.equal(k.encryptInto(nonce, pt, out, { aad: 'a' }), 1016);
      const sealed = { ciphertext: out.subarray(0, 1000), tag: out.subarray(1000, 1016) };
      assert.deepEqual(sealed, { ...c.encrypt(alg, key, nonce, pt, { aad: 'a' }) });
      assert.equal(out[1016], 0xee, 'nothing written past the tag');
      const back = Buffer.alloc(1000);
      assert.equal(k.decryptInto(nonce, sealed.ciphertext, sealed.tag, back, { aad: 'a' }), 1000);
      assert.deepEqual(back, pt);
      // in place: the plaintext buffer (with room for the tag) becomes the ciphertext
      const work = Buffer.concat([pt, Buffer.alloc(16)]);
      assert.equal(k.encryptInto(nonce, work.subarray(0, 1000), work, { aad: 'a' }), 1016);
      assert.deepEqual(work.subarray(0, 1000), sealed.ciphertext);
      const tag = Buffer.from(work.subarray(1000));
      k.decryptInto(nonce, work.subarray(0, 1000), tag, work, { aad: 'a' });
      assert.deepEqual(work.subarray(0, 1000), pt);
      // failure wipes what was written
      const victim = Buffer.alloc(1000, 0x55);
      assert.throws(() => k.decryptInto(nonce, sealed.ciphertext, sealed.tag, victim, { aad: 'b' }), is('ERR_JSEC_CRYPTO_AUTH_FAILED'));
      assert.ok(victim.every((b) => b === 0 || b === 0x55), 'no plaintext left behind');
      assert.ok(!victim.equals(pt.subarray(0, 1000)));
      assert.throws(() => k.encryptInto(nonce, pt, Buffer.alloc(1015)), is('ERR_OUT_OF_RANGE'));
      assert.throws(() => k.decryptInto(nonce, sealed.ciphertext, sealed.tag, Buffer.alloc(999)), is('ERR_OUT_OF_RANGE'));
      const shared = Buffer.alloc(3000);
      shared.set(pt, 0);
      assert.throws(() => k.encryptInto(nonce, shared.subarray(0, 1000), shared.subarray(10, 1026)), is('ERR_INVALID_ARG_VALUE'));
      k.close();
    }
  });

  test('key, nonce and tag sizes are checked before any work', () => {
    const k = c.randomBytes(32);
    const n = c.randomBytes(12);
    assert.throws(() => c.encrypt('aes-256-gcm', c.randomBytes(16), n, 'x'), (e) => is('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH', ConfigError)(e) && e.expected === 32 && e.actual === 16);
    assert.throws(() => c.encrypt('aes-256-gcm', k, c.randomBytes(16), 'x'), is('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH'));
    assert.throws(() => c.encrypt('aes-256-gcm', k, n, 'x', { tagLength: 8 }), is('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH'));
    assert.throws(() => c.encrypt('chacha20-poly1305', k, n, 'x', { tagLength: 12 }), is('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH'));
    const { ciphertext, tag } = c.encrypt('aes-256-gcm', k, n, 'secret', { tagLength: 12 });
    assert.equal(tag.length, 12);
    assert.equal(c.decrypt('aes-256-gcm', k, n, ciphertext, tag).toString(), 'secret');
    assert.throws(() => c.decrypt('aes-256-gcm', k, n, ciphertext, tag.subarray(0, 11)), is('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH'));
    assert.throws(() => c.decrypt('aes-256-gcm', k, n, ciphertext, Buffer.alloc(0)), is('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH'));
    assert.throws(() => c.encrypt('aes-128-ccm', c.randomBytes(16), c.randomBytes(6), 'x'), is('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH'));
    assert.throws(() => c.encrypt('aes-128-ccm', c.randomBytes(16), c.randomBytes(13), Buffer.alloc(70_000)), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.encrypt('aes-128-ccm', c.randomBytes(16), c.randomBytes(12), 'x', { tagLength: 5 }), is('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH'));
    assert.throws(() => c.encrypt('aes-256-gcm', 'a string key', n, 'x'), is('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => c.encrypt('aes-256-gcm', k, n, 'x', { add: 'typo' }), (e) => is('ERR_JSEC_UNKNOWN_OPTION')(e) && e.suggestion === 'aad');
    assert.throws(() => c.encrypt('aes-256-gcm', k, n, 'x', { tagLength: 15.5 }), is('ERR_OUT_OF_RANGE'));
    assert.throws(() => c.encrypt('aes-256-gcm', k, n, 'x', { aad: 42 }), is('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => c.decrypt('aes-256-gcm', k, n, Buffer.alloc(1), Buffer.alloc(16), { aad: 'x', tag: 1 }), is('ERR_JSEC_UNKNOWN_OPTION'));
    assert.throws(() => c.encrypt('aes-256-gcm', k, n, 'x', 'aad'), is('ERR_INVALID_ARG_TYPE'));
  });
});

describe('RSA encryption', () => {
  test('OAEP defaults, limits, distinct MGF1 hash, PKCS#1 v1.5 only as a dangerous option', () => {
    const { privateKey, publicKey } = c.generateKeySync('rsa', { modulusLength: 2048 });
    assert.equal(c.rsaMaxPlaintext(publicKey), 256 - 66);
    assert.equal(c.rsaMaxPlaintext(publicKey, { hash: 'sha512' }), 256 - 130);
    assert.equal(c.rsaMaxPlaintext(publicKey, { dangerouslyUsePkcs1v15Padding: true }), 245);
    const max = Buffer.alloc(190, 1);
    assert.deepEqual(c.rsaDecrypt(privateKey, c.rsaEncrypt(publicKey, max)), max);
    assert.throws(() => c.rsaEncrypt(publicKey, Buffer.alloc(191)), (e) => is('ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG', ConfigError)(e) && e.max === 190);
    const ct = c.rsaEncrypt(publicKey, 'k', { hash: 'sha384', mgf1Hash: 'sha1', label: Buffer.from([1, 2]) });
    assert.equal(c.rsaDecrypt(privateKey, ct, { hash: 'sha384', mgf1Hash: 'sha1', label: Buffer.from([1, 2]) }).toString(), 'k');
    assert.throws(() => c.rsaDecrypt(privateKey, ct, { hash: 'sha384', mgf1Hash: 'sha1' }), is('ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError));
    assert.throws(() => c.rsaDecrypt(privateKey, Buffer.alloc(256)), is('ERR_JSEC_CRYPTO_DECRYPT_FAILED'));
    assert.throws(() => c.rsaDecrypt(privateKey, Buffer.alloc(10)), is('ERR_JSEC_CRYPTO_DECRYPT_FAILED'));
    const v15 = c.rsaEncrypt(publicKey, 'legacy', { dangerouslyUsePkcs1v15Padding: true });
    assert.equal(v15.length, 256);
    // v1.5 decryption: only with implicit rejection (OpenSSL 3.2+, Node 22/24), where a tampered
    // ciphertext yields pseudo-random bytes instead of an error; refused on OpenSSL 3.0/3.1 (Node 20).
    const [major, minor] = process.versions.openssl.split('.').map(Number);
    if (major > 3 || minor >= 2) {
      assert.equal(c.rsaDecrypt(privateKey, v15, { dangerouslyUsePkcs1v15Padding: true }).toString(), 'legacy');
      const tampered = Buffer.from(v15);
      tampered[100] ^= 1;
      assert.notEqual(c.rsaDecrypt(privateKey, tampered, { dangerouslyUsePkcs1v15Padding: true }).toString(), 'legacy');
      assert.throws(() => c.rsaDecrypt(privateKey, v15), is('ERR_JSEC_CRYPTO_DECRYPT_FAILED'), 'OAEP is still the default');
    } else {
      assert.throws(() => c.rsaDecrypt(privateKey, v15, { dangerouslyUsePkcs1v15Padding: true }), is('ERR_JSEC_UNSUPPORTED', ConfigError));
    }
    assert.throws(() => c.rsaEncrypt(publicKey, 'x', { dangerouslyUsePkcs1v15Padding: true, hash: 'sha1' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    const ec = c.generateKeySync('ec');
    assert.throws(() => c.rsaEncrypt(ec.publicKey, 'x'), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    assert.throws(() => c.rsaDecrypt(publicKey, ct), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
  });
});

describe('EC point arithmetic', () => {
  const one = (len) => Buffer.concat([Buffer.alloc(len - 1), Buffer.from([1])]);
  const small = (len, v) => Buffer.concat([Buffer.alloc(len - 1), Buffer.from([v])]);
  for (const [curve, len] of [['P-256', 32], ['P-384', 48], ['P-521', 66], ['secp256k1', 32]]) {
    test(`${curve}: group laws, encodings, invalid input`, () => {
      const G = c.ecPointMul(curve, one(len));
      const G2 = c.ecPointMul(curve, small(len, 2));
      const G3 = c.ecPointMul(curve, small(len, 3));
      assert.deepEqual(c.ecPointAdd(curve, G, G2), G3);
      assert.deepEqual(c.ecPointAdd(curve, G, G), G2);
      const k1 = c.ecGenerateScalar(curve);
      const k2 = c.ecGenerateScalar(curve);
      assert.equal(k1.length, len);
      assert.deepEqual(c.ecPointMul(curve, k1, c.ecPointMul(curve, k2)), c.ecPointMul(curve, k2, c.ecPointMul(curve, k1)));
      const P = c.ecPointMul(curve, k1);
      const unc = c.ecPointToBytes(curve, P);
      const cmp = c.ecPointToBytes(curve, P, { compressed: true });
      assert.equal(unc.length, 1 + 2 * P.x.length);
      assert.equal(cmp.length, 1 + P.x.length);
      assert.deepEqual(c.ecPointFromBytes(curve, cmp), P);
      assert.deepEqual(c.ecPointFromBytes(curve, unc), P);
      assert.deepEqual(c.ecPointMul(curve, one(len), cmp), P);
      // -P has y' = p - y: adding gives infinity
      const negP = c.ecPointFromBytes(curve, Buffer.concat([Buffer.from([cmp[0] === 2 ? 3 : 2]), P.x]));
      assert.throws(() => c.ecPointAdd(curve, P, negP), is('ERR_JSEC_CRYPTO_POINT_AT_INFINITY', ConfigError));
      // invalid points
      const off = Buffer.from(unc);
      off[off.length - 1] ^= 1;
      assert.throws(() => c.ecPointFromBytes(curve, off), is('ERR_JSEC_CRYPTO_INVALID_POINT', ConfigError));
      assert.throws(() => c.ecPointAdd(curve, P, { x: P.x, y: off.subarray(1 + P.x.length) }), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
      assert.throws(() => c.ecPointFromBytes(curve, Buffer.from([0])), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
      assert.throws(() => c.ecPointFromBytes(curve, unc.subarray(0, unc.length - 1)), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
      assert.throws(() => c.ecPointFromBytes(curve, Buffer.concat([Buffer.from([6]), unc.subarray(1)])), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
      assert.throws(() => c.ecPointMul(curve, Buffer.alloc(len)), is('ERR_JSEC_CRYPTO_INVALID_SCALAR'));
      assert.throws(() => c.ecPointMul(curve, Buffer.alloc(len, 0xff)), is('ERR_JSEC_CRYPTO_INVALID_SCALAR'));
      assert.throws(() => c.ecPointMul(curve, one(len + 1)), is('ERR_JSEC_CRYPTO_INVALID_SCALAR'));
      assert.throws(() => c.ecPointMul(curve, k1, { x: P.x.subarray(1), y: P.y }), is('ERR_JSEC_CRYPTO_INVALID_POINT'));
    });
  }
  test('curve names are validated', () => {
    assert.throws(() => c.ecGenerateScalar('P-224'), is('ERR_INVALID_ARG_VALUE'));
  });
});

describe('PKCS#12 and CMS (argument and failure paths)', () => {
  let pki;
  before(() => {
    pki = makePki();
  });
  after(() => pki?.cleanup());

  test('createPkcs12 / parsePkcs12: options, key mismatch, certificate-only files, sync variants', async () => {
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, certificate: pki.rsa.cert }), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, certificate: pki.rsa.cert, password: '' }), is('ERR_INVALID_ARG_VALUE'));
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, certificate: pki.ec.cert, password: 'p' }), is('ERR_JSEC_CRYPTO_KEY_MISMATCH', ConfigError));
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, password: 'p', keyEncryption: 'des-ede3-cbc' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, password: 'p', macHash: 'sha1' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    await assert.rejects(c.createPkcs12({ password: 'p' }), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.createPkcs12({ key: pki.rsa.key, password: 'p', pasword: 'x' }), is('ERR_JSEC_UNKNOWN_OPTION'));
    const empty = c.createPkcs12Sync({ key: pki.ec.key, certificate: pki.ec.cert, password: '', allowEmptyPassword: true, iterations: 1 });
    assert.equal(c.parsePkcs12Sync(empty, '').certificate.subject, 'CN=jsec ec leaf');
    const certOnly = await c.createPkcs12({ certificate: pki.root.cert, chain: pki.int.cert, password: 'p', certEncryption: 'none', macHash: 'sha512' });
    const parsed = await c.parsePkcs12(certOnly, 'p');
    assert.equal(parsed.privateKey, null);
    assert.ok(parsed.certificate instanceof X509Certificate || parsed.chain.length === 2);
    const keyOnly = c.parsePkcs12Sync(c.createPkcs12Sync({ key: pki.ed25519.key, password: 'p', iterations: 2 }), 'p');
    assert.equal(keyOnly.privateKey.asymmetricKeyType, 'ed25519');
    assert.equal(keyOnly.certificate, null);
    assert.throws(() => c.parsePkcs12Sync(Buffer.from('garbage'), 'p'), is('ERR_JSEC_CRYPTO_INVALID_PKCS12', OpenSSLError));
    assert.throws(() => c.parsePkcs12Sync(empty.subarray(0, empty.length - 1), ''), is('ERR_JSEC_CRYPTO_INVALID_PKCS12'));
    assert.throws(() => c.parsePkcs12Sync(Buffer.concat([empty, Buffer.from([0])]), ''), is('ERR_JSEC_CRYPTO_INVALID_PKCS12'));
    assert.throws(() => c.parsePkcs12Sync(empty, 'not empty'), is('ERR_JSEC_CRYPTO_BAD_PASSWORD', OpenSSLError));
    assert.throws(() => c.parsePkcs12Sync(empty, 42), is('ERR_INVALID_ARG_TYPE'));
  });

  test('a legacy (RC2) PKCS#12 without legacy: true is ERR_JSEC_UNSUPPORTED (fresh process: no legacy provider loaded)', async () => {
    const legacy = await c.createPkcs12({ key: pki.rsa.key, certificate: pki.rsa.cert, password: 'pw', legacy: true });
    const script = `import * as c from 'jsec/crypto';
      const b = Buffer.from(process.argv[1], 'base64');
      try { c.parsePkcs12Sync(b, 'pw'); console.log('parsed'); } catch (e) { console.log(e.code); }
      console.log(c.parsePkcs12Sync(b, 'pw', { legacy: true }).certificate.subject);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, legacy.toString('base64')], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['ERR_JSEC_UNSUPPORTED', 'CN=jsec rsa leaf']);
  });

  test('cmsVerify: trust anchors required, chain errors typed, injected clock, purpose, detached rules', async () => {
    const signed = c.cmsSignSync('payload', { certificate: pki.rsa.cert, privateKey: pki.rsa.key, extraCertificates: [pki.int.cert] });
    await assert.rejects(c.cmsVerify(signed, {}), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.cmsVerify(signed, { trusted: [] }), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.cmsVerify(signed, { trusted: pki.ec.cert }), (e) => is('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', CertificateError)(e) && e.verifyCode === 20 && e.signer instanceof X509Certificate);
    await assert.rejects(c.cmsVerify(signed, { trusted: pki.root.cert, now: new Date(Date.now() + 400 * 86400e3) }), is('CERT_HAS_EXPIRED', CertificateError));
    await assert.rejects(c.cmsVerify(signed, { trusted: pki.root.cert, now: new Date(Date.now() - 400 * 86400e3) }), is('CERT_NOT_YET_VALID'));
    assert.equal((await c.cmsVerify(signed, { trusted: pki.root.cert, now: Date.now() })).content.toString(), 'payload');
    assert.equal(c.cmsVerifySync(signed, { trusted: [pki.root.cert, pki.int.cert] }).signers.length, 1);
    await assert.rejects(c.cmsVerify(signed, { trusted: pki.root.cert, content: 'payload' }), is('ERR_JSEC_CONFLICTING_OPTIONS'));
    const det = await c.cmsSign('payload', { certificate: pki.rsa.cert, privateKey: pki.rsa.key, detached: true });
    assert.deepEqual({ ...c.cmsInfo(det) }, { type: 'pkcs7-signedData', detached: true });
    await assert.rejects(c.cmsVerify(det, { trusted: pki.root.cert, intermediates: pki.int.cert }), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.cmsVerify(det, { trusted: pki.root.cert, content: 'payload' }), is('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', CertificateError));
    assert.equal((await c.cmsVerify(det, { trusted: pki.root.cert, intermediates: pki.int.cert, content: 'payload' })).content.toString(), 'payload');
    // a server-auth-only certificate is not an S/MIME signer unless purpose: 'any'
    const srv = await c.cmsSign('p', { certificate: pki.server.cert, privateKey: pki.server.key, extraCertificates: pki.int.cert });
    await assert.rejects(c.cmsVerify(srv, { trusted: pki.root.cert }), is('INVALID_PURPOSE', CertificateError));
    assert.equal((await c.cmsVerify(srv, { trusted: pki.root.cert, purpose: 'any' })).content.toString(), 'p');
    // tampered content inside the structure
    const der = Buffer.from(signed);
    const at = der.indexOf(Buffer.from('payload'));
    der[at] ^= 1;
    await assert.rejects(c.cmsVerify(der, { trusted: pki.root.cert }), is('ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID', OpenSSLError));
  });

  test('cms: bad inputs and unsupported signers', async () => {
    await assert.rejects(c.cmsSign('x', { certificate: pki.rsa.cert, privateKey: pki.ec.key }), is('ERR_JSEC_CRYPTO_KEY_MISMATCH'));
    await assert.rejects(c.cmsSign('x', { certificate: pki.rsa.cert }), is('ERR_MISSING_OPTION'));
    // OpenSSL 3.0 (Node 20) cannot make Ed25519 CMS signatures; 3.5 (Node 22/24) can.
    try {
      const ed = await c.cmsSign('x', { certificate: pki.ed25519.cert, privateKey: pki.ed25519.key, extraCertificates: pki.int.cert });
      assert.equal((await c.cmsVerify(ed, { trusted: pki.root.cert })).content.toString(), 'x');
      assert.ok(Number(process.versions.openssl.split('.')[1]) >= 2 || Number(process.versions.openssl.split('.')[0]) > 3);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      assert.ok(is('ERR_JSEC_UNSUPPORTED')(err), err.code);
      assert.match(process.versions.openssl, /^3\.[01]\./);
    }
    await assert.rejects(c.cmsEncrypt('x', pki.ed25519.cert), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
    await assert.rejects(c.cmsEncrypt('x', []), is('ERR_MISSING_OPTION'));
    await assert.rejects(c.cmsEncrypt('x', pki.rsa.cert, { cipher: 'des-ede3-cbc' }), is('ERR_INVALID_ARG_VALUE'));
    const env = await c.cmsEncrypt('secret', pki.rsa.cert, { format: 'pem' });
    assert.match(env, /BEGIN CMS/);
    assert.deepEqual({ ...c.cmsInfo(env) }, { type: 'pkcs7-envelopedData', detached: false });
    assert.deepEqual(c.cmsCertificates(env), []);
    await assert.rejects(c.cmsDecrypt(env, { privateKey: pki.ec.key, certificate: pki.rsa.cert }), is('ERR_JSEC_CRYPTO_KEY_MISMATCH'));
    await assert.rejects(c.cmsDecrypt(env, { privateKey: pki.rsa.key }), is('ERR_MISSING_OPTION'));
    const signed = await c.cmsSign('x', { certificate: pki.rsa.cert, privateKey: pki.rsa.key });
    await assert.rejects(c.cmsDecrypt(signed, { privateKey: pki.rsa.key, certificate: pki.rsa.cert }), is('ERR_JSEC_CRYPTO_INVALID_CMS'));
    await assert.rejects(c.cmsVerify(env, { trusted: pki.root.cert }), is('ERR_JSEC_CRYPTO_INVALID_CMS'));
    assert.throws(() => c.cmsCertificates(Buffer.from('junk')), is('ERR_JSEC_CRYPTO_INVALID_CMS', OpenSSLError));
    assert.throws(() => c.cmsInfo('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), is('ERR_JSEC_CRYPTO_INVALID_CMS'));
    assert.throws(() => c.cmsCertsOnly([]), is('ERR_MISSING_OPTION'));
    assert.throws(() => c.cmsCertsOnly(['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']), is('ERR_JSEC_CRYPTO_INVALID_CERTIFICATE'));
  });
});

test('public keys from certificates mix with node:crypto', () => {
  const { privateKey, publicKey } = c.generateKeySync('ec');
  const sig = c.sign(privateKey, 'x');
  assert.equal(c.verify(createPublicKey(c.exportPublicKey(publicKey)), 'x', sig), true);
  assert.equal(c.verify(c.exportPublicKey(publicKey, { format: 'jwk' }), 'x', sig), true);
});

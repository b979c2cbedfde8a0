// Hostile and edge-case keys, points and signatures: EC keys that OpenSSL's
// decoders accept without checking (scalar 0 or >= n, a stored public point
// that does not match, the point at infinity), invalid peer points for ECDH
// on every curve (off the curve, infinity, coordinates >= p), low-order
// X25519/X448 points, malformed signatures for every key type, odd-sized RSA
// moduli, JWK given as JSON text, and the RSA-PSS MGF1 hash checked against
// openssl in the negative direction too. Asserts codes and classes only.
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as c from 'jsec/crypto';
import { ConfigError, JsecError, OpenSSLError } from 'jsec/errors';
import { makePki, openssl, tempDir } from '../helpers/crypto-pki.mjs';
import { withoutFirstByte } from '../helpers/crypto-mutate.mjs';

const is = (code, Cls = JsecError) => (e) => e instanceof Cls && e.code === code;
const hex = (s) => Buffer.from(s, 'hex');

// Field primes (SEC 2 / FIPS 186-4). The test proves each one: (x, p - y) is
// the negation of a valid point and must decode.
const CURVE = {
  'P-256': { len: 32, p: 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', oid: '2a8648ce3d030107' },
  'P-384': { len: 48, p: 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff', oid: '2b81040022' },
  'P-521': { len: 66, p: '01ff' + 'ff'.repeat(64), oid: '2b81040023' },
  secp256k1: { len: 32, p: 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f', oid: '2b8104000a' },
};
const big = (b) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const bytesOf = (n, len) => hex(n.toString(16).padStart(len * 2, '0'));

/** DER TLV with a short or long length. */
function tlv(tag, body) {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
/** SPKI of an EC public key on `curve` holding `point` verbatim (no checks). */
function ecSpki(curve, point) {
  const alg = tlv(0x30, Buffer.concat([tlv(0x06, hex('2a8648ce3d0201')), tlv(0x06, hex(CURVE[curve].oid))]));
  return tlv(0x30, Buffer.concat([alg, tlv(0x03, Buffer.concat([Buffer.from([0]), point]))]));
}
/** SEC1 ECPrivateKey on `curve` with scalar `d` and an optional stored public point. */
function ecSec1(curve, d, point) {
  const parts = [tlv(0x02, Buffer.from([1])), tlv(0x04, d), tlv(0xa0, tlv(0x06, hex(CURVE[curve].oid)))];
  if (point) parts.push(tlv(0xa1, tlv(0x03, Buffer.concat([Buffer.from([0]), point]))));
  return tlv(0x30, Buffer.concat(parts));
}
/** A valid point with a small x (so that x + p still fits the field width). */
function smallXPoint(curve) {
  const { len } = CURVE[curve];
  for (let x = 1; x < 1000; x++) {
    try {
      return c.ecPointFromBytes(curve, Buffer.concat([Buffer.from([2]), bytesOf(BigInt(x), len)]));
    } catch {
      // x has no square root on this curve: try the next one
    }
  }
  throw new Error('no small x');
}

describe('EC keys that OpenSSL decodes without checking them', () => {
  for (const curve of Object.keys(CURVE)) {
    test(`${curve}: scalar 0, n, n + 1, all-ones; mismatched and infinite public points`, () => {
      const { len } = CURVE[curve];
      const n = groupOrder(curve);
      const good = c.ecGenerateScalar(curve);
      const goodPoint = c.ecPointToBytes(curve, c.ecPointMul(curve, good));
      const other = c.ecPointToBytes(curve, c.ecPointMul(curve, c.ecGenerateScalar(curve)));
      // the control: a well-formed SEC1 key signs and verifies
      const ok = ecSec1(curve, good, goodPoint);
      assert.equal(c.verify(ecSpki(curve, goodPoint), 'm', c.sign(ok, 'm')), true);
      const bad = {
        'scalar 0': ecSec1(curve, Buffer.alloc(len)),
        'scalar n': ecSec1(curve, bytesOf(n, len)),
        'scalar n + 1': ecSec1(curve, bytesOf(n + 1n, len)),
        'all-ones scalar': ecSec1(curve, Buffer.alloc(len, 0xff)),
        'public point of another key': ecSec1(curve, good, other),
        'public point at infinity': ecSec1(curve, good, Buffer.from([0])),
      };
      for (const [what, der] of Object.entries(bad)) {
        // node:crypto itself takes most of these (and signs with them)
        for (const f of [() => c.sign(der, 'm'), () => c.loadKey(der), () => c.keyInfo(der), () => c.exportPublicKey(der), () => c.exportRawKey(der)]) {
          assert.throws(f, is('ERR_JSEC_CRYPTO_INVALID_KEY', OpenSSLError), `${curve} ${what}`);
        }
        let ko;
        try {
          ko = nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'sec1' });
        } catch {
          continue;
        }
        for (const f of [() => c.sign(ko, 'm'), () => c.keyInfo(ko), () => c.exportKey(ko, { format: 'jwk' }), () => c.loadKey(ko, { kind: 'public' })]) {
          assert.throws(f, is('ERR_JSEC_CRYPTO_INVALID_KEY', OpenSSLError), `${curve} ${what} (KeyObject)`);
        }
      }
      // a public key that is the point at infinity: as SPKI DER, PEM and KeyObject
      const inf = ecSpki(curve, Buffer.from([0]));
      const infPem = `-----BEGIN PUBLIC KEY-----\n${inf.toString('base64')}\n-----END PUBLIC KEY-----\n`;
      const infKo = nodeCrypto.createPublicKey({ key: inf, format: 'der', type: 'spki' });
      for (const k of [inf, infPem, infKo]) {
        assert.throws(() => c.keyInfo(k), is('ERR_JSEC_CRYPTO_INVALID_KEY', OpenSSLError));
        assert.throws(() => c.verify(k, 'm', Buffer.alloc(64)), is('ERR_JSEC_CRYPTO_INVALID_KEY'));
        assert.throws(() => c.deriveSharedSecret(ok, k), is('ERR_JSEC_CRYPTO_INVALID_KEY'));
      }
    });
  }
});

/** The published group orders n (the invalid-point test proves each: (n - 1)·G = -G, and n is refused as a scalar). */
function groupOrder(curve) {
  return {
    'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    'P-521': 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  }[curve];
}

describe('invalid peer points', () => {
  for (const curve of Object.keys(CURVE)) {
    test(`${curve}: ECDH and point decoding refuse off-curve points, infinity and coordinates >= p`, () => {
      const { len } = CURVE[curve];
      const p = big(hex(CURVE[curve].p));
      const n = groupOrder(curve);
      // (n - 1)·G = -G: proves the order n (x equal, y = p - y)
      const G = c.ecPointMul(curve, bytesOf(1n, len));
      const negG = c.ecPointMul(curve, bytesOf(n - 1n, len));
      assert.deepEqual(negG.x, G.x);
      assert.equal(big(negG.y), p - big(G.y), 'the published p and n');
      assert.throws(() => c.ecPointMul(curve, bytesOf(n, len)), is('ERR_JSEC_CRYPTO_INVALID_SCALAR'));

      const me = c.generateKeySync('ec', { curve }).privateKey;
      const peer = c.exportRawKey(c.exportPublicKey(c.generateKeySync('ec', { curve }).privateKey));
      assert.equal(c.deriveSharedSecret(me, ecSpki(curve, peer)).length, len, 'control: a valid SPKI agrees');
      const offCurve = Buffer.from(peer);
      offCurve[offCurve.length - 1] ^= 1;
      const Q = smallXPoint(curve);
      const xPlusP = Buffer.concat([Buffer.from([4]), bytesOf(big(Q.x) + p, len), Q.y]);
      const yPlusP = big(Q.y) + p < 1n << BigInt(8 * len) ? Buffer.concat([Buffer.from([4]), Q.x, bytesOf(big(Q.y) + p, len)]) : null;
      const compressedXPlusP = Buffer.concat([Buffer.from([2]), bytesOf(big(Q.x) + p, len)]);
      const points = { 'off the curve': offCurve, 'x + p': xPlusP, 'compressed x + p': compressedXPlusP, 'infinity (00)': Buffer.from([0]), 'x = y = 0': Buffer.concat([Buffer.from([4]), Buffer.alloc(2 * len)]) };
      if (yPlusP) points['y + p'] = yPlusP;
      // control: Q itself, uncompressed and compressed, is fine
      assert.deepEqual(c.ecPointFromBytes(curve, Buffer.concat([Buffer.from([4]), Q.x, Q.y])), Q);
      for (const [what, point] of Object.entries(points)) {
        assert.throws(() => c.deriveSharedSecret(me, ecSpki(curve, point)), (e) => e instanceof OpenSSLError && e.code === 'ERR_JSEC_CRYPTO_INVALID_KEY', `${curve} ECDH ${what}`);
        assert.throws(() => c.ecPointFromBytes(curve, point), is('ERR_JSEC_CRYPTO_INVALID_POINT', ConfigError), `${curve} decode ${what}`);
        assert.throws(() => c.ecPointMul(curve, c.ecGenerateScalar(curve), point), is('ERR_JSEC_CRYPTO_INVALID_POINT'), `${curve} mul ${what}`);
        assert.throws(() => c.importRawKey(curve, point), is('ERR_JSEC_CRYPTO_INVALID_POINT'), `${curve} importRawKey ${what}`);
      }
      // JWK with an off-curve y
      const jwk = c.exportPublicKey(ecSpki(curve, peer), { format: 'jwk' });
      const y = Buffer.from(jwk.y, 'base64url');
      y[y.length - 1] ^= 1;
      assert.throws(() => c.deriveSharedSecret(me, { ...jwk, y: y.toString('base64url') }), is('ERR_JSEC_CRYPTO_INVALID_KEY', OpenSSLError));
    });
  }

  test('X25519 / X448: every low-order u coordinate is refused (all-zero secret)', () => {
    // RFC 7748 section 6: u = 0 and u = 1 on both; X25519's other small-order points too.
    const x25519 = ['00', '01', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'];
    const me = c.generateKeySync('x25519').privateKey;
    for (const u of x25519) {
      const raw = Buffer.concat([hex(u), Buffer.alloc(32 - u.length / 2)]);
      assert.throws(() => c.deriveSharedSecret(me, c.importRawKey('x25519', raw)), is('ERR_JSEC_CRYPTO_INVALID_POINT'), u);
    }
    const me448 = c.generateKeySync('x448').privateKey;
    for (const u of [0, 1]) {
      const raw = Buffer.alloc(56);
      raw[0] = u;
      assert.throws(() => c.deriveSharedSecret(me448, c.importRawKey('x448', raw)), is('ERR_JSEC_CRYPTO_INVALID_POINT'), `x448 u=${u}`);
    }
    // control: a real X448 peer agrees
    const peer = c.generateKeySync('x448');
    assert.deepEqual(c.deriveSharedSecret(me448, peer.publicKey), c.deriveSharedSecret(peer.privateKey, c.exportPublicKey(me448)));
  });
});

describe('signatures', () => {
  test('verify is false (never a throw) for empty, truncated, extended, zeroed and random signatures, for every key type and path', () => {
    const cases = [
      ['rsa', { modulusLength: 2048 }, {}],
      ['rsa', { modulusLength: 2048 }, { padding: 'pss' }],
      ['rsa', { modulusLength: 2048 }, { padding: 'pss', mgf1Hash: 'sha1', saltLength: 20 }],
      ['ec', { curve: 'P-256' }, {}],
      ['ec', { curve: 'P-521' }, { dsaEncoding: 'ieee-p1363' }],
      ['ec', { curve: 'secp256k1' }, {}],
      ['ed25519', {}, {}],
      ['ed448', {}, {}],
    ];
    for (const [type, gen, opts] of cases) {
      const { privateKey, publicKey } = c.generateKeySync(type, gen);
      const sig = c.sign(privateKey, 'message', opts);
      const what = `${type} ${JSON.stringify(opts)}`;
      assert.equal(c.verify(publicKey, 'message', sig, opts), true, what);
      const variants = [Buffer.alloc(0), sig.subarray(0, 1), sig.subarray(0, sig.length - 1), withoutFirstByte(sig), Buffer.concat([sig, Buffer.from([0])]), Buffer.alloc(sig.length), c.randomBytes(sig.length), Buffer.alloc(4096, 0x30)];
      for (const [i, bad] of variants.entries()) assert.equal(c.verify(publicKey, 'message', bad, opts), false, `${what} variant ${i}`);
      // bad arguments do throw
      assert.throws(() => c.verify(publicKey, 'message', 'not bytes', opts), is('ERR_INVALID_ARG_TYPE', ConfigError));
      assert.throws(() => c.verify(publicKey, 'message', sig, { ...opts, nope: 1 }), is('ERR_JSEC_UNKNOWN_OPTION'));
    }
  });

  test('JWK given as JSON text is a key input like the JWK object (detectFormat says jwk)', () => {
    const { privateKey } = c.generateKeySync('ec', { curve: 'P-384' });
    const text = JSON.stringify(c.exportKey(privateKey, { format: 'jwk' }));
    const pubText = JSON.stringify(c.exportPublicKey(privateKey, { format: 'jwk' }));
    assert.equal(c.detectFormat(text), 'jwk');
    assert.equal(c.loadKey(text).type, 'private');
    assert.equal(c.loadKey(pubText).type, 'public');
    assert.equal(c.verify(pubText, 'm', c.sign(text, 'm')), true);
    assert.deepEqual({ ...c.keyInfo(text) }, { kind: 'private', type: 'ec', bits: 384, curve: 'P-384', encrypted: false, format: 'jwk' });
    assert.throws(() => c.loadKey('{"kty": "EC", broken'), is('ERR_JSEC_CRYPTO_INVALID_KEY'));
    assert.throws(() => c.loadKey('{"crv": "P-256"}'), is('ERR_JSEC_CRYPTO_INVALID_KEY'));
    assert.throws(() => c.loadKey(pubText, { kind: 'private' }), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
  });

  test('RSA with a modulus that is not a whole number of bytes: rsaMaxPlaintext counts whole bytes', () => {
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2052 });
    assert.equal(c.keyInfo(publicKey).bits, 2052);
    // k = 257 bytes: OAEP-SHA-256 takes 257 - 66 = 191, v1.5 257 - 11 = 246
    assert.equal(c.rsaMaxPlaintext(publicKey), 191);
    assert.equal(c.rsaMaxPlaintext(publicKey, { dangerouslyUsePkcs1v15Padding: true }), 246);
    const max = c.randomBytes(191);
    assert.deepEqual(c.rsaDecrypt(privateKey, c.rsaEncrypt(publicKey, max)), max);
    assert.throws(() => c.rsaEncrypt(publicKey, Buffer.alloc(192)), (e) => is('ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG')(e) && e.max === 191);
    assert.equal(c.rsaEncrypt(publicKey, Buffer.alloc(246), { dangerouslyUsePkcs1v15Padding: true }).length, 257);
    assert.equal(c.sign(privateKey, 'm').length, 257);
  });
});

describe('openssl cross-checks', () => {
  let pki;
  let t;
  before(() => {
    pki = makePki();
    t = tempDir();
  });
  after(() => {
    pki?.cleanup();
    t?.cleanup();
  });

  test('RSA-PSS with MGF1 hash != message hash: openssl accepts exactly the MGF1 hash used, both directions (dgst and pkeyutl)', { timeout: 60_000 }, () => {
    const msg = t.write('pss.txt', 'PSS with a distinct MGF1 hash\n');
    const data = readFileSync(msg);
    const pub = t.write('pss-pub.pem', c.exportPublicKey(pki.rsa.key));
    const verifyArgs = (mgf1, salt) => ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_mgf1_md:${mgf1}`, '-sigopt', `rsa_pss_saltlen:${salt}`];
    const sig = t.write('pss.sig', c.sign(pki.rsa.key, data, { padding: 'pss', hash: 'sha256', mgf1Hash: 'sha512', saltLength: 32 }));
    assert.match(openssl(['dgst', ...verifyArgs('sha512', 32), '-verify', pub, '-signature', sig, msg]).toString(), /Verified OK/);
    // the same signature under MGF1-SHA-256 (the message hash) must fail in openssl: jsec really used SHA-512
    assert.throws(() => openssl(['dgst', ...verifyArgs('sha256', 32), '-verify', pub, '-signature', sig, msg]));
    assert.throws(() => openssl(['dgst', ...verifyArgs('sha1', 32), '-verify', pub, '-signature', sig, msg]));
    // pkeyutl on the precomputed digest
    const dg = t.write('pss.dgst', c.digest('sha256', data));
    const pk = ['-pkeyopt', 'digest:sha256', '-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:32'];
    assert.match(openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-in', dg, '-sigfile', sig, ...pk, '-pkeyopt', 'rsa_mgf1_md:sha512']).toString(), /Signature Verified Successfully/);
    assert.throws(() => openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-in', dg, '-sigfile', sig, ...pk, '-pkeyopt', 'rsa_mgf1_md:sha256']));
    // openssl signs (pkeyutl, MGF1-SHA-384 under SHA-256): jsec accepts only with mgf1Hash sha384
    openssl(['pkeyutl', '-sign', '-inkey', pki.rsa.keyPath, '-in', dg, '-out', t.path('o-pss.sig'), ...pk, '-pkeyopt', 'rsa_mgf1_md:sha384']);
    const osig = readFileSync(t.path('o-pss.sig'));
    const o = { padding: 'pss', hash: 'sha256', saltLength: 32 };
    assert.equal(c.verify(pki.rsa.cert, data, osig, { ...o, mgf1Hash: 'sha384' }), true);
    assert.equal(c.verify(pki.rsa.cert, data, osig, { ...o, mgf1Hash: 'sha384', saltLength: 'auto' }), true);
    assert.equal(c.verify(pki.rsa.cert, data, osig, o), false);
    assert.equal(c.verify(pki.rsa.cert, data, osig, { ...o, mgf1Hash: 'sha512' }), false);
    assert.equal(c.verify(pki.rsa.cert, data, osig, { ...o, mgf1Hash: 'sha384', saltLength: 20 }), false);
  });

  test('PKCS#12 from openssl with friendly names on the chain (-caname): parsePkcs12 reports them index for index', { timeout: 60_000 }, async () => {
    const bundle = t.write('chain.pem', pki.int.cert + pki.root.cert);
    openssl(['pkcs12', '-export', '-inkey', pki.rsa.keyPath, '-in', pki.rsa.certPath, '-certfile', bundle, '-name', 'leaf name', '-caname', 'intermediate name', '-caname', 'root name', '-passout', 'pass:pw', '-out', t.path('names.p12')]);
    const r = await c.parsePkcs12(readFileSync(t.path('names.p12')), 'pw');
    assert.equal(r.friendlyName, 'leaf name');
    assert.equal(r.certificate.subject, 'CN=jsec rsa leaf');
    const bySubject = Object.fromEntries(r.chain.map((x, i) => [x.subject, r.chainFriendlyNames[i]]));
    assert.deepEqual(bySubject, { 'CN=jsec test intermediate': 'intermediate name', 'CN=jsec test root': 'root name' });
    assert.equal(r.chainFriendlyNames.length, r.chain.length);
  });

  test('a "certificate + private key" PEM bundle: the private key is found wherever it sits', () => {
    for (const bundle of [pki.ec.cert + pki.ec.key, pki.ec.key + pki.ec.cert]) {
      assert.equal(c.loadKey(bundle, { kind: 'private' }).type, 'private');
      assert.equal(c.verify(pki.ec.cert, 'm', c.sign(bundle, 'm')), true);
      assert.equal(c.exportPublicKey(bundle), c.exportPublicKey(pki.ec.key));
      assert.equal(c.keyInfo(bundle).kind, 'private');
    }
    const encrypted = pki.ec.cert + c.exportKey(pki.ec.key, { passphrase: 'pw' });
    assert.equal(c.keyInfo(encrypted).encrypted, true);
    assert.throws(() => c.sign(encrypted, 'm'), is('ERR_MISSING_PASSPHRASE', ConfigError));
    assert.equal(c.verify(pki.ec.cert, 'm', c.sign(encrypted, 'm', { passphrase: 'pw' })), true);
    // no private key in it: still the typed error
    assert.throws(() => c.sign(pki.ec.cert + pki.int.cert, 'm'), is('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE'));
  });

  test('PKCS#12 from openssl without a MAC (-nomac): parses with the right password; encrypted bags refuse a wrong one', { timeout: 60_000 }, async () => {
    openssl(['pkcs12', '-export', '-nomac', '-inkey', pki.ec.keyPath, '-in', pki.ec.certPath, '-certfile', pki.int.certPath, '-name', 'no mac', '-passout', 'pass:pw', '-out', t.path('nomac.p12')]);
    const nomac = readFileSync(t.path('nomac.p12'));
    const r = await c.parsePkcs12(nomac, 'pw');
    assert.equal(r.mac, false);
    assert.equal(r.friendlyName, 'no mac');
    assert.equal(r.certificate.subject, 'CN=jsec ec leaf');
    assert.equal(r.certificate.checkPrivateKey(r.privateKey), true);
    assert.equal(r.chain.length, 1);
    assert.throws(() => c.parsePkcs12Sync(nomac, 'wrong'), is('ERR_JSEC_CRYPTO_BAD_PASSWORD', OpenSSLError));
    // no MAC and no encryption: nothing depends on the password
    openssl(['pkcs12', '-export', '-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE', '-inkey', pki.rsa.keyPath, '-in', pki.rsa.certPath, '-passout', 'pass:pw', '-out', t.path('plain.p12')]);
    const plain = readFileSync(t.path('plain.p12'));
    for (const pw of ['pw', 'anything']) {
      const p = c.parsePkcs12Sync(plain, pw);
      assert.equal(p.mac, false);
      assert.equal(p.certificate.checkPrivateKey(p.privateKey), true);
    }
  });
});

describe('jsec/cert objects as certificate inputs', () => {
  let pki;
  before(() => {
    pki = makePki();
  });
  after(() => pki?.cleanup());

  test('CMS and PKCS#12 take jsec Certificates and a TrustStore (its anchors); a closed store is ERR_JSEC_CLOSED', async () => {
    const { Certificate, TrustStore } = await import('jsec/cert');
    const leaf = Certificate.from(pki.ec.cert);
    const int = Certificate.from(pki.int.cert);
    const store = new TrustStore([pki.root.cert]);
    const signed = await c.cmsSign('via jsec/cert', { certificate: leaf, privateKey: pki.ec.key, extraCertificates: [int] });
    const v = await c.cmsVerify(signed, { trusted: store });
    assert.equal(v.content.toString(), 'via jsec/cert');
    assert.equal(v.signers[0].fingerprint256, leaf.toX509().fingerprint256);
    // the store is what decides: another root does not verify
    const otherRoot = new TrustStore([pki.ec.cert]);
    await assert.rejects(c.cmsVerify(signed, { trusted: otherRoot }), (e) => e.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const env = await c.cmsEncrypt('to a jsec Certificate', [leaf]);
    assert.equal((await c.cmsDecrypt(env, { privateKey: pki.ec.key, certificate: leaf })).toString(), 'to a jsec Certificate');
    const pfx = await c.createPkcs12({ key: pki.ec.key, certificate: leaf, chain: [int], password: 'pw' });
    assert.equal((await c.parsePkcs12(pfx, 'pw')).chain[0].subject, 'CN=jsec test intermediate');
    assert.equal(c.cmsCertificates(c.cmsCertsOnly(store)).length, 1);
    store.close();
    await assert.rejects(c.cmsVerify(signed, { trusted: store }), (e) => e instanceof JsecError && e.code === 'ERR_JSEC_CLOSED');
    otherRoot.close();
  });
});

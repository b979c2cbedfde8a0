// signAsync / verifyAsync: the same results and errors as sign / verify for
// every key type and option set, garbage signatures resolve false, bad
// arguments reject (never throw), inputs are copied, and the work runs as a
// thread-pool request (shown structurally with async_hooks, not by timing).
// Asserts codes and classes, never messages.
import assert from 'node:assert/strict';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import * as c from 'jsec/crypto';
import { ConfigError, JsecError, OpenSSLError } from 'jsec/errors';
import { tracePool } from '../helpers/thread-pool.mjs';
import { withoutFirstByte } from '../helpers/crypto-mutate.mjs';

// The thread-pool request types async_hooks reports for this file's calls.
const POOL_TYPES = ['SIGNREQUEST', 'jsec.rsaPss'];

const MSG = Buffer.from('signAsync: the quick brown fox');
const k = {};

before(async () => {
  const gen = async (name, type, options) => { k[name] = await c.generateKey(type, options); };
  await Promise.all([
    gen('rsa', 'rsa', { modulusLength: 2048 }),
    // jsec does not generate RSA-PSS (RSASSA-PSS OID) keys; node:crypto's work as they are.
    promisify(generateKeyPair)('rsa-pss', { modulusLength: 2048 }).then((pair) => { k.rsaPss = pair; }),
    gen('p256', 'ec', { curve: 'P-256' }),
    gen('p384', 'ec', { curve: 'P-384' }),
    gen('p521', 'ec', { curve: 'P-521' }),
    gen('k1', 'ec', { curve: 'secp256k1' }),
    gen('ed25519', 'ed25519'),
    gen('ed448', 'ed448'),
    gen('x25519', 'x25519'),
  ]);
});

// [name, key pair, sign options, verify options, deterministic, native PSS path]
function cases() {
  const list = [
    ['rsa pkcs1 (default)', k.rsa, {}, {}, true, false],
    ['rsa pkcs1 sha512', k.rsa, { hash: 'sha512' }, { hash: 'sha512' }, true, false],
    ['rsa pss sha256', k.rsa, { padding: 'pss' }, { padding: 'pss' }, false, false],
    ['rsa pss sha384 / mgf1 sha256 / salt 32', k.rsa, { padding: 'pss', hash: 'sha384', mgf1Hash: 'sha256', saltLength: 32 },
      { padding: 'pss', hash: 'sha384', mgf1Hash: 'sha256', saltLength: 32 }, false, true],
    ['rsa pss sha256 / mgf1 sha512 / salt max, verified with auto', k.rsa, { padding: 'pss', mgf1Hash: 'sha512', saltLength: 'max' },
      { padding: 'pss', mgf1Hash: 'sha512', saltLength: 'auto' }, false, true],
    ['rsa-pss key (default)', k.rsaPss, {}, {}, false, false],
    ['rsa-pss key / mgf1 sha384', k.rsaPss, { mgf1Hash: 'sha384' }, { mgf1Hash: 'sha384' }, false, true],
    ['ed25519', k.ed25519, {}, {}, true, false],
    ['ed448', k.ed448, {}, {}, true, false],
  ];
  for (const curve of ['p256', 'p384', 'p521', 'k1']) {
    list.push([`ecdsa ${curve} der`, k[curve], {}, {}, false, false]);
    list.push([`ecdsa ${curve} ieee-p1363`, k[curve], { dsaEncoding: 'ieee-p1363' }, { dsaEncoding: 'ieee-p1363' }, false, false]);
  }
  return list;
}

function flip(buf, i = buf.length >> 1) {
  const out = Buffer.from(buf);
  out[i] ^= 0x01;
  return out;
}

describe('signAsync / verifyAsync agree with sign / verify', () => {
  test('every key type and option set, both directions, good and tampered', async () => {
    const all = cases();
    assert.equal(all.length, 17);
    for (const [name, pair, so, vo, deterministic] of all) {
      const p = c.signAsync(pair.privateKey, MSG, so);
      assert.ok(p instanceof Promise, name);
      const fromAsync = await p;
      const fromSync = c.sign(pair.privateKey, MSG, so);
      assert.ok(Buffer.isBuffer(fromAsync), name);
      if (!name.endsWith(' der')) assert.equal(fromAsync.length, fromSync.length, name);
      if (deterministic) assert.deepEqual(fromAsync, fromSync, `${name}: deterministic, byte for byte`);
      // Cross-checks: async signature with sync verify and the reverse.
      assert.equal(c.verify(pair.publicKey, MSG, fromAsync, vo), true, `${name}: sync verify of signAsync`);
      assert.equal(await c.verifyAsync(pair.publicKey, MSG, fromSync, vo), true, `${name}: verifyAsync of sign`);
      assert.equal(await c.verifyAsync(pair.publicKey, MSG, fromAsync, vo), true, name);
      // A private key verifies too, as with verify.
      assert.equal(await c.verifyAsync(pair.privateKey, MSG, fromAsync, vo), true, name);
      // Tampered message and tampered signature: both forms say false.
      const otherMsg = flip(MSG, 0);
      const badSig = flip(fromAsync);
      assert.equal(c.verify(pair.publicKey, otherMsg, fromAsync, vo), false, name);
      assert.equal(await c.verifyAsync(pair.publicKey, otherMsg, fromAsync, vo), false, name);
      assert.equal(c.verify(pair.publicKey, MSG, badSig, vo), false, name);
      assert.equal(await c.verifyAsync(pair.publicKey, MSG, badSig, vo), false, name);
    }
  });

  test('the ECDSA IEEE P1363 signature has the fixed r||s width', async () => {
    for (const [curve, width] of [['p256', 64], ['p384', 96], ['p521', 132], ['k1', 64]]) {
      assert.equal((await c.signAsync(k[curve].privateKey, MSG, { dsaEncoding: 'ieee-p1363' })).length, width, curve);
    }
  });

  test('malformed, truncated and garbage signatures resolve false (never reject), as verify returns false', async () => {
    for (const [name, pair, so, vo] of cases()) {
      const sig = c.sign(pair.privateKey, MSG, so);
      const garbage = [
        Buffer.alloc(0),
        Buffer.from([0x30]),
        sig.subarray(0, sig.length - 1),
        withoutFirstByte(sig),
        Buffer.concat([sig, Buffer.from([0])]),
        c.randomBytes(sig.length),
        Buffer.alloc(65536, 0xff),
        new Uint8Array(sig.length),
      ];
      for (const [i, bad] of garbage.entries()) {
        assert.equal(c.verify(pair.publicKey, MSG, bad, vo), false, `${name} #${i}`);
        assert.equal(await c.verifyAsync(pair.publicKey, MSG, bad, vo), false, `${name} #${i}`);
      }
    }
  });

  test('RSA-PSS options that cannot work: signing rejects like sign throws, verifying resolves false', async () => {
    for (const so of [{ padding: 'pss', saltLength: 1000 }, { padding: 'pss', mgf1Hash: 'sha512', saltLength: 1000 }]) {
      let syncErr;
      assert.throws(() => c.sign(k.rsa.privateKey, MSG, so), (e) => { syncErr = e; return true; });
      assert.ok(syncErr instanceof OpenSSLError);
      assert.equal(syncErr.code, 'ERR_JSEC_OPENSSL');
      await assert.rejects(c.signAsync(k.rsa.privateKey, MSG, so), (e) => e instanceof OpenSSLError && e.code === 'ERR_JSEC_OPENSSL');
      const sig = c.sign(k.rsa.privateKey, MSG, { padding: 'pss', mgf1Hash: so.mgf1Hash });
      assert.equal(c.verify(k.rsa.publicKey, MSG, sig, so), false);
      assert.equal(await c.verifyAsync(k.rsa.publicKey, MSG, sig, so), false);
    }
  });

  test('keys in every input form: PEM, DER, JWK and encrypted PEM with its passphrase', async () => {
    const pem = c.exportKey(k.p256.privateKey);
    const der = c.exportKey(k.p256.privateKey, { format: 'der' });
    const enc = c.exportKey(k.ed25519.privateKey, { passphrase: 'pw' });
    const pub = c.exportPublicKey(k.p256.privateKey);
    for (const key of [pem, der]) assert.equal(await c.verifyAsync(pub, MSG, await c.signAsync(key, MSG)), true);
    assert.deepEqual(await c.signAsync(enc, MSG, { passphrase: 'pw' }), c.sign(k.ed25519.privateKey, MSG));
    const jwk = c.exportKey(k.rsa.privateKey, { format: 'jwk' });
    const pss = { padding: 'pss', hash: 'sha256', mgf1Hash: 'sha1' };
    assert.equal(c.verify(c.exportPublicKey(k.rsa.privateKey), MSG, await c.signAsync(jwk, MSG, pss), pss), true);
  });

  test('the inputs are copied before the work starts: changing them afterwards changes nothing', async () => {
    for (const [name, pair, so, vo] of [
      ['ed25519 (node:crypto)', k.ed25519, {}, {}],
      ['rsa pss mgf1 sha1 (addon)', k.rsa, { padding: 'pss', mgf1Hash: 'sha1' }, { padding: 'pss', mgf1Hash: 'sha1' }],
    ]) {
      const data = Buffer.from(MSG);
      const p = c.signAsync(pair.privateKey, data, so);
      data.fill(0);
      const sig = await p;
      assert.equal(c.verify(pair.publicKey, MSG, sig, vo), true, name);
      const data2 = Buffer.from(MSG);
      const sig2 = Buffer.from(sig);
      const q = c.verifyAsync(pair.publicKey, data2, sig2, vo);
      data2.fill(0);
      sig2.fill(0);
      assert.equal(await q, true, name);
    }
  });

  test('many concurrent calls on both paths all succeed', async () => {
    const pss = { padding: 'pss', hash: 'sha512', mgf1Hash: 'sha256' };
    const sigs = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => c.signAsync(k.rsa.privateKey, `m${i}`, pss)),
      ...Array.from({ length: 8 }, (_, i) => c.signAsync(k.p256.privateKey, `m${i}`)),
    ]);
    const oks = await Promise.all(sigs.map((s, i) => (i < 8
      ? c.verifyAsync(k.rsa.publicKey, `m${i}`, s, pss)
      : c.verifyAsync(k.p256.publicKey, `m${i - 8}`, s))));
    assert.deepEqual(oks, Array(16).fill(true));
    // Swapped messages fail.
    assert.equal(await c.verifyAsync(k.rsa.publicKey, 'm1', sigs[0], pss), false);
  });
});


describe('the work runs on the libuv thread pool', () => {
  const pss = { padding: 'pss', hash: 'sha384', mgf1Hash: 'sha256' };
  const calls = () => {
    const rsaSig = c.sign(k.rsa.privateKey, MSG);
    const pssSig = c.sign(k.rsa.privateKey, MSG, pss);
    return [
      ['signAsync ed25519', 'SIGNREQUEST', () => c.signAsync(k.ed25519.privateKey, MSG)],
      ['signAsync ecdsa', 'SIGNREQUEST', () => c.signAsync(k.p256.privateKey, MSG)],
      ['signAsync rsa pkcs1', 'SIGNREQUEST', () => c.signAsync(k.rsa.privateKey, MSG)],
      ['verifyAsync rsa pkcs1', 'SIGNREQUEST', () => c.verifyAsync(k.rsa.publicKey, MSG, rsaSig)],
      ['verifyAsync garbage', 'SIGNREQUEST', () => c.verifyAsync(k.p256.publicKey, MSG, Buffer.from('garbage'))],
      ['signAsync rsa pss distinct mgf1 (addon)', 'jsec.rsaPss', () => c.signAsync(k.rsa.privateKey, MSG, pss)],
      ['verifyAsync rsa pss distinct mgf1 (addon)', 'jsec.rsaPss', () => c.verifyAsync(k.rsa.publicKey, MSG, pssSig, pss)],
      ['verifyAsync garbage (addon)', 'jsec.rsaPss', () => c.verifyAsync(k.rsa.publicKey, MSG, Buffer.alloc(3), pss)],
    ];
  };

  test('each call queues exactly one thread-pool request and settles only from its completion callback', async () => {
    for (const [name, type, start] of calls()) {
      const t = await tracePool(POOL_TYPES, start);
      assert.ok(typeof t.value === 'boolean' || Buffer.isBuffer(t.value), name);
      assert.equal(t.created.length, 1, `${name}: one request created during the call`);
      assert.equal(t.created[0].type, type, name);
      assert.equal(t.settledBeforeLoopTurn, false, `${name}: not settled while only microtasks ran`);
      assert.deepEqual(t.beforeCallbacksThen, [0], name);
      assert.ok(t.created[0].before >= 1, `${name}: settled after the request's completion callback ran`);
    }
  });

  test('control: the synchronous forms complete without any completion callback', async () => {
    // sign() runs Node's crypto job synchronously: the request exists but the
    // event loop never calls back into it; the addon's sync rsaPss creates none.
    const t = await tracePool(POOL_TYPES, async () => {
      c.sign(k.p256.privateKey, MSG);
      c.sign(k.rsa.privateKey, MSG, pss);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    });
    assert.deepEqual(t.created, [{ type: 'SIGNREQUEST', before: 0 }]);
  });
});

describe('bad arguments reject with the same code and class as the sync form', () => {
  // [name, sync call, async call, expected code, expected class]
  const bad = () => {
    const enc = c.exportKey(k.p256.privateKey, { passphrase: 'pw' });
    return [
      ['X25519 key for signing', () => c.sign(k.x25519.privateKey, MSG), () => c.signAsync(k.x25519.privateKey, MSG), 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError],
      ['X25519 key for verifying', () => c.verify(k.x25519.publicKey, MSG, Buffer.alloc(64)), () => c.verifyAsync(k.x25519.publicKey, MSG, Buffer.alloc(64)), 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError],
      ['public key for signing', () => c.sign(k.p256.publicKey, MSG), () => c.signAsync(k.p256.publicKey, MSG), 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError],
      ['unknown option (sign)', () => c.sign(k.p256.privateKey, MSG, { hsah: 'sha256' }), () => c.signAsync(k.p256.privateKey, MSG, { hsah: 'sha256' }), 'ERR_JSEC_UNKNOWN_OPTION', ConfigError],
      ['unknown option (verify: passphrase)', () => c.verify(k.p256.publicKey, MSG, Buffer.alloc(8), { passphrase: 'x' }), () => c.verifyAsync(k.p256.publicKey, MSG, Buffer.alloc(8), { passphrase: 'x' }), 'ERR_JSEC_UNKNOWN_OPTION', ConfigError],
      ['hash for Ed25519 (sign)', () => c.sign(k.ed25519.privateKey, MSG, { hash: 'sha256' }), () => c.signAsync(k.ed25519.privateKey, MSG, { hash: 'sha256' }), 'ERR_JSEC_CONFLICTING_OPTIONS', ConfigError],
      ['hash for Ed25519 (verify)', () => c.verify(k.ed25519.publicKey, MSG, Buffer.alloc(64), { hash: 'sha256' }), () => c.verifyAsync(k.ed25519.publicKey, MSG, Buffer.alloc(64), { hash: 'sha256' }), 'ERR_JSEC_CONFLICTING_OPTIONS', ConfigError],
      ['padding for ECDSA', () => c.sign(k.p256.privateKey, MSG, { padding: 'pss' }), () => c.signAsync(k.p256.privateKey, MSG, { padding: 'pss' }), 'ERR_JSEC_CONFLICTING_OPTIONS', ConfigError],
      ["saltLength 'auto' when signing", () => c.sign(k.rsa.privateKey, MSG, { padding: 'pss', saltLength: 'auto' }), () => c.signAsync(k.rsa.privateKey, MSG, { padding: 'pss', saltLength: 'auto' }), 'ERR_INVALID_ARG_VALUE', ConfigError],
      ['unknown hash', () => c.sign(k.rsa.privateKey, MSG, { hash: 'sha-256' }), () => c.signAsync(k.rsa.privateKey, MSG, { hash: 'sha-256' }), 'ERR_INVALID_ARG_VALUE', ConfigError],
      ['encrypted key without passphrase', () => c.sign(enc, MSG), () => c.signAsync(enc, MSG), 'ERR_MISSING_PASSPHRASE', ConfigError],
      ['encrypted key, wrong passphrase', () => c.sign(enc, MSG, { passphrase: 'wrong' }), () => c.signAsync(enc, MSG, { passphrase: 'wrong' }), 'ERR_JSEC_CRYPTO_BAD_PASSWORD', OpenSSLError],
      ['data of the wrong type', () => c.sign(k.p256.privateKey, 42), () => c.signAsync(k.p256.privateKey, 42), 'ERR_INVALID_ARG_TYPE', ConfigError],
      ['signature of the wrong type', () => c.verify(k.p256.publicKey, MSG, 42), () => c.verifyAsync(k.p256.publicKey, MSG, 42), 'ERR_INVALID_ARG_TYPE', ConfigError],
      ['not a key', () => c.sign('not a key', MSG), () => c.signAsync('not a key', MSG), null, null],
    ];
  };

  test('each bad call: the sync form throws, the async form returns a promise that rejects alike', async () => {
    for (const [name, syncCall, asyncCall, code, Cls] of bad()) {
      let syncErr;
      assert.throws(syncCall, (e) => { syncErr = e; return e instanceof JsecError; }, name);
      if (code !== null) {
        assert.equal(syncErr.code, code, name);
        assert.ok(syncErr instanceof Cls, name);
      }
      let p;
      assert.doesNotThrow(() => { p = asyncCall(); }, name);
      assert.ok(p instanceof Promise, name);
      await assert.rejects(p, (e) => e instanceof JsecError && e.code === syncErr.code && e.constructor === syncErr.constructor, name);
    }
  });
});

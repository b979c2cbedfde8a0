// rsaEncryptAsync / rsaDecryptAsync: the same results and errors as
// rsaEncrypt / rsaDecrypt for every OAEP hash, MGF1 hash and label, across
// implementations (the addon's thread-pool job against node:crypto's sync
// path and the openssl CLI), the same limits and bad-input codes as
// rejections, PKCS#1 v1.5 behaving as the sync form on each Node line, and
// the OAEP work running as a thread-pool request (shown structurally with
// async_hooks, not by timing). Asserts codes and classes, never messages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as c from 'jsec/crypto';
import { ConfigError, JsecError, OpenSSLError } from 'jsec/errors';
import { openssl, tempDir } from '../helpers/crypto-pki.mjs';
import { tracePool } from '../helpers/thread-pool.mjs';

// The thread-pool request types async_hooks reports for this file's calls.
const POOL_TYPES = ['jsec.rsaOaep'];

const HASHES = ['sha1', 'sha256', 'sha384', 'sha512'];
// A different MGF1 hash for each OAEP hash.
const OTHER = { sha1: 'sha256', sha256: 'sha1', sha384: 'sha512', sha512: 'sha384' };
const LABEL = Buffer.from('jsec rsa-async label');
const k = {};
let t;

before(async () => {
  const [r2048, r3072, ec, ed] = await Promise.all([
    c.generateKey('rsa', { modulusLength: 2048 }),
    c.generateKey('rsa', { modulusLength: 3072 }),
    c.generateKey('ec', { curve: 'P-256' }),
    c.generateKey('ed25519'),
  ]);
  Object.assign(k, { 2048: r2048, 3072: r3072, ec, ed });
  t = tempDir('jsec-rsa-async-');
});

after(() => t?.cleanup());

// Every combination: key size x OAEP hash x MGF1 (same / different) x label (none / given).
function combos() {
  const list = [];
  for (const bits of [2048, 3072]) {
    for (const hash of HASHES) {
      for (const mgf1Hash of [hash, OTHER[hash]]) {
        for (const label of [undefined, LABEL]) {
          const o = { hash, mgf1Hash };
          if (label) o.label = label;
          list.push([`rsa${bits} ${hash} mgf1 ${mgf1Hash}${label ? ' label' : ''}`, k[bits], bits / 8, o]);
        }
      }
    }
  }
  return list;
}

function flip(buf, i = buf.length >> 1) {
  const out = Buffer.from(buf);
  out[i] ^= 0x01;
  return out;
}

// The sync error, then the async call's rejection: same code and class.
async function sameRejection(name, syncCall, asyncCall) {
  let syncErr;
  assert.throws(syncCall, (e) => { syncErr = e; return e instanceof JsecError; }, name);
  let p;
  assert.doesNotThrow(() => { p = asyncCall(); }, name);
  assert.ok(p instanceof Promise, name);
  await assert.rejects(p, (e) => e instanceof JsecError && e.code === syncErr.code && e.constructor === syncErr.constructor, name);
  return syncErr;
}

describe('rsaEncryptAsync / rsaDecryptAsync agree with rsaEncrypt / rsaDecrypt', () => {
  test('RSA 2048 and 3072, sha1/256/384/512, MGF1 equal and different, with and without label: both directions', async () => {
    const all = combos();
    assert.equal(all.length, 32);
    for (const [name, pair, k, o] of all) {
      const msg = Buffer.from(`secret for ${name}`);
      const p = c.rsaEncryptAsync(pair.publicKey, msg, o);
      assert.ok(p instanceof Promise, name);
      const fromAsync = await p;
      assert.equal(fromAsync.length, k, name);
      // Async (addon, thread pool) -> sync (node:crypto when MGF1 = OAEP hash).
      assert.deepEqual(c.rsaDecrypt(pair.privateKey, fromAsync, o), msg, `${name}: rsaDecrypt of rsaEncryptAsync`);
      // Sync -> async.
      const fromSync = c.rsaEncrypt(pair.publicKey, msg, o);
      assert.deepEqual(await c.rsaDecryptAsync(pair.privateKey, fromSync, o), msg, `${name}: rsaDecryptAsync of rsaEncrypt`);
      // OAEP is randomised: two encryptions differ, both decrypt.
      assert.notDeepEqual(fromAsync, fromSync, name);
      assert.deepEqual(await c.rsaDecryptAsync(pair.privateKey, fromAsync, o), msg, name);
    }
  });

  test('the hash, MGF1 hash and label are each bound: any mismatch fails in both forms with the same error', async () => {
    const pair = k[2048];
    for (const o of [{ hash: 'sha256', mgf1Hash: 'sha1', label: LABEL }, { hash: 'sha384', label: LABEL }, { hash: 'sha512' }]) {
      const ct = await c.rsaEncryptAsync(pair.publicKey, 'bound', o);
      const wrong = [
        { ...o, label: Buffer.from('another label') },
        // Label dropped, or added where there was none.
        { ...o, label: o.label ? undefined : LABEL },
        { ...o, hash: o.hash === 'sha1' ? 'sha256' : 'sha1' },
        { ...o, mgf1Hash: (o.mgf1Hash ?? o.hash) === 'sha512' ? 'sha384' : 'sha512' },
      ];
      for (const w of wrong) {
        const e = await sameRejection(JSON.stringify(w), () => c.rsaDecrypt(pair.privateKey, ct, w), () => c.rsaDecryptAsync(pair.privateKey, ct, w));
        assert.equal(e.code, 'ERR_JSEC_CRYPTO_DECRYPT_FAILED');
        assert.ok(e instanceof OpenSSLError);
      }
    }
  });

  test('an empty label is no label (RFC 8017: L defaults to the empty string) on both paths', async () => {
    const pair = k[2048];
    for (const mgf1Hash of ['sha256', 'sha1']) {
      const ct = await c.rsaEncryptAsync(pair.publicKey, 'empty', { label: '', mgf1Hash });
      assert.equal(c.rsaDecrypt(pair.privateKey, ct, { mgf1Hash }).toString(), 'empty', mgf1Hash);
      assert.equal((await c.rsaDecryptAsync(pair.privateKey, c.rsaEncrypt(pair.publicKey, 'empty'), { label: Buffer.alloc(0) })).toString(), 'empty');
    }
  });

  test('openssl pkeyutl: its OAEP ciphertexts decrypt with rsaDecryptAsync, and it decrypts rsaEncryptAsync output', async () => {
    const cases = [
      [2048, { hash: 'sha256', mgf1Hash: 'sha256' }],
      [2048, { hash: 'sha256', mgf1Hash: 'sha1', label: LABEL }],
      [3072, { hash: 'sha384', mgf1Hash: 'sha512', label: LABEL }],
      [3072, { hash: 'sha1', mgf1Hash: 'sha1', label: LABEL }],
    ];
    for (const [i, [bits, o]] of cases.entries()) {
      const pair = k[bits];
      const keyPath = t.write(`k${i}.pem`, c.exportKey(pair.privateKey));
      const pubPath = t.write(`p${i}.pem`, c.exportPublicKey(pair.privateKey));
      const pkeyopts = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${o.hash}`, '-pkeyopt', `rsa_mgf1_md:${o.mgf1Hash}`];
      if (o.label) pkeyopts.push('-pkeyopt', `rsa_oaep_label:${o.label.toString('hex')}`);
      const name = `rsa${bits} ${JSON.stringify({ ...o, label: o.label ? 'yes' : 'no' })}`;
      // openssl -> rsaDecryptAsync
      openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', pubPath, '-in', t.write(`m${i}`, `from openssl ${i}`), '-out', t.path(`o${i}.ct`), ...pkeyopts]);
      const ct = readFileSync(t.path(`o${i}.ct`));
      assert.equal(ct.length, bits / 8, name);
      assert.equal((await c.rsaDecryptAsync(pair.privateKey, ct, o)).toString(), `from openssl ${i}`, name);
      await assert.rejects(c.rsaDecryptAsync(pair.privateKey, ct, { ...o, label: o.label ? undefined : LABEL }), { code: 'ERR_JSEC_CRYPTO_DECRYPT_FAILED' }, name);
      // rsaEncryptAsync -> openssl
      const mine = await c.rsaEncryptAsync(pair.publicKey, `from jsec ${i}`, o);
      const pt = openssl(['pkeyutl', '-decrypt', '-inkey', keyPath, '-in', t.write(`j${i}.ct`, mine), ...pkeyopts]);
      assert.equal(pt.toString(), `from jsec ${i}`, name);
    }
  });

  test('rsaMaxPlaintext bytes encrypt; one more rejects with the sync code and max', async () => {
    for (const bits of [2048, 3072]) {
      for (const hash of HASHES) {
        const pair = k[bits];
        const o = { hash, mgf1Hash: OTHER[hash], label: LABEL };
        const max = c.rsaMaxPlaintext(pair.publicKey, { hash });
        assert.equal(max, bits / 8 - 2 * { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[hash] - 2);
        for (const opts of [{ hash }, o]) {
          const msg = c.randomBytes(max);
          assert.deepEqual(c.rsaDecrypt(pair.privateKey, await c.rsaEncryptAsync(pair.publicKey, msg, opts), opts), msg, `${bits} ${hash}`);
          const long = Buffer.alloc(max + 1, 7);
          const e = await sameRejection(`${bits} ${hash}`, () => c.rsaEncrypt(pair.publicKey, long, opts), () => c.rsaEncryptAsync(pair.publicKey, long, opts));
          assert.equal(e.code, 'ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG');
          assert.ok(e instanceof ConfigError);
          await assert.rejects(c.rsaEncryptAsync(pair.publicKey, long, opts), (err) => err.max === max && err.actual === max + 1);
        }
      }
    }
  });

  test('keys in every input form: PEM, DER, JWK, a private KeyObject for encryption and an encrypted PEM with its passphrase', async () => {
    const pair = k[2048];
    const o = { hash: 'sha256', mgf1Hash: 'sha1' };
    const pubs = [c.exportPublicKey(pair.privateKey), c.exportPublicKey(pair.privateKey, { format: 'der' }), c.exportPublicKey(pair.privateKey, { format: 'jwk' }), pair.privateKey];
    const privs = [[c.exportKey(pair.privateKey)], [c.exportKey(pair.privateKey, { format: 'der' })], [c.exportKey(pair.privateKey, { format: 'jwk' })], [c.exportKey(pair.privateKey, { passphrase: 'pw' }), 'pw']];
    for (const [i, pub] of pubs.entries()) {
      const ct = await c.rsaEncryptAsync(pub, `form ${i}`, o);
      for (const [j, [priv, passphrase]] of privs.entries()) {
        const opts = passphrase ? { ...o, passphrase } : o;
        assert.equal((await c.rsaDecryptAsync(priv, ct, opts)).toString(), `form ${i}`, `${i}/${j}`);
      }
    }
  });

  test('the inputs are copied before the work starts: changing them afterwards changes nothing', async () => {
    const pair = k[2048];
    const msg = Buffer.from('copied plaintext');
    const label = Buffer.from(LABEL);
    const o = { hash: 'sha384', label };
    const p = c.rsaEncryptAsync(pair.publicKey, msg, o);
    msg.fill(0);
    label.fill(0);
    const ct = await p;
    assert.equal(c.rsaDecrypt(pair.privateKey, ct, { hash: 'sha384', label: LABEL }).toString(), 'copied plaintext');
    const ct2 = Buffer.from(ct);
    const label2 = Buffer.from(LABEL);
    const q = c.rsaDecryptAsync(pair.privateKey, ct2, { hash: 'sha384', label: label2 });
    ct2.fill(0);
    label2.fill(0);
    assert.equal((await q).toString(), 'copied plaintext');
  });

  test('many concurrent calls all succeed, each with its own result', async () => {
    const pair = k[2048];
    const o = { hash: 'sha512', mgf1Hash: 'sha256' };
    const cts = await Promise.all(Array.from({ length: 12 }, (_, i) => c.rsaEncryptAsync(pair.publicKey, `m${i}`, o)));
    const pts = await Promise.all(cts.map((ct) => c.rsaDecryptAsync(pair.privateKey, ct, o)));
    assert.deepEqual(pts.map(String), Array.from({ length: 12 }, (_, i) => `m${i}`));
  });
});

describe('PKCS#1 v1.5 (dangerous option) behaves as the sync form on this Node line', () => {
  const v15 = { dangerouslyUsePkcs1v15Padding: true };
  const [major, minor] = process.versions.openssl.split('.').map(Number);
  const implicitRejection = major > 3 || minor >= 2;

  test(implicitRejection ? 'implicit rejection (OpenSSL 3.2+): round trip, and a tampered ciphertext yields the same pseudo-random bytes as rsaDecrypt' : 'Node.js refuses v1.5 decryption: ERR_JSEC_UNSUPPORTED, as a rejection', async () => {
    const pair = k[2048];
    const ct = await c.rsaEncryptAsync(pair.publicKey, 'legacy', v15);
    assert.equal(ct.length, 256);
    assert.equal(c.rsaMaxPlaintext(pair.publicKey, v15), 245);
    await assert.rejects(c.rsaEncryptAsync(pair.publicKey, Buffer.alloc(246), v15), (e) => e instanceof ConfigError && e.code === 'ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG');
    if (implicitRejection) {
      assert.equal((await c.rsaDecryptAsync(pair.privateKey, ct, v15)).toString(), 'legacy');
      assert.equal(c.rsaDecrypt(pair.privateKey, c.rsaEncrypt(pair.publicKey, 'legacy 2', v15), v15).toString(), 'legacy 2');
      const tampered = flip(ct, 100);
      const fromAsync = await c.rsaDecryptAsync(pair.privateKey, tampered, v15);
      assert.notEqual(fromAsync.toString(), 'legacy');
      assert.deepEqual(fromAsync, c.rsaDecrypt(pair.privateKey, tampered, v15), 'the same implicit-rejection output');
      await assert.rejects(c.rsaDecryptAsync(pair.privateKey, ct), { code: 'ERR_JSEC_CRYPTO_DECRYPT_FAILED' }, 'OAEP is still the default');
    } else {
      const e = await sameRejection('v1.5 decrypt', () => c.rsaDecrypt(pair.privateKey, ct, v15), () => c.rsaDecryptAsync(pair.privateKey, ct, v15));
      assert.equal(e.code, 'ERR_JSEC_UNSUPPORTED');
      assert.ok(e instanceof ConfigError);
    }
  });
});


describe('the OAEP work runs on the libuv thread pool', () => {
  test('each call queues exactly one thread-pool request and settles only from its completion callback', async () => {
    const pair = k[3072];
    const distinct = { hash: 'sha384', mgf1Hash: 'sha256', label: LABEL };
    const ct = c.rsaEncrypt(pair.publicKey, 'pool', distinct);
    const ctDefault = c.rsaEncrypt(pair.publicKey, 'pool');
    const calls = [
      ['rsaEncryptAsync default', () => c.rsaEncryptAsync(pair.publicKey, 'pool'), 'pool'],
      ['rsaEncryptAsync distinct mgf1 + label', () => c.rsaEncryptAsync(pair.publicKey, 'pool', distinct), 'pool'],
      ['rsaDecryptAsync default', () => c.rsaDecryptAsync(pair.privateKey, ctDefault), 'pool'],
      ['rsaDecryptAsync distinct mgf1 + label', () => c.rsaDecryptAsync(pair.privateKey, ct, distinct), 'pool'],
      ['rsaDecryptAsync tampered (rejects)', () => c.rsaDecryptAsync(pair.privateKey, flip(ct), distinct), null],
    ];
    for (const [name, start, expected] of calls) {
      const r = await tracePool(POOL_TYPES, start);
      if (expected === null) {
        assert.ok(r.error instanceof OpenSSLError && r.error.code === 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', name);
      } else if (name.startsWith('rsaEncrypt')) {
        assert.equal(c.rsaDecrypt(pair.privateKey, r.value, name.includes('distinct') ? distinct : {}).toString(), expected, name);
      } else {
        assert.equal(r.value.toString(), expected, name);
      }
      assert.equal(r.created.length, 1, `${name}: one request created during the call`);
      assert.equal(r.settledBeforeLoopTurn, false, `${name}: not settled while only microtasks ran`);
      assert.deepEqual(r.beforeCallbacksThen, [0], name);
      assert.ok(r.created[0].before >= 1, `${name}: settled after the request's completion callback ran`);
    }
  });

  test('control: the sync forms (addon path included) and bad arguments create no request', async () => {
    const pair = k[2048];
    const o = { hash: 'sha256', mgf1Hash: 'sha1' };
    const r = await tracePool(POOL_TYPES, async () => {
      c.rsaDecrypt(pair.privateKey, c.rsaEncrypt(pair.publicKey, 'sync', o), o);
      await c.rsaEncryptAsync(pair.publicKey, 'x', { hsah: 'sha256' }).catch(() => {});
      await c.rsaDecryptAsync(pair.publicKey, Buffer.alloc(256)).catch(() => {});
      await new Promise((resolve) => setImmediate(resolve));
    });
    assert.deepEqual(r.created, []);
  });
});

describe('bad arguments reject with the same code and class as the sync form', () => {
  test('each bad call: the sync form throws, the async form returns a promise that rejects alike', async () => {
    const pair = k[2048];
    const ct = c.rsaEncrypt(pair.publicKey, 'x', { label: LABEL });
    const enc = c.exportKey(pair.privateKey, { passphrase: 'pw' });
    // [name, expected code, expected class, encrypt? , args]
    const bad = [
      ['EC key for encryption', 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError, true, [k.ec.publicKey, 'x']],
      ['Ed25519 key for decryption', 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError, false, [k.ed.privateKey, ct]],
      ['public key for decryption', 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', ConfigError, false, [pair.publicKey, ct]],
      ['public PEM for decryption', null, null, false, [c.exportPublicKey(pair.privateKey), ct]],
      ['tampered ciphertext', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [pair.privateKey, flip(ct), { label: LABEL }]],
      ['tampered ciphertext (distinct mgf1)', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [pair.privateKey, flip(c.rsaEncrypt(pair.publicKey, 'x', { mgf1Hash: 'sha1' })), { mgf1Hash: 'sha1' }]],
      ['wrong label', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [pair.privateKey, ct, { label: 'other' }]],
      ['wrong key', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [k[3072].privateKey, ct, { label: LABEL }]],
      ['empty ciphertext', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [pair.privateKey, Buffer.alloc(0)]],
      ['ciphertext longer than the modulus', 'ERR_JSEC_CRYPTO_DECRYPT_FAILED', OpenSSLError, false, [pair.privateKey, Buffer.concat([ct, Buffer.alloc(1)]), { label: LABEL }]],
      ['unknown option (encrypt)', 'ERR_JSEC_UNKNOWN_OPTION', ConfigError, true, [pair.publicKey, 'x', { hsah: 'sha256' }]],
      ['unknown option (decrypt)', 'ERR_JSEC_UNKNOWN_OPTION', ConfigError, false, [pair.privateKey, ct, { lable: LABEL }]],
      ['passphrase is not an encrypt option', 'ERR_JSEC_UNKNOWN_OPTION', ConfigError, true, [pair.publicKey, 'x', { passphrase: 'pw' }]],
      ['unknown hash', 'ERR_INVALID_ARG_VALUE', ConfigError, true, [pair.publicKey, 'x', { hash: 'sha-256' }]],
      ['options not an object', 'ERR_INVALID_ARG_TYPE', ConfigError, false, [pair.privateKey, ct, 5]],
      ['v1.5 with OAEP options', 'ERR_JSEC_CONFLICTING_OPTIONS', ConfigError, true, [pair.publicKey, 'x', { dangerouslyUsePkcs1v15Padding: true, label: 'l' }]],
      ['encrypted key without passphrase', 'ERR_MISSING_PASSPHRASE', ConfigError, false, [enc, ct, { label: LABEL }]],
      ['encrypted key, wrong passphrase', 'ERR_JSEC_CRYPTO_BAD_PASSWORD', OpenSSLError, false, [enc, ct, { label: LABEL, passphrase: 'wrong' }]],
      ['data of the wrong type', 'ERR_INVALID_ARG_TYPE', ConfigError, true, [pair.publicKey, 42]],
      ['ciphertext of the wrong type', 'ERR_INVALID_ARG_TYPE', ConfigError, false, [pair.privateKey, 'not bytes']],
      ['not a key', null, null, true, ['not a key', 'x']],
    ];
    for (const [name, code, Cls, encrypt, args] of bad) {
      const e = encrypt
        ? await sameRejection(name, () => c.rsaEncrypt(...args), () => c.rsaEncryptAsync(...args))
        : await sameRejection(name, () => c.rsaDecrypt(...args), () => c.rsaDecryptAsync(...args));
      if (code !== null) {
        assert.equal(e.code, code, name);
        assert.ok(e instanceof Cls, name);
      }
    }
    // The encrypted key with its passphrase works in both forms.
    assert.equal((await c.rsaDecryptAsync(enc, ct, { label: LABEL, passphrase: 'pw' })).toString(), 'x');
  });
});

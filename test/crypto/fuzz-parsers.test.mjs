// Seeded fuzzing of the parsers fuzz.test.mjs leaves out: CMS EnvelopedData
// (AES-CBC, RSA key transport and EC key agreement), detached SignedData with
// mutated structure or content, a legacy (3DES/RC2) PKCS#12, PEM-wrapped CMS
// and PKCS#12 text, the addon's RSA-OAEP / RSA-PSS paths (distinct MGF1 hash)
// with mutated ciphertexts and signatures, and key inputs (SEC1, PKCS#1, JWK
// JSON text, certificates). Every outcome must be a typed JsecError with a
// registered code, or a success that returns exactly the original
// (authenticated) contents. JSEC_FUZZ_SEED / JSEC_FUZZ_ITERATIONS override.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as c from 'jsec/crypto';
import { JsecError, isErrorCode } from 'jsec/errors';
import { makePki } from '../helpers/crypto-pki.mjs';
import { mutator } from '../helpers/crypto-mutate.mjs';

const SEED = Number(process.env.JSEC_FUZZ_SEED ?? 0x6a736563) + 100;
const N = Number(process.env.JSEC_FUZZ_ITERATIONS ?? 250);

function typed(err, what) {
  if (err instanceof assert.AssertionError) throw err;
  assert.ok(err instanceof JsecError, `${what}: ${err?.name}: ${err?.message}`);
  assert.ok(isErrorCode(err.code), `${what}: unregistered ${err.code}`);
  return err.code;
}

let pki;
before(() => {
  pki = makePki();
});
after(() => pki?.cleanup());

test(`fuzz CMS EnvelopedData (AES-CBC; RSA and EC recipients) and detached SignedData (seed ${SEED}, ${N} cases each)`, { timeout: 90_000 }, async () => {
  const data = Buffer.from('enveloped and detached content');
  const env = c.cmsEncryptSync(data, [pki.rsa.cert, pki.ec.cert], { cipher: 'aes-256-cbc' });
  const det = c.cmsSignSync(data, { certificate: pki.rsa.cert, privateKey: pki.rsa.key, extraCertificates: pki.int.cert, detached: true });
  const mutate = mutator(SEED);
  const codes = new Set();
  for (let i = 0; i < N; i++) {
    const e = mutate(env);
    for (const who of [pki.rsa, pki.ec]) {
      try {
        // CBC has no integrity: a mutation of the ciphertext decrypts to other bytes
        // (or fails the padding). Structure damage must still be a typed error.
        const out = c.cmsDecryptSync(e, { privateKey: who.key, certificate: who.cert });
        assert.ok(Buffer.isBuffer(out));
      } catch (err) {
        codes.add(typed(err, 'cmsDecrypt EnvelopedData'));
      }
    }
    const d = mutate(det);
    try {
      const v = i % 25 === 0 ? await c.cmsVerify(d, { trusted: pki.root.cert, content: data }) : c.cmsVerifySync(d, { trusted: pki.root.cert, content: data });
      assert.deepEqual(v.content, data);
      assert.equal(v.signers[0].subject, 'CN=jsec rsa leaf');
    } catch (err) {
      codes.add(typed(err, 'cmsVerify detached'));
    }
    // the structure intact, the content mutated: never verifies
    const other = mutate(data);
    if (!other.equals(data)) {
      assert.throws(() => c.cmsVerifySync(det, { trusted: pki.root.cert, content: other }), (err) => typed(err, 'content') === 'ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID');
    }
  }
  assert.ok(codes.has('ERR_JSEC_CRYPTO_INVALID_CMS'), [...codes].join(', '));
});

test(`fuzz legacy PKCS#12 (3DES / RC2-40) and PEM-wrapped PKCS#12 / CMS text (seed ${SEED}, ${N} cases)`, { timeout: 90_000 }, () => {
  const legacy = c.createPkcs12Sync({ key: pki.rsa.key, certificate: pki.rsa.cert, password: 'pw', legacy: true, iterations: 1 });
  const orig = c.parsePkcs12Sync(legacy, 'pw', { legacy: true });
  const pem = Buffer.from(c.cmsSignSync('pem text', { certificate: pki.ec.cert, privateKey: pki.ec.key, format: 'pem' }));
  const p12pem = Buffer.from(`-----BEGIN PKCS12-----\n${legacy.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PKCS12-----\n`);
  const mutate = mutator(SEED + 1);
  let rejected = 0;
  for (let i = 0; i < N; i++) {
    const m = mutate(legacy);
    try {
      const r = c.parsePkcs12Sync(m, 'pw', { legacy: true });
      assert.equal(r.certificate?.fingerprint256, orig.certificate.fingerprint256, 'a mutated legacy PKCS#12 parsed to other contents');
      assert.equal(c.exportPublicKey(r.privateKey), c.exportPublicKey(orig.privateKey));
    } catch (err) {
      typed(err, 'parsePkcs12 legacy');
      rejected++;
    }
    for (const f of [() => c.cmsInfo(mutate(pem).toString('latin1')), () => c.cmsCertificates(mutate(pem)), () => c.parsePkcs12Sync(mutate(p12pem), 'pw', { legacy: true })]) {
      try {
        f();
      } catch (err) {
        typed(err, 'PEM text');
      }
    }
  }
  assert.ok(rejected > N / 2, `most mutations must be rejected (${rejected}/${N})`);
});

test(`fuzz the addon's RSA-OAEP and RSA-PSS paths (MGF1 hash != hash) (seed ${SEED}, ${N} cases)`, { timeout: 90_000 }, () => {
  const o = { hash: 'sha256', mgf1Hash: 'sha1', label: 'fuzz' };
  const ct = c.rsaEncrypt(pki.rsa.cert, 'oaep secret', o);
  const p = { padding: 'pss', hash: 'sha384', mgf1Hash: 'sha256', saltLength: 48 };
  const sig = c.sign(pki.rsa.key, 'pss message', p);
  const mutate = mutator(SEED + 2);
  for (let i = 0; i < N; i++) {
    const m = mutate(ct);
    // every decryption failure is the same error: no padding oracle
    try {
      assert.equal(c.rsaDecrypt(pki.rsa.key, m, o).toString(), 'oaep secret', 'a mutated OAEP ciphertext decrypted to other bytes');
    } catch (err) {
      assert.equal(typed(err, 'rsaDecrypt'), 'ERR_JSEC_CRYPTO_DECRYPT_FAILED');
    }
    // verify never throws for a malformed signature, and never accepts a mutated one
    const s = mutate(sig);
    assert.equal(c.verify(pki.rsa.cert, 'pss message', s, p), s.equals(sig));
    assert.equal(c.verify(pki.rsa.cert, 'pss message', s, { ...p, saltLength: 'auto' }), s.equals(sig));
  }
});

test(`fuzz key inputs: SEC1, PKCS#1, JWK JSON text, certificates (seed ${SEED}, ${N} cases)`, { timeout: 90_000 }, () => {
  const ec = c.generateKeySync('ec', { curve: 'P-384' }).privateKey;
  const inputs = [
    c.exportKey(ec, { encoding: 'sec1', format: 'der' }),
    Buffer.from(c.exportKey(ec, { encoding: 'sec1' })),
    c.exportKey(pki.rsa.key, { encoding: 'pkcs1', format: 'der', public: true }),
    Buffer.from(JSON.stringify(c.exportKey(ec, { format: 'jwk' }))),
    Buffer.from(pki.ec.cert),
  ];
  const mutate = mutator(SEED + 3);
  for (const input of inputs) {
    for (let i = 0; i < N / 2; i++) {
      const m = mutate(input);
      const text = m.toString('latin1');
      for (const f of [() => c.loadKey(m), () => c.loadKey(text), () => c.keyInfo(m), () => c.exportPublicKey(m), () => c.exportRawKey(text)]) {
        try {
          f();
        } catch (err) {
          typed(err, 'key input');
        }
      }
      try {
        // a mutated key that still loads must sign and verify consistently
        const k = c.loadKey(m, { kind: 'private' });
        const s = c.sign(k, 'x');
        assert.equal(c.verify(c.exportPublicKey(k), 'x', s), true, 'a key that loads signs verifiably');
      } catch (err) {
        typed(err, 'mutated key use');
      }
    }
  }
});

// Seeded fuzzing of every native parser: mutated PKCS#12, CMS (SignedData,
// AuthEnvelopedData, certs-only), EC points and keys. Every outcome must be
// a typed JsecError with a registered code, or a success that returns
// exactly the original (authenticated) contents: never a crash, a foreign
// error or a wrong "success". JSEC_FUZZ_SEED / JSEC_FUZZ_ITERATIONS override.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as c from 'jsec/crypto';
import { JsecError, isErrorCode } from 'jsec/errors';
import { makePki } from '../helpers/crypto-pki.mjs';
import { mutator } from '../helpers/crypto-mutate.mjs';

const SEED = Number(process.env.JSEC_FUZZ_SEED ?? 0x6a736563);
const N = Number(process.env.JSEC_FUZZ_ITERATIONS ?? 250);

function expectTyped(err, what) {
  assert.ok(err instanceof JsecError, `${what}: ${err?.name}: ${err?.message}`);
  assert.ok(isErrorCode(err.code), `${what}: unregistered ${err.code}`);
}

let pki;
before(() => {
  pki = makePki();
});
after(() => pki?.cleanup());

test(`fuzz PKCS#12 parse (seed ${SEED}, ${N} cases)`, { timeout: 60_000 }, async () => {
  const pfx = c.createPkcs12Sync({ key: pki.ec.key, certificate: pki.ec.cert, chain: pki.int.cert, password: 'pw', iterations: 1, friendlyName: 'f' });
  const orig = c.parsePkcs12Sync(pfx, 'pw');
  const mutate = mutator(SEED);
  let failures = 0;
  for (let i = 0; i < N; i++) {
    const m = mutate(pfx);
    try {
      const r = i % 10 === 0 ? await c.parsePkcs12(m, 'pw') : c.parsePkcs12Sync(m, 'pw');
      assert.equal(r.certificate?.fingerprint256, orig.certificate.fingerprint256, 'a mutated PKCS#12 parsed to other contents');
      assert.equal(c.exportPublicKey(r.privateKey), c.exportPublicKey(orig.privateKey));
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      expectTyped(err, 'parsePkcs12');
      failures++;
    }
  }
  assert.ok(failures > N / 2, `most mutations must be rejected (${failures}/${N})`);
});

test(`fuzz CMS SignedData verify, AuthEnvelopedData decrypt, certs-only (seed ${SEED}, ${N} cases each)`, { timeout: 60_000 }, () => {
  const data = Buffer.from('fuzzed content');
  const signed = c.cmsSignSync(data, { certificate: pki.ec.cert, privateKey: pki.ec.key, extraCertificates: pki.int.cert });
  const env = c.cmsEncryptSync(data, pki.rsa.cert, { cipher: 'aes-128-gcm' });
  const bundle = c.cmsCertsOnly([pki.int.cert, pki.root.cert]);
  const mutate = mutator(SEED + 1);
  for (let i = 0; i < N; i++) {
    const s = mutate(signed);
    try {
      const v = c.cmsVerifySync(s, { trusted: pki.root.cert });
      assert.deepEqual(v.content, data, 'a mutated SignedData verified with other content');
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      expectTyped(err, 'cmsVerify');
    }
    const e = mutate(env);
    try {
      assert.deepEqual(c.cmsDecryptSync(e, { privateKey: pki.rsa.key, certificate: pki.rsa.cert }), data, 'a mutated AuthEnvelopedData decrypted to other content');
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      expectTyped(err, 'cmsDecrypt');
    }
    const b = mutate(bundle);
    for (const f of [() => c.cmsCertificates(b), () => c.cmsInfo(b)]) {
      try {
        f();
      } catch (err) {
        expectTyped(err, 'cms certs');
      }
    }
  }
});

test(`fuzz EC point decoding and arithmetic (seed ${SEED})`, () => {
  const mutate = mutator(SEED + 2);
  for (const curve of ['P-256', 'P-384', 'P-521', 'secp256k1']) {
    const k = c.ecGenerateScalar(curve);
    const P = c.ecPointMul(curve, k);
    for (const encoded of [c.ecPointToBytes(curve, P), c.ecPointToBytes(curve, P, { compressed: true })]) {
      for (let i = 0; i < N / 2; i++) {
        const m = mutate(encoded);
        try {
          const Q = c.ecPointFromBytes(curve, m);
          // a decoded point is on the curve: arithmetic on it works and re-encodes identically
          assert.deepEqual(c.ecPointFromBytes(curve, c.ecPointToBytes(curve, Q, { compressed: true })), Q);
          c.ecPointAdd(curve, Q, P);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          expectTyped(err, `ecPoint ${curve}`);
        }
        try {
          c.ecPointMul(curve, mutate(k), m);
        } catch (err) {
          expectTyped(err, `ecPointMul ${curve}`);
        }
      }
    }
  }
});

test(`fuzz key loading: PKCS#8, SPKI, encrypted PKCS#8, PEM (seed ${SEED})`, { timeout: 60_000 }, () => {
  const mutate = mutator(SEED + 3);
  const { privateKey } = c.generateKeySync('ec');
  const inputs = [
    c.exportKey(privateKey, { format: 'der' }),
    c.exportPublicKey(privateKey, { format: 'der' }),
    c.exportKey(privateKey, { format: 'der', passphrase: 'pw' }),
    Buffer.from(c.exportKey(privateKey)),
    Buffer.from(c.exportKey(pki.rsa.key, { encoding: 'pkcs1', format: 'der' })),
  ];
  for (const input of inputs) {
    for (let i = 0; i < N / 2; i++) {
      const m = mutate(input);
      for (const f of [() => c.loadKey(m, { passphrase: 'pw' }), () => c.keyInfo(m), () => c.importRawKey('P-256', m)]) {
        try {
          f();
        } catch (err) {
          expectTyped(err, 'key');
        }
      }
    }
  }
});

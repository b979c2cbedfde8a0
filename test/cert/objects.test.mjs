// The value objects and small functions of jsec/cert: construction rules,
// disposal, typed errors for bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Certificate, Csr, Crl, TrustStore, createCrl, generateSelfSignedSync, generateCsrSync, fingerprint, verifySignature, verifyCodeName, VERIFY_CODE_NAMES } from 'jsec/cert';
import { CertificateError, ConfigError, StateError, isJsecError } from 'jsec';

const a = generateSelfSignedSync({ commonName: 'objects.test', ca: true });

test('value objects cannot be constructed directly', () => {
  for (const C of [Certificate, Csr, Crl]) assert.throws(() => new C(Symbol('nope'), Buffer.alloc(4)), (e) => e instanceof StateError && e.code === 'ERR_JSEC_INVALID_STATE');
});

test('from() accepts the object itself, X509Certificate, PEM string, PEM bytes and DER', () => {
  const c = a.certificate;
  assert.equal(Certificate.from(c), c);
  for (const input of [new X509Certificate(a.cert), a.cert, Buffer.from(a.cert), c.raw, new Uint8Array(c.raw)]) assert.ok(Certificate.from(input).equals(c));
  const csr = generateCsrSync({ commonName: 'x' }).csr;
  assert.equal(Csr.from(csr), csr);
  assert.ok(Csr.from(csr.pem).raw.equals(csr.raw));
  const crl = createCrl({ issuer: { certificate: c, key: a.privateKey }, nextUpdate: new Date(Date.now() + 60_000), crlNumber: 1n });
  assert.equal(Crl.from(crl), crl);
  assert.equal(Crl.fromPem(crl.pem + crl.pem).length, 2);
});

test('wrong kinds of input are typed errors', () => {
  const cases = [
    [() => Certificate.from(42), 'ERR_INVALID_ARG_TYPE', ConfigError],
    [() => Certificate.from('hello'), 'ERR_JSEC_PEM_PARSE', CertificateError],
    [() => Certificate.from(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), 'ERR_JSEC_CERT_PARSE', CertificateError],
    [() => Certificate.from(Buffer.concat([a.certificate.raw, Buffer.from([0])])), 'ERR_JSEC_CERT_PARSE', CertificateError],
    [() => Csr.from(a.cert), 'ERR_JSEC_PEM_PARSE', CertificateError],
    [() => Csr.from(a.certificate.raw), 'ERR_JSEC_CSR_PARSE', CertificateError],
    [() => Crl.from(a.certificate.raw), 'ERR_JSEC_CRL_PARSE', CertificateError],
    [() => Crl.from(null), 'ERR_INVALID_ARG_TYPE', ConfigError],
    [() => Certificate.fromX509({}), 'ERR_INVALID_ARG_TYPE', ConfigError],
    [() => a.certificate.fingerprint('md5'), 'ERR_INVALID_ARG_VALUE', ConfigError],
    [() => fingerprint(a.cert, 'sha3'), 'ERR_INVALID_ARG_VALUE', ConfigError],
    [() => verifySignature(a.cert, 'x'), 'ERR_JSEC_PEM_PARSE', CertificateError],
    [() => a.certificate.checkHost(''), 'ERR_INVALID_ARG_TYPE', ConfigError],
    [() => new TrustStore(['garbage']), 'ERR_JSEC_PEM_PARSE', CertificateError],
    [() => createCrl({ issuer: { certificate: a.cert, key: a.key } }), 'ERR_MISSING_OPTION', ConfigError],
  ];
  for (const [fn, code, cls] of cases) assert.throws(fn, (e) => isJsecError(e) && e.code === code && e instanceof cls, String(fn));
});

test('TrustStore: state, dispose, reuse', () => {
  const store = new TrustStore([a.cert]);
  assert.equal(store.state, 'open');
  assert.equal(store.anchors[0].commonName, 'objects.test');
  store[Symbol.dispose]();
  assert.equal(store.state, 'closed');
  assert.throws(() => store.handle, { code: 'ERR_JSEC_CLOSED' });
});

test('verify code names follow Node (X509_V_ERR_ prefix dropped)', () => {
  assert.equal(verifyCodeName(10), 'CERT_HAS_EXPIRED');
  assert.equal(verifyCodeName(62), 'HOSTNAME_MISMATCH');
  assert.equal(verifyCodeName(20), 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  assert.equal(verifyCodeName(999), 'X509_V_ERR_999');
  assert.equal(Object.keys(VERIFY_CODE_NAMES).length, 101);
  assert.ok(Object.isFrozen(VERIFY_CODE_NAMES));
});

// Trust anchors are never silently dropped: TrustStore and verifyChain refuse
// garbage, key-only PEM, corrupt blocks and (for TrustStore) an empty set with
// typed errors, and the one-certificate-among-garbage cases behave as documented.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TrustStore, verifyChain, generateSelfSigned } from 'jsec/cert';
import { CertificateError, ConfigError } from 'jsec/errors';

let ss;
before(async () => {
  ss = await generateSelfSigned({ commonName: 'anchor.test', san: ['DNS:anchor.test'] });
});

const is = (cls, code) => (e) => e instanceof cls && e.code === code;
const corruptBlock = () => ss.cert.replace('-----BEGIN CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\n!!!!');
const notACert = () => `-----BEGIN CERTIFICATE-----\n${Buffer.from('not DER at all').toString('base64')}\n-----END CERTIFICATE-----\n`;

// [input, expected class, expected code]: each is refused by TrustStore and as verifyChain trustAnchors.
const refused = () => [
  ['plain text', 'not a pem', CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['empty string', '', CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['random bytes', Buffer.from('garbage bytes, no PEM'), CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['a key only', ss.key, CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['a list with a key', [ss.cert, ss.key], CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['a list with garbage', [ss.cert, 'not a pem'], CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['a corrupt block', corruptBlock(), CertificateError, 'ERR_JSEC_PEM_PARSE'],
  ['a block that is not a certificate', notACert(), CertificateError, 'ERR_JSEC_CERT_PARSE'],
  ['DER that is not a certificate', Buffer.from('3003020101', 'hex'), CertificateError, 'ERR_JSEC_CERT_PARSE'],
  ['a wrong type in a list', [ss.cert, 42], ConfigError, 'ERR_INVALID_ARG_TYPE'],
];

describe('trust anchors', () => {
  test('TrustStore refuses input without a usable certificate', () => {
    for (const [name, input, cls, code] of refused()) assert.throws(() => new TrustStore(input), is(cls, code), name);
    assert.throws(() => new TrustStore(), is(ConfigError, 'ERR_INVALID_ARG_TYPE'));
    assert.throws(() => new TrustStore(null), is(ConfigError, 'ERR_INVALID_ARG_TYPE'));
    assert.throws(() => new TrustStore([]), (e) => is(ConfigError, 'ERR_INVALID_ARG_VALUE')(e) && e.option === 'anchors');
  });

  test('verifyChain refuses the same trustAnchors instead of verifying against fewer anchors', () => {
    for (const [name, input, cls, code] of refused()) assert.throws(() => verifyChain(ss.cert, { trustAnchors: input, hostname: 'anchor.test' }), is(cls, code), name);
  });

  test('a certificate with a key or comments around it is used; the anchor really applies', () => {
    const bundle = `# my root\n${ss.cert}${ss.key}`;
    const store = new TrustStore(bundle);
    assert.equal(store.size, 1);
    assert.equal(verifyChain(ss.cert, { trustAnchors: store, hostname: 'anchor.test' }).valid, true);
    assert.equal(verifyChain(ss.cert, { trustAnchors: bundle, hostname: 'anchor.test' }).valid, true);
    store.close();
    // An explicit empty set trusts nothing: the chain is invalid, not an error.
    assert.equal(verifyChain(ss.cert, { trustAnchors: [], hostname: 'anchor.test' }).valid, false);
  });
});

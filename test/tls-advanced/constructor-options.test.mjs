// LruSessionStore and OcspStapler validate their options like every other
// public entry point: wrong types, out-of-range values and unknown names are
// typed ConfigErrors (unknown names carry the closest valid name).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LruSessionStore, OcspStapler } from 'jsec/tls';
import { CertificateAuthority } from 'jsec/ca';
import { CertificateError, ConfigError } from 'jsec/errors';

const config = (code, extra = {}) => (e) => e instanceof ConfigError && e.code === code && Object.entries(extra).every(([k, v]) => e[k] === v);

describe('LruSessionStore options', () => {
  test('valid options are accepted; defaults apply without options', () => {
    assert.equal(new LruSessionStore().size, 0);
    assert.equal(new LruSessionStore(undefined).size, 0);
    assert.equal(new LruSessionStore({ maxEntries: 0, perKey: 1, now: () => 0 }).size, 0);
  });

  test('unknown names, wrong types and out-of-range values are typed errors', () => {
    assert.throws(() => new LruSessionStore({ maxEntires: 5 }), config('ERR_JSEC_UNKNOWN_OPTION', { option: 'maxEntires', suggestion: 'maxEntries' }));
    assert.throws(() => new LruSessionStore({ perkey: 2 }), config('ERR_JSEC_UNKNOWN_OPTION', { suggestion: 'perKey' }));
    assert.throws(() => new LruSessionStore({ maxEntries: '10' }), config('ERR_INVALID_ARG_TYPE', { option: 'maxEntries' }));
    assert.throws(() => new LruSessionStore({ now: 5 }), config('ERR_INVALID_ARG_TYPE', { option: 'now' }));
    assert.throws(() => new LruSessionStore({ maxEntries: -1 }), config('ERR_OUT_OF_RANGE', { option: 'maxEntries' }));
    assert.throws(() => new LruSessionStore({ maxEntries: 1.5 }), config('ERR_OUT_OF_RANGE', { option: 'maxEntries' }));
    assert.throws(() => new LruSessionStore({ perKey: 0 }), config('ERR_OUT_OF_RANGE', { option: 'perKey' }));
    assert.throws(() => new LruSessionStore('big'), config('ERR_INVALID_ARG_TYPE'));
  });
});

describe('OcspStapler options', () => {
  let root;
  let leaf;
  before(async () => {
    root = await CertificateAuthority.createRoot({ commonName: 'Stapler Options Root', publication: { ocsp: ['http://127.0.0.1:9/ocsp'] } });
    leaf = await root.issue('server', { commonName: 'stapler.test' });
  });
  after(async () => {
    await root?.close();
  });

  test('valid options are accepted (no fetch happens in the constructor)', () => {
    const st = new OcspStapler({ certificate: leaf.cert, issuer: root.certificate.pem, timeout: 100, refreshFraction: 0.5, retryInterval: 1000, now: () => 0 });
    assert.equal(st.state, 'empty');
    st.close();
    const der = new OcspStapler({ certificate: leaf.certificate.raw, issuer: root.certificate.raw, url: 'http://127.0.0.1:9/' });
    assert.equal(der.state, 'empty');
    der.close();
  });

  test('unknown names, wrong types and out-of-range values are typed errors', () => {
    const base = { certificate: leaf.cert, issuer: root.certificate.pem };
    assert.throws(() => new OcspStapler({ ...base, refreshFracton: 0.5 }), config('ERR_JSEC_UNKNOWN_OPTION', { suggestion: 'refreshFraction' }));
    assert.throws(() => new OcspStapler({ ...base, timeOut: 5 }), config('ERR_JSEC_UNKNOWN_OPTION', { suggestion: 'timeout' }));
    assert.throws(() => new OcspStapler({ ...base, url: 42 }), config('ERR_INVALID_ARG_TYPE', { option: 'url' }));
    assert.throws(() => new OcspStapler({ ...base, now: 'soon' }), config('ERR_INVALID_ARG_TYPE', { option: 'now' }));
    assert.throws(() => new OcspStapler({ ...base, response: 'not bytes' }), config('ERR_INVALID_ARG_TYPE', { option: 'response' }));
    assert.throws(() => new OcspStapler({ ...base, certificate: 7 }), config('ERR_INVALID_ARG_TYPE', { option: 'certificate' }));
    assert.throws(() => new OcspStapler({ ...base, refreshFraction: 2 }), config('ERR_OUT_OF_RANGE', { option: 'refreshFraction' }));
    assert.throws(() => new OcspStapler({ ...base, timeout: 0 }), config('ERR_OUT_OF_RANGE', { option: 'timeout' }));
    assert.throws(() => new OcspStapler({ ...base, retryInterval: -5 }), config('ERR_OUT_OF_RANGE', { option: 'retryInterval' }));
    assert.throws(() => new OcspStapler(), config('ERR_MISSING_OPTION', { option: 'certificate' }));
    assert.throws(() => new OcspStapler({ certificate: leaf.cert }), config('ERR_MISSING_OPTION', { option: 'issuer' }));
  });

  test('a certificate or issuer that is not one is a parse error, not a Node crypto error', () => {
    const parse = (option) => (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CERT_PARSE' && e.option === option;
    assert.throws(() => new OcspStapler({ certificate: 'not a pem', issuer: root.certificate.pem }), parse('certificate'));
    assert.throws(() => new OcspStapler({ certificate: leaf.cert, issuer: Buffer.from('3003020100', 'hex') }), parse('issuer'));
  });
});

// The test PKI (test/helpers/test-pki.mjs) is made by jsec; here the openssl
// CLI checks it: every certificate parses, matches its key, verifies (or
// fails with the intended error) at the PKI's clock, and the CRL, PKCS#12
// and CA-issued material are accepted too.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { openssl, verifyErrors } from '../helpers/openssl.mjs';
import { LOCAL_SAN, TestPki, tempFile, testPki } from '../helpers/test-pki.mjs';

const T = { timeout: 30_000 };
// OpenSSL's verify codes (X509_V_ERR_*).
const NOT_YET_VALID = 9;
const HAS_EXPIRED = 10;
const DEPTH_ZERO_SELF_SIGNED = 18;
const UNABLE_TO_GET_ISSUER_LOCALLY = 20;
const REVOKED = 23;
const HOSTNAME_MISMATCH = 62;

/** The openssl verify purpose that fits a certificate's EKU. */
const purposeOf = (c) => (c.extendedKeyUsage.includes('serverAuth') ? 'sslserver' : c.extendedKeyUsage.includes('clientAuth') ? 'sslclient' : c.extendedKeyUsage.includes('emailProtection') ? 'smimesign' : 'any');

/** What openssl verify must say about each catalogue entry, trusting its own root: [] = OK. */
const EXPECTED = { expired: [[HAS_EXPIRED, 0]], 'not-yet-valid': [[NOT_YET_VALID, 0]] };

let pki;
let ids;
const anchorFile = {};

function verify(id, { anchor = ids[id.root], attime = pki.now, extra = [] } = {}) {
  anchorFile[anchor.name] ??= tempFile(anchor.pem);
  const files = pki.files(id);
  const args = ['verify', '-attime', String(Math.floor(attime / 1000)), '-CAfile', anchorFile[anchor.name], ...(files.chainFile ? ['-untrusted', files.chainFile] : []), ...extra, files.leafFile];
  const r = openssl(args);
  return { ok: r.status === 0 && /: OK/.test(r.stdout), errors: verifyErrors(r.out), out: r.out };
}

before(async () => {
  pki = testPki();
  ids = await pki.identities(...pki.names);
});

describe('openssl accepts every certificate of the test PKI', () => {
  test('x509 parses each one, and its key is the key of the certificate', T, () => {
    for (const id of Object.values(ids)) {
      const r = openssl(['x509', '-noout', '-subject', '-pubkey', '-in', pki.files(id).leafFile]);
      assert.equal(r.status, 0, `${id.name}: ${r.out}`);
      assert.match(r.stdout, new RegExp(`CN ?= ?${id.certificate.commonName}`), id.name);
      const spki = createPublicKey(id.privateKey).export({ type: 'spki', format: 'pem' });
      assert.ok(r.stdout.includes(spki), `${id.name}: key and certificate belong together`);
    }
    // openssl reads the PKCS#8 keys too (one of each type).
    for (const name of ['server-rsa', 'server-p256', 'server-ed25519']) {
      const r = openssl(['pkey', '-pubout', '-in', pki.files(name).keyFile]);
      assert.equal(r.stdout, createPublicKey(ids[name].privateKey).export({ type: 'spki', format: 'pem' }), name);
    }
  });

  test('verify: every chain is valid at the PKI clock for its purpose, except the misissued ones', T, () => {
    const checked = [];
    for (const id of Object.values(ids)) {
      const r = verify(id, { extra: ['-purpose', purposeOf(id.certificate), '-x509_strict'] });
      const expected = EXPECTED[id.name] ?? [];
      assert.deepEqual(r.errors, expected, `${id.name}: ${r.out}`);
      assert.equal(r.ok, expected.length === 0, `${id.name}: ${r.out}`);
      checked.push(id.name);
    }
    assert.ok(checked.length >= 20, 'the whole catalogue was checked');
  });

  test('server leaves name localhost, 127.0.0.1 and ::1; wrong-host does not', T, () => {
    for (const name of ['server-rsa', 'server-p256', 'server-ed25519', 'direct-rsa', 'direct-p256', 'self-signed', 'untrusted']) {
      assert.deepEqual(ids[name].certificate.subjectAltNames.map((s) => `${s.type === 'dns' ? 'DNS' : 'IP'}:${s.value}`), [...LOCAL_SAN], name);
      for (const check of [['-verify_hostname', 'localhost', '-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
        assert.equal(verify(ids[name], { extra: check }).ok, true, `${name} ${check}`);
      }
    }
    assert.deepEqual(verify(ids['wrong-host'], { extra: ['-verify_hostname', 'localhost'] }).errors, [[HOSTNAME_MISMATCH, 0]]);
  });

  test('the untrusted and self-signed certificates fail against the trusted root', T, () => {
    assert.deepEqual(verify(ids.untrusted, { anchor: ids.root }).errors, [[UNABLE_TO_GET_ISSUER_LOCALLY, 1]]);
    assert.deepEqual(verify(ids['untrusted-direct'], { anchor: ids.root }).errors, [[UNABLE_TO_GET_ISSUER_LOCALLY, 0]]);
    assert.deepEqual(verify(ids['self-signed'], { anchor: ids.root }).errors, [[DEPTH_ZERO_SELF_SIGNED, 0]]);
  });

  test('the key types are the ones named', T, () => {
    for (const [name, type] of [['server-rsa', 'rsa'], ['server-p256', 'ec'], ['server-ed25519', 'ed25519'], ['client-rsa', 'rsa'], ['smime-ed25519', 'ed25519'], ['smime-rsa', 'rsa']]) {
      assert.equal(ids[name].privateKey.asymmetricKeyType, type, name);
      const text = openssl(['x509', '-noout', '-text', '-in', pki.files(name).leafFile]).stdout;
      assert.match(text, { rsa: /rsaEncryption[\s\S]*2048 bit/, ec: /id-ecPublicKey[\s\S]*prime256v1/, ed25519: /ED25519/ }[type], name);
    }
  });
});

describe('derived material', () => {
  test('a CRL revoking a leaf: openssl verify -crl_check reports it revoked, the others stay valid', T, async () => {
    const crl = await pki.crl('intermediate', ['server-p256']);
    const crlFile = tempFile(crl.pem);
    assert.equal(openssl(['crl', '-noout', '-in', crlFile, '-CAfile', pki.files('intermediate').leafFile]).status, 0);
    assert.deepEqual(verify(ids['server-p256'], { extra: ['-crl_check', '-CRLfile', crlFile] }).errors, [[REVOKED, 0]]);
    assert.equal(verify(ids['server-rsa'], { extra: ['-crl_check', '-CRLfile', crlFile] }).ok, true);
  });

  test('PKCS#12 from jsec/crypto opens with openssl pkcs12 and holds key, leaf and intermediate', T, async () => {
    const p12 = tempFile(await pki.pkcs12('client', 'pfx pass'), 'p12');
    const r = openssl(['pkcs12', '-in', p12, '-passin', 'pass:pfx pass', '-nodes']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.stdout, /subject=.*jsec test client/);
    assert.match(r.stdout, /subject=.*jsec Test Intermediate CA/);
    assert.match(r.stdout, /PRIVATE KEY/);
    assert.notEqual(openssl(['pkcs12', '-in', p12, '-passin', 'pass:wrong', '-noout']).status, 0);
  });

  test('a jsec/ca authority over the intermediate issues certificates openssl verifies', T, async () => {
    const ca = await pki.authority('intermediate');
    try {
      const issued = await ca.issue('server', { commonName: 'issued.test' });
      const r = openssl(['verify', '-attime', String(Math.floor(pki.now / 1000)), '-CAfile', pki.files('root').leafFile, '-untrusted', pki.files('intermediate').leafFile, '-purpose', 'sslserver', '-verify_hostname', 'issued.test', tempFile(issued.cert)]);
      assert.match(r.stdout, /: OK/, r.out);
    } finally {
      ca.close();
    }
  });

  test('an injected clock shifts every validity: a PKI made "in 2031" verifies then, not now', T, () => {
    const at = Date.UTC(2031, 5, 1);
    const future = new TestPki({ now: at, seed: 'future' });
    const leaf = future.identitySync('server-p256');
    const expired = future.identitySync('expired');
    assert.equal(leaf.certificate.isValidAt(new Date(at)), true);
    const root = tempFile(future.identitySync('root').pem);
    const files = future.files(leaf);
    const run = (when, f = files) => openssl(['verify', '-attime', String(Math.floor(when / 1000)), '-CAfile', root, '-untrusted', f.chainFile, f.leafFile]);
    assert.match(run(at).stdout, /: OK/);
    // In 2026 nothing of it is valid yet (the root included, which openssl reports first).
    assert.equal(verifyErrors(run(Date.UTC(2026, 0, 1)).out)[0]?.[0], NOT_YET_VALID);
    assert.deepEqual(verifyErrors(run(at, future.files(expired)).out), [[HAS_EXPIRED, 0]]);
    assert.deepEqual(verifyErrors(run(at - 45 * 86_400_000, future.files(expired)).out), []);
  });

  test('the PKI is cached and deterministic: one object per name, serials fixed by name and seed', async () => {
    assert.equal(await pki.identity('server-p256'), ids['server-p256']);
    assert.equal(pki.identitySync('server-p256'), ids['server-p256']);
    const a = new TestPki({ now: pki.now }).identitySync('root');
    const b = new TestPki({ now: pki.now }).identitySync('root');
    assert.equal(a.certificate.serialNumber, b.certificate.serialNumber);
    assert.notEqual(a.certificate.serialNumber, new TestPki({ now: pki.now, seed: 'other' }).identitySync('root').certificate.serialNumber);
    assert.throws(() => pki.identitySync('no-such-name'), /no certificate named/);
    assert.throws(() => pki.define('root', { ca: true, commonName: 'another' }), /already defined/);
  });
});

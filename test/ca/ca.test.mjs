// jsec/ca: roots, intermediates, profiles, serials, revocation and CRLs,
// cross-checked with the openssl CLI.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { CertificateAuthority, CaState, PROFILES } from 'jsec/ca';
import { Certificate, Crl, generateCsr, verifyChain } from 'jsec/cert';
import { ConfigError, CertificateError, StateError } from 'jsec/errors';
import { openssl, opensslBinary } from '../helpers/openssl.mjs';
import { tempFile } from '../helpers/test-pki.mjs';
import { fakeClock, seededRandom } from '../helpers/test-pki.mjs';

const DAY = 86_400_000;
let root;
let inter;

before(async () => {
  root = await CertificateAuthority.createRoot({ commonName: 'CA Test Root' });
  inter = await root.createIntermediate({ commonName: 'CA Test Intermediate' });
});
after(async () => {
  await root?.close();
  await inter?.close();
});

function x509Text(cert) {
  const r = openssl(['x509', '-noout', '-text', '-in', tempFile(cert.pem)]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('roots and intermediates', () => {
  test('a root is a self-signed CA that openssl accepts as a trust anchor', () => {
    const c = root.certificate;
    assert.equal(root.state, CaState.ACTIVE);
    assert.equal(root.isRoot, true);
    assert.deepEqual({ ...c.basicConstraints }, { ca: true, pathLength: null, critical: true });
    assert.deepEqual([...c.keyUsage].sort(), ['cRLSign', 'digitalSignature', 'keyCertSign']);
    assert.ok(c.subjectKeyIdentifier);
    assert.equal(c.subject.text, c.issuer.text);
    const text = x509Text(c);
    assert.match(text, /CA:TRUE/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    const v = openssl(['verify', '-CAfile', tempFile(c.pem), tempFile(c.pem)]);
    assert.equal(v.status, 0, v.out);
  });

  test('an intermediate has path length 0, an AKI of the root and a chain up to it', () => {
    const c = inter.certificate;
    assert.equal(inter.isRoot, false);
    assert.equal(c.basicConstraints.pathLength, 0);
    assert.equal(c.authorityKeyIdentifier, root.certificate.subjectKeyIdentifier);
    assert.deepEqual(inter.chain.map((x) => x.serialNumber), [c.serialNumber, root.certificate.serialNumber]);
    assert.ok(root.issued.some((r) => r.serialNumber === c.serialNumber && r.profile === 'ca'));
    const v = openssl(['verify', '-CAfile', tempFile(root.certificate.pem), tempFile(c.pem)]);
    assert.equal(v.status, 0, v.out);
  });

  test('path length constraints are enforced', async () => {
    await assert.rejects(inter.createIntermediate({ commonName: 'too deep' }), (e) => e instanceof ConfigError && e.code === 'ERR_JSEC_CA_PATH_LENGTH');
    const r1 = await CertificateAuthority.createRoot({ commonName: 'pl1', pathLength: 1 });
    await assert.rejects(r1.createIntermediate({ pathLength: 1 }), { code: 'ERR_JSEC_CA_PATH_LENGTH' });
    const i1 = await r1.createIntermediate({ commonName: 'pl1-i' });
    assert.equal(i1.certificate.basicConstraints.pathLength, 0);
    await r1.close();
    await i1.close();
  });

  test('an RSA root and an Ed25519 intermediate', async () => {
    const r = await CertificateAuthority.createRoot({ commonName: 'rsa root', keyType: 'rsa-2048', days: 30 });
    const i = await r.createIntermediate({ commonName: 'ed int', keyType: 'ed25519', days: 10 });
    const leaf = await i.issue('server', { commonName: 'ed.test' });
    assert.equal(r.certificate.publicKey.type, 'rsa');
    assert.equal(i.certificate.publicKey.type, 'ed25519');
    assert.match(r.certificate.signatureAlgorithm, /sha256/i);
    const v = openssl(['verify', '-CAfile', tempFile(r.certificate.pem), '-untrusted', tempFile(i.certificate.pem), tempFile(leaf.cert)]);
    assert.equal(v.status, 0, v.out);
    await r.close();
    await i.close();
  });

  test('the clock is injectable', async () => {
    const start = Date.UTC(2030, 0, 1);
    const r = await CertificateAuthority.createRoot({ commonName: 'clocked', now: () => start, days: 10 });
    assert.equal(r.certificate.notBefore.getTime(), start - 300_000);
    assert.equal(r.certificate.notAfter.getTime(), start + 10 * DAY);
    const leaf = await r.issue('client', { commonName: 'c', days: 1 });
    assert.equal(leaf.certificate.notAfter.getTime(), start + DAY);
    await r.close();
  });
});

describe('issue profiles', () => {
  const expected = {
    server: { eku: ['serverAuth'], purpose: /SSL server : Yes/ },
    client: { eku: ['clientAuth'], purpose: /SSL client : Yes/ },
    'server+client': { eku: ['serverAuth', 'clientAuth'], purpose: /SSL server : Yes[\s\S]*SSL client : Yes|SSL client : Yes[\s\S]*SSL server : Yes/ },
    codeSigning: { eku: ['codeSigning'], purpose: /Code signing : Yes|SSL server : No/ },
    email: { eku: ['emailProtection'], purpose: /S\/MIME signing : Yes/ },
    ocspSigning: { eku: ['OCSPSigning'], purpose: /OCSP helper : Yes/ },
  };
  for (const profile of PROFILES) {
    test(`profile ${profile}`, async () => {
      const cn = profile === 'email' ? 'someone@example.test' : `${profile.replace('+', '-')}.example.test`;
      const r = await inter.issue(profile, { commonName: cn });
      const c = r.certificate;
      assert.deepEqual([...c.extendedKeyUsage], expected[profile].eku);
      assert.deepEqual({ ...c.basicConstraints }, { ca: false, pathLength: null, critical: true });
      assert.ok(c.keyUsage.includes('digitalSignature'));
      assert.ok(!c.keyUsage.includes('keyCertSign'));
      assert.equal(c.authorityKeyIdentifier, inter.certificate.subjectKeyIdentifier);
      if (profile === 'server' || profile === 'server+client') assert.deepEqual(c.subjectAltNames, [{ type: 'dns', value: cn }]);
      if (profile === 'email') {
        assert.deepEqual(c.subjectAltNames, [{ type: 'email', value: cn }]);
        assert.ok(c.keyUsage.includes('keyAgreement'));
      }
      const text = x509Text(c);
      if (profile === 'ocspSigning') assert.match(text, /OCSP No Check/);
      else assert.doesNotMatch(text, /OCSP No Check/);
      const purpose = openssl(['x509', '-noout', '-purpose', '-in', tempFile(c.pem)]);
      assert.match(purpose.stdout, expected[profile].purpose);
      // The key belongs to the certificate.
      assert.ok(createPrivateKey(r.key));
      assert.equal(r.privateKey.asymmetricKeyType, 'ec');
      const chain = verifyChain(c, { intermediates: [inter.certificate], trustAnchors: [root.certificate], purpose: 'any' });
      assert.equal(chain.valid, true, JSON.stringify(chain.errors));
      assert.equal(r.chain.length, 2);
    });
  }

  test('an RSA server certificate gets keyEncipherment; a given key and a public key are used as is', async () => {
    const rsa = await inter.issue('server', { commonName: 'rsa.test', keyType: 'rsa-2048' });
    assert.deepEqual([...rsa.certificate.keyUsage], ['digitalSignature', 'keyEncipherment']);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const withKey = await inter.issue('client', { commonName: 'k', key: privateKey });
    assert.equal(withKey.privateKey, privateKey);
    const pubOnly = await inter.issue('client', { commonName: 'p', publicKey });
    assert.equal(pubOnly.key, undefined);
    assert.ok(pubOnly.certificate.publicKeyObject.equals(publicKey));
  });

  test('issue options are applied: validity, key usage, EKU, must-staple, publication, digest, serial', async () => {
    const start = Date.UTC(2031, 0, 1);
    const ca = await CertificateAuthority.createRoot({ commonName: 'options', now: () => start, keyType: 'ec-p384', days: 100, digest: 'sha384', publication: { ocsp: ['http://ca-ocsp.test/'] } });
    assert.equal(ca.certificate.signatureAlgorithm, 'ecdsa-with-SHA384');
    const notBefore = new Date(start + DAY);
    const notAfter = new Date(start + 20 * DAY);
    const r = await ca.issue('server', {
      commonName: 'opts.example.test',
      san: ['opts.example.test', 'IP:2001:db8::7'],
      notBefore,
      notAfter,
      keyUsage: ['digitalSignature', 'keyAgreement'],
      extendedKeyUsage: ['serverAuth', 'timeStamping'],
      mustStaple: true,
      publication: { ocsp: ['http://other-ocsp.test/'], caIssuers: ['http://ca.test/ca.crt'], crlDistributionPoints: ['http://ca.test/ca.crl'] },
      digest: 'sha512',
      serialNumber: 0x7001n,
    });
    const c = r.certificate;
    assert.deepEqual([c.notBefore.getTime(), c.notAfter.getTime()], [notBefore.getTime(), notAfter.getTime()]);
    assert.deepEqual([...c.keyUsage], ['digitalSignature', 'keyAgreement']);
    assert.deepEqual([...c.extendedKeyUsage], ['serverAuth', 'timeStamping']);
    assert.equal(c.mustStaple, true);
    assert.deepEqual(JSON.parse(JSON.stringify(c.authorityInfoAccess)), { ocsp: ['http://other-ocsp.test/'], caIssuers: ['http://ca.test/ca.crt'] });
    assert.deepEqual([...c.crlDistributionPoints], ['http://ca.test/ca.crl']);
    assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA512');
    assert.equal(c.serialNumber, '7001');
    assert.deepEqual(c.subjectAltNames, [{ type: 'dns', value: 'opts.example.test' }, { type: 'ip', value: '2001:db8::7' }]);
    const text = x509Text(c);
    for (const needle of ['TLS Feature', 'OCSP - URI:http://other-ocsp.test/', 'URI:http://ca.test/ca.crl', 'Key Agreement', 'Time Stamping', 'IP Address:2001:DB8:0:0:0:0:0:7', 'ecdsa-with-SHA512']) assert.ok(text.includes(needle), needle);
    // Without an override the CA's own publication is used.
    const plain = await ca.issue('client', { commonName: 'plain' });
    assert.deepEqual([...plain.certificate.authorityInfoAccess.ocsp], ['http://ca-ocsp.test/']);
    assert.deepEqual([...plain.certificate.crlDistributionPoints], []);
    // A validity outside the CA's is refused, before or after.
    await assert.rejects(ca.issue('client', { commonName: 'late', notAfter: new Date(start + 200 * DAY) }), { code: 'ERR_JSEC_CA_VALIDITY' });
    await assert.rejects(ca.issue('client', { commonName: 'early', notBefore: new Date(start - 10 * DAY), notAfter: notAfter }), { code: 'ERR_JSEC_CA_VALIDITY' });
    await assert.rejects(ca.issue('client', { commonName: 'both', notAfter, days: 3 }), { code: 'ERR_JSEC_CONFLICTING_OPTIONS' });
    // crl() honours thisUpdate, nextUpdate and digest.
    const crl = ca.crl({ thisUpdate: new Date(start + DAY), nextUpdate: new Date(start + 2 * DAY), digest: 'sha512' });
    assert.deepEqual([crl.thisUpdate.getTime(), crl.nextUpdate.getTime()], [start + DAY, start + 2 * DAY]);
    assert.equal(crl.signatureAlgorithm, 'ecdsa-with-SHA512');
    assert.equal(crl.verify(ca.certificate), true);
    await ca.close();
  });

  test('bad profile and options are typed errors', async () => {
    await assert.rejects(inter.issue('webserver', { commonName: 'x' }), (e) => e instanceof ConfigError && e.code === 'ERR_INVALID_ARG_VALUE');
    await assert.rejects(inter.issue('server', { comonName: 'x' }), (e) => e.code === 'ERR_JSEC_UNKNOWN_OPTION' && e.suggestion === 'commonName');
    await assert.rejects(inter.issue('server', { commonName: 'not a host name!' }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(inter.issue('server', { subject: { O: 'no cn' } }), { code: 'ERR_MISSING_OPTION' });
    await assert.rejects(inter.issue('server', { commonName: 'a.test', days: 'ten' }), { code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(inter.issue('server', { commonName: 'a.test', days: 4000 }), { code: 'ERR_JSEC_CA_VALIDITY' });
    await assert.rejects(inter.issue('server', { commonName: 'a.test', key: 'garbage' }), (e) => e instanceof CertificateError);
  });
});

describe('serials', () => {
  test('sequential serials never hand out the root\'s own serial (the original\'s bug)', async () => {
    const r = await CertificateAuthority.createRoot({ commonName: 'seq', serialNumber: 1n, serialMode: 'sequential' });
    assert.equal(r.certificate.serialNumber, '01');
    const a = await r.issue('client', { commonName: 'a' });
    const b = await r.issue('client', { commonName: 'b' });
    assert.equal(a.certificate.serialNumber, '02');
    assert.equal(b.certificate.serialNumber, '03');
    await r.close();
  });

  test('random serials skip the root\'s serial and repeats from the random source', async () => {
    const seed = seededRandom('serials');
    const first = seed(16);
    // The source returns the same block three times, then fresh ones.
    let calls = 0;
    const random = (n) => (calls++ < 3 ? Buffer.from(first.subarray(0, n)) : seed(n));
    const r = await CertificateAuthority.createRoot({ commonName: 'rnd', random });
    const a = await r.issue('client', { commonName: 'a' });
    const b = await r.issue('client', { commonName: 'b' });
    const serials = [r.certificate.serialNumber, a.certificate.serialNumber, b.certificate.serialNumber];
    assert.equal(new Set(serials).size, 3, serials.join());
    assert.ok(calls >= 4);
    await r.close();
  });

  test('an explicit serial that was used (the root\'s included) is refused', async () => {
    const r = await CertificateAuthority.createRoot({ commonName: 'explicit' });
    await assert.rejects(r.issue('client', { commonName: 'x', serialNumber: r.certificate.serialNumber }), { code: 'ERR_JSEC_CA_SERIAL_REUSE' });
    const a = await r.issue('client', { commonName: 'x', serialNumber: '0a:bc' });
    assert.equal(a.certificate.serialNumber, '0ABC');
    await assert.rejects(r.issue('client', { commonName: 'y', serialNumber: 0xabcn }), { code: 'ERR_JSEC_CA_SERIAL_REUSE' });
    assert.ok(r.hasSerial('abc'));
    await r.close();
  });

  test('300 concurrent issues get 300 distinct positive 128-bit serials', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const r = await CertificateAuthority.createRoot({ commonName: 'many' });
    const certs = await Promise.all(Array.from({ length: 300 }, (_, i) => r.issue('client', { commonName: `c${i}`, publicKey })));
    const serials = certs.map((c) => c.certificate.serialNumber);
    assert.equal(new Set([...serials, r.certificate.serialNumber]).size, 301);
    // At most 16 bytes, and (top bit of the 16 random bytes cleared) below 2^127.
    for (const s of serials) assert.ok(s.length <= 32 && (s.length < 32 || parseInt(s[0], 16) < 8), s);
    assert.equal(r.issued.length, 300);
    await r.close();
  });
});

describe('revocation and CRLs', () => {
  test('every RFC 5280 reason; hold, change of reason and removeFromCRL', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'revoker' });
    const reasons = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn', 'aACompromise'];
    const certs = {};
    for (const reason of reasons) {
      certs[reason] = (await ca.issue('client', { commonName: reason })).certificate;
      ca.revoke(certs[reason].serialNumber, reason, new Date(Date.UTC(2026, 0, 2)));
    }
    const crl = ca.crl();
    assert.equal(crl.crlNumber, '01');
    assert.equal(crl.authorityKeyIdentifier, ca.certificate.subjectKeyIdentifier);
    assert.equal(crl.entries.length, reasons.length);
    for (const reason of reasons) {
      const e = crl.entry(certs[reason].serialNumber);
      assert.equal(e.reason, reason === 'unspecified' ? null : reason, reason);
      assert.equal(e.revocationDate.getTime(), Date.UTC(2026, 0, 2));
    }
    const text = openssl(['crl', '-noout', '-text', '-in', tempFile(crl.pem)]);
    assert.equal(text.status, 0, text.stderr);
    for (const label of ['Key Compromise', 'CA Compromise', 'Affiliation Changed', 'Superseded', 'Cessation Of Operation', 'Certificate Hold', 'Privilege Withdrawn', 'AA Compromise']) {
      assert.match(text.stdout, new RegExp(label), label);
    }
    assert.match(text.stdout, /X509v3 CRL Number:\s*\n\s*1\b/);
    assert.match(text.stdout, /X509v3 Authority Key Identifier/);
    const verify = openssl(['crl', '-noout', '-CAfile', tempFile(ca.certificate.pem), '-in', tempFile(crl.pem)]);
    assert.match(verify.out, /verify OK/);

    // A hold becomes a revocation with the original time; a final revocation cannot change.
    ca.revoke(certs.certificateHold.serialNumber, 'keyCompromise', new Date());
    assert.equal(ca.revoked.find((r) => r.serialNumber === certs.certificateHold.serialNumber).revocationTime.getTime(), Date.UTC(2026, 0, 2));
    assert.throws(() => ca.revoke(certs.keyCompromise.serialNumber, 'superseded'), (e) => e instanceof ConfigError && e.code === 'ERR_JSEC_CA_ALREADY_REVOKED');
    // removeFromCRL lifts a hold only.
    const held = (await ca.issue('client', { commonName: 'held' })).certificate;
    ca.revoke(held.serialNumber, 'certificateHold');
    assert.equal(ca.status(held.serialNumber).status, 'revoked');
    ca.revoke(held.serialNumber, 'removeFromCRL');
    assert.equal(ca.status(held.serialNumber).status, 'good');
    assert.throws(() => ca.revoke(held.serialNumber, 'removeFromCRL'), { code: 'ERR_JSEC_CA_NOT_ON_HOLD' });
    const crl2 = ca.crl({ nextUpdate: new Date(Date.now() + DAY) });
    assert.equal(crl2.crlNumberBigInt, 2n);
    assert.equal(crl2.entry(held.serialNumber), undefined);
    assert.ok(Math.abs(crl2.nextUpdate.getTime() - (Date.now() + DAY)) < 5000);
    assert.equal(ca.crl().crlNumberBigInt, 3n);
    await ca.close();
  });

  test('unknown serials, foreign certificates and bad reasons are refused', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'strict revoker' });
    assert.throws(() => ca.revoke('1234'), { code: 'ERR_JSEC_CA_UNKNOWN_SERIAL' });
    assert.throws(() => ca.revoke(root.certificate), { code: 'ERR_JSEC_CA_UNKNOWN_SERIAL' });
    const c = await ca.issue('client', { commonName: 'x' });
    assert.throws(() => ca.revoke(c.certificate.serialNumber, 'stolen'), (e) => e instanceof ConfigError && e.code === 'ERR_INVALID_ARG_VALUE');
    assert.throws(() => ca.revoke(c.certificate.serialNumber, 'keyCompromise', 'yesterday'), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => ca.crl({ nextUpdate: new Date(0) }), { code: 'ERR_INVALID_ARG_VALUE' });
    await ca.close();
  });

  test('openssl verify -crl_check rejects a revoked leaf and accepts a good one', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'crl check' });
    const good = await ca.issue('server', { commonName: 'good.test' });
    const bad = await ca.issue('server', { commonName: 'bad.test' });
    ca.revoke(bad.certificate.serialNumber, 'keyCompromise');
    const crl = ca.crl();
    const bundle = tempFile(ca.certificate.pem + crl.pem);
    const okRun = openssl(['verify', '-crl_check', '-CAfile', bundle, tempFile(good.cert)]);
    assert.equal(okRun.status, 0, okRun.out);
    const badRun = openssl(['verify', '-crl_check', '-CAfile', bundle, tempFile(bad.cert)]);
    assert.notEqual(badRun.status, 0);
    assert.match(badRun.out, /certificate revoked/);
    // And jsec's own chain verification agrees.
    const v = verifyChain(bad.certificate, { trustAnchors: [ca.certificate], crls: [crl], crlCheck: 'leaf' });
    assert.equal(v.valid, false);
    assert.equal(v.errors[0].code, 'CERT_REVOKED');
    await ca.close();
  });

  test('an openssl-made CRL for the same CA is read by jsec', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'ossl crl' });
    const exported = ca.export();
    const cfg = tempFile(
      ['[ ca ]', 'default_ca = c', '[ c ]', `database = ${tempFile('', 'txt')}`, 'default_md = sha256', 'default_crl_days = 1', `crlnumber = ${tempFile('05\n', 'num')}`, ''].join('\n'),
      'cnf',
    );
    const pem = opensslBinary(['ca', '-gencrl', '-config', cfg, '-cert', tempFile(exported.certificate), '-keyfile', tempFile(exported.key)]).toString();
    const crl = Crl.from(pem);
    assert.equal(crl.crlNumberBigInt, 5n);
    assert.equal(crl.verify(ca.certificate), true);
    await ca.close();
  });
});

describe('load and state', () => {
  test('load checks that the key matches and that the certificate is a CA', async () => {
    const other = await CertificateAuthority.createRoot({ commonName: 'other' });
    const { key } = root.export();
    assert.throws(() => CertificateAuthority.load({ certificate: other.certificate, key }), (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CERT_KEY_MISMATCH');
    const leaf = await other.issue('client', { commonName: 'leaf' });
    assert.throws(() => CertificateAuthority.load({ certificate: leaf.certificate, key: leaf.key }), { code: 'ERR_JSEC_CA_NOT_A_CA' });
    assert.throws(() => CertificateAuthority.load({ certificate: other.certificate }), { code: 'ERR_MISSING_OPTION' });
    await other.close();
  });

  test('a CA made by openssl is loaded and issues certificates openssl verifies', async () => {
    const keyPath = tempFile('', 'key');
    const certPath = tempFile('', 'crt');
    const r = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', '/CN=OpenSSL CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
    assert.equal(r.status, 0, r.stderr);
    const { readFileSync } = await import('node:fs');
    const ca = CertificateAuthority.load({ certificate: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') });
    const leaf = await ca.issue('server', { commonName: 'ossl.test', days: 5 });
    const v = openssl(['verify', '-CAfile', certPath, '-purpose', 'sslserver', tempFile(leaf.cert)]);
    assert.equal(v.status, 0, v.out);
    // A certificate issued before the CA kept records can be revoked by presenting it.
    const prior = opensslBinary(['x509', '-req', '-in', tempFile(openssl(['req', '-new', '-key', keyPath, '-subj', '/CN=prior']).stdout), '-CA', certPath, '-CAkey', keyPath, '-set_serial', '77', '-days', '2']).toString();
    const rec = ca.revoke(Certificate.from(prior), 'superseded');
    assert.equal(rec.serialNumber, '4D');
    assert.equal(ca.crl().entry('4D').reason, 'superseded');
    await ca.close();
  });

  test('export and import keep key, serials, issued, revoked and the CRL number', async () => {
    const clock = fakeClock(Date.UTC(2031, 5, 1));
    const ca = await CertificateAuthority.createRoot({ commonName: 'persist', now: clock.now, serialMode: 'sequential', serialNumber: 1n, publication: { ocsp: ['http://ocsp.test/'] } });
    const a = await ca.issue('client', { commonName: 'a' });
    const b = await ca.issue('client', { commonName: 'b' });
    ca.revoke(b.certificate.serialNumber, 'superseded');
    ca.crl();
    ca.crl();
    const state = JSON.parse(JSON.stringify(ca.export()));
    assert.equal(state.format, 'jsec-ca-state');
    assert.match(state.key, /BEGIN PRIVATE KEY/);
    const again = CertificateAuthority.import(state, { now: clock.now });
    assert.deepEqual(again.issued.map((r) => r.serialNumber), [a.certificate.serialNumber, b.certificate.serialNumber]);
    assert.deepEqual(again.revoked.map((r) => [r.serialNumber, r.reason]), [[b.certificate.serialNumber, 'superseded']]);
    assert.equal(again.crlNumber, 2n);
    assert.equal(again.crl().crlNumberBigInt, 3n);
    const c = await again.issue('client', { commonName: 'c' });
    assert.equal(c.certificate.serialNumber, '04');
    assert.deepEqual(c.certificate.authorityInfoAccess.ocsp, ['http://ocsp.test/']);
    assert.equal(again.status(a.certificate.serialNumber).status, 'good');
    assert.equal(again.status(b.certificate.serialNumber).status, 'revoked');
    await assert.rejects(again.issue('client', { commonName: 'd', serialNumber: a.certificate.serialNumber }), { code: 'ERR_JSEC_CA_SERIAL_REUSE' });
    await ca.close();
    await again.close();
  });

  test('an exported key encrypted with a passphrase (PKCS#8 AES-256-CBC) needs that passphrase', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'secret' });
    const state = ca.export({ passphrase: 'correct horse' });
    assert.match(state.key, /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.equal(state.keyEncrypted, true);
    const asn1 = openssl(['asn1parse', '-in', tempFile(state.key)]);
    assert.match(asn1.stdout, /aes-256-cbc/);
    const pk = openssl(['pkey', '-noout', '-passin', 'pass:correct horse', '-in', tempFile(state.key)]);
    assert.equal(pk.status, 0, pk.stderr);
    assert.throws(() => CertificateAuthority.import(state), (e) => e instanceof ConfigError && e.code === 'ERR_JSEC_CA_PASSPHRASE');
    assert.throws(() => CertificateAuthority.import(state, { passphrase: 'wrong' }), { code: 'ERR_JSEC_CA_PASSPHRASE' });
    const back = CertificateAuthority.import(state, { passphrase: 'correct horse' });
    assert.ok(back.certificate.equals(ca.certificate));
    await ca.close();
    await back.close();
  });

  test('malformed states are refused with ERR_JSEC_CA_STATE', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'malformed' });
    const good = ca.export();
    const cases = [
      null,
      'text',
      { ...good, format: 'other' },
      { ...good, version: 2 },
      { ...good, certificate: 'not pem' },
      { ...good, serials: { ...good.serials, mode: 'weird' } },
      { ...good, serials: { ...good.serials, next: '-1' } },
      { ...good, crlNumber: 7 },
      { ...good, issued: [{ serialNumber: 'zz', profile: 'x', certificate: good.certificate }] },
      { ...good, revoked: [{ serialNumber: '01', reason: 'stolen', revocationTime: new Date().toISOString() }] },
      { ...good, revoked: [{ serialNumber: '01', reason: 'superseded', revocationTime: 'yesterday' }] },
      { ...good, key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' },
    ];
    for (const [i, s] of cases.entries()) assert.throws(() => CertificateAuthority.import(s), (e) => e instanceof ConfigError && e.code === 'ERR_JSEC_CA_STATE', `case ${i}`);
    // A state of another CA cannot be attached to this certificate.
    const other = await CertificateAuthority.createRoot({ commonName: 'other state' });
    assert.throws(() => CertificateAuthority.load({ certificate: ca.certificate, key: good.key, state: other.export() }), { code: 'ERR_JSEC_CA_STATE' });
    await ca.close();
    await other.close();
  });

  test('a closed CA refuses every operation', async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'closing' });
    const leaf = await ca.issue('client', { commonName: 'x' });
    await ca.close();
    await ca.close();
    assert.equal(ca.state, CaState.CLOSED);
    const closed = (e) => e instanceof StateError && e.code === 'ERR_JSEC_INVALID_STATE';
    await assert.rejects(ca.issue('client', { commonName: 'y' }), closed);
    await assert.rejects(ca.createIntermediate(), closed);
    assert.throws(() => ca.revoke(leaf.certificate.serialNumber), closed);
    assert.throws(() => ca.crl(), closed);
    assert.throws(() => ca.export(), closed);
    await assert.rejects(ca.ocspResponder(), closed);
  });
});

describe('signCsr', () => {
  test('a jsec CSR: signature checked, allowed SANs and EKU copied, overrides applied', async () => {
    const { csr, privateKey } = await generateCsr({ commonName: 'app.example.test', san: ['DNS:app.example.test', 'DNS:www.example.test'], extendedKeyUsage: ['serverAuth'] });
    const cert = await inter.signCsr(csr, { allow: { names: [/[a-z]+\.example\.test/] } });
    assert.deepEqual(cert.subjectAltNames.map((g) => g.value), ['app.example.test', 'www.example.test']);
    assert.deepEqual([...cert.extendedKeyUsage], ['serverAuth']);
    assert.equal(cert.basicConstraints.ca, false);
    assert.ok(cert.publicKeyObject.equals(csr.publicKeyObject));
    assert.equal(privateKey.type, 'private');
    const over = await inter.signCsr(csr, { san: ['DNS:other.test'], extendedKeyUsage: ['clientAuth'], days: 3, profile: 'server+client', allow: { names: ['app.example.test'] } });
    assert.deepEqual(over.subjectAltNames, [{ type: 'dns', value: 'other.test' }]);
    assert.deepEqual([...over.extendedKeyUsage], ['clientAuth']);
    assert.ok(over.notAfter.getTime() - Date.now() <= 3 * DAY + 1000);
  });

  test('an openssl CSR is signed; openssl verifies the result', async () => {
    const keyPath = tempFile('', 'key');
    const r = openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-subj', '/CN=ossl-client', '-addext', 'subjectAltName=email:ossl@example.test', '-addext', 'extendedKeyUsage=clientAuth']);
    assert.equal(r.status, 0, r.stderr);
    const cert = await inter.signCsr(r.stdout, { profile: 'client', allow: { names: ['ossl-client', 'ossl@example.test'] } });
    assert.deepEqual(cert.subjectAltNames, [{ type: 'email', value: 'ossl@example.test' }]);
    const v = openssl(['verify', '-CAfile', tempFile(root.certificate.pem), '-untrusted', tempFile(inter.certificate.pem), '-purpose', 'sslclient', tempFile(cert.pem)]);
    assert.equal(v.status, 0, v.out);
  });

  test('policy refusals', async () => {
    const policy = (e, rule) => e instanceof CertificateError && e.code === 'ERR_JSEC_CA_POLICY' && e.rule === rule;
    const caReq = await generateCsr({ commonName: 'sub ca', ca: true });
    await assert.rejects(inter.signCsr(caReq.csr), (e) => policy(e, 'ca'));
    const emailReq = await generateCsr({ commonName: 'x.test', san: ['email:a@b.test'] });
    await assert.rejects(inter.signCsr(emailReq.csr, { allow: { names: 'any' } }), (e) => policy(e, 'sanType'));
    const nameReq = await generateCsr({ commonName: 'x.test', san: ['DNS:evil.test'] });
    await assert.rejects(inter.signCsr(nameReq.csr, { allow: { names: ['x.test'] } }), (e) => policy(e, 'name'));
    const ekuReq = await generateCsr({ commonName: 'x.test', extendedKeyUsage: ['codeSigning'] });
    await assert.rejects(inter.signCsr(ekuReq.csr, { allow: { names: 'any' } }), (e) => policy(e, 'extendedKeyUsage'));
    // A server certificate needs a SAN: the CN becomes one, or the request is refused.
    const cnOnly = await generateCsr({ commonName: 'cn-only.test' });
    assert.deepEqual((await inter.signCsr(cnOnly.csr, { allow: { names: ['*.test'] } })).subjectAltNames, [{ type: 'dns', value: 'cn-only.test' }]);
    const person = await generateCsr({ commonName: 'Jane Doe' });
    await assert.rejects(inter.signCsr(person.csr, { allow: { names: 'any' } }), (e) => policy(e, 'san'));
    assert.equal((await inter.signCsr(person.csr, { profile: 'client', allow: { names: ['jane doe'] } })).subjectAltNames.length, 0);
    const crit = await generateCsr({ commonName: 'x.test', extensions: [{ oid: '1.2.3.4.5', critical: true, value: Buffer.from([0x05, 0x00]) }] });
    await assert.rejects(inter.signCsr(crit.csr, { allow: { names: 'any' } }), (e) => policy(e, 'extension'));
    // Listed extensions are copied verbatim; unlisted non-critical ones dropped.
    const ext = await generateCsr({ commonName: 'x.test', extensions: [{ oid: '1.2.3.4.5', value: Buffer.from([0x0c, 0x02, 0x68, 0x69]) }, { oid: '1.2.3.4.6', value: Buffer.from([0x05, 0x00]) }] });
    const copied = await inter.signCsr(ext.csr, { allow: { extensions: ['1.2.3.4.5'], names: ['x.test'] } });
    assert.deepEqual(copied.extensions.filter((e) => e.oid.startsWith('1.2.3.4.')).map((e) => [e.oid, e.value.toString('hex')]), [['1.2.3.4.5', '0c026869']]);
  });

  test('a CA request is signed when allowed, within the path length', async () => {
    const r = await CertificateAuthority.createRoot({ commonName: 'csr root' });
    const req = await generateCsr({ commonName: 'sub ca', ca: true });
    const sub = await r.signCsr(req.csr, { allow: { ca: true, maxPathLength: 0, names: ['sub ca'] } });
    assert.deepEqual({ ...sub.basicConstraints }, { ca: true, pathLength: 0, critical: true });
    assert.ok(sub.keyUsage.includes('keyCertSign'));
    // The signed sub-CA works as a CA.
    const subCa = CertificateAuthority.load({ certificate: sub, key: req.privateKey, chain: [r.certificate] });
    const leaf = await subCa.issue('server', { commonName: 'leaf.test' });
    assert.equal(verifyChain(leaf.certificate, { intermediates: [sub], trustAnchors: [r.certificate], purpose: 'server', hostname: 'leaf.test' }).valid, true);
    await assert.rejects(inter.signCsr(req.csr, { allow: { ca: true, names: 'any' } }), { code: 'ERR_JSEC_CA_PATH_LENGTH' });
    await r.close();
    await subCa.close();
  });

  test('a CSR whose signature does not verify is refused; garbage is a parse error', async () => {
    const { der } = await generateCsr({ commonName: 'tamper.test' });
    const bad = Buffer.from(der);
    bad[bad.length - 5] ^= 0xff;
    await assert.rejects(inter.signCsr(bad), (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CA_CSR_SIGNATURE');
    await assert.rejects(inter.signCsr(Buffer.from('30030201ff', 'hex')), (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CSR_PARSE');
    await assert.rejects(inter.signCsr('not a csr'), (e) => e instanceof CertificateError);
  });
});

// Certificate generation and the Certificate value object, cross-checked with
// the openssl CLI (x509 -text, verify) and Node's X509Certificate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, createHash } from 'node:crypto';
import { generateSelfSigned, generateSelfSignedSync, generate, generateSync, Certificate, fingerprint, verifySignature, KEY_TYPES } from 'jsec/cert';
import { isJsecError, CertificateError, ConfigError } from 'jsec';
import { openssl } from '../helpers/openssl.mjs';
import { tempFile } from '../helpers/test-pki.mjs';

const NOW = new Date('2030-06-01T12:00:00Z');
const attime = String(Math.floor(NOW.getTime() / 1000) + 60);

const EXPECT = {
  'ec-p256': { type: 'ec', bits: 256, curve: 'P-256', text: /ASN1 OID: prime256v1/, sig: 'ecdsa-with-SHA256' },
  'ec-p384': { type: 'ec', bits: 384, curve: 'P-384', text: /ASN1 OID: secp384r1/, sig: 'ecdsa-with-SHA256' },
  'ec-p521': { type: 'ec', bits: 521, curve: 'P-521', text: /ASN1 OID: secp521r1/, sig: 'ecdsa-with-SHA256' },
  'rsa-2048': { type: 'rsa', bits: 2048, text: /Public-Key: \(2048 bit\)/, sig: 'sha256WithRSAEncryption' },
  'rsa-3072': { type: 'rsa', bits: 3072, text: /Public-Key: \(3072 bit\)/, sig: 'sha256WithRSAEncryption' },
  'rsa-4096': { type: 'rsa', bits: 4096, text: /Public-Key: \(4096 bit\)/, sig: 'sha256WithRSAEncryption' },
  ed25519: { type: 'ed25519', bits: 256, text: /Public Key Algorithm: ED25519/, sig: 'ED25519' },
  ed448: { type: 'ed448', bits: 456, text: /Public Key Algorithm: ED448/, sig: 'ED448' },
};

describe('key types: openssl reads and verifies what jsec writes', { concurrency: 4 }, () => {
  for (const keyType of KEY_TYPES) {
    test(keyType, { timeout: 60_000 }, async () => {
      const e = EXPECT[keyType];
      // The async path generates the key off the main thread.
      const root = await generateSelfSigned({ keyType, commonName: `Root ${keyType}`, ca: true, now: NOW });
      const leaf = await generate({ keyType: 'ec-p256', commonName: 'leaf.example.test', issuer: { certificate: root.cert, key: root.key }, now: NOW });
      assert.deepEqual({ ...root.certificate.publicKey }, e.curve ? { type: e.type, bits: e.bits, curve: e.curve } : { type: e.type, bits: e.bits });
      assert.equal(root.certificate.signatureAlgorithm, e.sig);
      assert.equal(leaf.certificate.signatureAlgorithm, e.sig);
      const text = openssl(['x509', '-noout', '-text', '-in', tempFile(root.cert)]);
      assert.equal(text.status, 0, text.out);
      assert.match(text.stdout, e.text);
      assert.match(text.stdout, /CA:TRUE/);
      assert.match(text.stdout, /Certificate Sign, CRL Sign/);
      const v = openssl(['verify', '-attime', attime, '-CAfile', tempFile(root.cert), '-purpose', 'sslserver', '-verify_hostname', 'leaf.example.test', tempFile(leaf.cert)]);
      assert.equal(v.status, 0, v.out);
      assert.match(v.stdout, /: OK/);
      assert.equal(verifySignature(leaf.certificate, root.certificate), true);
      assert.equal(verifySignature(root.certificate, leaf.certificate), false);
      // The key is the certificate's.
      assert.equal(new X509Certificate(root.cert).checkPrivateKey(root.privateKey), true);
    });
  }
});

describe('generateSelfSigned defaults', () => {
  test('a CA:FALSE P-256 leaf for localhost, one year from five minutes ago, random serial', () => {
    const r = generateSelfSignedSync({ now: NOW });
    const c = r.certificate;
    assert.equal(c.version, 3);
    assert.deepEqual({ ...c.publicKey }, { type: 'ec', bits: 256, curve: 'P-256' });
    assert.equal(c.commonName, 'localhost');
    assert.deepEqual(c.subjectAltNames, [{ type: 'dns', value: 'localhost' }]);
    assert.deepEqual({ ...c.basicConstraints }, { ca: false, pathLength: null, critical: true });
    assert.equal(c.isCa, false);
    assert.deepEqual([...c.keyUsage], ['digitalSignature']);
    assert.deepEqual([...c.extendedKeyUsage], ['serverAuth', 'clientAuth']);
    assert.equal(c.notBefore.getTime(), NOW.getTime() - 300_000);
    assert.equal(c.notAfter.getTime(), NOW.getTime() + 365 * 86400_000);
    assert.equal(c.serialNumber.length <= 32, true);
    assert.ok(parseInt(c.serialNumber.slice(0, 2), 16) < 0x80 || c.serialNumber.length < 32);
    assert.match(c.subjectKeyIdentifier, /^[0-9a-f]{40}$/);
    assert.equal(c.authorityKeyIdentifier, null);
    assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.equal(c.isSelfIssued, true);
    assert.equal(c.mustStaple, false);
    // The returned PEMs are what node:tls takes.
    assert.match(r.cert, /^-----BEGIN CERTIFICATE-----\n/);
    assert.match(r.key, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test('serials are random, positive, 16 bytes by default, and injectable', () => {
    const serials = new Set();
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    for (let i = 0; i < 50; i++) serials.add(generateSelfSignedSync({ key }).certificate.serialNumber);
    assert.equal(serials.size, 50);
    const fixed = (n) => Buffer.alloc(n, 0xff);
    const c = generateSelfSignedSync({ key, random: fixed }).certificate;
    assert.equal(c.serialNumber, '7F' + 'FF'.repeat(15));
    const zeros = () => Buffer.alloc(16);
    assert.throws(() => generateSelfSignedSync({ key, random: zeros }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.equal(generateSelfSignedSync({ key, serialNumber: 0x1234n }).certificate.serialNumber, '1234');
    assert.equal(generateSelfSignedSync({ key, serialNumber: '00:0a:bc' }).certificate.serialNumber, '0ABC');
    assert.throws(() => generateSelfSignedSync({ key, serialNumber: 0n }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => generateSelfSignedSync({ key, serialNumber: 'ff'.repeat(21) }), { code: 'ERR_OUT_OF_RANGE' });
  });

  test('the serial default is 16 random bytes with the top bit cleared (a positive 16-octet INTEGER)', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    // A counting source shows exactly 16 bytes are asked for and used.
    let asked;
    const counting = (n) => ((asked = n), Buffer.from(Array.from({ length: n }, (_, i) => 0xf0 + (i % 16))));
    const c = generateSelfSignedSync({ key, random: counting }).certificate;
    assert.equal(asked, 16);
    assert.equal(c.serialNumber, '70F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF');
    // openssl reads it as the same positive number.
    assert.equal(openssl(['x509', '-noout', '-serial', '-in', tempFile(c.pem)]).stdout.trim(), `serial=${c.serialNumber}`);
    for (let i = 0; i < 20; i++) {
      const s = generateSelfSignedSync({ key }).certificate.serialNumber;
      assert.ok(s.length <= 32 && (s.length < 32 || parseInt(s[0], 16) < 8), s);
    }
  });

  test('validity: explicit notBefore/notAfter, days from now, clockSkew', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const nb = new Date('2029-01-02T03:04:05Z');
    const na = new Date('2029-02-03T04:05:06Z');
    const a = generateSelfSignedSync({ key, notBefore: nb, notAfter: na }).certificate;
    assert.deepEqual([a.notBefore.toISOString(), a.notAfter.toISOString()], [nb.toISOString(), na.toISOString()]);
    const b = generateSelfSignedSync({ key, now: NOW, days: 7, clockSkew: 0 }).certificate;
    assert.equal(b.notBefore.getTime(), NOW.getTime());
    assert.equal(b.notAfter.getTime(), NOW.getTime() + 7 * 86400_000);
    const t = openssl(['x509', '-noout', '-startdate', '-enddate', '-in', tempFile(a.pem)]).stdout;
    assert.match(t, /notBefore=Jan  2 03:04:05 2029 GMT/);
    assert.match(t, /notAfter=Feb  3 04:05:06 2029 GMT/);
    assert.throws(() => generateSelfSignedSync({ key, notAfter: na, days: 3 }), { code: 'ERR_JSEC_CONFLICTING_OPTIONS' });
  });

  test('a time-stamping EKU is critical by default (RFC 3161); extendedKeyUsageCritical sets it', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const critical = (c) => c.extensions.find((e) => e.oid === '2.5.29.37').critical;
    const ts = generateSelfSignedSync({ key, commonName: 'TSA', extendedKeyUsage: ['timeStamping'] }).certificate;
    assert.equal(critical(ts), true);
    assert.match(openssl(['x509', '-noout', '-text', '-in', tempFile(ts.pem)]).stdout, /X509v3 Extended Key Usage: critical\n\s+Time Stamping/);
    assert.equal(critical(generateSelfSignedSync({ key, extendedKeyUsage: ['timeStamping'], extendedKeyUsageCritical: false }).certificate), false);
    assert.equal(critical(generateSelfSignedSync({ key }).certificate), false);
    assert.equal(critical(generateSelfSignedSync({ key, extendedKeyUsageCritical: true }).certificate), true);
  });

  test('IP common names get an IP SAN; a person name gets none; san: [] disables', () => {
    assert.deepEqual(generateSelfSignedSync({ commonName: '10.1.2.3' }).certificate.subjectAltNames, [{ type: 'ip', value: '10.1.2.3' }]);
    assert.deepEqual(generateSelfSignedSync({ commonName: 'Jane Doe' }).certificate.subjectAltNames, []);
    assert.deepEqual(generateSelfSignedSync({ commonName: 'a.test', san: [] }).certificate.subjectAltNames, []);
  });

  test('ca: true makes a root with keyCertSign and no EKU', () => {
    const c = generateSelfSignedSync({ commonName: 'My Root', ca: true, pathLength: 1 }).certificate;
    assert.deepEqual({ ...c.basicConstraints }, { ca: true, pathLength: 1, critical: true });
    assert.deepEqual([...c.keyUsage].sort(), ['cRLSign', 'digitalSignature', 'keyCertSign']);
    assert.deepEqual([...c.extendedKeyUsage], []);
    assert.deepEqual(c.subjectAltNames, []);
  });
});

describe('every extension, read back by jsec and by openssl', () => {
  const r = generateSelfSignedSync({
    subject: [['C', 'DE'], ['O', 'Exämple GmbH'], ['OU', 'Ops'], ['CN', 'svc.example.test']],
    san: ['svc.example.test', 'DNS:*.svc.example.test', 'IP:192.0.2.7', { type: 'ip', value: 'fe80::1' }, 'email:ops@example.test', 'URI:spiffe://example.test/svc'],
    keyType: 'rsa-2048',
    digest: 'sha384',
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth', '1.3.6.1.4.1.311.10.3.4'],
    ocsp: ['http://ocsp.example.test/'],
    caIssuers: ['http://ca.example.test/ca.crt'],
    crlDistributionPoints: ['http://crl.example.test/ca.crl'],
    policies: ['2.23.140.1.2.2'],
    mustStaple: true,
    extensions: [{ oid: '1.3.6.1.4.1.55555.7', value: Buffer.from([0x0c, 0x02, 0x68, 0x69]) }],
    now: NOW,
  });
  const c = r.certificate;

  test('jsec parses its own output', () => {
    assert.deepEqual(c.subject.entries.map((e) => [e.type, e.value]), [['C', 'DE'], ['O', 'Exämple GmbH'], ['OU', 'Ops'], ['CN', 'svc.example.test']]);
    assert.equal(c.subject.text, 'C=DE, O=Exämple GmbH, OU=Ops, CN=svc.example.test');
    assert.deepEqual(c.subject.entries.map((e) => e.oid), ['2.5.4.6', '2.5.4.10', '2.5.4.11', '2.5.4.3']);
    assert.deepEqual(c.subjectAltNames, [
      { type: 'dns', value: 'svc.example.test' },
      { type: 'dns', value: '*.svc.example.test' },
      { type: 'ip', value: '192.0.2.7' },
      { type: 'ip', value: 'fe80::1' },
      { type: 'email', value: 'ops@example.test' },
      { type: 'uri', value: 'spiffe://example.test/svc' },
    ]);
    assert.equal(c.signatureAlgorithm, 'sha384WithRSAEncryption');
    assert.deepEqual([...c.keyUsage], ['digitalSignature', 'keyEncipherment']);
    assert.deepEqual([...c.extendedKeyUsage], ['serverAuth', '1.3.6.1.4.1.311.10.3.4']);
    assert.deepEqual({ ocsp: [...c.authorityInfoAccess.ocsp], caIssuers: [...c.authorityInfoAccess.caIssuers] }, { ocsp: ['http://ocsp.example.test/'], caIssuers: ['http://ca.example.test/ca.crt'] });
    assert.deepEqual([...c.crlDistributionPoints], ['http://crl.example.test/ca.crl']);
    assert.deepEqual([...c.policies], ['2.23.140.1.2.2']);
    assert.equal(c.mustStaple, true);
    const extra = c.extensions.find((e) => e.oid === '1.3.6.1.4.1.55555.7');
    assert.deepEqual([extra.critical, extra.value.toString('hex')], [false, '0c026869']);
    assert.equal(c.checkHost('svc.example.test'), 'svc.example.test');
    // Like Node's checkHost, the name from the certificate that matched.
    assert.equal(c.checkHost('a.svc.example.test'), '*.svc.example.test');
    assert.equal(c.checkHost('a.b.svc.example.test'), undefined);
    assert.equal(c.checkIP('192.0.2.7'), '192.0.2.7');
    assert.equal(c.checkIP('fe80:0::1'), 'fe80:0::1');
    assert.equal(c.checkIP('192.0.2.8'), undefined);
    assert.equal(c.checkEmail('ops@example.test'), 'ops@example.test');
    assert.equal(c.checkEmail('dev@example.test'), undefined);
  });

  test('openssl x509 -text shows every extension', () => {
    const t = openssl(['x509', '-noout', '-text', '-nameopt', 'oneline,-esc_msb', '-in', tempFile(r.cert)]);
    assert.equal(t.status, 0, t.out);
    for (const needle of [
      'Signature Algorithm: sha384WithRSAEncryption',
      'C = DE, O = Exämple GmbH, OU = Ops, CN = svc.example.test',
      'DNS:svc.example.test, DNS:*.svc.example.test, IP Address:192.0.2.7, IP Address:FE80:0:0:0:0:0:0:1, email:ops@example.test, URI:spiffe://example.test/svc',
      'OCSP - URI:http://ocsp.example.test/',
      'CA Issuers - URI:http://ca.example.test/ca.crt',
      'URI:http://crl.example.test/ca.crl',
      'Policy: 2.23.140.1.2.2',
      'TLS Feature: \n                status_request',
      'X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment',
      'TLS Web Server Authentication, Microsoft Encrypted File System',
      'X509v3 Basic Constraints: critical\n                CA:FALSE',
      '1.3.6.1.4.1.55555.7: \n',
    ]) {
      assert.ok(t.stdout.includes(needle), `missing ${JSON.stringify(needle)} in\n${t.stdout}`);
    }
    assert.ok(t.stdout.includes(`Serial Number:`));
    const serial = openssl(['x509', '-noout', '-serial', '-in', tempFile(r.cert)]).stdout.trim();
    assert.equal(serial, `serial=${c.serialNumber}`);
    const fp = openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', tempFile(r.cert)]).stdout.trim();
    assert.equal(fp, `sha256 Fingerprint=${c.fingerprint256}`);
  });

  test('Node\'s X509Certificate agrees', () => {
    const x = c.toX509();
    assert.equal(x.serialNumber, c.serialNumber);
    assert.equal(x.fingerprint, c.fingerprint('sha1'));
    assert.equal(x.fingerprint256, c.fingerprints.sha256);
    assert.equal(x.fingerprint512, c.fingerprint('sha512'));
    assert.equal(c.fingerprint('sha384'), createHash('sha384').update(c.raw).digest('hex').toUpperCase().match(/../g).join(':'));
    assert.equal(fingerprint(r.cert, 'sha1'), x.fingerprint);
    assert.equal(x.validTo, new X509Certificate(r.cert).validTo);
    assert.ok(Certificate.fromX509(x).equals(c));
    assert.equal(x.subjectAltName.includes('DNS:svc.example.test'), true);
    assert.equal(c.notAfter.getTime(), new Date(x.validTo).getTime());
  });

  test('the value object is immutable and serialisable', () => {
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.subject) && Object.isFrozen(c.subject.entries) && Object.isFrozen(c.subjectAltNames));
    assert.throws(() => {
      'use strict';
      c.subjectAltNames.push({ type: 'dns', value: 'x' });
    }, TypeError);
    const raw = c.raw;
    raw[10] ^= 0xff;
    assert.notDeepEqual(raw, c.raw);
    const j = JSON.parse(JSON.stringify(c));
    assert.equal(j.serialNumber, c.serialNumber);
    assert.equal(j.mustStaple, true);
    assert.equal(j.subject, c.subject.text);
    assert.throws(() => new Certificate(Symbol('x'), Buffer.alloc(1)), { code: 'ERR_JSEC_INVALID_STATE' });
  });
});

describe('generate (issued) and options', () => {
  const root = generateSelfSignedSync({ commonName: 'Issuing Root', ca: true, keyType: 'ec-p384' });

  test('issuer name and AKI come from the issuer certificate', () => {
    const leaf = generateSync({ commonName: 'a.example.test', issuer: { certificate: root.certificate, key: root.privateKey } });
    assert.ok(leaf.certificate.issuer.der.equals(root.certificate.subject.der));
    assert.equal(leaf.certificate.authorityKeyIdentifier, root.certificate.subjectKeyIdentifier);
    assert.equal(leaf.certificate.isSelfIssued, false);
    assert.equal(verifySignature(leaf.cert, root.cert), true);
  });

  test('a parsed subject can be reused as the subject of a new certificate', () => {
    const first = generateSelfSignedSync({ subject: { C: 'US', O: 'Reuse', CN: 'reuse.example.test' } });
    const again = generateSync({ subject: first.certificate.subject, issuer: { certificate: root.cert, key: root.key } });
    assert.equal(again.certificate.subject.text, 'C=US, O=Reuse, CN=reuse.example.test');
    assert.deepEqual(again.certificate.subjectAltNames, [{ type: 'dns', value: 'reuse.example.test' }]);
  });

  test('a public key alone can be certified (the private key stays elsewhere)', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const r = generateSync({ commonName: 'remote', publicKey, issuer: { certificate: root.cert, key: root.key } });
    assert.equal(r.key, undefined);
    assert.equal(r.certificate.publicKey.type, 'ed25519');
  });

  test('the issuer key must match the issuer certificate', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    assert.throws(() => generateSync({ commonName: 'x', issuer: { certificate: root.cert, key: other } }), (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CERT_KEY_MISMATCH');
  });

  test('bad options are ConfigErrors with the option named, before any key is made', () => {
    const cases = [
      [{ digest: 'sha1' }, 'ERR_INVALID_ARG_VALUE'],
      [{ keyType: 'rsa-1024' }, 'ERR_INVALID_ARG_VALUE'],
      [{ comonName: 'x' }, 'ERR_JSEC_UNKNOWN_OPTION'],
      [{ san: ['bad host name!'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ san: ['IP:300.1.1.1'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ san: [{ type: 'x400', value: 'a' }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ san: ['email:nope'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ subject: { C: 'Germany' } }, 'ERR_INVALID_ARG_VALUE'],
      [{ subject: 'CN=x' }, 'ERR_INVALID_ARG_TYPE'],
      [{ subject: [['CN']] }, 'ERR_INVALID_ARG_TYPE'],
      [{ subject: [['noSuchAttribute', 'x']] }, 'ERR_INVALID_ARG_VALUE'],
      [{ days: 0 }, 'ERR_OUT_OF_RANGE'],
      [{ notBefore: new Date(2030, 1, 1), notAfter: new Date(2029, 1, 1) }, 'ERR_INVALID_ARG_VALUE'],
      [{ pathLength: 2 }, 'ERR_JSEC_CONFLICTING_OPTIONS'],
      [{ keyUsage: ['signEverything'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ extendedKeyUsage: ['serverAuthh'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ ocsp: ['not a url'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ policies: ['x.y'] }, 'ERR_INVALID_ARG_VALUE'],
      [{ key: 'not a key' }, 'ERR_JSEC_CERT_KEY_INVALID'],
      [{ key: generateKeyPairSync('ed25519').publicKey }, 'ERR_JSEC_CERT_KEY_INVALID'],
      [{ key: 42 }, 'ERR_INVALID_ARG_TYPE'],
      [{ keyType: 'ed25519', key: generateKeyPairSync('ed25519').privateKey }, 'ERR_JSEC_CONFLICTING_OPTIONS'],
      [{ extensions: [{ oid: 'nope', value: Buffer.alloc(2) }] }, 'ERR_INVALID_ARG_VALUE'],
    ];
    for (const [opts, code] of cases) {
      assert.throws(() => generateSelfSignedSync(opts), (e) => isJsecError(e) && e.code === code, JSON.stringify(opts));
    }
    assert.throws(() => generateSelfSignedSync('x'), (e) => e instanceof ConfigError);
    assert.throws(() => generateSync({ commonName: 'x' }), { code: 'ERR_MISSING_OPTION' });
  });

  test('the async variants generate the key and sign off the main thread (the event loop keeps turning)', async () => {
    // A synchronous implementation behind a Promise would finish before the first setImmediate callback.
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const r = await generateSelfSigned({ keyType: 'rsa-2048', commonName: 'async.test' });
    done = true;
    assert.equal(r.certificate.publicKey.bits, 2048);
    assert.ok(turns > 0, `the event loop did not turn during key generation (${turns})`);
  });

  test('the async variants reject with the same typed errors', async () => {
    await assert.rejects(generateSelfSigned({ digest: 'md5' }), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(generate({ commonName: 'x', issuer: { certificate: 'garbage', key: root.key } }), { code: 'ERR_JSEC_PEM_PARSE' });
  });
});

// jsec parses what the openssl CLI writes (req -x509, req -new, ca, ca -gencrl),
// and openssl accepts jsec's CSRs (req -verify) and CRLs (crl -verify).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Certificate, Csr, Crl, createCrl, generateCsrSync, generateCsr, generateSelfSignedSync, verifyCsr, verifyChain, REVOCATION_REASONS } from 'jsec/cert';
import { openssl, opensslBinary } from '../helpers/openssl.mjs';
import { tempDir, tempFile } from '../helpers/test-pki.mjs';

function ok(r) {
  assert.equal(r.status, 0, r.out);
  return r;
}

describe('jsec parses openssl output', () => {
  let dir;
  let caCert;
  let caKey;
  before(() => {
    dir = join(tempDir(), 'ca');
    mkdirSync(dir, { recursive: true });
    caKey = join(dir, 'ca.key');
    caCert = join(dir, 'ca.pem');
    ok(openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', '/C=FR/O=OpenSSL Test CA/CN=openssl root', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'crlnumber'), '0A\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ncrlnumber = ${dir}/crlnumber\ncertificate = ${caCert}\nprivate_key = ${caKey}\ndefault_md = sha256\ndefault_days = 10\ndefault_crl_days = 7\npolicy = p\ncopy_extensions = copy\nunique_subject = no\n[p]\ncommonName = supplied\n[ext]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\nauthorityInfoAccess = OCSP;URI:http://ocsp.openssl.test/\ncrlDistributionPoints = URI:http://crl.openssl.test/c.crl\ncertificatePolicies = 1.2.3.4.5\n`,
    );
  });

  test('openssl req -x509 self-signed root', () => {
    const c = Certificate.from(readFileSync(caCert, 'utf8'));
    assert.deepEqual(c.subject.entries.map((e) => [e.type, e.value]), [['C', 'FR'], ['O', 'OpenSSL Test CA'], ['CN', 'openssl root']]);
    assert.deepEqual({ ...c.basicConstraints }, { ca: true, pathLength: 2, critical: true });
    assert.deepEqual([...c.keyUsage], ['keyCertSign', 'cRLSign']);
    assert.deepEqual({ ...c.publicKey }, { type: 'ec', bits: 384, curve: 'P-384' });
    assert.equal(c.isSelfIssued, true);
    const serial = ok(openssl(['x509', '-noout', '-serial', '-in', caCert])).stdout.trim().slice('serial='.length);
    assert.equal(c.serialNumber, serial);
    // DER input too.
    const der = opensslBinary(['x509', '-outform', 'DER', '-in', caCert]);
    assert.ok(Certificate.from(der).equals(c));
  });

  test('openssl req -x509 with every key type', () => {
    const kinds = [
      [['rsa:3072'], { type: 'rsa', bits: 3072 }, 'sha256WithRSAEncryption'],
      [['ec', '-pkeyopt', 'ec_paramgen_curve:P-521'], { type: 'ec', bits: 521, curve: 'P-521' }, 'ecdsa-with-SHA256'],
      [['ed25519'], { type: 'ed25519', bits: 256 }, 'ED25519'],
      [['ed448'], { type: 'ed448', bits: 456 }, 'ED448'],
      [['rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'], { type: 'rsa-pss', bits: 2048 }, 'rsassaPss'],
    ];
    for (const [newkey, pub, sig] of kinds) {
      const out = join(dir, `k-${pub.type}-${pub.bits}.pem`);
      ok(openssl(['req', '-x509', '-newkey', ...newkey, '-nodes', '-keyout', join(dir, 'tmp.key'), '-out', out, '-days', '2', '-subj', '/CN=kt.example.test', '-addext', 'subjectAltName=DNS:kt.example.test']));
      const c = Certificate.from(readFileSync(out, 'utf8'));
      assert.deepEqual({ ...c.publicKey }, pub, newkey.join(' '));
      assert.equal(c.signatureAlgorithm, sig);
      assert.equal(c.checkHost('kt.example.test'), 'kt.example.test');
      assert.equal(verifyChain(c, { trustAnchors: [c], hostname: 'kt.example.test' }).valid, true);
    }
  });

  test('openssl req -new CSR (with SANs) and openssl ca certificate', () => {
    const key = join(dir, 'leaf.key');
    const csrPath = join(dir, 'leaf.csr');
    ok(openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csrPath, '-subj', '/CN=leaf.openssl.test', '-addext', 'subjectAltName=DNS:leaf.openssl.test,IP:198.51.100.4,email:a@openssl.test', '-addext', 'extendedKeyUsage=clientAuth']));
    const csr = Csr.from(readFileSync(csrPath));
    assert.equal(csr.signatureValid, true);
    assert.equal(verifyCsr(readFileSync(csrPath, 'utf8')), true);
    assert.equal(csr.subject.text, 'CN=leaf.openssl.test');
    assert.deepEqual(csr.subjectAltNames, [
      { type: 'dns', value: 'leaf.openssl.test' },
      { type: 'ip', value: '198.51.100.4' },
      { type: 'email', value: 'a@openssl.test' },
    ]);
    assert.deepEqual([...csr.extendedKeyUsage], ['clientAuth']);
    assert.deepEqual({ ...csr.publicKey }, { type: 'rsa', bits: 2048 });
    assert.ok(csr.attributes.some((a) => a.oid === '1.2.840.113549.1.9.14'));

    const certPath = join(dir, 'leaf.pem');
    ok(openssl(['ca', '-batch', '-config', join(dir, 'ca.cnf'), '-extensions', 'ext', '-in', csrPath, '-out', certPath, '-notext']));
    const c = Certificate.from(readFileSync(certPath, 'utf8'));
    const root = Certificate.from(readFileSync(caCert, 'utf8'));
    assert.equal(c.serialNumber, '1000');
    assert.equal(c.issuer.text, 'C=FR, O=OpenSSL Test CA, CN=openssl root');
    assert.equal(c.authorityKeyIdentifier, root.subjectKeyIdentifier);
    assert.deepEqual([...c.authorityInfoAccess.ocsp], ['http://ocsp.openssl.test/']);
    assert.deepEqual([...c.crlDistributionPoints], ['http://crl.openssl.test/c.crl']);
    assert.deepEqual([...c.policies], ['1.2.3.4.5']);
    assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.ok(c.subjectAltNames.some((g) => g.type === 'ip' && g.value === '198.51.100.4'));
    assert.equal(verifyChain(c, { trustAnchors: [root], hostname: 'leaf.openssl.test' }).valid, true);
  });

  test('openssl ca -gencrl with revoked entries and reasons', () => {
    const certPath = join(dir, 'leaf.pem');
    ok(openssl(['ca', '-config', join(dir, 'ca.cnf'), '-revoke', certPath, '-crl_reason', 'superseded']));
    const crlPath = join(dir, 'ca.crl');
    ok(openssl(['ca', '-config', join(dir, 'ca.cnf'), '-gencrl', '-out', crlPath]));
    const crl = Crl.from(readFileSync(crlPath, 'utf8'));
    const root = Certificate.from(readFileSync(caCert, 'utf8'));
    const leaf = Certificate.from(readFileSync(certPath, 'utf8'));
    assert.equal(crl.version, 2);
    assert.equal(crl.issuer.text, root.subject.text);
    assert.equal(crl.entries.length, 1);
    assert.equal(crl.entries[0].serialNumber, '1000');
    assert.equal(crl.entries[0].reason, 'superseded');
    assert.equal(crl.entries[0].reasonCode, REVOCATION_REASONS.superseded);
    assert.ok(crl.nextUpdate.getTime() - crl.thisUpdate.getTime() === 7 * 86400_000);
    assert.equal(crl.verify(root), true);
    assert.equal(crl.verify(leaf), false);
    assert.equal(crl.isRevoked(leaf), true);
    assert.equal(crl.isRevoked(root), false);
    assert.equal(crl.entry('1000').reason, 'superseded');
    assert.equal(crl.entry(0x1000n).reason, 'superseded');
    assert.equal(crl.entry('1001'), undefined);
    const der = opensslBinary(['crl', '-outform', 'DER', '-in', crlPath]);
    assert.equal(Crl.from(der).entries[0].serialNumber, '1000');
    const r = verifyChain(leaf, { trustAnchors: [root], crls: [crl], time: new Date(crl.thisUpdate.getTime() + 1000) });
    assert.deepEqual(r.errors.map((e) => e.code), ['CERT_REVOKED']);
  });
});

describe('openssl accepts jsec CSRs and CRLs', () => {
  test('CSR: openssl req -verify, every key type', async () => {
    for (const keyType of ['ec-p256', 'ec-p521', 'rsa-2048', 'ed25519', 'ed448']) {
      const r = await generateCsr({ subject: { O: 'jsec', CN: 'csr.example.test' }, san: ['csr.example.test', 'IP:::1'], keyType, keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth'], mustStaple: true });
      const out = ok(openssl(['req', '-verify', '-noout', '-text', '-in', tempFile(r.pem)]));
      assert.match(out.out, /verify OK/);
      assert.match(out.stdout, /DNS:csr\.example\.test, IP Address:0:0:0:0:0:0:0:1/);
      assert.match(out.stdout, /TLS Feature:/);
      assert.equal(r.csr.signatureValid, true);
      assert.equal(Csr.from(r.der).subject.text, 'O=jsec, CN=csr.example.test');
    }
  });

  test('CSR: an existing key (KeyObject or PEM) signs the request and is its public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const a = generateCsrSync({ commonName: 'mine.example.test', san: ['mine.example.test', 'URI:spiffe://example.test/mine'], key: privateKey });
    assert.equal(a.privateKey, privateKey);
    assert.ok(a.csr.publicKeyObject.equals(publicKey));
    assert.equal(verifyCsr(a.pem), true);
    const pem = privateKey.export({ type: 'sec1', format: 'pem' });
    const b = await generateCsr({ commonName: 'mine.example.test', key: pem });
    assert.ok(b.csr.publicKeyObject.equals(publicKey));
    const out = ok(openssl(['req', '-verify', '-noout', '-pubkey', '-in', tempFile(a.pem)]));
    assert.match(out.out, /verify OK/);
    assert.equal(out.stdout, publicKey.export({ type: 'spki', format: 'pem' }));
    assert.throws(() => generateCsrSync({ commonName: 'x', key: privateKey, keyType: 'ed25519' }), { code: 'ERR_JSEC_CONFLICTING_OPTIONS' });
    assert.throws(() => generateCsrSync({ commonName: 'x', key: publicKey }), { code: 'ERR_JSEC_CERT_KEY_INVALID' });
  });

  test('CSR: a tampered request does not verify', () => {
    const r = generateCsrSync({ commonName: 'x.example.test' });
    const der = Buffer.from(r.der);
    der[der.length - 3] ^= 0x40;
    const csr = Csr.from(der);
    assert.equal(csr.signatureValid, false);
    assert.equal(verifyCsr(der), false);
    // openssl 3.0 exits 0 here; its message is the verdict.
    const out = openssl(['req', '-verify', '-noout', '-inform', 'DER', '-in', tempFile(der, 'der')]).out;
    assert.doesNotMatch(out, /verify OK/);
    assert.match(out, /did not match|verify fail/i);
  });

  test('CSR: requested extensions are exposed raw for a CA to copy', () => {
    const r = generateCsrSync({ commonName: 'y', ca: true, extensions: [{ oid: '1.3.6.1.4.1.55555.9', critical: true, value: Buffer.from([5, 0]) }] });
    assert.deepEqual({ ...r.csr.basicConstraints }, { ca: true, pathLength: null, critical: true });
    const ext = r.csr.extensions.find((e) => e.oid === '1.3.6.1.4.1.55555.9');
    assert.equal(ext.critical, true);
    assert.deepEqual([...ext.value], [5, 0]);
    assert.throws(() => generateCsrSync({}), { code: 'ERR_MISSING_OPTION' });
    assert.throws(() => generateCsrSync({ commonName: 'x', digest: 'sha1' }), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  test('CRL: openssl crl -verify reads every entry, reason and extension', () => {
    const ca = generateSelfSignedSync({ commonName: 'CRL CA', ca: true });
    const now = new Date();
    const entries = Object.keys(REVOCATION_REASONS).map((reason, i) => ({ serial: BigInt(1000 + i), date: new Date(now.getTime() - i * 1000), reason }));
    entries.push({ serial: 'ABCDEF', date: now });
    entries.push({ serial: 4242n, date: now, reason: 'keyCompromise', invalidityDate: new Date('2030-01-01T00:00:00Z') });
    const crl = createCrl({ issuer: { certificate: ca.certificate, key: ca.privateKey }, nextUpdate: new Date(now.getTime() + 86400_000), crlNumber: 77n, entries });
    const out = ok(openssl(['crl', '-noout', '-text', '-CAfile', tempFile(ca.cert), '-in', tempFile(crl.pem)]));
    assert.match(out.out, /verify OK/);
    assert.match(out.stdout, /X509v3 CRL Number: \n\s+77/);
    assert.match(out.stdout, /X509v3 Authority Key Identifier/);
    for (const text of ['Key Compromise', 'CA Compromise', 'Affiliation Changed', 'Superseded', 'Cessation Of Operation', 'Certificate Hold', 'Remove From CRL', 'Privilege Withdrawn', 'AA Compromise', 'Unspecified']) {
      assert.ok(out.stdout.includes(text), `missing ${text}`);
    }
    assert.match(out.stdout, /Invalidity Date: \n\s+Jan  1 00:00:00 2030 GMT/);
    assert.equal(crl.crlNumber, '4D');
    assert.equal(crl.crlNumberBigInt, 77n);
    assert.equal(crl.authorityKeyIdentifier, ca.certificate.subjectKeyIdentifier);
    assert.equal(crl.entries.length, entries.length);
    assert.equal(crl.entry(4242n).invalidityDate.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(crl.entry('abcdef').reason, null);
    assert.equal(crl.verify(ca.cert), true);
    assert.equal(crl.verify(generateSelfSignedSync({ commonName: 'CRL CA', ca: true }).cert), false);
    assert.throws(() => createCrl({ issuer: { certificate: ca.cert, key: generateSelfSignedSync().key }, nextUpdate: new Date(Date.now() + 1000), crlNumber: 1n }), { code: 'ERR_JSEC_CERT_KEY_MISMATCH' });
    assert.throws(() => createCrl({ issuer: { certificate: ca.cert, key: ca.key }, nextUpdate: new Date(0), crlNumber: 1n }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => createCrl({ issuer: { certificate: ca.cert, key: ca.key }, nextUpdate: new Date(Date.now() + 1000), crlNumber: 1n, entries: [{ serial: 1n, date: now, reason: 'bored' }] }), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  test('PEM bundles: certificates among other blocks; CRL bundles', () => {
    const a = generateSelfSignedSync({ commonName: 'a' });
    const b = generateSelfSignedSync({ commonName: 'b' });
    const bundle = `junk before\n${a.cert}${a.key}\n${b.cert}trailing junk`;
    assert.deepEqual(Certificate.fromPem(bundle).map((c) => c.commonName), ['a', 'b']);
    assert.throws(() => Certificate.from(bundle), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => Certificate.fromPem(a.key), { code: 'ERR_JSEC_PEM_PARSE' });
  });
});

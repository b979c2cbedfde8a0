// Cross-checks with the openssl CLI in both directions: dgst / mac / kdf
// agree with the vector files, pkey reads what jsec writes and jsec reads
// what pkey writes, signatures and RSA-OAEP (distinct MGF1 hash) verify and
// decrypt across, and pkcs12 / cms interoperate both ways.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import * as c from 'jsec/crypto';
import { makePki, openssl, tempDir } from '../helpers/crypto-pki.mjs';

const vec = (name) => JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), 'utf8'));
let pki;
let t;
before(() => {
  pki = makePki();
  t = tempDir();
});
after(() => {
  pki?.cleanup();
  t?.cleanup();
});

const OSSL_MD = { sha1: 'SHA1', sha224: 'SHA224', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512', 'sha3-256': 'SHA3-256' };

test('vector files agree with openssl dgst / mac / kdf', { timeout: 60_000 }, () => {
  for (const v of vec('digest').vectors) {
    const out = openssl(['dgst', `-${v.alg}`, '-r'], { input: Buffer.from(v.msg, 'hex') }).toString();
    assert.equal(out.split(' ')[0], v.md, v.ref);
  }
  for (const v of vec('hmac').vectors) {
    const out = openssl(['mac', '-digest', OSSL_MD[v.alg], '-macopt', `hexkey:${v.key}`, '-in', t.write('hmac.bin', Buffer.from(v.data, 'hex')), 'HMAC']).toString().trim().toLowerCase();
    assert.equal(out.slice(0, v.mac.length), v.mac, v.ref);
  }
  for (const v of vec('kdf').hkdf) {
    const args = ['kdf', '-keylen', String(v.length), '-kdfopt', `digest:${OSSL_MD[v.hash]}`, '-kdfopt', `hexkey:${v.ikm}`, '-kdfopt', `hexinfo:${v.info}`];
    if (v.salt) args.push('-kdfopt', `hexsalt:${v.salt}`);
    const out = openssl([...args, 'HKDF']).toString().trim().replace(/:/g, '').toLowerCase();
    assert.equal(out, v.okm, v.ref);
  }
  for (const v of vec('kdf').pbkdf2.filter((x) => !x.password.includes('\0'))) {
    const out = openssl(['kdf', '-keylen', String(v.length), '-kdfopt', `digest:${OSSL_MD[v.hash]}`, '-kdfopt', `pass:${v.password}`, '-kdfopt', `salt:${v.salt}`, '-kdfopt', `iter:${v.iterations}`, 'PBKDF2'])
      .toString()
      .trim()
      .replace(/:/g, '')
      .toLowerCase();
    assert.equal(out, v.dk, v.ref);
  }
});

test('pkey: openssl reads jsec keys (encrypted PKCS#8, PKCS#1, SEC1, SPKI) and jsec reads openssl keys', { timeout: 60_000 }, async () => {
  for (const type of ['rsa', 'ec', 'ed25519', 'x448']) {
    const { privateKey } = await c.generateKey(type, type === 'rsa' ? { modulusLength: 2048 } : {});
    const spki = c.exportPublicKey(privateKey);
    const enc = c.exportKey(privateKey, { passphrase: 'correct horse' });
    assert.match(enc, /BEGIN ENCRYPTED PRIVATE KEY/);
    const pub = openssl(['pkey', '-in', t.write(`${type}.enc.pem`, enc), '-passin', 'pass:correct horse', '-pubout']).toString();
    assert.equal(pub, spki);
    assert.throws(() => openssl(['pkey', '-in', t.path(`${type}.enc.pem`), '-passin', 'pass:wrong', '-noout']));
    const der = c.exportKey(privateKey, { format: 'der' });
    assert.equal(openssl(['pkey', '-inform', 'DER', '-in', t.write(`${type}.der`, der), '-pubout']).toString(), spki);
  }
  const { privateKey: rsa } = await c.generateKey('rsa', { modulusLength: 2048 });
  assert.match(openssl(['rsa', '-in', t.write('p1.pem', c.exportKey(rsa, { encoding: 'pkcs1' })), '-check', '-noout']).toString(), /RSA key ok/);
  const { privateKey: ec } = await c.generateKey('ec', { curve: 'secp256k1' });
  assert.match(openssl(['ec', '-in', t.write('sec1.pem', c.exportKey(ec, { encoding: 'sec1' })), '-check', '-noout'], {}).toString() + 'ok', /ok/);

  // openssl -> jsec
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-aes-256-cbc', '-pass', 'pass:pw', '-out', t.path('o.enc.pem')]);
  const encPem = readFileSync(t.path('o.enc.pem'));
  const info = c.keyInfo(encPem);
  assert.equal(info.encrypted, true);
  assert.equal(info.type, undefined);
  assert.throws(() => c.loadKey(encPem), { code: 'ERR_MISSING_PASSPHRASE' });
  assert.throws(() => c.loadKey(encPem, { passphrase: 'nope' }), { code: 'ERR_JSEC_CRYPTO_BAD_PASSWORD' });
  const k = c.loadKey(encPem, { passphrase: 'pw' });
  assert.deepEqual({ ...c.keyInfo(k) }, { kind: 'private', type: 'ec', bits: 384, curve: 'P-384', encrypted: false, format: 'keyobject' });
  assert.equal(c.exportPublicKey(k), openssl(['pkey', '-in', t.path('o.enc.pem'), '-passin', 'pass:pw', '-pubout']).toString());
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', t.path('o.rsa.pem')]);
  openssl(['pkey', '-in', t.path('o.rsa.pem'), '-traditional', '-out', t.path('o.rsa1.pem')]);
  openssl(['pkey', '-in', t.path('o.rsa.pem'), '-outform', 'DER', '-out', t.path('o.rsa.der')]);
  openssl(['rsa', '-in', t.path('o.rsa.pem'), '-aes128', '-passout', 'pass:pw', '-traditional', '-out', t.path('o.rsa1enc.pem')]);
  const ref = c.exportPublicKey(readFileSync(t.path('o.rsa.pem')));
  assert.equal(c.exportPublicKey(readFileSync(t.path('o.rsa1.pem'))), ref);
  assert.equal(c.exportPublicKey(readFileSync(t.path('o.rsa.der'))), ref);
  assert.equal(c.keyInfo(readFileSync(t.path('o.rsa1enc.pem'))).type, 'rsa');
  assert.equal(c.keyInfo(readFileSync(t.path('o.rsa1enc.pem'))).encrypted, true);
  assert.equal(c.exportPublicKey(c.loadKey(readFileSync(t.path('o.rsa1enc.pem')), { passphrase: 'pw' })), ref);
  assert.equal(c.keyInfo(readFileSync(t.path('o.rsa.der'))).bits, 2048);
});

test('dgst / pkeyutl: signatures verify across in both directions', { timeout: 60_000 }, () => {
  const msg = t.write('msg.txt', 'signed by one, verified by the other\n');
  const data = readFileSync(msg);
  const cases = [
    { key: pki.rsa, opts: {}, args: ['-sha256'] },
    { key: pki.rsa, opts: { padding: 'pss', hash: 'sha384' }, args: ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] },
    { key: pki.rsa, opts: { padding: 'pss', hash: 'sha256', mgf1Hash: 'sha1', saltLength: 20 }, args: ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_mgf1_md:sha1', '-sigopt', 'rsa_pss_saltlen:20'] },
    { key: pki.ec, opts: {}, args: ['-sha256'] },
  ];
  for (const [i, k] of cases.entries()) {
    const sig = c.sign(k.key.key, data, k.opts);
    const pub = t.write(`pub${i}.pem`, c.exportPublicKey(k.key.key));
    const sigPath = t.write(`sig${i}.bin`, sig);
    assert.match(openssl(['dgst', ...k.args, '-verify', pub, '-signature', sigPath, msg]).toString(), /Verified OK/);
    openssl(['dgst', ...k.args, '-sign', k.key.keyPath, '-out', t.path(`osig${i}.bin`), msg]);
    assert.equal(c.verify(k.key.cert, data, readFileSync(t.path(`osig${i}.bin`)), k.opts), true, `case ${i}`);
    assert.equal(c.verify(k.key.cert, Buffer.concat([data, Buffer.from('x')]), readFileSync(t.path(`osig${i}.bin`)), k.opts), false);
  }
  // Ed25519: pkeyutl -rawin
  const sig = c.sign(pki.ed25519.key, data);
  assert.match(
    openssl(['pkeyutl', '-verify', '-pubin', '-inkey', t.write('edpub.pem', c.exportPublicKey(pki.ed25519.key)), '-rawin', '-in', msg, '-sigfile', t.write('ed.sig', sig)]).toString(),
    /Signature Verified Successfully/,
  );
  openssl(['pkeyutl', '-sign', '-inkey', pki.ed25519.keyPath, '-rawin', '-in', msg, '-out', t.path('oed.sig')]);
  assert.equal(c.verify(pki.ed25519.cert, data, readFileSync(t.path('oed.sig'))), true);
});

test('pkeyutl: RSA-OAEP with an MGF1 hash different from the OAEP hash, both directions', { timeout: 60_000 }, () => {
  const opts = { hash: 'sha256', mgf1Hash: 'sha1', label: 'jsec label' };
  const pkeyopts = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha1', '-pkeyopt', `rsa_oaep_label:${Buffer.from('jsec label').toString('hex')}`];
  const ct = c.rsaEncrypt(pki.rsa.cert, 'key material', opts);
  const pt = openssl(['pkeyutl', '-decrypt', '-inkey', pki.rsa.keyPath, '-in', t.write('oaep.ct', ct), ...pkeyopts]);
  assert.equal(pt.toString(), 'key material');
  openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', t.write('rsapub.pem', c.exportPublicKey(pki.rsa.key)), '-in', t.write('oaep.pt', 'from openssl'), '-out', t.path('oaep2.ct'), ...pkeyopts]);
  const ct2 = readFileSync(t.path('oaep2.ct'));
  assert.equal(c.rsaDecrypt(pki.rsa.key, ct2, opts).toString(), 'from openssl');
  assert.throws(() => c.rsaDecrypt(pki.rsa.key, ct2, { hash: 'sha256' }), { code: 'ERR_JSEC_CRYPTO_DECRYPT_FAILED' });
  assert.throws(() => c.rsaDecrypt(pki.rsa.key, ct2, { ...opts, mgf1Hash: 'sha384' }), { code: 'ERR_JSEC_CRYPTO_DECRYPT_FAILED' });
});

test('pkcs12: openssl reads what jsec writes (AES-256-CBC/PBKDF2, SHA-256 MAC) and jsec reads what openssl writes', { timeout: 60_000 }, async () => {
  const p12 = await c.createPkcs12({ key: pki.rsa.key, certificate: pki.rsa.cert, chain: [pki.int.cert, pki.root.cert], password: 'pfx pass', friendlyName: 'jsec leaf' });
  const path = t.write('jsec.p12', p12);
  const infoText = runBoth(['pkcs12', '-in', path, '-passin', 'pass:pfx pass', '-info', '-noout']);
  assert.match(infoText, /MAC: sha256/);
  assert.match(infoText, /PBES2, PBKDF2, AES-256-CBC/);
  assert.match(infoText, /Iteration 10000/);
  const dump = openssl(['pkcs12', '-in', path, '-passin', 'pass:pfx pass', '-nodes']).toString();
  assert.match(dump, /friendlyName: jsec leaf/);
  assert.equal((dump.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
  assert.throws(() => openssl(['pkcs12', '-in', path, '-passin', 'pass:wrong', '-noout']));

  // openssl -> jsec (OpenSSL 3 defaults)
  openssl(['pkcs12', '-export', '-inkey', pki.ec.keyPath, '-in', pki.ec.certPath, '-certfile', pki.int.certPath, '-name', 'from openssl', '-passout', 'pass:pw', '-out', t.path('o.p12')]);
  const parsed = await c.parsePkcs12(readFileSync(t.path('o.p12')), 'pw');
  assert.equal(parsed.friendlyName, 'from openssl');
  assert.equal(parsed.privateKey.asymmetricKeyType, 'ec');
  assert.equal(parsed.certificate.subject, 'CN=jsec ec leaf');
  assert.equal(parsed.chain.length, 1);
  assert.equal(parsed.certificate.checkPrivateKey(parsed.privateKey), true);
  assert.equal(parsed.mac, true);
  await assert.rejects(c.parsePkcs12(readFileSync(t.path('o.p12')), 'wrong'), { code: 'ERR_JSEC_CRYPTO_BAD_PASSWORD' });

  // legacy profile (3DES key, RC2-40 certificates, SHA-1 MAC): both ways
  openssl(['pkcs12', '-export', '-legacy', '-inkey', pki.rsa.keyPath, '-in', pki.rsa.certPath, '-passout', 'pass:pw', '-out', t.path('legacy.p12')]);
  const legacyBytes = readFileSync(t.path('legacy.p12'));
  const leg = await c.parsePkcs12(legacyBytes, 'pw', { legacy: true });
  assert.equal(leg.certificate.subject, 'CN=jsec rsa leaf');
  const mine = await c.createPkcs12({ key: pki.rsa.key, certificate: pki.rsa.cert, password: 'pw', legacy: true });
  const legInfo = runBoth(['pkcs12', '-legacy', '-in', t.write('mine-legacy.p12', mine), '-passin', 'pass:pw', '-info', '-noout']);
  assert.match(legInfo, /MAC: sha1/);
  assert.match(legInfo, /pbeWithSHA1And40BitRC2-CBC/);
  assert.match(legInfo, /pbeWithSHA1And3-KeyTripleDES-CBC/);
});

test('cms: openssl cms verifies / decrypts what jsec makes, and jsec verifies / decrypts what openssl makes', { timeout: 60_000 }, async () => {
  const data = Buffer.from('CMS content\r\nwith binary \x00\xff bytes');
  const content = t.write('content.bin', data);
  // jsec sign (attached) -> openssl verify
  const attached = await c.cmsSign(data, { certificate: pki.rsa.cert, privateKey: pki.rsa.key, extraCertificates: pki.int.cert });
  const out = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', t.write('att.der', attached), '-CAfile', pki.root.certPath]);
  assert.deepEqual(out, data);
  // jsec sign (detached, PEM) -> openssl verify with -content
  const detached = await c.cmsSign(data, { certificate: pki.ec.cert, privateKey: pki.ec.key, extraCertificates: [pki.int.cert], detached: true, format: 'pem' });
  openssl(['cms', '-verify', '-binary', '-inform', 'PEM', '-in', t.write('det.pem', detached), '-content', content, '-CAfile', pki.root.certPath, '-out', t.path('det.out')]);
  assert.throws(() => openssl(['cms', '-verify', '-binary', '-inform', 'PEM', '-in', t.path('det.pem'), '-content', t.write('other.bin', 'other'), '-CAfile', pki.root.certPath]));

  // openssl sign -> jsec verify (attached and detached)
  openssl(['cms', '-sign', '-binary', '-in', content, '-signer', pki.ec.certPath, '-inkey', pki.ec.keyPath, '-certfile', pki.int.certPath, '-nodetach', '-outform', 'DER', '-out', t.path('o.att.der')]);
  const v = await c.cmsVerify(readFileSync(t.path('o.att.der')), { trusted: pki.root.cert });
  assert.deepEqual(v.content, data);
  assert.equal(v.signers[0].subject, 'CN=jsec ec leaf');
  openssl(['cms', '-sign', '-binary', '-in', content, '-signer', pki.rsa.certPath, '-inkey', pki.rsa.keyPath, '-outform', 'PEM', '-out', t.path('o.det.pem')]);
  const dv = await c.cmsVerify(readFileSync(t.path('o.det.pem'), 'utf8'), { trusted: pki.root.cert, intermediates: pki.int.cert, content: data });
  assert.deepEqual(dv.content, data);
  await assert.rejects(c.cmsVerify(readFileSync(t.path('o.det.pem'), 'utf8'), { trusted: pki.root.cert, intermediates: pki.int.cert, content: 'tampered' }), {
    code: 'ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID',
  });

  // a signature that carries no certificates: the signer must come from `intermediates`
  openssl(['cms', '-sign', '-binary', '-nocerts', '-in', content, '-signer', pki.ec.certPath, '-inkey', pki.ec.keyPath, '-nodetach', '-outform', 'DER', '-out', t.path('o.nocerts.der')]);
  const nocerts = readFileSync(t.path('o.nocerts.der'));
  await assert.rejects(c.cmsVerify(nocerts, { trusted: pki.root.cert }), { code: 'ERR_JSEC_CRYPTO_CMS_SIGNER_NOT_FOUND' });
  assert.deepEqual((await c.cmsVerify(nocerts, { trusted: pki.root.cert, intermediates: [pki.ec.cert, pki.int.cert] })).content, data);

  // jsec encrypt -> openssl decrypt (RSA-OAEP ktri, EC kari, AES-GCM AuthEnvelopedData)
  for (const [opts, who] of [[{}, pki.rsa], [{}, pki.ec], [{ cipher: 'aes-256-gcm' }, pki.rsa], [{ rsaOaep: false, cipher: 'aes-128-cbc' }, pki.rsa]]) {
    const env = await c.cmsEncrypt(data, [pki.rsa.cert, pki.ec.cert], opts);
    const pt = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', t.write('env.der', env), '-recip', who.certPath, '-inkey', who.keyPath]);
    assert.deepEqual(pt, data, JSON.stringify(opts));
  }
  const oaepInfo = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', t.write('oaep.der', await c.cmsEncrypt(data, pki.rsa.cert))]).toString();
  assert.match(oaepInfo, /rsaesOaep/);
  // openssl encrypt -> jsec decrypt
  openssl(['cms', '-encrypt', '-binary', '-aes256', '-in', content, '-outform', 'DER', '-out', t.path('o.env.der'), pki.rsa.certPath, pki.ec.certPath]);
  const envBytes = readFileSync(t.path('o.env.der'));
  assert.deepEqual(await c.cmsDecrypt(envBytes, { privateKey: pki.ec.key, certificate: pki.ec.cert }), data);
  assert.deepEqual(c.cmsDecryptSync(envBytes, { privateKey: pki.rsa.key, certificate: pki.rsa.cert }), data);
  await assert.rejects(c.cmsDecrypt(envBytes, { privateKey: pki.server.key, certificate: pki.server.cert }), { code: 'ERR_JSEC_CRYPTO_NOT_RECIPIENT' });

  // certs-only both ways
  const bundle = c.cmsCertsOnly([pki.int.cert, pki.root.cert], { format: 'pem' });
  const printed = openssl(['pkcs7', '-in', t.write('bundle.p7b', bundle), '-inform', 'PEM', '-print_certs', '-noout']).toString();
  assert.match(printed, /jsec test intermediate/);
  assert.match(printed, /jsec test root/);
  openssl(['crl2pkcs7', '-nocrl', '-certfile', pki.int.certPath, '-certfile', pki.root.certPath, '-out', t.path('o.p7b')]);
  const certs = c.cmsCertificates(readFileSync(t.path('o.p7b'), 'utf8'));
  assert.deepEqual(certs.map((x) => x.subject).sort(), ['CN=jsec test intermediate', 'CN=jsec test root']);
});

/** stdout + stderr of an openssl run (pkcs12 -info writes to stderr). */
function runBoth(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout + r.stderr;
}

// CMS (PKCS#7): sign a document (attached and detached), verify it against
// an explicit trust anchor, encrypt it to two recipients (RSA and EC), and
// decrypt it as each. Tampering and an untrusted signer are typed errors.
import { generate, generateSelfSigned } from 'jsec/cert';
import { cmsCertificates, cmsCertsOnly, cmsDecrypt, cmsEncrypt, cmsInfo, cmsSign, cmsVerify } from 'jsec/crypto';

const root = await generateSelfSigned({ commonName: 'Example Root', ca: true, days: 30 });
const issuer = { certificate: root.cert, key: root.key };
const alice = await generate({ issuer, commonName: 'alice@example.com', keyType: 'rsa-2048', extendedKeyUsage: ['emailProtection'], days: 30 });
const bob = await generate({ issuer, commonName: 'bob@example.com', keyType: 'ec-p256', extendedKeyUsage: ['emailProtection'], days: 30 });

const document = Buffer.from('Purchase order #42: 1000 widgets\n');

const signed = await cmsSign(document, { certificate: alice.cert, privateKey: alice.key });
const verified = await cmsVerify(signed, { trusted: root.cert });
console.log('attached signature %d bytes, signer %s, content ok: %s', signed.length, verified.signers[0].subject, verified.content.equals(document));

const detached = await cmsSign(document, { certificate: bob.cert, privateKey: bob.key, detached: true, format: 'pem' });
console.log('detached signature %s, %j', detached.split('\n')[0], cmsInfo(detached));
await cmsVerify(detached, { trusted: root.cert, content: document });
for (const [what, attempt] of [
  ['tampered content', () => cmsVerify(detached, { trusted: root.cert, content: 'Purchase order #42: 9000 widgets\n' })],
  ['untrusted anchor', () => cmsVerify(signed, { trusted: bob.cert })],
]) {
  try {
    await attempt();
    process.exit(1);
  } catch (err) {
    console.log('%s → %s (%s)', what.padEnd(16), err.code, err.name);
  }
}

const envelope = await cmsEncrypt(document, [alice.cert, bob.cert]);
console.log('enveloped %d bytes (%s)', envelope.length, cmsInfo(envelope).type);
for (const who of [alice, bob]) {
  const plain = await cmsDecrypt(envelope, { privateKey: who.key, certificate: who.cert });
  console.log('decrypted as %s: %s', who.certificate.subject.text, plain.equals(document));
  if (!plain.equals(document)) process.exit(1);
}

const bundle = cmsCertsOnly([alice.cert, bob.cert, root.cert], { format: 'pem' });
console.log('certs-only bundle holds %d certificates', cmsCertificates(bundle).length);

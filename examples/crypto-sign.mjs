// Sign and verify with every key type jsec/crypto handles, with the
// per-type defaults, then RSA-PSS with an explicit MGF1 hash and salt (also
// off the main thread with signAsync/verifyAsync), and
// ECDSA in IEEE P1363 (r||s) form. Keys move between jsec and node:crypto.
import { createPublicKey } from 'node:crypto';
import { exportKey, exportPublicKey, generateKey, keyInfo, loadKey, sign, signAsync, verify, verifyAsync } from 'jsec/crypto';

const message = 'the quick brown fox';
for (const [type, options] of [
  ['ed25519', {}],
  ['ed448', {}],
  ['ec', { curve: 'P-256' }],
  ['ec', { curve: 'secp256k1' }],
  ['rsa', { modulusLength: 2048 }],
]) {
  const { privateKey, publicKey } = await generateKey(type, options);
  const signature = sign(privateKey, message);
  const ok = verify(publicKey, message, signature);
  const forged = verify(publicKey, message + '!', signature);
  const info = keyInfo(privateKey);
  console.log(`${type.padEnd(8)} ${String(info.curve ?? info.bits).padEnd(10)} signature ${String(signature.length).padStart(3)} bytes  valid=${ok}  tampered=${forged}`);
  if (!ok || forged) process.exit(1);
}

// RSA-PSS: SHA-384 message hash, MGF1 with SHA-256, 32-byte salt (the MGF1
// hash differs from the message hash, which node:crypto cannot express).
const rsa = await generateKey('rsa', { modulusLength: 2048 });
const pss = { padding: 'pss', hash: 'sha384', mgf1Hash: 'sha256', saltLength: 32 };
const pssSig = sign(rsa.privateKey, message, pss);
console.log('rsa-pss  sha384/mgf1-sha256/salt 32 valid=%s', verify(rsa.publicKey, message, pssSig, pss));

// The same off the main thread: signAsync/verifyAsync run on the libuv thread
// pool (here the addon's RSA-PSS job) and resolve with the same results.
const asyncSig = await signAsync(rsa.privateKey, message, pss);
const asyncOk = await verifyAsync(rsa.publicKey, message, asyncSig, pss);
console.log('rsa-pss  signAsync %d bytes, verifyAsync=%s, sync verify=%s', asyncSig.length, asyncOk, verify(rsa.publicKey, message, asyncSig, pss));
if (!asyncOk || !verify(rsa.publicKey, message, asyncSig, pss)) process.exit(1);

// ECDSA as r||s (JOSE / WebCrypto form), verified through a PEM round trip.
const ec = await generateKey('ec', { curve: 'P-384' });
const raw = sign(ec.privateKey, message, { dsaEncoding: 'ieee-p1363' });
const pem = exportPublicKey(ec.privateKey);
console.log('ecdsa    P-384 r||s %d bytes, valid via PEM=%s, via node KeyObject=%s', raw.length,
  verify(pem, message, raw, { dsaEncoding: 'ieee-p1363' }),
  verify(createPublicKey(pem), message, raw, { dsaEncoding: 'ieee-p1363' }));

// Keys at rest: passphrase-encrypted PKCS#8, read back with the passphrase.
const stored = exportKey(ec.privateKey, { passphrase: 'correct horse battery staple' });
console.log('stored   %s, encrypted=%s', stored.split('\n')[0], keyInfo(stored).encrypted);
const reloaded = loadKey(stored, { passphrase: 'correct horse battery staple' });
if (!verify(ec.publicKey, 'x', sign(reloaded, 'x'))) process.exit(1);
console.log('reloaded key signs; done');

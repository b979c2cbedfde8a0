// Symmetric authenticated encryption: derive a key with HKDF from an X25519
// key agreement, seal messages with AES-256-GCM and ChaCha20-Poly1305 (with
// associated data), show that a tampered message never decrypts, and seal a
// stream of records with a keyed AeadKey and a counter nonce.
import { cipherInfo, createAeadKey, decrypt, deriveSharedSecret, encrypt, generateKey, generateNonce, hkdf, scrypt } from 'jsec/crypto';

const alice = await generateKey('x25519');
const bob = await generateKey('x25519');
const shared = deriveSharedSecret(alice.privateKey, bob.publicKey);
if (!shared.equals(deriveSharedSecret(bob.privateKey, alice.publicKey))) process.exit(1);
console.log('x25519 shared secret agreed (%d bytes)', shared.length);

for (const algorithm of ['aes-256-gcm', 'chacha20-poly1305']) {
  const info = cipherInfo(algorithm);
  const key = await hkdf('sha256', shared, { salt: 'example salt', info: `example ${algorithm}`, length: info.keyLength });
  const nonce = generateNonce(algorithm);
  const aad = 'message #1 header';
  const { ciphertext, tag } = encrypt(algorithm, key, nonce, 'attack at dawn', { aad });
  const opened = decrypt(algorithm, key, nonce, ciphertext, tag, { aad }).toString();
  console.log('%s key %d, nonce %d, tag %d: %s', algorithm.padEnd(17), info.keyLength, nonce.length, tag.length, opened);

  ciphertext[0] ^= 1;
  try {
    decrypt(algorithm, key, nonce, ciphertext, tag, { aad });
    console.log('tampered message decrypted: this must not happen');
    process.exit(1);
  } catch (err) {
    console.log('%s tampered → %s (%s)', ' '.repeat(17), err.code, err.name);
  }
}

// A key from a password: scrypt with explicit, modest parameters.
const pwKey = await scrypt('correct horse battery staple', 'per-user salt', { cost: 2 ** 14, length: 32 });
const sealed = encrypt('aes-256-gcm', pwKey, generateNonce('aes-256-gcm'), 'password-protected note');
console.log('scrypt-derived key sealed %d bytes', sealed.ciphertext.length);

// Many records under one key: an AeadKey computes the key schedule once, and
// a counter makes every nonce unique. encryptInto writes into one buffer.
const recordKey = await hkdf('sha256', shared, { info: 'records', length: 16 });
const sealer = createAeadKey('aes-128-gcm', recordKey);
const buffer = Buffer.alloc(1024 + 16);
const nonce = Buffer.alloc(12);
let total = 0;
for (let seq = 0; seq < 1000; seq++) {
  nonce.writeUInt32BE(seq, 8);
  const record = Buffer.alloc(1024, seq & 0xff);
  const written = sealer.encryptInto(nonce, record, buffer, { aad: `record ${seq}` });
  const opened = sealer.decrypt(nonce, buffer.subarray(0, 1024), buffer.subarray(1024, written), { aad: `record ${seq}` });
  if (!opened.equals(record)) process.exit(1);
  total += written;
}
sealer.close();
console.log('AeadKey sealed and opened 1000 records (%d bytes), state %s', total, sealer.state);

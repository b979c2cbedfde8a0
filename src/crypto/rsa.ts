/**
 * RSA encryption: RSAES-OAEP (RFC 8017 §7.1) with explicit hash, MGF1 hash
 * and label. `node:crypto` handles OAEP where MGF1 uses the OAEP hash; the
 * addon handles a distinct MGF1 hash. PKCS#1 v1.5 encryption sits behind an
 * option named as dangerous.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { validateOptions } from '../config/validate.js';
import { native } from '../native/loader.js';
import { asBuffer, dataBuffer, fail, HASH_LENGTH, HASHES, type Bytes, type Data, type HashAlgorithm } from './internal.js';
import { privateKeyOf, publicKeyOf, requireType, type KeyInput, type Passphrase } from './keys.js';

/** Options of {@link rsaEncrypt} / {@link rsaDecrypt}. */
export interface RsaEncryptionOptions {
  /** OAEP hash; default sha256. */
  hash?: HashAlgorithm;
  /** MGF1 hash; default: the OAEP hash. */
  mgf1Hash?: HashAlgorithm;
  /** OAEP label; default empty. */
  label?: Data;
  /**
   * Use PKCS#1 v1.5 padding instead of OAEP, for legacy peers only. Dangerous: v1.5
   * decryption is the classic Bleichenbacher/Marvin padding oracle. {@link rsaDecrypt}
   * accepts it only where the running OpenSSL does *implicit rejection* (OpenSSL 3.2+,
   * Node 22/24): a wrong or tampered ciphertext then yields pseudo-random bytes instead
   * of an error, so the caller must authenticate what it decrypted by other means.
   * Where Node.js refuses v1.5 decryption (Node 20, CVE-2023-46809), {@link rsaDecrypt}
   * throws `ERR_JSEC_UNSUPPORTED`. Default `false` (OAEP).
   */
  dangerouslyUsePkcs1v15Padding?: boolean;
}

const SCHEMA = {
  hash: { type: 'string', enum: HASHES },
  mgf1Hash: { type: 'string', enum: HASHES },
  label: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
  dangerouslyUsePkcs1v15Padding: { type: 'boolean' },
} as const;

function opts(where: string, options: unknown) {
  const o = validateOptions<RsaEncryptionOptions>(where, options, SCHEMA);
  const v15 = o.dangerouslyUsePkcs1v15Padding === true;
  if (v15 && (o.hash !== undefined || o.mgf1Hash !== undefined || o.label !== undefined)) {
    throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'hash, mgf1Hash and label apply only to OAEP');
  }
  const hash = o.hash ?? DEFAULTS.crypto.oaepHash.value;
  return { v15, hash, mgf1Hash: o.mgf1Hash ?? hash, label: o.label === undefined ? undefined : dataBuffer('label', o.label) };
}

function maxFor(key: nodeCrypto.KeyObject, v15: boolean, hash: HashAlgorithm): number {
  // k is the modulus length in whole bytes (a 2052-bit modulus takes 257).
  const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  return v15 ? k - 11 : k - 2 * HASH_LENGTH[hash] - 2;
}

/**
 * The longest plaintext {@link rsaEncrypt} accepts for this key and padding:
 * k − 2·hLen − 2 bytes for OAEP, k − 11 for PKCS#1 v1.5 (k = modulus bytes).
 */
export function rsaMaxPlaintext(key: KeyInput, options?: RsaEncryptionOptions): number {
  const o = opts('rsaMaxPlaintext', options);
  const k = publicKeyOf(key);
  requireType(k, ['rsa'], 'RSA encryption');
  return Math.max(0, maxFor(k, o.v15, o.hash));
}

/**
 * Encrypts a short message (typically a symmetric key) to an RSA public key.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (not RSA), `ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG` (`max`)
 */
export function rsaEncrypt(publicKey: KeyInput, data: Data, options?: RsaEncryptionOptions): Buffer {
  const o = opts('rsaEncrypt', options);
  const k = publicKeyOf(publicKey, 'publicKey');
  requireType(k, ['rsa'], 'RSA encryption', 'publicKey');
  const msg = dataBuffer('data', data);
  const max = maxFor(k, o.v15, o.hash);
  if (msg.length > max) {
    throw fail('ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG', `This key and padding encrypt at most ${Math.max(0, max)} bytes; got ${msg.length}`, { max: Math.max(0, max), actual: msg.length });
  }
  if (o.v15) return nodeCrypto.publicEncrypt({ key: k, padding: nodeCrypto.constants.RSA_PKCS1_PADDING }, msg);
  if (o.mgf1Hash !== o.hash) return native().rsaOaep(true, k.export({ format: 'der', type: 'spki' }), msg, o.hash, o.mgf1Hash, o.label ?? null);
  const input: nodeCrypto.RsaPublicKey & { oaepHash: string; oaepLabel?: Buffer } = { key: k, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: o.hash };
  if (o.label) input.oaepLabel = o.label;
  return nodeCrypto.publicEncrypt(input, msg);
}

/**
 * Decrypts an RSA-OAEP ciphertext. Every failure (wrong key, wrong label,
 * corrupt ciphertext) is the same error, so callers cannot build a padding oracle.
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_DECRYPT_FAILED`
 * @throws ConfigError `ERR_JSEC_UNSUPPORTED` for PKCS#1 v1.5 where Node.js disables it (Node 20; see
 *   {@link RsaEncryptionOptions.dangerouslyUsePkcs1v15Padding}), `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`
 */
export function rsaDecrypt(privateKey: KeyInput, ciphertext: Bytes, options?: RsaEncryptionOptions & { passphrase?: Passphrase }): Buffer {
  const { passphrase, ...rest } = (options ?? {}) as RsaEncryptionOptions & { passphrase?: Passphrase };
  const o = opts('rsaDecrypt', rest);
  const k = privateKeyOf(privateKey, 'privateKey', passphrase);
  requireType(k, ['rsa'], 'RSA decryption', 'privateKey');
  const ct = asBuffer('ciphertext', ciphertext);
  if (o.v15) {
    try {
      // With implicit rejection (OpenSSL 3.2+) a bad ciphertext decrypts to
      // pseudo-random bytes; Node refuses the call where OpenSSL lacks it.
      return nodeCrypto.privateDecrypt({ key: k, padding: nodeCrypto.constants.RSA_PKCS1_PADDING }, ct);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_INVALID_ARG_VALUE') {
        throw fail('ERR_JSEC_UNSUPPORTED', 'This Node.js disables PKCS#1 v1.5 decryption (CVE-2023-46809, Marvin: no implicit rejection in its OpenSSL); jsec does not work around it', { cause: err });
      }
      throw fail('ERR_JSEC_CRYPTO_DECRYPT_FAILED', 'RSA PKCS#1 v1.5 decryption failed');
    }
  }
  if (o.mgf1Hash !== o.hash) return native().rsaOaep(false, k.export({ format: 'der', type: 'pkcs8' }), ct, o.hash, o.mgf1Hash, o.label ?? null);
  const input: nodeCrypto.RsaPrivateKey & { oaepHash: string; oaepLabel?: Buffer } = { key: k, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: o.hash };
  if (o.label) input.oaepLabel = o.label;
  try {
    return nodeCrypto.privateDecrypt(input, ct);
  } catch {
    throw fail('ERR_JSEC_CRYPTO_DECRYPT_FAILED', 'RSA-OAEP decryption failed');
  }
}

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

/** Options of {@link rsaEncrypt} / {@link rsaDecrypt} and their `Async` forms. */
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

interface RsaJob {
  /** The RSA key (public for encryption, private for decryption). */
  key: nodeCrypto.KeyObject;
  o: ReturnType<typeof opts>;
  /** The plaintext (encryption) or ciphertext (decryption). */
  input: Buffer;
}

const DECRYPT_SCHEMA = { ...SCHEMA, passphrase: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } } as const;

/** Validation and planning shared by {@link rsaEncrypt} and {@link rsaEncryptAsync}. */
function encryptJob(publicKey: KeyInput, data: Data, options: RsaEncryptionOptions | undefined, where: string): RsaJob {
  const o = opts(where, options);
  const k = publicKeyOf(publicKey, 'publicKey');
  requireType(k, ['rsa'], 'RSA encryption', 'publicKey');
  const msg = dataBuffer('data', data);
  const max = maxFor(k, o.v15, o.hash);
  if (msg.length > max) {
    throw fail('ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG', `This key and padding encrypt at most ${Math.max(0, max)} bytes; got ${msg.length}`, { max: Math.max(0, max), actual: msg.length });
  }
  return { key: k, o, input: msg };
}

/** Validation and planning shared by {@link rsaDecrypt} and {@link rsaDecryptAsync}. */
function decryptJob(privateKey: KeyInput, ciphertext: Bytes, options: RsaDecryptionOptions | undefined, where: string): RsaJob {
  const { passphrase, ...rest } = validateOptions<RsaDecryptionOptions>(where, options, DECRYPT_SCHEMA);
  const o = opts(where, rest);
  const k = privateKeyOf(privateKey, 'privateKey', passphrase);
  requireType(k, ['rsa'], 'RSA decryption', 'privateKey');
  return { key: k, o, input: asBuffer('ciphertext', ciphertext) };
}

/** The addon's arguments for OAEP (hash, MGF1 hash and label set explicitly). */
function oaepArgs(j: RsaJob, encrypt: boolean): [boolean, Buffer, Buffer, string, string, Buffer | null] {
  const der = encrypt ? j.key.export({ format: 'der', type: 'spki' }) : j.key.export({ format: 'der', type: 'pkcs8' });
  return [encrypt, der, j.input, j.o.hash, j.o.mgf1Hash, j.o.label ?? null];
}

/**
 * Runs the addon's OAEP (`rsaOaep` or `rsaOaepAsync`); the addon copies its
 * inputs before returning, so the exported private key DER is wiped here
 * right after the call.
 */
function viaAddon<R>(j: RsaJob, encrypt: boolean, call: (...args: ReturnType<typeof oaepArgs>) => R): R {
  const args = oaepArgs(j, encrypt);
  try {
    return call(...args);
  } finally {
    if (!encrypt) args[1].fill(0);
  }
}

/** PKCS#1 v1.5 or OAEP with MGF1 = the OAEP hash, on `node:crypto` (calling thread). */
function nodeEncrypt(j: RsaJob): Buffer {
  if (j.o.v15) return nodeCrypto.publicEncrypt({ key: j.key, padding: nodeCrypto.constants.RSA_PKCS1_PADDING }, j.input);
  const input: nodeCrypto.RsaPublicKey & { oaepHash: string; oaepLabel?: Buffer } = { key: j.key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: j.o.hash };
  if (j.o.label) input.oaepLabel = j.o.label;
  return nodeCrypto.publicEncrypt(input, j.input);
}

/** PKCS#1 v1.5 or OAEP with MGF1 = the OAEP hash, on `node:crypto` (calling thread). */
function nodeDecrypt(j: RsaJob): Buffer {
  if (j.o.v15) {
    try {
      // With implicit rejection (OpenSSL 3.2+) a bad ciphertext decrypts to
      // pseudo-random bytes; Node refuses the call where OpenSSL lacks it.
      return nodeCrypto.privateDecrypt({ key: j.key, padding: nodeCrypto.constants.RSA_PKCS1_PADDING }, j.input);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_INVALID_ARG_VALUE') {
        throw fail('ERR_JSEC_UNSUPPORTED', 'This Node.js disables PKCS#1 v1.5 decryption (CVE-2023-46809, Marvin: no implicit rejection in its OpenSSL); jsec does not work around it', { cause: err });
      }
      throw fail('ERR_JSEC_CRYPTO_DECRYPT_FAILED', 'RSA PKCS#1 v1.5 decryption failed');
    }
  }
  const input: nodeCrypto.RsaPrivateKey & { oaepHash: string; oaepLabel?: Buffer } = { key: j.key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: j.o.hash };
  if (j.o.label) input.oaepLabel = j.o.label;
  try {
    return nodeCrypto.privateDecrypt(input, j.input);
  } catch {
    throw fail('ERR_JSEC_CRYPTO_DECRYPT_FAILED', 'RSA-OAEP decryption failed');
  }
}

/** Options of {@link rsaDecrypt} / {@link rsaDecryptAsync}. */
export interface RsaDecryptionOptions extends RsaEncryptionOptions {
  /** Passphrase of an encrypted private key. No default: an encrypted key without it throws `ERR_MISSING_PASSPHRASE`. */
  passphrase?: Passphrase;
}

/**
 * Encrypts a short message (typically a symmetric key) to an RSA public key.
 * Runs on the calling thread; {@link rsaEncryptAsync} is the same on the thread pool.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (not RSA), `ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG` (`max`),
 *   `ERR_JSEC_CONFLICTING_OPTIONS` (OAEP options with v1.5), `ERR_JSEC_UNKNOWN_OPTION`
 */
export function rsaEncrypt(publicKey: KeyInput, data: Data, options?: RsaEncryptionOptions): Buffer {
  const j = encryptJob(publicKey, data, options, 'rsaEncrypt');
  if (!j.o.v15 && j.o.mgf1Hash !== j.o.hash) return viaAddon(j, true, (...a) => native().rsaOaep(...a));
  return nodeEncrypt(j);
}

/**
 * {@link rsaEncrypt} off the main thread: same options, defaults, validation,
 * errors and result format. OAEP runs in the addon on the libuv thread pool
 * (`node:crypto` has no asynchronous RSA encryption) with the OAEP hash, MGF1
 * hash and label set explicitly, so its output decrypts with {@link rsaDecrypt},
 * {@link rsaDecryptAsync} or `openssl pkeyutl` alike. The inputs are copied
 * before the work starts: changing `data` afterwards does not affect the result.
 *
 * PKCS#1 v1.5 (`dangerouslyUsePkcs1v15Padding`) is not offloaded: it runs on
 * `node:crypto` on the calling thread, exactly as {@link rsaEncrypt}, and the
 * promise carries its result (public-key encryption is cheap).
 *
 * Never throws: bad arguments reject the promise (same codes and classes as {@link rsaEncrypt}).
 *
 * @returns a promise of the ciphertext (modulus length bytes).
 * @throws (rejects with) ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`, `ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG` (`max`),
 *   `ERR_JSEC_CONFLICTING_OPTIONS`, `ERR_JSEC_UNKNOWN_OPTION`
 */
export async function rsaEncryptAsync(publicKey: KeyInput, data: Data, options?: RsaEncryptionOptions): Promise<Buffer> {
  const j = encryptJob(publicKey, data, options, 'rsaEncryptAsync');
  if (j.o.v15) return nodeEncrypt(j);
  return viaAddon(j, true, (...a) => native().rsaOaepAsync(...a));
}

/**
 * Decrypts an RSA-OAEP ciphertext. Every failure (wrong key, wrong label,
 * corrupt ciphertext) is the same error, so callers cannot build a padding oracle.
 * Runs on the calling thread; {@link rsaDecryptAsync} is the same on the thread pool.
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_DECRYPT_FAILED`; `ERR_JSEC_CRYPTO_BAD_PASSWORD` (wrong passphrase)
 * @throws ConfigError `ERR_JSEC_UNSUPPORTED` for PKCS#1 v1.5 where Node.js disables it (Node 20; see
 *   {@link RsaEncryptionOptions.dangerouslyUsePkcs1v15Padding}), `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`
 *   (not RSA, or a public key), `ERR_MISSING_PASSPHRASE`, `ERR_JSEC_UNKNOWN_OPTION`
 */
export function rsaDecrypt(privateKey: KeyInput, ciphertext: Bytes, options?: RsaDecryptionOptions): Buffer {
  const j = decryptJob(privateKey, ciphertext, options, 'rsaDecrypt');
  if (!j.o.v15 && j.o.mgf1Hash !== j.o.hash) return viaAddon(j, false, (...a) => native().rsaOaep(...a));
  return nodeDecrypt(j);
}

/**
 * {@link rsaDecrypt} off the main thread: same options, defaults, validation,
 * errors and result. OAEP runs in the addon on the libuv thread pool
 * (`node:crypto` has no asynchronous RSA decryption), so an RSA-4096
 * private-key operation does not block the event loop; every failure (wrong
 * key, wrong label, tampered ciphertext) rejects with the one
 * `ERR_JSEC_CRYPTO_DECRYPT_FAILED`. The inputs are copied before the work
 * starts, and the copy of the private key is wiped once parsed.
 *
 * PKCS#1 v1.5 (`dangerouslyUsePkcs1v15Padding`) is not offloaded: it runs on
 * `node:crypto` on the calling thread, exactly as {@link rsaDecrypt}, so that
 * its semantics stay Node's on every line: implicit rejection where the
 * OpenSSL has it (pseudo-random bytes for a bad ciphertext, Node 22/24),
 * `ERR_JSEC_UNSUPPORTED` where Node.js refuses v1.5 decryption (Node 20).
 *
 * Never throws: bad arguments reject the promise (same codes and classes as {@link rsaDecrypt}).
 *
 * @returns a promise of the plaintext.
 * @throws (rejects with) OpenSSLError `ERR_JSEC_CRYPTO_DECRYPT_FAILED`, `ERR_JSEC_CRYPTO_BAD_PASSWORD`;
 *   ConfigError `ERR_JSEC_UNSUPPORTED` (v1.5 on Node 20), `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`,
 *   `ERR_MISSING_PASSPHRASE`, `ERR_JSEC_UNKNOWN_OPTION`
 */
export async function rsaDecryptAsync(privateKey: KeyInput, ciphertext: Bytes, options?: RsaDecryptionOptions): Promise<Buffer> {
  const j = decryptJob(privateKey, ciphertext, options, 'rsaDecryptAsync');
  if (j.o.v15) return nodeDecrypt(j);
  return viaAddon(j, false, (...a) => native().rsaOaepAsync(...a));
}

/**
 * Authenticated encryption: AES-GCM, AES-CCM and ChaCha20-Poly1305, with key,
 * nonce and tag lengths checked before any work and no plaintext ever
 * returned unless the tag verified.
 *
 * The ciphers are OpenSSL's, reached through a one-shot addon call rather
 * than `node:crypto`'s Cipheriv: that stream object costs several
 * microseconds to set up per message, which cut 16 KiB throughput to a third
 * of `openssl speed` (see docs/crypto.md, "Benchmark").
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { native } from '../native/loader.js';
import { validateOptions } from '../config/validate.js';
import { asBuffer, dataBuffer, fail, oneOf, type Bytes, type Data } from './internal.js';

/** The AEAD algorithms. */
export const AEAD_ALGORITHMS = [
  'aes-128-gcm',
  'aes-192-gcm',
  'aes-256-gcm',
  'chacha20-poly1305',
  'aes-128-ccm',
  'aes-192-ccm',
  'aes-256-ccm',
] as const;
export type AeadAlgorithm = (typeof AEAD_ALGORITHMS)[number];

/** What {@link cipherInfo} reports. */
export interface CipherInfo {
  readonly name: AeadAlgorithm;
  /** Key length in bytes. */
  readonly keyLength: number;
  /** The default nonce length in bytes (what {@link generateNonce} makes). */
  readonly nonceLength: number;
  /** Every nonce length accepted. */
  readonly nonceLengths: readonly number[];
  /** The default tag length in bytes. */
  readonly tagLength: number;
  /** Every tag length accepted. */
  readonly tagLengths: readonly number[];
  /** Always true: jsec offers only authenticated ciphers. */
  readonly aead: true;
  /** Largest plaintext for the default nonce length, in bytes. */
  readonly maxPlaintext: number;
}

const GCM_TAGS = Object.freeze([12, 13, 14, 15, 16]);
const CCM_TAGS = Object.freeze([4, 6, 8, 10, 12, 14, 16]);
const CCM_NONCES = Object.freeze([7, 8, 9, 10, 11, 12, 13]);

function info(name: AeadAlgorithm): CipherInfo {
  const keyLength = name === 'chacha20-poly1305' ? 32 : Number(name.slice(4, 7)) / 8;
  if (name.endsWith('ccm')) {
    const n = DEFAULTS.crypto.ccmNonceLength.value;
    return Object.freeze({ name, keyLength, nonceLength: n, nonceLengths: CCM_NONCES, tagLength: 16, tagLengths: CCM_TAGS, aead: true, maxPlaintext: 2 ** (8 * (15 - n)) - 1 });
  }
  if (name === 'chacha20-poly1305') {
    return Object.freeze({ name, keyLength, nonceLength: 12, nonceLengths: Object.freeze([12]), tagLength: 16, tagLengths: Object.freeze([16]), aead: true, maxPlaintext: 64 * (2 ** 32 - 1) });
  }
  return Object.freeze({ name, keyLength, nonceLength: 12, nonceLengths: Object.freeze([12]), tagLength: 16, tagLengths: GCM_TAGS, aead: true, maxPlaintext: 2 ** 36 - 32 });
}

const INFO = new Map<AeadAlgorithm, CipherInfo>(AEAD_ALGORITHMS.map((a) => [a, info(a)]));
/** The addon's algorithm numbers (native/pkey/aead.cc). */
const ALG_INDEX: Record<AeadAlgorithm, number> = {
  'aes-128-gcm': 0,
  'aes-192-gcm': 1,
  'aes-256-gcm': 2,
  'chacha20-poly1305': 3,
  'aes-128-ccm': 4,
  'aes-192-ccm': 5,
  'aes-256-ccm': 6,
};

/**
 * Key, nonce and tag sizes of an AEAD algorithm.
 *
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for an unknown algorithm (the message lists the valid ones).
 */
export function cipherInfo(algorithm: AeadAlgorithm): CipherInfo {
  return INFO.get(oneOf('algorithm', algorithm, AEAD_ALGORITHMS))!;
}

/**
 * A random nonce of the algorithm's default length (12 bytes), or `length`
 * for AES-CCM (7 to 13). Random 96-bit GCM nonces are safe for up to 2^32
 * messages per key (NIST SP 800-38D); use a counter beyond that.
 */
export function generateNonce(algorithm: AeadAlgorithm, options?: { length?: number }): Buffer {
  const ci = cipherInfo(algorithm);
  const o = validateOptions<{ length?: number }>('generateNonce', options, { length: { type: 'number', integer: true } });
  const n = o.length ?? ci.nonceLength;
  if (!ci.nonceLengths.includes(n)) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH', `${algorithm} nonces are ${ci.nonceLengths.join(', ')} bytes, not ${n}`, { expected: ci.nonceLengths, actual: n });
  }
  return nodeCrypto.randomBytes(n);
}

/** Options of {@link encrypt}. */
export interface EncryptOptions {
  /** Additional authenticated data: authenticated, not encrypted. */
  aad?: Data;
  /** Tag length in bytes; default 16. GCM 12-16, CCM 4/6/.../16, ChaCha20-Poly1305 16. */
  tagLength?: number;
}

/** Output of {@link encrypt}. */
export interface Sealed {
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function checkSizes(ci: CipherInfo, key: Buffer, nonce: Buffer, tagLength: number): void {
  if (key.length !== ci.keyLength) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH', `${ci.name} keys are ${ci.keyLength} bytes, not ${key.length}`, { expected: ci.keyLength, actual: key.length });
  }
  if (!ci.nonceLengths.includes(nonce.length)) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH', `${ci.name} nonces are ${ci.nonceLengths.join(', ')} bytes, not ${nonce.length}`, { expected: ci.nonceLengths, actual: nonce.length });
  }
  if (!ci.tagLengths.includes(tagLength)) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH', `${ci.name} tags are ${ci.tagLengths.join(', ')} bytes, not ${tagLength}`, { expected: ci.tagLengths, actual: tagLength });
  }
}

function checkCcmLength(ci: CipherInfo, nonce: Buffer, length: number): void {
  if (ci.name.endsWith('ccm')) {
    const max = 2 ** (8 * (15 - nonce.length)) - 1;
    if (length > max) throw fail('ERR_OUT_OF_RANGE', `With a ${nonce.length}-byte nonce, ${ci.name} messages are at most ${max} bytes`, { max });
  }
}

/**
 * Encrypts and authenticates `plaintext`. Never reuse a (key, nonce) pair:
 * with GCM and ChaCha20-Poly1305 that reveals the XOR of plaintexts and the
 * authentication key.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH`, `ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH`,
 *   `ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH`, `ERR_OUT_OF_RANGE` (CCM message too long for the nonce)
 */
export function encrypt(algorithm: AeadAlgorithm, key: Bytes, nonce: Bytes, plaintext: Data, options?: EncryptOptions): Sealed {
  const ci = cipherInfo(algorithm);
  const o = validateOptions<EncryptOptions>('encrypt', options, {
    aad: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
    tagLength: { type: 'number', integer: true },
  });
  const k = asBuffer('key', key);
  const iv = asBuffer('nonce', nonce);
  const tagLength = o.tagLength ?? DEFAULTS.crypto.tagLength.value;
  checkSizes(ci, k, iv, tagLength);
  const pt = dataBuffer('plaintext', plaintext);
  checkCcmLength(ci, iv, pt.length);
  const sealed = native().aeadSeal(ALG_INDEX[ci.name], k, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), pt, tagLength);
  return Object.freeze({ ciphertext: sealed.subarray(0, pt.length), tag: sealed.subarray(pt.length) });
}

/**
 * Authenticates and decrypts. The tag's length selects the tag length (it
 * must be one the algorithm allows). The plaintext is returned only after the
 * tag verified.
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_AUTH_FAILED` when the key, nonce, ciphertext, tag or AAD do not match.
 * @throws ConfigError for wrong key, nonce or tag sizes.
 */
export function decrypt(algorithm: AeadAlgorithm, key: Bytes, nonce: Bytes, ciphertext: Bytes, tag: Bytes, options?: { aad?: Data }): Buffer {
  const ci = cipherInfo(algorithm);
  const o = validateOptions<{ aad?: Data }>('decrypt', options, { aad: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } });
  const k = asBuffer('key', key);
  const iv = asBuffer('nonce', nonce);
  const t = asBuffer('tag', tag);
  checkSizes(ci, k, iv, t.length);
  const ct = asBuffer('ciphertext', ciphertext);
  checkCcmLength(ci, iv, ct.length);
  if (ci.name.endsWith('ccm') && ct.length === 0) {
    // OpenSSL's CCM checks the tag inside the data update, which an empty
    // message never reaches: recompute the tag instead (the plaintext is empty).
    const expect = encrypt(algorithm, k, iv, Buffer.alloc(0), { tagLength: t.length, ...(o.aad === undefined ? {} : { aad: o.aad }) }).tag;
    if (!nodeCrypto.timingSafeEqual(expect, t)) throw fail('ERR_JSEC_CRYPTO_AUTH_FAILED', `${algorithm}: authentication failed`);
    return Buffer.alloc(0);
  }
  return native().aeadOpen(ALG_INDEX[ci.name], k, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), ct, t);
}

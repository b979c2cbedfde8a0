/**
 * Hashing, HMAC, randomness and constant-time comparison on `node:crypto`.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { check, validateOptions } from '../config/validate.js';
import { asBuffer, dataBuffer, DIGESTS, fail, HASHES, oneOf, type Data, type DigestAlgorithm, type HashAlgorithm } from './internal.js';

/** Options of {@link digest}. */
export interface DigestOptions {
  /** Output length in bytes; only for the XOFs `shake128` / `shake256` (default 16 / 32 bytes). */
  outputLength?: number;
}

/**
 * Hashes `data` (bytes, or a string as UTF-8).
 *
 * @param algorithm - one of {@link DigestAlgorithm}: SHA-2, SHA-3, SHAKE, and `sha1` / `md5` for legacy checksums only.
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for an unknown algorithm (the message lists the valid ones),
 *   `ERR_JSEC_CONFLICTING_OPTIONS` for `outputLength` with a fixed-length hash.
 */
export function digest(algorithm: DigestAlgorithm, data: Data, options?: DigestOptions): Buffer {
  const alg = oneOf('algorithm', algorithm, DIGESTS);
  const o = validateOptions<DigestOptions>('digest', options, { outputLength: { type: 'number', integer: true, min: 1, max: 1 << 20 } });
  const buf = dataBuffer('data', data);
  if (o.outputLength !== undefined) {
    if (!alg.startsWith('shake')) {
      throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `outputLength applies only to shake128 / shake256, not ${alg}`);
    }
    return nodeCrypto.createHash(alg, { outputLength: o.outputLength }).update(buf).digest();
  }
  return nodeCrypto.createHash(alg).update(buf).digest();
}

/**
 * HMAC of `data` under `key` (RFC 2104).
 *
 * @param algorithm - a fixed-output hash ({@link HashAlgorithm}).
 * @param key - the MAC key, any length (longer than the block size is hashed first, as RFC 2104 says).
 * @throws ConfigError for an unknown algorithm or non-bytes key.
 */
export function hmac(algorithm: HashAlgorithm, key: Data, data: Data): Buffer {
  const alg = oneOf('algorithm', algorithm, HASHES);
  return nodeCrypto.createHmac(alg, dataBuffer('key', key)).update(dataBuffer('data', data)).digest();
}

/**
 * Cryptographically secure random bytes (OpenSSL's DRBG through Node).
 *
 * @param size - 1 to 2^31-1 bytes.
 * @throws ConfigError `ERR_OUT_OF_RANGE`
 */
export function randomBytes(size: number): Buffer {
  check('size', size, { type: 'number', integer: true, min: 1, max: 2 ** 31 - 1 });
  return nodeCrypto.randomBytes(size);
}

/**
 * A random challenge (nonce for challenge-response protocols).
 *
 * @param length - 8 to 64 bytes; default 32 (see `defaults.crypto.challengeLength`).
 * @throws ConfigError `ERR_OUT_OF_RANGE`
 */
export function generateChallenge(length: number = DEFAULTS.crypto.challengeLength.value): Buffer {
  check('length', length, { type: 'number', integer: true, min: 8, max: 64 });
  return nodeCrypto.randomBytes(length);
}

/**
 * Compares two byte strings in time that depends only on their length.
 * Unlike Node's, inputs of different lengths return `false` instead of throwing
 * (the length is not secret in any protocol where this matters).
 */
export function timingSafeEqual(a: ArrayBufferView | ArrayBuffer, b: ArrayBufferView | ArrayBuffer): boolean {
  const x = asBuffer('a', a);
  const y = asBuffer('b', b);
  if (x.length !== y.length) return false;
  return nodeCrypto.timingSafeEqual(x, y);
}


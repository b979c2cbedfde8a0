/**
 * Helpers shared by the crypto module: byte conversion with validation,
 * algorithm tables and error wrapping. Not exported from the package.
 *
 * @internal
 * @module
 */
import { createError, isJsecError, type ErrorCode, type JsecError } from '../errors/index.js';
import { check, isBytes, type Rule } from '../config/validate.js';

/** Binary input: a Buffer, any TypedArray or DataView, or an ArrayBuffer. */
export type Bytes = ArrayBufferView | ArrayBuffer;
/** Binary input or a string (encoded as UTF-8). */
export type Data = string | Bytes;

const BYTES_RULE = { type: 'bytes' } as const;

/** A zero-copy Buffer view of validated bytes. */
export function asBuffer(path: string, value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  check(path, value, BYTES_RULE);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  const v = value as ArrayBufferView;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Bytes, or a string taken as UTF-8. */
export function dataBuffer(path: string, value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (!isBytes(value)) {
    throw createError('ERR_INVALID_ARG_TYPE', `The "${path}" argument must be a string, Buffer, TypedArray, DataView or ArrayBuffer`, { option: path });
  }
  return asBuffer(path, value);
}

/** Validates a string against a literal union, naming the valid values in the error. */
export function oneOf<T extends string>(path: string, value: unknown, values: readonly T[]): T {
  check(path, value, { type: 'string', enum: values });
  return value as T;
}

/** Validates with a rule and returns the value typed. */
export function checked<T>(path: string, value: unknown, rule: Rule): T {
  check(path, value, rule);
  return value as T;
}

/** Creates a registry error (shorthand). */
export function fail(code: ErrorCode, message: string, props: Record<string, unknown> = {}): JsecError {
  return createError(code, message, props);
}

/** Re-throws jsec errors; wraps anything else in `code` with the original as `cause`. */
export function rethrow(err: unknown, code: ErrorCode, message: string, props: Record<string, unknown> = {}): never {
  if (isJsecError(err)) throw err;
  throw createError(code, message, { ...props, cause: err });
}

/** Digest algorithms: the SHA-2 and SHA-3 families, SHAKE (XOF), and SHA-1 and MD5 for legacy interoperability. */
export const DIGESTS = [
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'sha512-224',
  'sha512-256',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'shake128',
  'shake256',
  'md5',
] as const;
/** A name from {@link DIGESTS}. */
export type DigestAlgorithm = (typeof DIGESTS)[number];

/** Fixed-output hashes usable with HMAC, HKDF, PBKDF2, signatures and OAEP. */
export const HASHES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512-224', 'sha512-256', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512'] as const;
/** A name from {@link HASHES}. */
export type HashAlgorithm = (typeof HASHES)[number];

/** Output length in bytes of each fixed-output hash. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm | 'md5', number>> = Object.freeze({
  md5: 16,
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha512-224': 28,
  'sha512-256': 32,
  'sha3-224': 28,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
});

/** The prime curves jsec supports, by their JOSE/NIST names. */
export const CURVES = ['P-256', 'P-384', 'P-521', 'secp256k1'] as const;
/** A name from {@link CURVES}. */
export type Curve = (typeof CURVES)[number];

/** OpenSSL's short name of each curve. */
export const OPENSSL_CURVE: Readonly<Record<Curve, string>> = Object.freeze({
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
});

/** Node's `namedCurve` (as `asymmetricKeyDetails` reports it) to jsec's name. */
export function curveFromNode(name: string | undefined): Curve | undefined {
  switch (name) {
    case 'prime256v1':
    case 'P-256':
      return 'P-256';
    case 'secp384r1':
    case 'P-384':
      return 'P-384';
    case 'secp521r1':
    case 'P-521':
      return 'P-521';
    case 'secp256k1':
      return 'secp256k1';
    default:
      return undefined;
  }
}

/**
 * Key derivation: HKDF (RFC 5869), PBKDF2 (RFC 8018) and scrypt (RFC 7914)
 * on `node:crypto`, with their limits checked up front. The Promise forms run
 * on the libuv pool.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULTS } from '../config/defaults.js';
import { validateOptions } from '../config/validate.js';
import { dataBuffer, fail, HASH_LENGTH, HASHES, oneOf, type Data, type HashAlgorithm } from './internal.js';

const hkdfAsync = promisify(nodeCrypto.hkdf);
const pbkdf2Async = promisify(nodeCrypto.pbkdf2);
const scryptAsync = promisify(nodeCrypto.scrypt) as (p: Buffer, s: Buffer, len: number, o: nodeCrypto.ScryptOptions) => Promise<Buffer>;

/** Options of {@link hkdf}. */
export interface HkdfOptions {
  /** Salt (RFC 5869 §3.1); default empty, which HKDF treats as hashLen zero bytes. */
  salt?: Data;
  /** Context and application specific information; default empty. At most 1024 bytes. */
  info?: Data;
  /** Output length in bytes: 1 to 255 × hash length. Required. */
  length: number;
}

function hkdfArgs(hash: unknown, ikm: unknown, options: unknown) {
  const h = oneOf('hash', hash, HASHES);
  const o = validateOptions<HkdfOptions>('hkdf', options, {
    salt: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
    info: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
    length: { type: 'number', integer: true, min: 1 },
  });
  if (o.length === undefined) throw fail('ERR_MISSING_OPTION', 'hkdf needs options.length', { option: 'length' });
  const max = 255 * HASH_LENGTH[h];
  if (o.length > max) throw fail('ERR_OUT_OF_RANGE', `HKDF-${h} output is at most 255 × ${HASH_LENGTH[h]} = ${max} bytes; asked for ${o.length}`, { option: 'length', max });
  const info = o.info === undefined ? Buffer.alloc(0) : dataBuffer('info', o.info);
  if (info.length > 1024) throw fail('ERR_OUT_OF_RANGE', 'HKDF info is at most 1024 bytes', { option: 'info' });
  return { h, key: dataBuffer('ikm', ikm), salt: o.salt === undefined ? Buffer.alloc(0) : dataBuffer('salt', o.salt), info, length: o.length };
}

/**
 * HKDF extract-and-expand (RFC 5869).
 *
 * @throws ConfigError `ERR_OUT_OF_RANGE` (length > 255 × hash length), `ERR_MISSING_OPTION`
 */
export async function hkdf(hash: HashAlgorithm, ikm: Data, options: HkdfOptions): Promise<Buffer> {
  const a = hkdfArgs(hash, ikm, options);
  return Buffer.from(await hkdfAsync(a.h, a.key, a.salt, a.info, a.length));
}

/** The synchronous variant of {@link hkdf}. */
export function hkdfSync(hash: HashAlgorithm, ikm: Data, options: HkdfOptions): Buffer {
  const a = hkdfArgs(hash, ikm, options);
  return Buffer.from(nodeCrypto.hkdfSync(a.h, a.key, a.salt, a.info, a.length));
}

/** Options of {@link pbkdf2}. */
export interface Pbkdf2Options {
  /** Iteration count, at least 1; default 600 000 (OWASP guidance for HMAC-SHA-256). */
  iterations?: number;
  /** Output length in bytes (1 to 1024). Required. */
  length: number;
}

function pbkdf2Args(hash: unknown, password: unknown, salt: unknown, options: unknown) {
  const h = oneOf('hash', hash, HASHES);
  const o = validateOptions<Pbkdf2Options>('pbkdf2', options, {
    iterations: { type: 'number', integer: true, min: 1, max: 2 ** 31 - 1 },
    length: { type: 'number', integer: true, min: 1, max: 1024 },
  });
  if (o.length === undefined) throw fail('ERR_MISSING_OPTION', 'pbkdf2 needs options.length', { option: 'length' });
  return { h, pw: dataBuffer('password', password), salt: dataBuffer('salt', salt), iterations: o.iterations ?? DEFAULTS.crypto.pbkdf2Iterations.value, length: o.length };
}

/**
 * PBKDF2 with HMAC (RFC 8018 §5.2), off the main thread.
 *
 * @throws ConfigError `ERR_OUT_OF_RANGE` (iterations < 1, length outside 1..1024), `ERR_MISSING_OPTION`
 */
export async function pbkdf2(hash: HashAlgorithm, password: Data, salt: Data, options: Pbkdf2Options): Promise<Buffer> {
  const a = pbkdf2Args(hash, password, salt, options);
  return pbkdf2Async(a.pw, a.salt, a.iterations, a.length, a.h);
}

/** The synchronous variant of {@link pbkdf2}. */
export function pbkdf2Sync(hash: HashAlgorithm, password: Data, salt: Data, options: Pbkdf2Options): Buffer {
  const a = pbkdf2Args(hash, password, salt, options);
  return nodeCrypto.pbkdf2Sync(a.pw, a.salt, a.iterations, a.length, a.h);
}

/** Options of {@link scrypt}. */
export interface ScryptOptions {
  /** CPU/memory cost N, a power of two > 1; default 32768. */
  cost?: number;
  /** Block size r; default 8. */
  blockSize?: number;
  /** Parallelization p; default 1. */
  parallelization?: number;
  /** Output length in bytes (1 to 1024). Required. */
  length: number;
  /**
   * Memory ceiling in bytes. Default: what N, r and p need (about 128 × N × r) plus 1 MiB, at least
   * 32 MiB; parameters that need more than `defaults.crypto.scryptMaxMemory` (1 GiB) are refused
   * (`ERR_OUT_OF_RANGE`) unless `maxmem` is given and covers them.
   */
  maxmem?: number;
}

function scryptArgs(password: unknown, salt: unknown, options: unknown) {
  const o = validateOptions<ScryptOptions>('scrypt', options, {
    cost: { type: 'number', integer: true, min: 2, max: 2 ** 30 },
    blockSize: { type: 'number', integer: true, min: 1, max: 1024 },
    parallelization: { type: 'number', integer: true, min: 1, max: 1024 },
    length: { type: 'number', integer: true, min: 1, max: 1024 },
    maxmem: { type: 'number', integer: true, min: 1 },
  });
  if (o.length === undefined) throw fail('ERR_MISSING_OPTION', 'scrypt needs options.length', { option: 'length' });
  const N = o.cost ?? DEFAULTS.crypto.scryptCost.value;
  if ((N & (N - 1)) !== 0) throw fail('ERR_OUT_OF_RANGE', `scrypt cost must be a power of two; got ${N}`, { option: 'cost' });
  const r = o.blockSize ?? 8;
  const p = o.parallelization ?? 1;
  // OpenSSL allocates 128·r·(N + 2) bytes for V and 128·r·p for B.
  const need = 128 * r * (N + 2) + 128 * r * p;
  const ceiling = DEFAULTS.crypto.scryptMaxMemory.value;
  if (o.maxmem === undefined && need > ceiling) {
    throw fail('ERR_OUT_OF_RANGE', `scrypt with N = ${N}, r = ${r}, p = ${p} needs ${need} bytes, over the ${ceiling}-byte ceiling; pass maxmem to allow it`, { option: 'cost', max: ceiling, actual: need });
  }
  const maxmem = o.maxmem ?? Math.max(32 * 1024 * 1024, need + (1 << 20));
  return { pw: dataBuffer('password', password), salt: dataBuffer('salt', salt), length: o.length, opts: { N, r, p, maxmem } };
}

function scryptError(err: unknown): never {
  throw fail('ERR_OUT_OF_RANGE', 'scrypt parameters rejected (memory limit or p × r too large)', { cause: err });
}

/**
 * scrypt (RFC 7914) off the main thread.
 *
 * @throws ConfigError `ERR_OUT_OF_RANGE` (cost not a power of two, parameters over `maxmem` or, without
 *   it, over `defaults.crypto.scryptMaxMemory`), `ERR_MISSING_OPTION`
 */
export async function scrypt(password: Data, salt: Data, options: ScryptOptions): Promise<Buffer> {
  const a = scryptArgs(password, salt, options);
  try {
    return await scryptAsync(a.pw, a.salt, a.length, a.opts);
  } catch (err) {
    scryptError(err);
  }
}

/** The synchronous variant of {@link scrypt}. */
export function scryptSync(password: Data, salt: Data, options: ScryptOptions): Buffer {
  const a = scryptArgs(password, salt, options);
  try {
    return nodeCrypto.scryptSync(a.pw, a.salt, a.length, a.opts);
  } catch (err) {
    scryptError(err);
  }
}

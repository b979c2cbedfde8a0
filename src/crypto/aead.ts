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
import { Buffer } from 'node:buffer';
import * as nodeCrypto from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { native } from '../native/loader.js';
import type { NativeAeadKey } from '../native/binding.js';
import { validateOptions } from '../config/validate.js';
import { asBuffer as toBuffer, dataBuffer, fail, oneOf, type Bytes, type Data } from './internal.js';

/** {@link toBuffer} with the Buffer case first, read through the module binding rather than the global. */
function asBuffer(path: string, value: unknown): Buffer {
  return value instanceof Buffer ? value : toBuffer(path, value);
}

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
/** A name from {@link AEAD_ALGORITHMS}. */
export type AeadAlgorithm = (typeof AEAD_ALGORITHMS)[number];

/** What {@link cipherInfo} reports. */
export interface CipherInfo {
  /** The algorithm described. */
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

/** The per-message checks of one algorithm as lookups (they run on every call). */
interface Rules {
  readonly ccm: boolean;
  /** `nonce[n]` is true when n bytes is a valid nonce length. */
  readonly nonce: readonly boolean[];
  /** `tag[n]` is true when n bytes is a valid tag length. */
  readonly tag: readonly boolean[];
}

function flags(lengths: readonly number[]): readonly boolean[] {
  const out: boolean[] = Array.from({ length: 17 }, () => false);
  for (const n of lengths) out[n] = true;
  return Object.freeze(out);
}

const RULES = new Map<CipherInfo, Rules>(
  [...INFO.values()].map((ci) => [ci, Object.freeze({ ccm: ci.name.endsWith('ccm'), nonce: flags(ci.nonceLengths), tag: flags(ci.tagLengths) })]),
);
const TAG_LENGTH = DEFAULTS.crypto.tagLength.value;
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
  /** Additional authenticated data: authenticated, not encrypted. Default: none (empty AAD). */
  aad?: Data;
  /** Tag length in bytes; default 16. GCM 12-16, CCM 4/6/.../16, ChaCha20-Poly1305 16. */
  tagLength?: number;
}

// The per-message option check is on the hot path: accept a plain object
// whose keys are all known without copying it, and let validateOptions
// produce the typed error otherwise. `aad` is checked by dataBuffer (a
// oneOf rule would build and discard an error per call).
const SEAL_SCHEMA = { aad: { type: 'any' }, tagLength: { type: 'number', integer: true } } as const;
const OPEN_SCHEMA = { aad: { type: 'any' } } as const;
const NO_OPTIONS: EncryptOptions = Object.freeze({});

function sealOptions(where: string, options: unknown): EncryptOptions {
  if (options === undefined) return NO_OPTIONS;
  if (options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype) {
    let known = true;
    for (const key in options) if (key !== 'aad' && key !== 'tagLength') known = false;
    const t = (options as EncryptOptions).tagLength;
    if (known && (t === undefined || Number.isInteger(t))) return options as EncryptOptions;
  }
  return validateOptions<EncryptOptions>(where, options, SEAL_SCHEMA);
}

function openOptions(where: string, options: unknown): { aad?: Data } {
  if (options === undefined) return NO_OPTIONS;
  if (options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype) {
    let known = true;
    for (const key in options) if (key !== 'aad') known = false;
    if (known) return options as { aad?: Data };
  }
  return validateOptions<{ aad?: Data }>(where, options, OPEN_SCHEMA);
}

/** Output of {@link encrypt}. */
export interface Sealed {
  /** The encrypted data, as long as the plaintext. */
  readonly ciphertext: Buffer;
  /** The authentication tag (`tagLength` bytes); decryption needs it. */
  readonly tag: Buffer;
}

/**
 * The ciphertext and tag as views of one output. The output comes from
 * `Buffer.allocUnsafe`, so below 4 KiB it is a slice of Node's shared pool,
 * which costs a fraction of a fresh allocation; it is fully overwritten.
 */
function sealedIn(out: Buffer, length: number): Sealed {
  return Object.freeze({ ciphertext: out.subarray(0, length), tag: out.subarray(length) });
}

function checkSizes(ci: CipherInfo, key: Buffer, nonce: Buffer, tagLength: number): void {
  if (key.length !== ci.keyLength) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH', `${ci.name} keys are ${ci.keyLength} bytes, not ${key.length}`, { expected: ci.keyLength, actual: key.length });
  }
  checkNonceTag(ci, nonce, tagLength);
}

function checkCcmLength(ci: CipherInfo, nonce: Buffer, length: number, rules: Rules = RULES.get(ci)!): void {
  if (rules.ccm) {
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
  const o = sealOptions('encrypt', options);
  const k = asBuffer('key', key);
  const iv = asBuffer('nonce', nonce);
  const tagLength = o.tagLength ?? TAG_LENGTH;
  checkSizes(ci, k, iv, tagLength);
  const pt = dataBuffer('plaintext', plaintext);
  checkCcmLength(ci, iv, pt.length);
  const out = Buffer.allocUnsafe(pt.length + tagLength);
  native().aeadSeal(ALG_INDEX[ci.name], k, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), pt, tagLength, out);
  return sealedIn(out, pt.length);
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
  const o = openOptions('decrypt', options);
  const k = asBuffer('key', key);
  const iv = asBuffer('nonce', nonce);
  const t = asBuffer('tag', tag);
  checkSizes(ci, k, iv, t.length);
  const ct = asBuffer('ciphertext', ciphertext);
  checkCcmLength(ci, iv, ct.length);
  if (RULES.get(ci)!.ccm && ct.length === 0) {
    // OpenSSL's CCM checks the tag inside the data update, which an empty
    // message never reaches: recompute the tag instead (the plaintext is empty).
    const expect = encrypt(algorithm, k, iv, Buffer.alloc(0), { tagLength: t.length, ...(o.aad === undefined ? {} : { aad: o.aad }) }).tag;
    if (!nodeCrypto.timingSafeEqual(expect, t)) throw fail('ERR_JSEC_CRYPTO_AUTH_FAILED', `${algorithm}: authentication failed`);
    return Buffer.alloc(0);
  }
  return native().aeadOpen(ALG_INDEX[ci.name], k, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), ct, t);
}

/** The states of an {@link AeadKey}. */
export type AeadKeyState = 'open' | 'closed';

const kHandle = Symbol('jsec.aeadKey.handle');

/**
 * A key bound to one AEAD algorithm, for many messages: the key schedule
 * (and GCM's hash table) is computed once, so each message costs only its
 * nonce setup, as in a TLS record layer. Same checks and guarantees as
 * {@link encrypt} / {@link decrypt}. Make one with {@link createAeadKey};
 * `close()` (or `using`) frees the OpenSSL contexts, after which every call
 * throws `ERR_JSEC_CLOSED`.
 *
 * @remarks The nonce is still the caller's: never reuse one under a key.
 */
export class AeadKey {
  readonly #info: CipherInfo;
  #handle: NativeAeadKey | undefined;
  readonly #rules: Rules;
  readonly #native = native();

  /** @internal use {@link createAeadKey} */
  constructor(token: symbol, info: CipherInfo, handle: NativeAeadKey) {
    if (token !== kHandle) throw fail('ERR_INVALID_ARG_VALUE', 'use createAeadKey()');
    this.#info = info;
    this.#rules = RULES.get(info)!;
    this.#handle = handle;
  }

  /** The algorithm. */
  get algorithm(): AeadAlgorithm {
    return this.#info.name;
  }

  /** `open` until {@link close}. */
  get state(): AeadKeyState {
    return this.#handle ? 'open' : 'closed';
  }

  #live(): NativeAeadKey {
    if (!this.#handle) throw fail('ERR_JSEC_CLOSED', 'The AEAD key was closed', { state: 'closed' });
    return this.#handle;
  }

  /** Encrypts like {@link encrypt}. @throws as {@link encrypt}, and StateError `ERR_JSEC_CLOSED` */
  encrypt(nonce: Bytes, plaintext: Data, options?: EncryptOptions): Sealed {
    const h = this.#live();
    const o = sealOptions('AeadKey.encrypt', options);
    const iv = asBuffer('nonce', nonce);
    const tagLength = o.tagLength ?? TAG_LENGTH;
    checkNonceTag(this.#info, iv, tagLength, this.#rules);
    const pt = dataBuffer('plaintext', plaintext);
    checkCcmLength(this.#info, iv, pt.length, this.#rules);
    const out = Buffer.allocUnsafe(pt.length + tagLength);
    this.#native.aeadKeySeal(h, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), pt, tagLength, out);
    return sealedIn(out, pt.length);
  }

  /** Authenticates and decrypts like {@link decrypt}. @throws as {@link decrypt}, and StateError `ERR_JSEC_CLOSED` */
  decrypt(nonce: Bytes, ciphertext: Bytes, tag: Bytes, options?: { aad?: Data }): Buffer {
    const h = this.#live();
    const o = openOptions('AeadKey.decrypt', options);
    const iv = asBuffer('nonce', nonce);
    const t = asBuffer('tag', tag);
    checkNonceTag(this.#info, iv, t.length, this.#rules);
    const ct = asBuffer('ciphertext', ciphertext);
    checkCcmLength(this.#info, iv, ct.length, this.#rules);
    const aad = o.aad === undefined ? null : dataBuffer('aad', o.aad);
    if (this.#rules.ccm && ct.length === 0) {
      const expect = this.#native.aeadKeySeal(h, iv, aad, Buffer.alloc(0), t.length);
      if (!nodeCrypto.timingSafeEqual(expect, t)) throw fail('ERR_JSEC_CRYPTO_AUTH_FAILED', `${this.#info.name}: authentication failed`);
      return Buffer.alloc(0);
    }
    return this.#native.aeadKeyOpen(h, iv, aad, ct, t);
  }

  /**
   * Like {@link AeadKey.encrypt}, but writes `ciphertext || tag` into
   * `output` (at least plaintext + tag bytes) instead of allocating: the
   * zero-allocation path for high message rates. `output` may be the
   * plaintext's own bytes (in place) but must not otherwise overlap it.
   *
   * @returns the number of bytes written: the ciphertext (`plaintext.length`
   *   bytes at the start of `output`) and the tag right after it. A count, not
   *   views, so the call allocates nothing.
   * @throws ConfigError `ERR_OUT_OF_RANGE` (output too small), `ERR_INVALID_ARG_VALUE` (partial overlap), and as {@link AeadKey.encrypt}
   */
  encryptInto(nonce: Bytes, plaintext: Bytes, output: Bytes, options?: EncryptOptions): number {
    const h = this.#live();
    const o = sealOptions('AeadKey.encryptInto', options);
    const iv = asBuffer('nonce', nonce);
    const tagLength = o.tagLength ?? TAG_LENGTH;
    checkNonceTag(this.#info, iv, tagLength, this.#rules);
    const pt = asBuffer('plaintext', plaintext);
    checkCcmLength(this.#info, iv, pt.length, this.#rules);
    const out = outputFor('output', output, pt, pt.length + tagLength);
    this.#native.aeadKeySeal(h, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), pt, tagLength, out);
    return pt.length + tagLength;
  }

  /**
   * Like {@link AeadKey.decrypt}, but writes the plaintext into `output` (at
   * least ciphertext bytes). On an authentication failure the written bytes
   * are wiped before `ERR_JSEC_CRYPTO_AUTH_FAILED` is thrown.
   *
   * @returns the number of plaintext bytes written at the start of `output` (`ciphertext.length`).
   */
  decryptInto(nonce: Bytes, ciphertext: Bytes, tag: Bytes, output: Bytes, options?: { aad?: Data }): number {
    const h = this.#live();
    const o = openOptions('AeadKey.decryptInto', options);
    const iv = asBuffer('nonce', nonce);
    const t = asBuffer('tag', tag);
    checkNonceTag(this.#info, iv, t.length, this.#rules);
    const ct = asBuffer('ciphertext', ciphertext);
    checkCcmLength(this.#info, iv, ct.length, this.#rules);
    const out = outputFor('output', output, ct, ct.length);
    if (ct.length === 0) {
      this.decrypt(iv, ct, t, o);
      return 0;
    }
    this.#native.aeadKeyOpen(h, iv, o.aad === undefined ? null : dataBuffer('aad', o.aad), ct, t, out);
    return ct.length;
  }

  /** Frees the OpenSSL contexts (they are cleansed). Idempotent. */
  close(): void {
    if (this.#handle !== undefined) this.#native.aeadKeyClose(this.#handle);
    this.#handle = undefined;
  }

  /** Same as {@link AeadKey.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A caller-owned output: big enough, and either the input's own bytes or disjoint from them. */
function outputFor(path: string, output: unknown, input: Buffer, size: number): Buffer {
  const out = asBuffer(path, output);
  if (out.length < size) throw fail('ERR_OUT_OF_RANGE', `The "${path}" buffer needs at least ${size} bytes; it has ${out.length}`, { option: path, min: size });
  if (out.buffer === input.buffer && input.length > 0) {
    const a = out.byteOffset;
    const b = input.byteOffset;
    if (a !== b && a < b + input.length && b < a + size) {
      throw fail('ERR_INVALID_ARG_VALUE', `The "${path}" buffer partially overlaps the input; use the same bytes (in place) or separate ones`, { option: path });
    }
  }
  return out;
}

function checkNonceTag(ci: CipherInfo, nonce: Buffer, tagLength: number, rules: Rules = RULES.get(ci)!): void {
  if (rules.nonce[nonce.length] !== true) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH', `${ci.name} nonces are ${ci.nonceLengths.join(', ')} bytes, not ${nonce.length}`, { expected: ci.nonceLengths, actual: nonce.length });
  }
  if (rules.tag[tagLength] !== true) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH', `${ci.name} tags are ${ci.tagLengths.join(', ')} bytes, not ${tagLength}`, { expected: ci.tagLengths, actual: tagLength });
  }
}

/**
 * Binds a key to an AEAD algorithm for many messages (see {@link AeadKey}).
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH`, `ERR_INVALID_ARG_VALUE` (unknown algorithm)
 */
export function createAeadKey(algorithm: AeadAlgorithm, key: Bytes): AeadKey {
  const ci = cipherInfo(algorithm);
  const k = asBuffer('key', key);
  if (k.length !== ci.keyLength) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH', `${ci.name} keys are ${ci.keyLength} bytes, not ${k.length}`, { expected: ci.keyLength, actual: k.length });
  }
  return new AeadKey(kHandle, ci, native().aeadKeyNew(ALG_INDEX[ci.name], k));
}

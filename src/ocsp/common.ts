/**
 * Shared pieces of jsec/ocsp: input normalisation (certificates, bytes,
 * serials, clocks), revocation reasons and status names.
 *
 * @internal
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import { createError } from '../errors/index.js';
import { isBytes } from '../config/validate.js';
import { defaults } from '../config/defaults.js';
import { native } from '../native/loader.js';
import { derBlocks } from '../cert/pem.js';
import { Certificate, type CertificateInput } from '../cert/certificate.js';
import { REVOCATION_REASONS, type RevocationReason } from '../cert/crl.js';

export type { CertificateInput };

export type { RevocationReason };

const REASON_BY_CODE = new Map<number, RevocationReason>(Object.entries(REVOCATION_REASONS).map(([k, v]) => [v, k as RevocationReason]));

/** Every revocation reason name, in code order. */
export const REASON_NAMES: readonly RevocationReason[] = Object.freeze(Object.keys(REVOCATION_REASONS) as RevocationReason[]);

/** The CRLReason code of a reason name. */
export function reasonCode(reason: RevocationReason): number {
  return REVOCATION_REASONS[reason];
}

/** The reason name of a CRLReason code (null for none or an unknown code). */
export function reasonName(code: number | null | undefined): RevocationReason | null {
  if (code === null || code === undefined || code < 0) return null;
  return REASON_BY_CODE.get(code) ?? null;
}

/** OCSPResponseStatus names, indexed by value (4 is unused). */
export const RESPONSE_STATUS_NAMES = ['successful', 'malformedRequest', 'internalError', 'tryLater', undefined, 'sigRequired', 'unauthorized'] as const;

/** An OCSPResponseStatus name. */
export type OcspResponseStatus = Exclude<(typeof RESPONSE_STATUS_NAMES)[number], undefined>;

/** The status of one certificate in a response. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export const CERT_STATUS_NAMES: readonly OcspCertStatus[] = ['good', 'revoked', 'unknown'];

/** A Buffer view of bytes (no copy). */
export function toBuffer(v: ArrayBufferView | ArrayBuffer): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * The DER of a certificate input.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`; CertificateError `ERR_JSEC_PEM_PARSE` for PEM without a certificate.
 */
export function certDer(value: unknown, option: string): Buffer {
  if (Certificate.isCertificate(value)) return value.derView;
  if (value instanceof X509Certificate) return value.raw;
  if (typeof value === 'string' || isBytes(value)) {
    const [first] = derBlocks(value, ['CERTIFICATE', 'TRUSTED CERTIFICATE'], 'certificate', option);
    return first!;
  }
  throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be a Certificate, an X509Certificate, PEM text or DER bytes`, { option });
}

/**
 * Bytes of a DER message argument (Buffer, TypedArray, DataView, ArrayBuffer), size-checked.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`; JsecError `ERR_JSEC_OCSP_TOO_LARGE`.
 */
export function messageBytes(value: unknown, what: string, maxSize: number = defaults.ocsp.maxParseSize): Buffer {
  if (!isBytes(value)) {
    throw createError('ERR_INVALID_ARG_TYPE', `The ${what} must be a Buffer, TypedArray, DataView or ArrayBuffer of DER`, { option: what });
  }
  const b = toBuffer(value);
  if (b.length > maxSize) throw createError('ERR_JSEC_OCSP_TOO_LARGE', `The ${what} is ${b.length} bytes, above the ${maxSize}-byte limit`, { maxSize, size: b.length });
  return b;
}

/**
 * A serial number in jsec's public form, as Node's `X509Certificate.serialNumber`
 * spells it: upper-case hex of the minimal big-endian bytes (even length, "00" for zero).
 * Accepts hex with `:` separators, any case, an optional `0x` prefix and leading zeros,
 * or a non-negative bigint.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`.
 */
export function normalizeSerial(value: unknown, option = 'serialNumber'): string {
  let hex: string;
  if (typeof value === 'bigint') {
    if (value < 0n) throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option must not be negative`, { option });
    hex = value.toString(16);
  } else if (typeof value === 'string') {
    hex = value.trim().replace(/^0x/i, '').replace(/[:\s]/g, '');
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > 84) {
      throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option must be a hexadecimal serial number (at most 42 bytes)`, { option });
    }
  } else {
    throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be a hex string or a bigint`, { option });
  }
  hex = hex.replace(/^0+/, '').toUpperCase();
  return hex.length % 2 ? `0${hex}` : hex === '' ? '00' : hex;
}

/**
 * The public form of a serial the native layer parsed from a message: as
 * {@link normalizeSerial}, but any length, and a (non-conforming) negative
 * serial keeps its sign. @internal
 * @throws CertificateError `ERR_JSEC_OCSP_PARSE` when the serial could not be read.
 */
export function serialFromNative(hex: string): string {
  const neg = hex.startsWith('-');
  let h = (neg ? hex.slice(1) : hex).replace(/^0+/, '').toUpperCase();
  if (!/^[0-9A-F]*$/.test(h) || hex === '') throw createError('ERR_JSEC_OCSP_PARSE', 'unreadable serial number');
  if (h.length % 2) h = `0${h}`;
  if (h === '') h = '00';
  return neg ? `-${h}` : h;
}

/** The lower-case hex the native OCSP layer takes. @internal */
export function nativeSerial(serial: string): string {
  return serial.toLowerCase();
}

/** The last millisecond a GeneralizedTime can hold (9999-12-31T23:59:59.999Z). */
const MAX_TIME = 253_402_300_799_999;

/** A clock: returns the current time. */
export type Clock = () => Date | number;

/** Milliseconds since the epoch from a clock, a Date or a number. */
export function timeOf(now: Clock | Date | number | undefined): number {
  const v = typeof now === 'function' ? now() : now ?? Date.now();
  const ms = v instanceof Date ? v.getTime() : v;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIME) {
    throw createError('ERR_INVALID_ARG_VALUE', 'The clock ("now") returned an invalid time', { option: 'now' });
  }
  return ms;
}

/** A Date or ms number option to ms, within what a GeneralizedTime can hold (1970 to 9999). */
export function msOf(value: Date | number, option: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option must be a valid Date or a number of milliseconds`, { option });
  if (ms < 0 || ms > MAX_TIME) throw createError('ERR_OUT_OF_RANGE', `The "${option}" option must lie between 1970 and 9999`, { option });
  return ms;
}

/** Seconds (as OpenSSL takes them) from milliseconds. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** A Date from seconds, or null. */
export function dateOf(sec: number | null | undefined): Date | null {
  return sec === null || sec === undefined || !Number.isFinite(sec) ? null : new Date(sec * 1000);
}

/** The OpenSSL digest name for a CertID hash option. */
export function digestName(hash: string): string {
  return hash.toLowerCase().replace('-', '');
}

/**
 * The serial of a certificate input. A parsed `Certificate` or `X509Certificate`
 * already knows it; DER/PEM goes through the addon's certificate parser.
 */
export function certSerial(value: unknown, option: string): string {
  if (Certificate.isCertificate(value)) return normalizeSerial(value.serialNumber, option);
  if (value instanceof X509Certificate) return normalizeSerial(value.serialNumber, option);
  return normalizeSerial(native().x509Parse(certDer(value, option)).serialNumber, option);
}

const issuerHashCache = new Map<string, { name: Buffer; key: Buffer } | null>();

/**
 * The CertID issuer hashes of an issuer certificate under a hash algorithm
 * (`null` when the algorithm is unknown). Cached by certificate digest:
 * decoding a certificate is the expensive part of OpenSSL 3.0 here.
 *
 * @internal
 */
export function issuerHashes(issuerDer: Buffer, hashAlgorithm: string): { name: Buffer; key: Buffer } | null {
  const k = `${hashAlgorithm}:${createHash('sha256').update(issuerDer).digest('base64')}`;
  let v = issuerHashCache.get(k);
  if (v === undefined) {
    try {
      const n = native().ocspCertId(issuerDer, '1', digestName(hashAlgorithm));
      v = { name: n.issuerNameHash, key: n.issuerKeyHash };
    } catch {
      v = null;
    }
    if (issuerHashCache.size >= 256) issuerHashCache.delete(issuerHashCache.keys().next().value!);
    issuerHashCache.set(k, v);
  }
  return v;
}

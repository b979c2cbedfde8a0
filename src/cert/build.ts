/**
 * The one general certificate builder over the native `x509Build`, shared by
 * `jsec/cert` (self-signed and issued certificates) and `jsec/ca`. It takes
 * already-normalised data; public functions validate their options first.
 *
 * @internal
 * @module
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { native } from '../native/loader.js';
import type { NativeCertSpec, NativeExtensionSpec, NativeGeneralNameInput } from '../native/binding.js';
import { Certificate } from './certificate.js';
import { digestFor, nativePrivateKey, spkiDer, type DeferredKey } from './keys.js';
import { ekuOids, keyUsageBits, type DistinguishedName } from './names.js';

/** id-kp-timeStamping (RFC 3161): alone in a critical EKU. */
const TIME_STAMPING_OID = '1.3.6.1.5.5.7.3.8';

/** Signature digests jsec signs with. SHA-1 is never offered. */
export const DIGESTS = ['sha256', 'sha384', 'sha512'] as const;
/** A signature digest. */
export type Digest = (typeof DIGESTS)[number];

/** A source of random bytes (for serials); injectable for tests. */
export type RandomSource = (size: number) => Buffer;

/**
 * A random positive serial of `bytes` bytes: top bit cleared (so the DER
 * INTEGER stays positive without a pad byte), never zero. With 16 bytes
 * that is 127 bits of entropy (CA/Browser Forum asks for at least 64).
 */
export function randomSerial(random: RandomSource = randomBytes, bytes: number = defaults.cert.serialBytes): Buffer {
  for (let i = 0; i < 8; i++) {
    const b = Buffer.from(random(bytes));
    if (b.length !== bytes) throw createError('ERR_INVALID_ARG_VALUE', `The random source returned ${b.length} bytes, expected ${bytes}`, { option: 'random' });
    b[0]! &= 0x7f;
    if (b.some((x) => x !== 0)) return b;
  }
  throw createError('ERR_INVALID_ARG_VALUE', 'The random source keeps returning zero serials', { option: 'random' });
}

/** A serial from hex text (`'0A1B'`, `'0a:1b'`), a bigint, or bytes; must be positive. */
export function serialBytes(serial: string | bigint | Uint8Array, option = 'serialNumber'): Buffer {
  let b: Buffer;
  if (typeof serial === 'bigint') {
    if (serial <= 0n) throw createError('ERR_OUT_OF_RANGE', `The "${option}" option must be positive`, { option });
    let hex = serial.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    b = Buffer.from(hex, 'hex');
  } else if (typeof serial === 'string') {
    const hex = serial.replace(/[:\s]/g, '');
    if (!/^[0-9a-fA-F]+$/.test(hex)) throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option must be hexadecimal`, { option });
    b = Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex');
  } else {
    b = Buffer.from(serial);
  }
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0 || b.every((x) => x === 0)) throw createError('ERR_OUT_OF_RANGE', `The "${option}" option must be positive`, { option });
  // RFC 5280 4.1.2.2: at most 20 octets (as a positive DER INTEGER).
  if (b.length > 20 || (b.length === 20 && b[0]! & 0x80)) throw createError('ERR_OUT_OF_RANGE', `The "${option}" option must fit in 20 octets`, { option });
  return b;
}

/**
 * What {@link buildCertificate} writes. Everything is explicit: no defaults
 * are applied here except `digest` (SHA-256) and key identifiers.
 */
export interface CertificateSpec {
  /** Subject name: ordered [type, value] pairs, a parsed name (its DER is copied) or name DER. */
  subject: ReadonlyArray<readonly [string, string]> | DistinguishedName | Buffer;
  /** The subject's public key (a private key gives its public half). Default: `signingKey`'s (self-signed). */
  publicKey?: KeyObject;
  /** The key that signs: the issuer's private key, or the subject's own for self-signed. */
  signingKey: KeyObject | DeferredKey;
  /** The issuer's certificate; omit for self-signed. Its subject becomes the issuer name, its SKI the AKI; `signingKey` must match it. */
  issuer?: Certificate;
  /** Serial (positive, big-endian bytes, at most 20 octets). */
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** Signature digest for RSA/ECDSA (default SHA-256); ignored for Ed25519/Ed448. */
  digest?: Digest;
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  /** Key usage names; critical unless `keyUsageCritical: false`. */
  keyUsage?: readonly string[];
  keyUsageCritical?: boolean;
  /** EKU names (`serverAuth`, ...) or dotted OIDs. */
  extendedKeyUsage?: readonly string[];
  /**
   * Whether the EKU extension is critical. Default: true when the only usage is `timeStamping`
   * (RFC 3161 2.3 requires a critical EKU there, and OpenSSL's time-stamping purpose checks it), else false.
   */
  extendedKeyUsageCritical?: boolean;
  /** SANs in native form (see `normalizeSan`). Critical when the subject is empty (RFC 5280 4.2.1.6). */
  subjectAltName?: NativeGeneralNameInput[];
  /** Subject key identifier (default true: computed from the key). */
  subjectKeyIdentifier?: boolean;
  /** Authority key identifier (default: true when `issuer` is given). */
  authorityKeyIdentifier?: boolean;
  ocspUrls?: readonly string[];
  caIssuerUrls?: readonly string[];
  crlDistributionPoints?: readonly string[];
  policies?: readonly string[];
  /** TLS feature status_request (OCSP must-staple). */
  mustStaple?: boolean;
  /** Extensions copied verbatim (for example from a CSR). Must not repeat an extension written above. */
  extraExtensions?: readonly { oid: string; critical: boolean; value: Buffer }[];
}

function nameInput(subject: CertificateSpec['subject']): NativeCertSpec['subject'] {
  if (Buffer.isBuffer(subject)) return subject;
  if (Array.isArray(subject)) return subject as ReadonlyArray<readonly [string, string]>;
  return (subject as DistinguishedName).der;
}

function isEmptyName(subject: NativeCertSpec['subject']): boolean {
  // An empty Name is the DER SEQUENCE 30 00.
  return Buffer.isBuffer(subject) ? subject.length === 2 : subject.length === 0;
}

/** @internal The native spec for a certificate spec. */
export function nativeSpec(spec: CertificateSpec): NativeCertSpec {
  const subject = nameInput(spec.subject);
  const ext: NativeExtensionSpec = {};
  if (spec.basicConstraints) {
    ext.basicConstraints = { critical: spec.basicConstraints.critical ?? true, ca: spec.basicConstraints.ca };
    if (spec.basicConstraints.pathLength !== undefined) ext.basicConstraints.pathLength = spec.basicConstraints.pathLength;
  }
  if (spec.keyUsage && spec.keyUsage.length > 0) ext.keyUsage = { critical: spec.keyUsageCritical ?? true, bits: keyUsageBits(spec.keyUsage) };
  if (spec.extendedKeyUsage && spec.extendedKeyUsage.length > 0) {
    const oids = ekuOids(spec.extendedKeyUsage);
    ext.extendedKeyUsage = { critical: spec.extendedKeyUsageCritical ?? (oids.length === 1 && oids[0] === TIME_STAMPING_OID), oids };
  }
  if (spec.subjectAltName && spec.subjectAltName.length > 0) ext.subjectAltName = { critical: isEmptyName(subject), names: spec.subjectAltName };
  if (spec.subjectKeyIdentifier ?? true) ext.subjectKeyIdentifier = true;
  if (spec.authorityKeyIdentifier ?? spec.issuer !== undefined) ext.authorityKeyIdentifier = true;
  if (spec.ocspUrls?.length || spec.caIssuerUrls?.length) ext.authorityInfoAccess = { ocsp: [...(spec.ocspUrls ?? [])], caIssuers: [...(spec.caIssuerUrls ?? [])] };
  if (spec.crlDistributionPoints?.length) ext.crlDistributionPoints = [...spec.crlDistributionPoints];
  if (spec.policies?.length) ext.certificatePolicies = [...spec.policies];
  if (spec.mustStaple) ext.tlsFeature = [5];
  if (spec.extraExtensions?.length) ext.extra = spec.extraExtensions.map((e) => ({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value) }));
  const out: NativeCertSpec = {
    serial: spec.serial,
    subject,
    notBefore: Math.floor(spec.notBefore.getTime() / 1000),
    notAfter: Math.floor(spec.notAfter.getTime() / 1000),
    signingKey: nativePrivateKey(spec.signingKey),
    digest: digestFor(spec.signingKey, spec.digest ?? defaults.cert.digest),
    extensions: ext,
  };
  if (spec.publicKey) out.publicKey = spkiDer(spec.publicKey);
  if (spec.issuer) out.issuerCert = spec.issuer.derView;
  if (!(out.notAfter > out.notBefore)) throw createError('ERR_INVALID_ARG_VALUE', 'notAfter must be later than notBefore', { option: 'notAfter' });
  return out;
}

/**
 * Builds and signs a certificate on the calling thread (one signature: fast
 * for ECDSA/EdDSA, a few milliseconds for RSA-4096).
 *
 * @throws CertificateError `ERR_JSEC_CERT_BUILD`, `ERR_JSEC_CERT_KEY_INVALID`, `ERR_JSEC_CERT_KEY_MISMATCH`; ConfigError for bad names/values.
 */
export function buildCertificate(spec: CertificateSpec): Certificate {
  return Certificate.fromTrustedDer(native().x509Build(nativeSpec(spec)));
}

/** As {@link buildCertificate}, with the signature computed on the libuv thread pool. */
export async function buildCertificateAsync(spec: CertificateSpec): Promise<Certificate> {
  return Certificate.fromTrustedDer(await native().x509Build(nativeSpec(spec), true));
}

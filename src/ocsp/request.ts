/**
 * OCSP certificate IDs and requests (RFC 6960 4.1): build and parse.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { check, deepFreeze, validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import type { NativeOcspCertId, NativeOcspExtension } from '../native/binding.js';
import { certDer, certSerial, digestName, messageBytes, nativeSerial, normalizeSerial, serialFromNative, toBuffer, type CertificateInput } from './common.js';

/** A CertID: which certificate (issuer + serial) a request or response is about. */
export interface OcspCertId {
  /** The hash algorithm of the issuer hashes (`SHA1`, `SHA256`, ...; a dotted OID when unknown). */
  readonly hashAlgorithm: string;
  /** Hash of the issuer's distinguished name (DER). */
  readonly issuerNameHash: Buffer;
  /** Hash of the issuer's public key (the subjectPublicKey bits). */
  readonly issuerKeyHash: Buffer;
  /** The certificate serial number, upper-case hex as `X509Certificate.serialNumber` spells it. */
  readonly serialNumber: string;
  /** The DER of the CertID. */
  readonly der: Buffer;
}

/** An extension of an OCSP message, as parsed. */
export interface OcspExtension {
  /** The extension's OID, dotted decimal. */
  readonly oid: string;
  /** OpenSSL's short name, or the OID. */
  readonly name: string;
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
  /** The extnValue contents (DER). */
  readonly value: Buffer;
}

/** A parsed (or built) OCSP request. */
export interface OcspRequest {
  /** The DER of the whole OCSPRequest. */
  readonly der: Buffer;
  /** The certificates asked about, in order. */
  readonly certIds: readonly OcspCertId[];
  /** The nonce (RFC 8954), or null when the request has none. */
  readonly nonce: Buffer | null;
  /** Whether the request carries a signature (jsec builds unsigned requests, as RFC 5019 prescribes). */
  readonly signed: boolean;
  /** Every request extension (the nonce included). */
  readonly extensions: readonly OcspExtension[];
}

/** @internal */
export function certIdFromNative(n: NativeOcspCertId): OcspCertId {
  return Object.freeze({
    hashAlgorithm: n.hashAlgorithm,
    issuerNameHash: n.issuerNameHash,
    issuerKeyHash: n.issuerKeyHash,
    serialNumber: serialFromNative(n.serial),
    der: n.der,
  });
}

/** @internal */
export function extensionsFromNative(list: NativeOcspExtension[]): readonly OcspExtension[] {
  return Object.freeze(list.map((e) => Object.freeze({ oid: e.oid, name: e.name, critical: e.critical, value: e.value })));
}

const HASHES = ['sha1', 'sha256', 'sha384', 'sha512'] as const;

/** Options of {@link ocspCertId}. */
export interface OcspCertIdOptions {
  /**
   * The certificate asked about (its serial is used). No default: give exactly one of this and
   * `serialNumber` (`ERR_JSEC_CONFLICTING_OPTIONS`).
   */
  certificate?: CertificateInput;
  /** The serial asked about (hex or bigint), when the certificate itself is not at hand. No default. */
  serialNumber?: string | bigint;
  /** The certificate of the CA that issued it. */
  issuer: CertificateInput;
  /** Hash for the issuer name and key hashes. Default `'sha1'` (`defaults.ocsp.certIdHash`). */
  hash?: (typeof HASHES)[number];
}

const certIdSchema: Schema = {
  certificate: { type: 'any' },
  serialNumber: { type: 'any' },
  issuer: { type: 'any' },
  hash: { type: 'string', enum: HASHES },
};

/**
 * Computes the CertID of a certificate (or of a serial) under its issuer.
 *
 * @throws ConfigError for bad options (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_MISSING_OPTION`,
 *   `ERR_JSEC_CONFLICTING_OPTIONS`); CertificateError `ERR_JSEC_PEM_PARSE` / `ERR_JSEC_CERT_PARSE` for undecodable certificates.
 */
export function ocspCertId(options: OcspCertIdOptions): OcspCertId {
  const o = validateOptions<OcspCertIdOptions>('ocspCertId', options, certIdSchema);
  if (o.issuer === undefined) throw createError('ERR_MISSING_OPTION', 'The "issuer" option is required', { option: 'issuer' });
  if ((o.certificate === undefined) === (o.serialNumber === undefined)) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give exactly one of "certificate" and "serialNumber"', { option: 'certificate' });
  }
  const issuer = certDer(o.issuer, 'issuer');
  const serial = o.certificate !== undefined ? certSerial(o.certificate, 'certificate') : normalizeSerial(o.serialNumber, 'serialNumber');
  return certIdFromNative(native().ocspCertId(issuer, nativeSerial(serial), digestName(o.hash ?? defaults.ocsp.certIdHash)));
}

/** Options of {@link buildOcspRequest}. */
export interface BuildOcspRequestOptions {
  /** The CA that issued the certificates asked about. */
  issuer: CertificateInput;
  /**
   * The certificate (or certificates) asked about. No default: this and `serialNumber` together must
   * name at least one (`ERR_MISSING_OPTION`) and at most 100 (`ERR_OUT_OF_RANGE`).
   */
  certificate?: CertificateInput | readonly CertificateInput[];
  /** Serials asked about, when the certificates are not at hand. No default. */
  serialNumber?: string | bigint | readonly (string | bigint)[];
  /**
   * `true` (default, `defaults.ocsp.nonce`): a random nonce of `nonceLength` bytes; `false`: none;
   * bytes: that nonce (1 to 32 bytes, RFC 8954).
   */
  nonce?: boolean | Uint8Array;
  /** Length of a generated nonce. Default 32 (`defaults.ocsp.nonceLength`). */
  nonceLength?: number;
  /** CertID hash. Default `'sha1'` (`defaults.ocsp.certIdHash`). */
  hash?: (typeof HASHES)[number];
}

const requestSchema: Schema = {
  issuer: { type: 'any' },
  certificate: { type: 'any' },
  serialNumber: { type: 'any' },
  nonce: { type: 'oneOf', rules: [{ type: 'boolean' }, { type: 'bytes' }] },
  nonceLength: { type: 'number', integer: true, min: 1, max: 32 },
  hash: { type: 'string', enum: HASHES },
};

/**
 * Builds an unsigned OCSP request for one or more certificates of one issuer,
 * with a nonce unless told otherwise.
 *
 * @returns the request, including its DER (`request.der`) and the nonce to check the response against.
 * @throws ConfigError for bad options; CertificateError for undecodable certificates.
 */
export function buildOcspRequest(options: BuildOcspRequestOptions): OcspRequest {
  const o = validateOptions<BuildOcspRequestOptions>('buildOcspRequest', options, requestSchema);
  if (o.issuer === undefined) throw createError('ERR_MISSING_OPTION', 'The "issuer" option is required', { option: 'issuer' });
  const certs = o.certificate === undefined ? [] : Array.isArray(o.certificate) ? o.certificate : [o.certificate];
  const serials = o.serialNumber === undefined ? [] : Array.isArray(o.serialNumber) ? o.serialNumber : [o.serialNumber];
  if (certs.length + serials.length === 0) {
    throw createError('ERR_MISSING_OPTION', 'Give the "certificate" or "serialNumber" to ask about', { option: 'certificate' });
  }
  if (certs.length + serials.length > 100) throw createError('ERR_OUT_OF_RANGE', 'At most 100 certificates per request', { option: 'certificate' });
  const issuer = certDer(o.issuer, 'issuer');
  const digest = digestName(o.hash ?? defaults.ocsp.certIdHash);
  const list = [
    ...certs.map((c, i) => certSerial(c, `certificate[${i}]`)),
    ...serials.map((s, i) => normalizeSerial(s, `serialNumber[${i}]`)),
  ];
  const ids = list.map((serial) => native().ocspCertId(issuer, nativeSerial(serial), digest).der);
  let nonce: Buffer | null = null;
  if (o.nonce === undefined ? defaults.ocsp.nonce : o.nonce !== false) {
    if (o.nonce === true || o.nonce === undefined) nonce = randomBytes(o.nonceLength ?? defaults.ocsp.nonceLength);
    else {
      check('nonce', o.nonce, { type: 'bytes' });
      nonce = Buffer.from(toBuffer(o.nonce as Uint8Array));
      if (nonce.length < 1 || nonce.length > 32) throw createError('ERR_OUT_OF_RANGE', 'The "nonce" option must be 1 to 32 bytes (RFC 8954)', { option: 'nonce' });
    }
  }
  return parseOcspRequest(native().ocspRequestBuild(ids, nonce));
}

/**
 * Parses a DER OCSP request.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` for non-bytes; JsecError `ERR_JSEC_OCSP_TOO_LARGE` above
 *   `defaults.ocsp.maxParseSize`; CertificateError `ERR_JSEC_OCSP_PARSE` for anything that is not a valid request.
 */
export function parseOcspRequest(der: Uint8Array | ArrayBuffer): OcspRequest {
  const bytes = messageBytes(der, 'OCSP request');
  const n = native().ocspRequestParse(bytes);
  return deepFreeze({
    der: Buffer.from(bytes),
    certIds: n.certIds.map(certIdFromNative),
    nonce: n.nonce,
    signed: n.signed,
    extensions: extensionsFromNative(n.extensions),
  });
}

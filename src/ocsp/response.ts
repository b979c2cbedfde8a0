/**
 * OCSP responses (RFC 6960 4.2): sign, parse and verify.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { check, deepFreeze, validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import type { NativeOcspSigner, NativeOcspSingle } from '../native/binding.js';
import { pkcs8Der, toPrivateKey, type PrivateKeyInput } from '../cert/keys.js';
import {
  CERT_STATUS_NAMES,
  RESPONSE_STATUS_NAMES,
  certDer,
  certSerial,
  issuerHashes,
  dateOf,
  messageBytes,
  msOf,
  normalizeSerial,
  reasonCode,
  reasonName,
  seconds,
  timeOf,
  toBuffer,
  REASON_NAMES,
  type CertificateInput,
  type Clock,
  type OcspCertStatus,
  type OcspResponseStatus,
  type RevocationReason,
} from './common.js';
import { certIdFromNative, extensionsFromNative, parseOcspRequest, type OcspCertId, type OcspExtension, type OcspRequest } from './request.js';

/** The status of one certificate, as parsed from a response. */
export interface OcspSingleResponse {
  /** Which certificate this status is about. */
  readonly certId: OcspCertId;
  /** `'good'`, `'revoked'` or `'unknown'`. */
  readonly status: OcspCertStatus;
  /** When it was revoked (revoked only). */
  readonly revocationTime: Date | null;
  /** Why it was revoked (revoked with a reason only). */
  readonly revocationReason: RevocationReason | null;
  /** When the status was known to be correct. */
  readonly thisUpdate: Date;
  /** When newer information will be available; null when the responder gave none. */
  readonly nextUpdate: Date | null;
  /** The single response's extensions. */
  readonly extensions: readonly OcspExtension[];
}

/** The responder ID of a response: by name (DER + display text) or by SHA-1 key hash. */
export type OcspResponderId =
  | { readonly type: 'name'; readonly name: Buffer; readonly text: string }
  | { readonly type: 'key'; readonly keyHash: Buffer };

/** A parsed OCSP response. Fields other than `der` and `responseStatus` are null/empty for unsuccessful responses. */
export interface OcspResponse {
  /** The response as received (DER). */
  readonly der: Buffer;
  /** The outer status: `'successful'`, or why the responder gave no answer (`'tryLater'`, ...). */
  readonly responseStatus: OcspResponseStatus;
  /** Who signed the response; null for unsuccessful responses. */
  readonly responderId: OcspResponderId | null;
  /** When the responder signed it; null for unsuccessful responses. */
  readonly producedAt: Date | null;
  /** The signature algorithm's short name (for example `ecdsa-with-SHA256`). */
  readonly signatureAlgorithm: string | null;
  /** The echoed nonce, or null. */
  readonly nonce: Buffer | null;
  /** Certificates included by the responder (DER), signer first as a rule. */
  readonly certificates: readonly Buffer[];
  /** One status per certificate asked about. Security: parsed, not verified; use {@link verifyOcspResponse}. */
  readonly responses: readonly OcspSingleResponse[];
  /** The response extensions (the nonce among them). */
  readonly extensions: readonly OcspExtension[];
}

function singleFromNative(s: NativeOcspSingle): OcspSingleResponse {
  if (s.thisUpdate === null) throw createError('ERR_JSEC_OCSP_PARSE', 'single response without a valid thisUpdate');
  const status = CERT_STATUS_NAMES[s.status];
  if (status === undefined) throw createError('ERR_JSEC_OCSP_PARSE', `unknown certificate status ${s.status}`);
  return {
    certId: certIdFromNative(s.certId),
    status,
    revocationTime: dateOf(s.revocationTime),
    revocationReason: reasonName(s.revocationReason),
    thisUpdate: dateOf(s.thisUpdate)!,
    nextUpdate: dateOf(s.nextUpdate),
    extensions: extensionsFromNative(s.extensions),
  };
}

/**
 * Parses a DER OCSP response (successful or not). Nothing is verified here:
 * see {@link verifyOcspResponse}.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`; JsecError `ERR_JSEC_OCSP_TOO_LARGE`;
 *   CertificateError `ERR_JSEC_OCSP_PARSE` for anything that is not a valid response.
 */
export function parseOcspResponse(der: Uint8Array | ArrayBuffer): OcspResponse {
  const bytes = messageBytes(der, 'OCSP response');
  const n = native().ocspResponseParse(bytes);
  const responseStatus = RESPONSE_STATUS_NAMES[n.responseStatus];
  if (responseStatus === undefined) throw createError('ERR_JSEC_OCSP_PARSE', `unknown response status ${n.responseStatus}`);
  const b = n.basic;
  const responderId: OcspResponderId | null =
    b === null ? null : b.responderId.type === 'key' ? { type: 'key', keyHash: b.responderId.keyHash } : { type: 'name', name: b.responderId.name, text: b.responderId.text ?? '' };
  return deepFreeze({
    der: Buffer.from(bytes),
    responseStatus,
    responderId,
    producedAt: b ? dateOf(b.producedAt) : null,
    signatureAlgorithm: b ? b.signatureAlgorithm : null,
    nonce: b ? b.nonce : null,
    certificates: b ? b.certificates : [],
    responses: b ? b.responses.map(singleFromNative) : [],
    extensions: b ? extensionsFromNative(b.extensions) : [],
  });
}

// ---- signing -----------------------------------------------------------------

/** The state of an {@link OcspSigner}. */
export const OcspSignerState = Object.freeze({ ACTIVE: 'active', CLOSED: 'closed' } as const);
/** A state of an {@link OcspSigner}. */
export type OcspSignerState = (typeof OcspSignerState)[keyof typeof OcspSignerState];

/** Options of {@link OcspSigner}. */
export interface OcspSignerOptions {
  /** The responder certificate: the CA itself, or a certificate the CA issued with EKU OCSPSigning. */
  certificate: CertificateInput;
  /** Its private key. */
  key: PrivateKeyInput;
  /** Further certificates to include in responses (for example the CA above a delegated signer). Default none. */
  chain?: readonly CertificateInput[];
  /** How responses name the responder. Default `'key'` (`defaults.ocsp.responderId`). */
  responderId?: 'name' | 'key';
  /** Include the signer certificate (and `chain`) in responses. Default true (`defaults.ocsp.includeCertificates`). */
  includeCertificates?: boolean;
  /** Signature digest (ignored for Ed25519/Ed448). Default `'sha256'` (`defaults.ocsp.signatureDigest`). */
  digest?: 'sha256' | 'sha384' | 'sha512';
}

const signerSchema: Schema = {
  certificate: { type: 'any' },
  key: { type: 'any' },
  chain: { type: 'array', of: { type: 'any' }, maxLength: 16 },
  responderId: { type: 'string', enum: ['name', 'key'] },
  includeCertificates: { type: 'boolean' },
  digest: { type: 'string', enum: ['sha256', 'sha384', 'sha512'] },
};

/** The status of one certificate, as given to a signer. */
export interface OcspStatusEntry {
  /** The CertID, usually echoed from the request (`request.certIds[i]`). */
  certId: OcspCertId | Uint8Array;
  /** `'good'`, `'revoked'` or `'unknown'`. */
  status: OcspCertStatus;
  /** Revoked only: when. Required for `'revoked'`. */
  revocationTime?: Date | number;
  /** Revoked only: why. Omitted means no reason in the response. */
  revocationReason?: RevocationReason;
  /** When this status was known correct. Default: now. */
  thisUpdate?: Date | number;
  /** When newer information will be available. Default: thisUpdate + `validity`; `null` for none. */
  nextUpdate?: Date | number | null;
}

/** Options of {@link OcspSigner.sign}. */
export interface OcspSignOptions {
  /** The statuses to report. */
  responses: readonly OcspStatusEntry[];
  /** The nonce to echo (raw bytes), or the request whose nonce is echoed. Default none. */
  nonce?: Uint8Array | null;
  /** The request being answered: its nonce is echoed unless `nonce` is given. Default: none. */
  request?: OcspRequest;
  /** Clock for producedAt and default thisUpdate. Default `Date.now`. */
  now?: Clock;
  /** Default nextUpdate - thisUpdate, in ms. Default 1 hour (`defaults.ocsp.responseValidity`). */
  validity?: number;
}

const dateRule = { type: 'oneOf', rules: [{ type: 'instance', of: Date, label: 'a Date' }, { type: 'number' }] } as const;
const entrySchema: Schema = {
  certId: { type: 'any' },
  status: { type: 'string', enum: CERT_STATUS_NAMES },
  revocationTime: dateRule,
  revocationReason: { type: 'string', enum: REASON_NAMES },
  thisUpdate: dateRule,
  nextUpdate: { type: 'oneOf', rules: [dateRule, { type: 'any' }] },
};
const signSchema: Schema = {
  responses: { type: 'array', of: { type: 'object', schema: entrySchema }, maxLength: 1000 },
  nonce: { type: 'any' },
  request: { type: 'object', open: true },
  now: { type: 'function' },
  validity: { type: 'number', integer: true, min: 1000 },
};

/**
 * A response-signing identity: the certificate and key are decoded once and
 * held natively, so a responder signs without re-parsing the key.
 *
 * State: `active` until {@link OcspSigner.close}; afterwards every call throws `ERR_JSEC_INVALID_STATE`.
 *
 * @security The key stays in native memory until `close()`; call it (or use `using`) when done.
 */
export class OcspSigner {
  #native: NativeOcspSigner | null;
  #state: OcspSignerState = OcspSignerState.ACTIVE;
  #opts: Required<Pick<OcspSignerOptions, 'responderId' | 'includeCertificates' | 'digest'>>;
  /** The signer certificate (DER). */
  readonly certificate: Buffer;

  /**
   * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_KEY_INVALID` for an undecodable key;
   *   ConfigError `ERR_INVALID_ARG_VALUE` when the key does not match the certificate.
   */
  constructor(options: OcspSignerOptions) {
    const o = validateOptions<OcspSignerOptions>('OcspSigner', options, signerSchema);
    if (o.certificate === undefined) throw createError('ERR_MISSING_OPTION', 'The "certificate" option is required', { option: 'certificate' });
    if (o.key === undefined) throw createError('ERR_MISSING_OPTION', 'The "key" option is required', { option: 'key' });
    this.certificate = certDer(o.certificate, 'certificate');
    const key: KeyObject = toPrivateKey(o.key, 'key');
    const chain = (o.chain ?? []).map((c, i) => certDer(c, `chain[${i}]`));
    this.#native = new (native().OcspSigner)(this.certificate, pkcs8Der(key), chain);
    this.#opts = {
      responderId: o.responderId ?? defaults.ocsp.responderId,
      includeCertificates: o.includeCertificates ?? defaults.ocsp.includeCertificates,
      digest: o.digest ?? defaults.ocsp.signatureDigest,
    };
  }

  /** `active` or `closed`. */
  get state(): OcspSignerState {
    return this.#state;
  }

  /**
   * Signs a successful response with the given statuses.
   *
   * @returns the DER of the OCSPResponse.
   * @throws StateError `ERR_JSEC_INVALID_STATE` after close; ConfigError for bad options.
   */
  sign(options: OcspSignOptions): Buffer {
    if (this.#native === null) throw createError('ERR_JSEC_INVALID_STATE', 'The OCSP signer is closed', { state: this.#state, operation: 'sign' });
    const o = validateOptions<OcspSignOptions>('OcspSigner.sign', options, signSchema);
    if (!o.responses || o.responses.length === 0) throw createError('ERR_MISSING_OPTION', 'The "responses" option must list at least one status', { option: 'responses' });
    const now = timeOf(o.now);
    const validity = o.validity ?? defaults.ocsp.responseValidity;
    const responses = o.responses.map((r, i) => {
      const where = `responses[${i}]`;
      const certId = r.certId instanceof Uint8Array ? toBuffer(r.certId) : (r.certId as OcspCertId | undefined)?.der;
      if (!(certId instanceof Uint8Array)) throw createError('ERR_INVALID_ARG_TYPE', `The "${where}.certId" option must be a CertID or its DER`, { option: `${where}.certId` });
      const thisUpdate = r.thisUpdate === undefined ? now : msOf(r.thisUpdate, `${where}.thisUpdate`);
      const nextUpdate = r.nextUpdate === null ? null : r.nextUpdate === undefined ? thisUpdate + validity : msOf(r.nextUpdate, `${where}.nextUpdate`);
      if (nextUpdate !== null && nextUpdate < thisUpdate) {
        throw createError('ERR_INVALID_ARG_VALUE', `The "${where}.nextUpdate" option must not be before thisUpdate`, { option: `${where}.nextUpdate` });
      }
      const entry: { certId: Buffer; status: 0 | 1 | 2; thisUpdate: number; nextUpdate: number | null; revocationTime?: number; reason?: number } = {
        certId: Buffer.from(certId),
        status: CERT_STATUS_NAMES.indexOf(r.status) as 0 | 1 | 2,
        thisUpdate: seconds(thisUpdate),
        nextUpdate: nextUpdate === null ? null : seconds(nextUpdate),
      };
      if (r.status === 'revoked') {
        if (r.revocationTime === undefined) throw createError('ERR_MISSING_OPTION', `The "${where}.revocationTime" option is required for a revoked status`, { option: `${where}.revocationTime` });
        entry.revocationTime = seconds(msOf(r.revocationTime, `${where}.revocationTime`));
        if (r.revocationReason !== undefined) entry.reason = reasonCode(r.revocationReason);
      }
      return entry;
    });
    let nonce: Buffer | null = null;
    if (o.nonce !== undefined && o.nonce !== null) {
      check('nonce', o.nonce, { type: 'bytes' });
      nonce = Buffer.from(toBuffer(o.nonce));
    } else if (o.request) nonce = o.request.nonce;
    return this.#native.sign({
      responses,
      nonce,
      producedAt: seconds(now),
      digest: this.#opts.digest,
      includeCertificates: this.#opts.includeCertificates,
      responderId: this.#opts.responderId,
    });
  }

  /** Frees the native key and certificate. Idempotent. */
  close(): void {
    if (this.#native) {
      this.#native.close();
      this.#native = null;
    }
    this.#state = OcspSignerState.CLOSED;
  }

  /** `using signer = ...` support: {@link OcspSigner.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Options of {@link createOcspResponse}: a signer's options plus what to sign. */
export interface CreateOcspResponseOptions extends OcspSignOptions {
  /** The signer: an {@link OcspSigner}, or its options (certificate + key, decoded for this one call). */
  signer: OcspSigner | OcspSignerOptions;
}

/**
 * Signs a successful OCSP response in one call. For many responses reuse an {@link OcspSigner}.
 *
 * @throws as {@link OcspSigner} and {@link OcspSigner.sign}.
 */
export function createOcspResponse(options: CreateOcspResponseOptions): Buffer {
  check('options', options, { type: 'object', open: true });
  const { signer, ...rest } = options;
  if (signer instanceof OcspSigner) return signer.sign(rest);
  if (signer === undefined) throw createError('ERR_MISSING_OPTION', 'The "signer" option is required', { option: 'signer' });
  const s = new OcspSigner(signer);
  try {
    return s.sign(rest);
  } finally {
    s.close();
  }
}

const ERROR_STATUSES = ['malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const;

/**
 * An unsuccessful OCSP response (no body, unsigned, as RFC 6960 defines them).
 *
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for another status.
 */
export function createOcspErrorResponse(status: Exclude<OcspResponseStatus, 'successful'>): Buffer {
  check('status', status, { type: 'string', enum: ERROR_STATUSES });
  return native().ocspResponseStatusOnly(RESPONSE_STATUS_NAMES.indexOf(status));
}

// ---- verification ------------------------------------------------------------

/** Options of {@link verifyOcspResponse}. */
export interface VerifyOcspResponseOptions {
  /** The CA that issued the certificate asked about: the responder must be it or its delegate. */
  issuer: CertificateInput;
  /** The certificate whose status is wanted. No default: give this, `serialNumber`, or `request`. */
  certificate?: CertificateInput;
  /** The serial whose status is wanted. No default. */
  serialNumber?: string | bigint;
  /**
   * The request this response answers: its nonce must be echoed, and (without `certificate`/`serialNumber`)
   * its first CertID is the one wanted. No default.
   */
  request?: OcspRequest | Uint8Array;
  /** The nonce that must be echoed (overrides the request's). Default: the request's nonce, if any. */
  nonce?: Uint8Array;
  /** Fail when the response carries no nonce although one was sent. Default false (`defaults.ocsp.requireNonce`); a nonce that is present must always match. */
  requireNonce?: boolean;
  /** The verification time (clock, Date or ms). Default now. */
  now?: Clock | Date | number;
  /** Tolerance for thisUpdate/nextUpdate, ms. Default 5 minutes (`defaults.ocsp.clockSkew`). */
  clockSkew?: number;
  /** Maximum age of a response without nextUpdate, ms. Default 1 day (`defaults.ocsp.maxAge`). */
  maxAge?: number;
  /** Extra certificates to find a delegated signer that the response does not include. Default: none. */
  certificates?: readonly CertificateInput[];
}

const verifySchema: Schema = {
  issuer: { type: 'any' },
  certificate: { type: 'any' },
  serialNumber: { type: 'any' },
  request: { type: 'any' },
  nonce: { type: 'bytes' },
  requireNonce: { type: 'boolean' },
  now: { type: 'oneOf', rules: [{ type: 'function' }, { type: 'instance', of: Date, label: 'a Date' }, { type: 'number' }] },
  clockSkew: { type: 'number', min: 0 },
  maxAge: { type: 'number', min: 0 },
  certificates: { type: 'array', of: { type: 'any' }, maxLength: 32 },
};

/** The verified status of one certificate. */
export interface OcspVerifiedStatus {
  /** `'good'`, `'revoked'` or `'unknown'`; only `'good'` means the certificate may be trusted. */
  readonly status: OcspCertStatus;
  /** When it was revoked (revoked only), else null. */
  readonly revocationTime: Date | null;
  /** Why it was revoked (revoked with a reason only), else null. */
  readonly revocationReason: RevocationReason | null;
  /** When the status was known to be correct. */
  readonly thisUpdate: Date;
  /** When newer information will be available; null when the responder gave none (then `maxAge` bounds its use). */
  readonly nextUpdate: Date | null;
  /** When the responder signed the response. */
  readonly producedAt: Date | null;
  /** The certificate that signed the response (DER): the issuer or its delegated responder. */
  readonly signer: Buffer | null;
  /** Whether the signer is the issuing CA itself (false: a delegated OCSP responder). */
  readonly signedByIssuer: boolean;
  /** The whole parsed response. */
  readonly response: OcspResponse;
}

const VERIFY_CODES = {
  'signer-not-found': 'ERR_JSEC_OCSP_SIGNATURE',
  signature: 'ERR_JSEC_OCSP_SIGNATURE',
  'signer-chain': 'ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER',
  unauthorized: 'ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER',
  'no-responses': 'ERR_JSEC_OCSP_CERT_ID_MISMATCH',
} as const;

/**
 * Verifies an OCSP response for one certificate: the response status, the
 * signature, that the signer is the issuing CA or a certificate the CA issued
 * with EKU OCSPSigning (valid at the verification time), that a status for
 * the certificate's CertID is present, the nonce, and the freshness window
 * (thisUpdate ≤ now + skew; now - skew ≤ nextUpdate, or thisUpdate + maxAge
 * when there is no nextUpdate).
 *
 * A verified `revoked` or `unknown` status is a result, not an error.
 *
 * @throws CertificateError `ERR_JSEC_OCSP_PARSE`, `ERR_JSEC_OCSP_RESPONSE_STATUS`, `ERR_JSEC_OCSP_SIGNATURE`,
 *   `ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER`, `ERR_JSEC_OCSP_CERT_ID_MISMATCH`, `ERR_JSEC_OCSP_NONCE_MISMATCH`,
 *   `ERR_JSEC_OCSP_STALE`, `ERR_JSEC_OCSP_NOT_YET_VALID`; ConfigError for bad options.
 */
export function verifyOcspResponse(response: Uint8Array | ArrayBuffer | OcspResponse, options: VerifyOcspResponseOptions): OcspVerifiedStatus {
  const o = validateOptions<VerifyOcspResponseOptions>('verifyOcspResponse', options, verifySchema);
  if (o.issuer === undefined) throw createError('ERR_MISSING_OPTION', 'The "issuer" option is required', { option: 'issuer' });
  // A parsed response is re-parsed from its DER, so that only signed bytes decide.
  const parsed = parseOcspResponse(isParsed(response) ? (response as OcspResponse).der : (response as Uint8Array));
  if (parsed.responseStatus !== 'successful') {
    throw createError('ERR_JSEC_OCSP_RESPONSE_STATUS', `The OCSP responder answered ${parsed.responseStatus}`, { responseStatus: parsed.responseStatus });
  }
  const issuer = certDer(o.issuer, 'issuer');
  const request = o.request === undefined ? undefined : isParsed(o.request) ? (o.request as OcspRequest) : parseOcspRequest(o.request as Uint8Array);
  let serial: string;
  if (o.certificate !== undefined) serial = certSerial(o.certificate, 'certificate');
  else if (o.serialNumber !== undefined) serial = normalizeSerial(o.serialNumber, 'serialNumber');
  else if (request && request.certIds[0]) serial = request.certIds[0].serialNumber;
  else throw createError('ERR_MISSING_OPTION', 'Give the "certificate", "serialNumber" or "request" whose status is wanted', { option: 'certificate' });
  const nowMs = timeOf(o.now as Clock | Date | number | undefined);

  const extra = (o.certificates ?? []).map((c, i) => certDer(c, `certificates[${i}]`));
  const result = native().ocspResponseVerify(parsed.der, issuer, extra, seconds(nowMs));
  if (!result.ok) {
    const code = VERIFY_CODES[result.reason ?? 'unauthorized'];
    throw createError(code, `OCSP response verification failed (${result.reason}${result.detail ? `: ${result.detail}` : ''})`, { reason: result.reason });
  }

  // The status for our certificate: same serial and the issuer hashes of our issuer under the response's hash.
  const single = parsed.responses.find((r) => {
    if (r.certId.serialNumber !== serial) return false;
    const mine = issuerHashes(issuer, r.certId.hashAlgorithm);
    return mine !== null && mine.name.equals(r.certId.issuerNameHash) && mine.key.equals(r.certId.issuerKeyHash);
  });
  if (!single) throw createError('ERR_JSEC_OCSP_CERT_ID_MISMATCH', `The OCSP response holds no status for serial ${serial} of this issuer`, { serialNumber: serial });

  const expectedNonce = o.nonce !== undefined ? toBuffer(o.nonce) : request?.nonce ?? null;
  if (expectedNonce) {
    if (parsed.nonce === null) {
      if (o.requireNonce ?? defaults.ocsp.requireNonce) throw createError('ERR_JSEC_OCSP_NONCE_MISMATCH', 'The OCSP response carries no nonce', { reason: 'missing' });
    } else if (!parsed.nonce.equals(expectedNonce)) {
      throw createError('ERR_JSEC_OCSP_NONCE_MISMATCH', 'The OCSP response nonce differs from the request nonce', { reason: 'different' });
    }
  }

  const skew = o.clockSkew ?? defaults.ocsp.clockSkew;
  const thisUpdate = single.thisUpdate.getTime();
  if (thisUpdate > nowMs + skew) {
    throw createError('ERR_JSEC_OCSP_NOT_YET_VALID', `The OCSP response's thisUpdate ${single.thisUpdate.toISOString()} is in the future`, { thisUpdate: single.thisUpdate });
  }
  const expiry = single.nextUpdate ? single.nextUpdate.getTime() : thisUpdate + (o.maxAge ?? defaults.ocsp.maxAge);
  if (expiry < nowMs - skew) {
    throw createError('ERR_JSEC_OCSP_STALE', `The OCSP response expired at ${new Date(expiry).toISOString()}`, { thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate });
  }
  const signer = result.signer ?? null;
  return Object.freeze({
    status: single.status,
    revocationTime: single.revocationTime,
    revocationReason: single.revocationReason,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    producedAt: parsed.producedAt,
    signer,
    signedByIssuer: signer !== null && signer.equals(issuer),
    response: parsed,
  });
}

function isParsed(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer) && Buffer.isBuffer((v as { der?: unknown }).der);
}

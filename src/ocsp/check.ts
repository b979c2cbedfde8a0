/**
 * The whole client round trip: build a request with a nonce, fetch it from
 * the responder named in the certificate (or a given URL), verify the answer.
 *
 * @module
 */
import { createError } from '../errors/index.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { toCertificate } from '../cert/certificate.js';
import { type CertificateInput, type Clock } from './common.js';
import { fetchOcsp, type FetchOcspOptions } from './fetch.js';
import { buildOcspRequest } from './request.js';
import { verifyOcspResponse, type OcspVerifiedStatus } from './response.js';

/** Options of {@link checkOcsp}. */
export interface CheckOcspOptions extends FetchOcspOptions {
  /** The certificate whose status is wanted. */
  certificate: CertificateInput;
  /** Its issuing CA. */
  issuer: CertificateInput;
  /** The responder URL. Default: the first OCSP URL in the certificate's authorityInfoAccess. */
  url?: string | URL;
  /** Send a nonce. Default true. */
  nonce?: boolean;
  /** Fail when the response does not echo the nonce. Default false (`defaults.ocsp.requireNonce`). */
  requireNonce?: boolean;
  /** Verification time. Default now. */
  now?: Clock | Date | number;
  /** Clock-skew tolerance, ms. Default 5 minutes. */
  clockSkew?: number;
  /** Maximum age without nextUpdate, ms. Default 1 day. */
  maxAge?: number;
  /** CertID hash. Default `'sha1'`. */
  hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
}

const schema: Schema = {
  certificate: { type: 'any' },
  issuer: { type: 'any' },
  url: { type: 'any' },
  nonce: { type: 'boolean' },
  requireNonce: { type: 'boolean' },
  now: { type: 'any' },
  clockSkew: { type: 'number', min: 0 },
  maxAge: { type: 'number', min: 0 },
  hash: { type: 'string', enum: ['sha1', 'sha256', 'sha384', 'sha512'] },
  timeout: { type: 'any' },
  maxSize: { type: 'any' },
  signal: { type: 'any' },
  method: { type: 'any' },
};

/**
 * Asks the certificate's OCSP responder for its status and verifies the
 * answer (see `verifyOcspResponse` for every check made).
 *
 * @returns the verified status and the URL asked; `revoked` and `unknown` are results, not errors.
 * @throws ConfigError `ERR_MISSING_OPTION` when no URL is given and the certificate names none; every error of
 *   `fetchOcsp` and `verifyOcspResponse`.
 */
export async function checkOcsp(options: CheckOcspOptions): Promise<OcspVerifiedStatus & { readonly url: string }> {
  const o = validateOptions<CheckOcspOptions>('checkOcsp', options, schema);
  if (o.certificate === undefined) throw createError('ERR_MISSING_OPTION', 'The "certificate" option is required', { option: 'certificate' });
  if (o.issuer === undefined) throw createError('ERR_MISSING_OPTION', 'The "issuer" option is required', { option: 'issuer' });
  const cert = toCertificate(o.certificate, 'certificate');
  let url = o.url === undefined ? undefined : String(o.url);
  if (url === undefined) {
    url = cert.authorityInfoAccess.ocsp[0];
    if (url === undefined) throw createError('ERR_MISSING_OPTION', 'The certificate names no OCSP responder; give the "url" option', { option: 'url' });
  }
  const request = buildOcspRequest({ issuer: o.issuer, certificate: cert, nonce: o.nonce ?? true, ...(o.hash ? { hash: o.hash } : {}) });
  const fetchOpts: FetchOcspOptions = {};
  if (o.timeout !== undefined) fetchOpts.timeout = o.timeout;
  if (o.maxSize !== undefined) fetchOpts.maxSize = o.maxSize;
  if (o.signal !== undefined) fetchOpts.signal = o.signal;
  if (o.method !== undefined) fetchOpts.method = o.method;
  const der = await fetchOcsp(url, request, fetchOpts);
  const verified = verifyOcspResponse(der, {
    issuer: o.issuer,
    certificate: cert,
    request,
    ...(o.requireNonce !== undefined ? { requireNonce: o.requireNonce } : {}),
    ...(o.now !== undefined ? { now: o.now } : {}),
    ...(o.clockSkew !== undefined ? { clockSkew: o.clockSkew } : {}),
    ...(o.maxAge !== undefined ? { maxAge: o.maxAge } : {}),
  });
  return Object.freeze({ ...verified, url });
}

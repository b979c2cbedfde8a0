/**
 * jsec/ocsp: the Online Certificate Status Protocol (RFC 6960, RFC 5019,
 * RFC 8954 nonces) on OpenSSL's OCSP implementation: CertIDs, requests
 * (build, parse), responses (sign, parse, verify), an HTTP client with
 * timeouts and size limits, and a responder on `node:http`.
 *
 * @module
 */
export {
  type CertificateInput,
  type Clock,
  type OcspCertStatus,
  type OcspResponseStatus,
  type RevocationReason,
} from './common.js';
export { ocspCertId, buildOcspRequest, parseOcspRequest, type OcspCertId, type OcspCertIdOptions, type OcspExtension, type OcspRequest, type BuildOcspRequestOptions } from './request.js';
export {
  parseOcspResponse,
  createOcspResponse,
  createOcspErrorResponse,
  verifyOcspResponse,
  OcspSigner,
  OcspSignerState,
  type OcspResponse,
  type OcspResponderId,
  type OcspSingleResponse,
  type OcspSignerOptions,
  type OcspSignOptions,
  type OcspStatusEntry,
  type CreateOcspResponseOptions,
  type VerifyOcspResponseOptions,
  type OcspVerifiedStatus,
} from './response.js';
export { fetchOcsp, type FetchOcspOptions } from './fetch.js';
export { checkOcsp, type CheckOcspOptions } from './check.js';
export { startOcspResponder, OcspResponder, OcspResponderState, type OcspResponderOptions, type OcspLookupResult } from './responder.js';

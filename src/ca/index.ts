/**
 * jsec/ca: certificate authorities on OpenSSL: roots and intermediates,
 * issuance by profile, CSR signing under a policy, serials that never repeat,
 * revocation with all RFC 5280 reasons, CRLs with CRL number and AKI, OCSP
 * answers and an HTTP responder, and state export/import with an atomic file store.
 *
 * @module
 */
export {
  CertificateAuthority,
  CaState,
  type SerialMode,
  type Publication,
  type IssuedRecord,
  type RevokedRecord,
  type IssuedCertificate,
  type CreateCaOptions,
  type LoadCaOptions,
  type IssueOptions,
  type SignCsrPolicy,
  type CrlOptions,
  type CaOcspResponderOptions,
  type ExportOptions,
} from './authority.js';
export { PROFILES, type IssueProfile, type SanType } from './profiles.js';
export type { CsrAllowance } from './policy.js';
export { CA_STATE_FORMAT, CA_STATE_VERSION, type CaStateJSON } from './state.js';
export { FileCaStore, type CaStoreFs, type CaStoreFileHandle } from './store.js';
export type { RevocationReason } from '../ocsp/common.js';

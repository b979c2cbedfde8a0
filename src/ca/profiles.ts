/**
 * Issuance profiles: what each kind of end-entity certificate gets as key
 * usage, extended key usage and basic constraints, and which SAN types a
 * CSR for it may carry by default.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { KeyUsage } from '../cert/names.js';

/** The profiles {@link CertificateAuthority.issue} and `signCsr` know. */
export const PROFILES = ['server', 'client', 'server+client', 'codeSigning', 'email', 'ocspSigning'] as const;
/** An issuance profile. */
export type IssueProfile = (typeof PROFILES)[number];

/** SAN types as the builders name them. */
export type SanType = 'dns' | 'ip' | 'email' | 'uri';

/** id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): a delegated responder's certificate is not itself checked. */
export const OCSP_NOCHECK_OID = '1.3.6.1.5.5.7.48.1.5';
/** DER NULL, the value of id-pkix-ocsp-nocheck. */
export const DER_NULL = Buffer.from([0x05, 0x00]);

interface ProfileSpec {
  /** Extended key usage names. */
  readonly eku: readonly string[];
  /** Key usage for an RSA key and for any other key. */
  readonly ku: (keyType: string | undefined) => KeyUsage[];
  /** SAN types a CSR may carry by default. */
  readonly sanTypes: readonly SanType[];
  /** Whether a certificate of this profile needs at least one SAN (derived from the commonName when none is given). */
  readonly needsSan: boolean;
  /** Extensions written verbatim. */
  readonly extra: readonly { oid: string; critical: boolean; value: Buffer }[];
}

const tls = (t: string | undefined): KeyUsage[] => (t === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);

const SPECS: Record<IssueProfile, ProfileSpec> = {
  server: { eku: ['serverAuth'], ku: tls, sanTypes: ['dns', 'ip'], needsSan: true, extra: [] },
  client: { eku: ['clientAuth'], ku: () => ['digitalSignature'], sanTypes: ['dns', 'ip', 'email', 'uri'], needsSan: false, extra: [] },
  'server+client': { eku: ['serverAuth', 'clientAuth'], ku: tls, sanTypes: ['dns', 'ip'], needsSan: true, extra: [] },
  codeSigning: { eku: ['codeSigning'], ku: () => ['digitalSignature'], sanTypes: ['email', 'uri'], needsSan: false, extra: [] },
  // S/MIME: signing always; RSA keys also take key transport, EC keys key agreement (RFC 8550/8551).
  email: {
    eku: ['emailProtection'],
    ku: (t) => (t === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : t === 'ec' ? ['digitalSignature', 'keyAgreement'] : ['digitalSignature']),
    sanTypes: ['email'],
    needsSan: true,
    extra: [],
  },
  ocspSigning: { eku: ['OCSPSigning'], ku: () => ['digitalSignature'], sanTypes: [], needsSan: false, extra: [{ oid: OCSP_NOCHECK_OID, critical: false, value: DER_NULL }] },
};

/** The profile table. */
export const PROFILE_SPECS: Readonly<Record<IssueProfile, ProfileSpec>> = Object.freeze(SPECS);

/** Key usage of a profile for a subject key. */
export function profileKeyUsage(profile: IssueProfile, key: KeyObject): KeyUsage[] {
  return PROFILE_SPECS[profile].ku(key.asymmetricKeyType);
}

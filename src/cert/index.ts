/**
 * `jsec/cert`: X.509 certificates, CSRs and CRLs on Node's own OpenSSL:
 * generate (self-signed or issued), parse into immutable value objects,
 * verify chains with OpenSSL's path validation, fingerprints and signatures.
 *
 * @module
 */
export { Certificate, type CertificateInput, type CertificateJSON, type PublicKeyInfo, type BasicConstraints, type RawExtension, type FingerprintAlgorithm } from './certificate.js';
export { generate, generateSync, generateSelfSigned, generateSelfSignedSync, type CertificateOptions, type IssuedCertificateOptions, type GeneratedCertificate, type GeneratedSelfSigned } from './generate.js';
export { KEY_TYPES, type KeyType, type PrivateKeyInput, type PublicKeyInput } from './keys.js';
export { KEY_USAGE, EXTENDED_KEY_USAGE, type KeyUsage, type ExtendedKeyUsage, type DistinguishedName, type NameEntry, type NameInput, type GeneralName, type GeneralNameInput } from './names.js';
export { DIGESTS, type Digest } from './build.js';
export { verifyChain, buildChain, fingerprint, verifySignature, TrustStore, PURPOSES, type Purpose, type VerifyOptions, type VerifyResult, type VerifyError, type TrustStoreState } from './verify.js';
export { VERIFY_CODE_NAMES, verifyCodeName } from './verify-codes.js';
export { Csr, generateCsr, generateCsrSync, verifyCsr, type CsrOptions, type GeneratedCsr } from './csr.js';
export { Crl, createCrl, REVOCATION_REASONS, type CreateCrlOptions, type RevocationReason, type CrlEntry } from './crl.js';

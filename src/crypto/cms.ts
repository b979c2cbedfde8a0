/**
 * CMS (PKCS#7, RFC 5652) on the addon: SignedData (attached or detached),
 * verification against caller-given trust anchors, EnvelopedData /
 * AuthEnvelopedData to recipient certificates, certs-only bundles and
 * certificate extraction. Large payloads run on the libuv pool.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { check, isBytes, validateOptions } from '../config/validate.js';
import { createError, isErrorCode, type ErrorCode } from '../errors/index.js';
import type { NativeCmsVerified, NativeCmsVerifyOptions } from '../native/binding.js';
import { native } from '../native/loader.js';
import { certDer, certsDer, parsed, type CertificateInput, type CertificatesInput } from './certs.js';
import { looksLikePem, pemBlocks, toPem } from './encoding.js';
import { asBuffer, dataBuffer, fail, type Bytes, type Data } from './internal.js';
import { privateKeyOf, type KeyInput, type Passphrase } from './keys.js';
import { verifyCodeName } from '../cert/verify-codes.js';

/** A CMS structure: DER bytes, or PEM (`CMS`, `PKCS7`) as text or bytes. */
export type CmsInput = string | Bytes;
/** Output encoding: DER bytes (default) or PEM text (`-----BEGIN CMS-----`; certs-only bundles `-----BEGIN PKCS7-----`, as `.p7b` files use). */
export type CmsFormat = 'der' | 'pem';

function cmsBytes(input: unknown, path = 'cms'): Buffer {
  if (typeof input === 'string' || (isBytes(input) && looksLikePem(asBuffer(path, input)))) {
    const text = typeof input === 'string' ? input : asBuffer(path, input).toString('latin1');
    const block = pemBlocks(text, path).find((b) => b.label === 'CMS' || b.label === 'PKCS7' || b.label === 'PKCS #7 SIGNED DATA');
    if (!block) throw fail('ERR_JSEC_CRYPTO_INVALID_CMS', `The "${path}" text holds no CMS/PKCS7 PEM block`, { option: path });
    return block.der;
  }
  return asBuffer(path, input);
}

function out(der: Buffer, format: CmsFormat | undefined, label = 'CMS'): Buffer | string {
  return format === 'pem' ? toPem(label, der) : der;
}

const FORMAT = { type: 'string', enum: ['der', 'pem'] } as const;
const PASS = { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } as const;
const CMS_HASHES = ['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384', 'sha3-512'] as const;

// --- sign ---------------------------------------------------------------------

/** Options of {@link cmsSign}. */
export interface CmsSignOptions {
  /** The signer's certificate. */
  certificate: CertificateInput;
  /** The signer's private key (RSA, EC or Ed25519). */
  privateKey: KeyInput;
  /** Passphrase of an encrypted `privateKey`. No default: an encrypted key without it throws `ERR_MISSING_PASSPHRASE`. */
  passphrase?: Passphrase;
  /** Further certificates to include (intermediates), as an array or a PEM bundle. Default: none (only the signer's). */
  extraCertificates?: CertificatesInput;
  /** Leave the content out (a detached signature); default false. */
  detached?: boolean;
  /** Digest; default sha256 (Ed25519 signers use SHA-512 as RFC 8419 requires, whatever is asked). */
  hash?: (typeof CMS_HASHES)[number];
  /** `der` (default) or `pem`. */
  format?: CmsFormat;
}

function signArgs(data: unknown, options: unknown) {
  const o = validateOptions<CmsSignOptions>('cmsSign', options, {
    certificate: { type: 'any' },
    privateKey: { type: 'any' },
    passphrase: PASS,
    extraCertificates: { type: 'any' },
    detached: { type: 'boolean' },
    hash: { type: 'string', enum: CMS_HASHES },
    format: FORMAT,
  });
  if (o.certificate === undefined || o.privateKey === undefined) {
    throw fail('ERR_MISSING_OPTION', 'cmsSign needs options.certificate and options.privateKey', { option: o.certificate === undefined ? 'certificate' : 'privateKey' });
  }
  const key = privateKeyOf(o.privateKey, 'privateKey', o.passphrase);
  const cert = certDer('certificate', o.certificate);
  if (!parsed('certificate', cert).checkPrivateKey(key)) throw fail('ERR_JSEC_CRYPTO_KEY_MISMATCH', 'The private key does not belong to the signer certificate');
  const t = key.asymmetricKeyType;
  const hash = t === 'ed25519' || t === 'ed448' ? 'sha512' : (o.hash ?? DEFAULTS.crypto.cmsSignHash.value);
  return {
    native: { data: dataBuffer('data', data), cert, key: key.export({ format: 'der', type: 'pkcs8' }), extraCerts: certsDer('extraCertificates', o.extraCertificates), hash, detached: o.detached === true },
    format: o.format,
    edwards: t === 'ed25519' || t === 'ed448',
  };
}

/**
 * Signs `data` as CMS SignedData (binary mode: the bytes are signed as they are).
 *
 * @throws ConfigError `ERR_MISSING_OPTION`, `ERR_JSEC_CRYPTO_KEY_MISMATCH`, `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`
 */
export async function cmsSign(data: Data, options: CmsSignOptions & { format?: 'der' }): Promise<Buffer>;
export async function cmsSign(data: Data, options: CmsSignOptions & { format: 'pem' }): Promise<string>;
export async function cmsSign(data: Data, options: CmsSignOptions): Promise<Buffer | string> {
  const a = signArgs(data, options);
  try {
    return out(await native().cmsSign(a.native, true), a.format);
  } catch (err) {
    throw edwardsUnsupported(a.edwards, err);
  }
}

/** OpenSSL 3.0's CMS cannot sign with Ed25519/Ed448 (RFC 8419 arrived later). */
function edwardsUnsupported(edwards: boolean, err: unknown): unknown {
  if (edwards && (err as { code?: string }).code === 'ERR_JSEC_OPENSSL') {
    return fail('ERR_JSEC_UNSUPPORTED', 'The running OpenSSL cannot make CMS signatures with Ed25519/Ed448 keys; use an RSA or EC signer', { cause: err });
  }
  return err;
}

/** The synchronous variant of {@link cmsSign}. */
export function cmsSignSync(data: Data, options: CmsSignOptions & { format?: 'der' }): Buffer;
export function cmsSignSync(data: Data, options: CmsSignOptions & { format: 'pem' }): string;
export function cmsSignSync(data: Data, options: CmsSignOptions): Buffer | string {
  const a = signArgs(data, options);
  try {
    return out(native().cmsSign(a.native, false), a.format);
  } catch (err) {
    throw edwardsUnsupported(a.edwards, err);
  }
}

// --- verify ---------------------------------------------------------------------

/** Options of {@link cmsVerify}. */
export interface CmsVerifyOptions {
  /** Trust anchors (required: jsec trusts nothing by default): certificates, a PEM bundle, or a jsec/cert `TrustStore`. */
  trusted: CertificatesInput;
  /** Untrusted intermediates to build chains with (besides those in the structure). Default: none. */
  intermediates?: CertificatesInput;
  /** The signed content of a detached signature (required for detached, refused for attached). No default. */
  content?: Data;
  /** `smime` (default: the signer certificate must allow S/MIME signing if it has an extended key usage) or `any`. */
  purpose?: 'smime' | 'any';
  /** Verification time (Date or ms since the epoch); default now. */
  now?: Date | number;
}

/** What {@link cmsVerify} returns once every signature and signer chain verified. */
export interface CmsVerified {
  /** The signed content (attached, or the detached content given). */
  readonly content: Buffer;
  /** The signer certificates, in SignerInfo order. */
  readonly signers: readonly X509Certificate[];
  /** Every certificate carried in the structure. */
  readonly certificates: readonly X509Certificate[];
}

function verifyArgs(cms: unknown, options: unknown): NativeCmsVerifyOptions {
  const o = validateOptions<CmsVerifyOptions>('cmsVerify', options, {
    trusted: { type: 'any' },
    intermediates: { type: 'any' },
    content: PASS,
    purpose: { type: 'string', enum: ['smime', 'any'] },
    now: { type: 'oneOf', rules: [{ type: 'instance', of: Date, label: 'a Date' }, { type: 'number', min: 0 }] },
  });
  if (o.trusted === undefined) throw fail('ERR_MISSING_OPTION', 'cmsVerify needs options.trusted: the trust anchors (jsec trusts nothing by default)', { option: 'trusted' });
  const trusted = certsDer('trusted', o.trusted);
  if (trusted.length === 0) throw fail('ERR_MISSING_OPTION', 'options.trusted holds no certificate', { option: 'trusted' });
  const now = o.now === undefined ? undefined : o.now instanceof Date ? o.now.getTime() : o.now;
  if (now !== undefined && Number.isNaN(now)) throw fail('ERR_INVALID_ARG_VALUE', 'options.now is an invalid date', { option: 'now' });
  return {
    cms: cmsBytes(cms),
    content: o.content === undefined ? null : dataBuffer('content', o.content),
    trusted,
    untrusted: certsDer('intermediates', o.intermediates),
    anyPurpose: o.purpose === 'any',
    time: now === undefined ? undefined : Math.floor(now / 1000),
  };
}

function verified(r: NativeCmsVerified): CmsVerified {
  const signers = r.signers.map((d) => parsed('signer', d));
  if (!r.chainOk) {
    const name = verifyCodeName(r.verifyCode!);
    const code: ErrorCode = isErrorCode(name) ? name : 'ERR_JSEC_CERT_VERIFY';
    throw createError(code, `CMS signer ${r.signerIndex} is not trusted: ${r.verifyError}`, {
      verifyCode: r.verifyCode,
      verifyError: r.verifyError,
      depth: r.depth,
      signer: signers[r.signerIndex!],
    });
  }
  return Object.freeze({ content: r.content, signers: Object.freeze(signers), certificates: Object.freeze(r.certs.map((d) => parsed('certificate', d))) });
}

/**
 * Verifies CMS SignedData: every signature over the content, then every
 * signer's chain to one of `trusted`. Throws on any failure, so content is
 * only returned once it is authenticated.
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID`, `ERR_JSEC_CRYPTO_CMS_SIGNER_NOT_FOUND`, `ERR_JSEC_CRYPTO_INVALID_CMS`
 * @throws CertificateError (`CERT_HAS_EXPIRED`, `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, ... `ERR_JSEC_CERT_VERIFY`) with `verifyCode`, `depth`, `signer`
 * @throws ConfigError `ERR_MISSING_OPTION` (no trust anchors; detached signature without `content`), `ERR_JSEC_CONFLICTING_OPTIONS`
 */
export async function cmsVerify(cms: CmsInput, options: CmsVerifyOptions): Promise<CmsVerified> {
  return verified(await native().cmsVerify(verifyArgs(cms, options), true));
}

/** The synchronous variant of {@link cmsVerify}. */
export function cmsVerifySync(cms: CmsInput, options: CmsVerifyOptions): CmsVerified {
  return verified(native().cmsVerify(verifyArgs(cms, options), false));
}

// --- encrypt / decrypt --------------------------------------------------------------

/** Content ciphers: AES-CBC (EnvelopedData) or AES-GCM (AuthEnvelopedData, RFC 5083). */
export const CMS_CIPHERS = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm'] as const;
/** A name from {@link CMS_CIPHERS}. */
export type CmsCipher = (typeof CMS_CIPHERS)[number];

/** Options of {@link cmsEncrypt}. */
export interface CmsEncryptOptions {
  /**
   * Content cipher; default aes-256-cbc (readable everywhere). GCM gives AuthEnvelopedData, which older readers lack.
   * Security: CBC EnvelopedData has no integrity protection (anyone can alter the ciphertext); sign the
   * content too (`cmsSign`) or use a GCM cipher.
   */
  cipher?: CmsCipher;
  /** RSA recipients: RSAES-OAEP with SHA-256 (default true) or, with false, PKCS#1 v1.5 for old readers. */
  rsaOaep?: boolean;
  /** `der` (default) or `pem`. */
  format?: CmsFormat;
}

function encryptArgs(data: unknown, recipients: unknown, options: unknown) {
  const o = validateOptions<CmsEncryptOptions>('cmsEncrypt', options, { cipher: { type: 'string', enum: CMS_CIPHERS }, rsaOaep: { type: 'boolean' }, format: FORMAT });
  const certs = certsDer('recipients', recipients);
  if (certs.length === 0) throw fail('ERR_MISSING_OPTION', 'cmsEncrypt needs at least one recipient certificate', { option: 'recipients' });
  return {
    native: { data: dataBuffer('data', data), recipients: certs, cipher: o.cipher ?? DEFAULTS.crypto.cmsCipher.value, oaep: o.rsaOaep ?? DEFAULTS.crypto.cmsRsaOaep.value },
    format: o.format,
  };
}

/**
 * Encrypts `data` to one or more recipient certificates (RSA: key transport;
 * EC: ECDH key agreement).
 *
 * @throws ConfigError `ERR_MISSING_OPTION`, `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (a recipient key that cannot receive, e.g. Ed25519)
 */
export async function cmsEncrypt(data: Data, recipients: CertificatesInput, options?: CmsEncryptOptions & { format?: 'der' }): Promise<Buffer>;
export async function cmsEncrypt(data: Data, recipients: CertificatesInput, options: CmsEncryptOptions & { format: 'pem' }): Promise<string>;
export async function cmsEncrypt(data: Data, recipients: CertificatesInput, options?: CmsEncryptOptions): Promise<Buffer | string> {
  const a = encryptArgs(data, recipients, options);
  return out(await native().cmsEncrypt(a.native, true), a.format);
}

/** The synchronous variant of {@link cmsEncrypt}. */
export function cmsEncryptSync(data: Data, recipients: CertificatesInput, options?: CmsEncryptOptions & { format?: 'der' }): Buffer;
export function cmsEncryptSync(data: Data, recipients: CertificatesInput, options: CmsEncryptOptions & { format: 'pem' }): string;
export function cmsEncryptSync(data: Data, recipients: CertificatesInput, options?: CmsEncryptOptions): Buffer | string {
  const a = encryptArgs(data, recipients, options);
  return out(native().cmsEncrypt(a.native, false), a.format);
}

/** Options of {@link cmsDecrypt}. */
export interface CmsDecryptOptions {
  /** The recipient's private key. */
  privateKey: KeyInput;
  /** Passphrase of an encrypted `privateKey`. No default: an encrypted key without it throws `ERR_MISSING_PASSPHRASE`. */
  passphrase?: Passphrase;
  /** The recipient's certificate (selects the RecipientInfo; required so failures are explicit, not random output). */
  certificate: CertificateInput;
}

function decryptArgs(cms: unknown, options: unknown) {
  const o = validateOptions<CmsDecryptOptions>('cmsDecrypt', options, { privateKey: { type: 'any' }, passphrase: PASS, certificate: { type: 'any' } });
  if (o.privateKey === undefined || o.certificate === undefined) {
    throw fail('ERR_MISSING_OPTION', 'cmsDecrypt needs options.privateKey and options.certificate', { option: o.privateKey === undefined ? 'privateKey' : 'certificate' });
  }
  const key = privateKeyOf(o.privateKey, 'privateKey', o.passphrase);
  return { cms: cmsBytes(cms), key: key.export({ format: 'der', type: 'pkcs8' }), cert: certDer('certificate', o.certificate) };
}

/**
 * Decrypts CMS EnvelopedData or AuthEnvelopedData.
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_NOT_RECIPIENT`, `ERR_JSEC_CRYPTO_DECRYPT_FAILED`, `ERR_JSEC_CRYPTO_INVALID_CMS`
 * @throws ConfigError `ERR_JSEC_CRYPTO_KEY_MISMATCH`
 */
export async function cmsDecrypt(cms: CmsInput, options: CmsDecryptOptions): Promise<Buffer> {
  return native().cmsDecrypt(decryptArgs(cms, options), true);
}

/** The synchronous variant of {@link cmsDecrypt}. */
export function cmsDecryptSync(cms: CmsInput, options: CmsDecryptOptions): Buffer {
  return native().cmsDecrypt(decryptArgs(cms, options), false);
}

// --- certificates -------------------------------------------------------------------

/**
 * A certs-only SignedData ("degenerate" PKCS#7, as SCEP and `.p7b` files use).
 *
 * @throws ConfigError `ERR_MISSING_OPTION` (no certificate)
 */
export function cmsCertsOnly(certificates: CertificatesInput, options?: { format?: CmsFormat }): Buffer | string {
  const o = validateOptions<{ format?: CmsFormat }>('cmsCertsOnly', options, { format: FORMAT });
  const certs = certsDer('certificates', certificates);
  if (certs.length === 0) throw fail('ERR_MISSING_OPTION', 'cmsCertsOnly needs at least one certificate', { option: 'certificates' });
  return out(native().cmsCertsOnly(certs), o.format, 'PKCS7');
}

/**
 * The certificates carried in a CMS SignedData (empty for other content types).
 *
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_INVALID_CMS`
 */
export function cmsCertificates(cms: CmsInput): X509Certificate[] {
  return native().cmsCerts(cmsBytes(cms)).map((d) => parsed('certificate', d));
}

/** The content type of a CMS structure (OpenSSL short name: `pkcs7-signedData`, `pkcs7-envelopedData`, `id-smime-ct-authEnvelopedData`, ...) and whether a SignedData is detached. */
export function cmsInfo(cms: CmsInput): { readonly type: string; readonly detached: boolean } {
  check('cms', cms, { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] });
  return Object.freeze(native().cmsContentType(cmsBytes(cms)));
}

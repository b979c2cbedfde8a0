/**
 * Certificate generation: self-signed, and issued by a given CA certificate
 * and key. Keys come from Node's `crypto.generateKeyPair` (off the main
 * thread in the async variants) or are supplied by the caller.
 *
 * @module
 */
import { KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { deepFreeze, validateOptions, type Schema } from '../config/validate.js';
import type { NativeGeneralNameInput } from '../native/binding.js';
import { buildCertificate, buildCertificateAsync, DIGESTS, randomSerial, serialBytes, type CertificateSpec, type Digest, type RandomSource } from './build.js';
import { Certificate, toCertificate, type CertificateInput } from './certificate.js';
import { generateKey, generateKeySync, isRsa, KEY_TYPES, pkcs8Pem, toPrivateKey, toPublicKey, type DeferredKey, type GeneratedKey, type KeyType, type PrivateKeyInput, type PublicKeyInput } from './keys.js';
import { KEY_USAGE, nameValue, normalizeName, normalizeSan, type GeneralNameInput, type KeyUsage, type NameInput } from './names.js';

/** Options shared by {@link generateSelfSigned} and {@link generate}. */
export interface CertificateOptions {
  /** Subject distinguished name (ordered pairs or an object). Default: `CN=<commonName>`. */
  subject?: NameInput;
  /** Shortcut for the subject's CN (appended when `subject` has no CN). Default `localhost` when neither is given. */
  commonName?: string;
  /**
   * Subject alternative names: `{ type: 'dns'|'ip'|'email'|'uri', value }` or strings (`'DNS:a.example'`,
   * `'IP:10.0.0.1'`, `'email:a@b'`, `'URI:https://…'`, or a bare host name / IP). Default: derived from the
   * commonName (a DNS or IP SAN), because TLS clients match SANs only; pass `[]` for none.
   */
  san?: readonly GeneralNameInput[];
  /** An existing private key for the subject (KeyObject, PEM or DER); default: a new key of `keyType`. */
  key?: PrivateKeyInput;
  /** Type of the generated key. Default `'ec-p256'`. */
  keyType?: KeyType;
  /** Start of validity. Default: `now - clockSkew`. */
  notBefore?: Date;
  /** End of validity. Default: `notBefore + days` (measured from now). */
  notAfter?: Date;
  /** Validity in days (ignored when `notAfter` is set). Default 365. */
  days?: number;
  /** The clock: "now" for the validity defaults. Default: `new Date()`. */
  now?: Date;
  /** Seconds notBefore is backdated by default. Default 300. */
  clockSkew?: number;
  /** Serial number (hex text, bigint or bytes; positive, at most 20 octets). Default: 128 random bits, top bit cleared. */
  serialNumber?: string | bigint | Uint8Array;
  /** Random source for the serial (tests inject a seeded one). Default `crypto.randomBytes`. */
  random?: RandomSource;
  /** Signature digest for RSA/ECDSA keys: sha256 (default), sha384, sha512. Never SHA-1. */
  digest?: Digest;
  /** Make a CA certificate (basicConstraints CA:TRUE, keyCertSign + cRLSign). Default false. */
  ca?: boolean;
  /** Path length constraint of a CA certificate. Default: none. */
  pathLength?: number;
  /** Key usage names. Default: CA → keyCertSign, cRLSign, digitalSignature; leaf → digitalSignature (+ keyEncipherment for RSA). */
  keyUsage?: readonly KeyUsage[];
  /** Extended key usage names or OIDs. Default: CA → none; leaf → serverAuth, clientAuth. Pass `[]` for none. */
  extendedKeyUsage?: readonly string[];
  /**
   * Mark the extended key usage extension critical. Default: true when the only usage is `timeStamping`
   * (RFC 3161 2.3 requires it; OpenSSL's time-stamping purpose refuses a non-critical one), else false.
   */
  extendedKeyUsageCritical?: boolean;
  /** OCSP responder URLs (authority information access). Default: none. */
  ocsp?: readonly string[];
  /** CA-issuer URLs (authority information access). Default: none. */
  caIssuers?: readonly string[];
  /** CRL distribution point URLs. Default: none. */
  crlDistributionPoints?: readonly string[];
  /** Certificate policy OIDs. Default: none (no certificatePolicies extension). */
  policies?: readonly string[];
  /** Add the TLS feature extension status_request (OCSP must-staple, RFC 7633). Default false. */
  mustStaple?: boolean;
  /** Further extensions, DER values written verbatim (OID must not repeat one written above). Default: none. */
  extensions?: readonly { oid: string; critical?: boolean; value: Uint8Array }[];
}

/** Options of {@link generate}: a certificate signed by an issuer. */
export interface IssuedCertificateOptions extends CertificateOptions {
  /** The issuing CA: its certificate and private key. */
  issuer: { certificate: CertificateInput; key: PrivateKeyInput };
  /**
   * The subject's public key when its private key stays elsewhere. No default; exclusive with `key`
   * and `keyType` (`ERR_JSEC_CONFLICTING_OPTIONS`). The result's `key` and `privateKey` are then undefined.
   */
  publicKey?: PublicKeyInput;
}

/** A generated certificate and its key. */
export interface GeneratedCertificate {
  /** The parsed certificate. */
  readonly certificate: Certificate;
  /** The certificate as PEM (what `tls.createSecureContext({ cert })` takes). */
  readonly cert: string;
  /** The private key as PKCS#8 PEM (what `tls.createSecureContext({ key })` takes); undefined when only a public key was given. */
  readonly key: string | undefined;
  /** The private key as a KeyObject; undefined when only a public key was given. */
  readonly privateKey: KeyObject | undefined;
}

/** A generated self-signed certificate and its key (always present). */
export interface GeneratedSelfSigned extends GeneratedCertificate {
  /** The private key as PKCS#8 PEM. */
  readonly key: string;
  /** The private key as a KeyObject. */
  readonly privateKey: KeyObject;
}

const listOf = (rule: Schema[string]): Schema[string] => ({ type: 'array', of: rule, maxLength: 1000 });
const str = { type: 'string', nonEmpty: true } as const;
const keyRule = { type: 'oneOf', rules: [{ type: 'instance', of: KeyObject, label: 'a KeyObject' }, { type: 'string' }, { type: 'bytes' }] } as const;
const date = { type: 'instance', of: Date, label: 'a Date' } as const;

const BASE_SCHEMA: Schema = {
  subject: { type: 'any' },
  commonName: str,
  san: listOf({ type: 'any' }),
  key: keyRule,
  keyType: { type: 'string', enum: KEY_TYPES },
  notBefore: date,
  notAfter: date,
  days: { type: 'number', min: 1 / 86400, max: 100 * 366 },
  now: date,
  clockSkew: { type: 'number', min: 0, max: 86400 },
  serialNumber: { type: 'oneOf', rules: [{ type: 'string', nonEmpty: true }, { type: 'bytes' }, { type: 'any' }] },
  random: { type: 'function' },
  digest: { type: 'string', enum: DIGESTS },
  ca: { type: 'boolean' },
  pathLength: { type: 'number', integer: true, min: 0, max: 1000 },
  keyUsage: listOf({ type: 'string', enum: [...KEY_USAGE, 'contentCommitment'] }),
  extendedKeyUsage: listOf(str),
  extendedKeyUsageCritical: { type: 'boolean' },
  ocsp: listOf(str),
  caIssuers: listOf(str),
  crlDistributionPoints: listOf(str),
  policies: listOf({ type: 'string', nonEmpty: true }),
  mustStaple: { type: 'boolean' },
  extensions: listOf({ type: 'object', schema: { oid: str, critical: { type: 'boolean' }, value: { type: 'bytes' } } }),
};

const ISSUED_SCHEMA: Schema = {
  ...BASE_SCHEMA,
  issuer: { type: 'object', schema: { certificate: { type: 'any' }, key: keyRule } },
  publicKey: keyRule,
};

const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/;
const OID_RE = /^[0-2](\.\d+)+$/;

function checkUrls(list: readonly string[] | undefined, option: string): void {
  list?.forEach((u, i) => {
    if (!URL_RE.test(u) || !/^[\x20-\x7e]+$/.test(u)) throw createError('ERR_INVALID_ARG_VALUE', `The "${option}[${i}]" option must be an absolute ASCII URL`, { option: `${option}[${i}]` });
  });
}

interface Plan {
  spec: Omit<CertificateSpec, 'publicKey' | 'signingKey'>;
  keyType: KeyType;
  key: KeyObject | undefined;
  publicKey: KeyObject | undefined;
  issuer: { certificate: Certificate; key: KeyObject } | undefined;
}

/** Validates options and works out everything except the key. */
function plan(where: string, options: unknown, issued: boolean): Plan {
  const given = deepFreeze(validateOptions<IssuedCertificateOptions>(where, options, issued ? ISSUED_SCHEMA : BASE_SCHEMA));
  const o = { ...given, ca: given.ca ?? defaults.cert.selfSignedCa };
  if (issued && !o.issuer) throw createError('ERR_MISSING_OPTION', `The "issuer" option is required by ${where}`, { option: 'issuer' });
  if (o.key && o.publicKey) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give either "key" or "publicKey", not both', { option: 'publicKey' });
  if ((o.key || o.publicKey) && o.keyType) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "keyType" option cannot be used with an existing key', { option: 'keyType' });
  if (o.pathLength !== undefined && !o.ca) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "pathLength" option needs "ca: true"', { option: 'pathLength' });
  if (o.serialNumber !== undefined && o.random) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give either "serialNumber" or "random", not both', { option: 'random' });
  if (o.notAfter && o.days !== undefined) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give either "notAfter" or "days", not both', { option: 'days' });
  checkUrls(o.ocsp, 'ocsp');
  checkUrls(o.caIssuers, 'caIssuers');
  checkUrls(o.crlDistributionPoints, 'crlDistributionPoints');
  o.policies?.forEach((p, i) => {
    if (!OID_RE.test(p)) throw createError('ERR_INVALID_ARG_VALUE', `The "policies[${i}]" option must be a dotted OID`, { option: `policies[${i}]` });
  });
  o.extensions?.forEach((e, i) => {
    if (!OID_RE.test(e.oid)) throw createError('ERR_INVALID_ARG_VALUE', `The "extensions[${i}].oid" option must be a dotted OID`, { option: `extensions[${i}].oid` });
  });

  const subject = o.subject !== undefined ? normalizeName(o.subject, 'subject') : [];
  const commonName = o.commonName ?? (nameValue(subject, 'CN') === undefined && o.subject === undefined ? 'localhost' : undefined);
  if (o.commonName !== undefined && nameValue(subject, 'CN') !== undefined) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "commonName" option conflicts with a CN in "subject"', { option: 'commonName' });
  }
  if (commonName !== undefined) subject.push(['CN', commonName]);
  normalizeName(subject, 'subject');

  let san: NativeGeneralNameInput[];
  if (o.san !== undefined) san = normalizeSan(o.san, 'san');
  else {
    const cn = nameValue(subject, 'CN');
    san = defaults.cert.autoSan && cn !== undefined && !o.ca ? tryAutoSan(cn) : [];
  }

  const now = o.now ?? new Date();
  const skew = (o.clockSkew ?? defaults.cert.clockSkew) * 1000;
  const notBefore = o.notBefore ?? new Date(now.getTime() - skew);
  const notAfter = o.notAfter ?? new Date(now.getTime() + (o.days ?? defaults.cert.validityDays) * 86400_000);
  if (notAfter.getTime() <= notBefore.getTime()) throw createError('ERR_INVALID_ARG_VALUE', 'The validity ends before it starts (notAfter <= notBefore)', { option: 'notAfter' });

  const issuer = o.issuer ? { certificate: toCertificate(o.issuer.certificate, 'issuer.certificate'), key: toPrivateKey(o.issuer.key, 'issuer.key') } : undefined;
  const key = o.key !== undefined ? toPrivateKey(o.key, 'key') : undefined;
  const publicKey = o.publicKey !== undefined ? toPublicKey(o.publicKey, 'publicKey') : undefined;

  const spec: Plan['spec'] = {
    subject,
    serial: o.serialNumber !== undefined ? serialBytes(o.serialNumber as string) : randomSerial(o.random),
    notBefore,
    notAfter,
    digest: o.digest ?? defaults.cert.digest,
    basicConstraints: o.ca ? (o.pathLength !== undefined ? { ca: true, pathLength: o.pathLength } : { ca: true }) : { ca: false },
    keyUsageCritical: defaults.cert.keyUsageCritical,
    subjectAltName: san,
    subjectKeyIdentifier: true,
    authorityKeyIdentifier: issuer !== undefined,
    mustStaple: o.mustStaple ?? false,
  };
  if (o.keyUsage) spec.keyUsage = o.keyUsage;
  spec.extendedKeyUsage = o.extendedKeyUsage ?? (o.ca ? [] : ['serverAuth', 'clientAuth']);
  if (o.extendedKeyUsageCritical !== undefined) spec.extendedKeyUsageCritical = o.extendedKeyUsageCritical;
  if (o.ocsp) spec.ocspUrls = o.ocsp;
  if (o.caIssuers) spec.caIssuerUrls = o.caIssuers;
  if (o.crlDistributionPoints) spec.crlDistributionPoints = o.crlDistributionPoints;
  if (o.policies) spec.policies = o.policies;
  if (o.extensions) spec.extraExtensions = o.extensions.map((e) => ({ oid: e.oid, critical: e.critical ?? false, value: Buffer.from(e.value) }));
  return { spec, keyType: o.keyType ?? defaults.cert.keyType, key, publicKey, issuer };
}

function tryAutoSan(cn: string): NativeGeneralNameInput[] {
  try {
    return normalizeSan([cn]);
  } catch {
    // A CN that is neither a host name nor an address (a person's name) yields no SAN.
    return [];
  }
}

function defaultKeyUsage(ca: boolean, subjectKey: KeyObject): KeyUsage[] {
  if (ca) return ['digitalSignature', 'keyCertSign', 'cRLSign'];
  return isRsa(subjectKey) ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}

function finish(p: Plan, subjectPrivate: KeyObject | DeferredKey | undefined, subjectPublic: KeyObject): CertificateSpec {
  const spec: CertificateSpec = {
    ...p.spec,
    keyUsage: p.spec.keyUsage ?? defaultKeyUsage(p.spec.basicConstraints?.ca === true, subjectPublic),
    signingKey: p.issuer ? p.issuer.key : subjectPrivate!,
  };
  if (p.issuer) {
    spec.issuer = p.issuer.certificate;
    spec.publicKey = subjectPublic;
  }
  return spec;
}

function result(certificate: Certificate, owner: { readonly privateKey: KeyObject } | undefined): GeneratedCertificate {
  // PEM forms are made on first use: many callers only need the objects; so
  // is a generated key's KeyObject where it is not made with the key.
  let key: string | undefined;
  return Object.freeze({
    certificate,
    get cert() {
      return certificate.pem;
    },
    get key() {
      if (owner) key ??= pkcs8Pem(owner.privateKey);
      return key;
    },
    get privateKey() {
      return owner?.privateKey;
    },
  });
}

/** The subject's keys: who signs a self-signed certificate, its public key, and who owns the private key. */
function keysFor(p: Plan, generated: GeneratedKey | undefined): [KeyObject | DeferredKey | undefined, KeyObject, { readonly privateKey: KeyObject } | undefined] {
  if (p.publicKey) return [undefined, p.publicKey, undefined];
  if (p.key) return [p.key, toPublicKey(p.key), { privateKey: p.key }];
  return [generated!.deferred ?? generated!.privateKey, generated!.publicKey, generated];
}

/**
 * Generates a self-signed certificate (and a new key unless `key` is given).
 * The key pair is generated on the libuv thread pool, as is the signature.
 *
 * Defaults: ECDSA P-256 key, CN `localhost` with a matching DNS SAN, 365 days from
 * five minutes ago, random 128-bit serial, SHA-256, a CA:FALSE leaf with
 * digitalSignature and serverAuth + clientAuth (pass `ca: true` for a root).
 *
 * @throws ConfigError for bad options (before any work); CertificateError `ERR_JSEC_CERT_KEY_INVALID`, `ERR_JSEC_CERT_BUILD`.
 */
export async function generateSelfSigned(options?: CertificateOptions): Promise<GeneratedSelfSigned> {
  const p = plan('generateSelfSigned', options, false);
  const generated = p.key ? undefined : await generateKey(p.keyType);
  const [priv, pub, owner] = keysFor(p, generated);
  const certificate = await buildCertificateAsync(finish(p, priv, pub));
  return result(certificate, owner) as GeneratedSelfSigned;
}

/**
 * Synchronous {@link generateSelfSigned} for scripts: key generation blocks
 * the event loop (RSA-4096 for a second or more).
 */
export function generateSelfSignedSync(options?: CertificateOptions): GeneratedSelfSigned {
  const p = plan('generateSelfSignedSync', options, false);
  const generated = p.key ? undefined : generateKeySync(p.keyType);
  const [priv, pub, owner] = keysFor(p, generated);
  return result(buildCertificate(finish(p, priv, pub)), owner) as GeneratedSelfSigned;
}

/**
 * Generates a certificate signed by `issuer` (a CA certificate and its key).
 * The issuer name and authority key identifier come from the issuer certificate;
 * the issuer key must match it. Same defaults as {@link generateSelfSigned}.
 *
 * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_KEY_MISMATCH` when the key is not the issuer's.
 */
export async function generate(options: IssuedCertificateOptions): Promise<GeneratedCertificate> {
  const p = plan('generate', options, true);
  const generated = p.key || p.publicKey ? undefined : await generateKey(p.keyType);
  const [priv, pub, owner] = keysFor(p, generated);
  return result(await buildCertificateAsync(finish(p, priv, pub)), owner);
}

/** Synchronous {@link generate}. */
export function generateSync(options: IssuedCertificateOptions): GeneratedCertificate {
  const p = plan('generateSync', options, true);
  const generated = p.key || p.publicKey ? undefined : generateKeySync(p.keyType);
  const [priv, pub, owner] = keysFor(p, generated);
  return result(buildCertificate(finish(p, priv, pub)), owner);
}

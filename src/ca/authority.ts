/**
 * The certificate authority: roots, intermediates, issuance by profile, CSR
 * signing under a policy, serial bookkeeping, revocation, CRLs, OCSP, and
 * state export/import.
 *
 * @module
 */
import { createPrivateKey, KeyObject, randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { check, deepFreeze, validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import { buildCertificateAsync, DIGESTS, randomSerial, serialBytes, type CertificateSpec, type Digest, type RandomSource } from '../cert/build.js';
import { Certificate, toCertificate, type CertificateInput } from '../cert/certificate.js';
import { buildCrl, type Crl } from '../cert/crl.js';
import { Csr } from '../cert/csr.js';
import { generateKey, KEY_TYPES, pkcs8Der, toPrivateKey, toPublicKey, type KeyType, type PrivateKeyInput, type PublicKeyInput } from '../cert/keys.js';
import { KEY_USAGE, nameValue, normalizeName, normalizeSan, type GeneralNameInput, type KeyUsage, type NameInput } from '../cert/names.js';
import { normalizeSerial, REASON_NAMES, timeOf, type Clock, type RevocationReason } from '../ocsp/common.js';
import { OcspSigner } from '../ocsp/response.js';
import { ocspAnswerer, startOcspResponder, type OcspLookupResult, type OcspResponder } from '../ocsp/responder.js';
import { messageBytes } from '../ocsp/common.js';
import type { OcspRequest } from '../ocsp/request.js';
import { applyPolicy, type CsrAllowance } from './policy.js';
import { PROFILES, PROFILE_SPECS, profileKeyUsage, type IssueProfile } from './profiles.js';
import { CA_STATE_FORMAT, CA_STATE_VERSION, parseState, type CaStateJSON } from './state.js';

const issueChannel = channel('jsec:ca:issue');
const revokeChannel = channel('jsec:ca:revoke');
const kCreate = Symbol('jsec.ca.create');
const DAY = 86_400_000;

/** The states of a {@link CertificateAuthority}. */
export const CaState = Object.freeze({ ACTIVE: 'active', CLOSED: 'closed' } as const);
/** A state of a {@link CertificateAuthority}. */
export type CaState = (typeof CaState)[keyof typeof CaState];

/** How serials are chosen. */
export type SerialMode = 'random' | 'sequential';

/** URLs written into the certificates a CA issues. */
export interface Publication {
  /** OCSP responder URLs (authority information access). */
  ocsp?: readonly string[];
  /** URLs where the CA certificate can be fetched (authority information access). */
  caIssuers?: readonly string[];
  /** CRL distribution point URLs. */
  crlDistributionPoints?: readonly string[];
}

/** One certificate the CA issued. */
export interface IssuedRecord {
  /** Upper-case hex, as `X509Certificate.serialNumber`. */
  readonly serialNumber: string;
  /** The profile it was issued under (`'ca'` for intermediates, `'csr'` + profile for signed requests). */
  readonly profile: string;
  /** The subject DN in its display form. */
  readonly subject: string;
  /** Start of the certificate's validity. */
  readonly notBefore: Date;
  /** End of the certificate's validity. */
  readonly notAfter: Date;
  /** The issued certificate. */
  readonly certificate: Certificate;
}

/** One revocation. */
export interface RevokedRecord {
  /** Upper-case hex serial of the revoked certificate. */
  readonly serialNumber: string;
  /** The CRL / OCSP reason given at revocation. */
  readonly reason: RevocationReason;
  /** When it was revoked (the CA's clock at `revoke()`, unless given). */
  readonly revocationTime: Date;
  /** When the key is known or suspected to have been compromised, if given. */
  readonly invalidityDate: Date | null;
}

/** A newly issued certificate and its key (the same shape as `jsec/cert`'s `generate`). */
export interface IssuedCertificate {
  /** The issued certificate. */
  readonly certificate: Certificate;
  /** PEM of the certificate. */
  readonly cert: string;
  /** PKCS#8 PEM of the private key; undefined when only a public key was given. */
  readonly key: string | undefined;
  /** The private key as a KeyObject; undefined when only a public key was given. */
  readonly privateKey: KeyObject | undefined;
  /** The issuing chain above the certificate: this CA first, the root last. */
  readonly chain: readonly Certificate[];
}

/** Options shared by the constructors. */
interface CaCommonOptions {
  /** Clock. Default `Date.now`. */
  now?: Clock;
  /** Random source for serials (tests inject a seeded one). Default `crypto.randomBytes`. */
  random?: RandomSource;
  /** `'random'` (default, 128-bit) or `'sequential'` (1, 2, 3, ... skipping every serial already used). */
  serialMode?: SerialMode;
  /** URLs written into issued certificates. Default none. */
  publication?: Publication;
}

/** Options of {@link CertificateAuthority.createRoot} and {@link CertificateAuthority.createIntermediate}. */
export interface CreateCaOptions extends CaCommonOptions {
  /** Subject DN. Default `CN=<commonName>`. */
  subject?: NameInput;
  /** Common name. Default `jsec Root CA` / `jsec Intermediate CA`. */
  commonName?: string;
  /** An existing key. Default: a new key of `keyType`. */
  key?: PrivateKeyInput;
  /** Key type. Default `'ec-p256'` (`defaults.ca.keyType`). */
  keyType?: KeyType;
  /** Validity in days. Default 3650 (root) / 1825 (intermediate, capped at the parent's notAfter). */
  days?: number;
  /** Start of validity. Default: now minus five minutes (`defaults.cert.clockSkew`), for peers with slow clocks. */
  notBefore?: Date;
  /**
   * End of validity; exclusive with `days` (`ERR_JSEC_CONFLICTING_OPTIONS`). Default: now + `days`.
   * Not after `notBefore` throws `ERR_JSEC_CA_VALIDITY`.
   */
  notAfter?: Date;
  /** Path length constraint. Default: none for a root, 0 for an intermediate. */
  pathLength?: number;
  /** The CA certificate's own serial. Default random. */
  serialNumber?: string | bigint;
  /** Signature digest. Default sha256. */
  digest?: Digest;
}

/** Options of {@link CertificateAuthority.load}. */
export interface LoadCaOptions extends CaCommonOptions {
  /** The CA certificate. */
  certificate: CertificateInput;
  /** Its private key (checked against the certificate). */
  key: PrivateKeyInput;
  /** Certificates above this CA, parent first (for `chain`). Default: none (the CA is a root, or its chain is not shipped). */
  chain?: readonly CertificateInput[];
  /**
   * Saved bookkeeping (serials, issued, revoked, CRL number) from {@link CertificateAuthority.export}.
   * Default: empty bookkeeping. Security: without it, serials and revocations of earlier runs are unknown,
   * so a CRL made now lists none of them.
   */
  state?: CaStateJSON;
}

/** Options of {@link CertificateAuthority.issue}. */
export interface IssueOptions {
  /** Subject DN. Default: `CN=<commonName>`, or an empty subject when only `san` is given. */
  subject?: NameInput;
  /**
   * Common name, added to `subject` (a CN in both throws `ERR_JSEC_CONFLICTING_OPTIONS`). No default:
   * one of `subject`, `commonName` or `san` is required (`ERR_MISSING_OPTION`).
   */
  commonName?: string;
  /** SANs (`{ type, value }` or `'DNS:x'`, `'IP:x'`, `'email:x'`, `'URI:x'`). Default: derived from the commonName for server and email profiles. */
  san?: readonly GeneralNameInput[];
  /** The subject's key; default: a new key of `keyType`. */
  key?: PrivateKeyInput;
  /**
   * The subject's public key, when its private key stays elsewhere. No default; exclusive with `key`
   * (`ERR_JSEC_CONFLICTING_OPTIONS`). The result's `key` and `privateKey` are then undefined.
   */
  publicKey?: PublicKeyInput;
  /** Type of the new key. Default `'ec-p256'` (`defaults.ca.keyType`); refused with `key` or `publicKey`. */
  keyType?: KeyType;
  /** Validity in days. Default 365 (30 for ocspSigning), capped at the CA's own notAfter. */
  days?: number;
  /** Start of validity. Default: now minus five minutes (`defaults.cert.clockSkew`). */
  notBefore?: Date;
  /**
   * End of validity; exclusive with `days` (`ERR_JSEC_CONFLICTING_OPTIONS`). Default: now + `days`.
   * Outside the CA's own validity, or not after `notBefore`, throws `ERR_JSEC_CA_VALIDITY`.
   */
  notAfter?: Date;
  /** An explicit serial (refused if already used). Default: chosen by the serial mode. */
  serialNumber?: string | bigint;
  /** Key usage, replacing the profile's. Default: the profile's (fitted to the key type). */
  keyUsage?: readonly KeyUsage[];
  /** Extended key usage (names or OIDs), replacing the profile's. Default: the profile's. */
  extendedKeyUsage?: readonly string[];
  /** Add the must-staple TLS feature. Default false. */
  mustStaple?: boolean;
  /** URLs replacing the CA's publication for this certificate. Default: the CA's `publication`. */
  publication?: Publication;
  /** Signature digest. Default `'sha256'` (`defaults.cert.digest`); ignored for Ed25519/Ed448 CA keys. */
  digest?: Digest;
}

/** The policy of {@link CertificateAuthority.signCsr}: what the request may ask for, and overrides. */
export interface SignCsrPolicy extends Omit<IssueOptions, 'key' | 'publicKey' | 'keyType'> {
  /** The profile whose key usage and default EKU apply. Default `'server'`. */
  profile?: IssueProfile;
  /**
   * What the CSR may ask for; everything else is refused (`ERR_JSEC_CA_POLICY`). Default: the profile's
   * SAN types and extended key usages, no CA, no extra extensions, and no name: a CSR carrying a SAN
   * or a CN is refused unless `allow.names` admits it (`'any'` admits every name).
   */
  allow?: CsrAllowance;
}

/** Options of {@link CertificateAuthority.crl}. */
export interface CrlOptions {
  /** Default: now. */
  thisUpdate?: Date;
  /** Default: thisUpdate + 7 days (`defaults.ca.crlValidityDays`). */
  nextUpdate?: Date;
  /** Signature digest. Default `'sha256'` (`defaults.cert.digest`); ignored for Ed25519/Ed448 CA keys. */
  digest?: Digest;
}

/** Options of {@link CertificateAuthority.ocspResponder}. */
export interface CaOcspResponderOptions {
  /** A delegated responder (certificate with EKU OCSPSigning issued by this CA, and its key). Default: the CA signs itself. */
  signer?: { certificate: CertificateInput; key: PrivateKeyInput };
  /** Address to listen on. Default `'127.0.0.1'` (`defaults.ocsp.host`). */
  host?: string;
  /** TCP port. Default 0 (any free port; read it from the responder's `url`). */
  port?: number;
  /** Response validity, ms. Default 1 hour. */
  validity?: number;
  /** Answer for serials this CA has no record of. Default `'unknown'`. */
  unknownSerials?: 'unknown' | 'good';
}

/** Options of {@link CertificateAuthority.export}. */
export interface ExportOptions {
  /** Encrypt the key (PKCS#8, PBES2 AES-256-CBC) with this passphrase. Default: unencrypted. */
  passphrase?: string;
}

const listOf = (rule: Schema[string], max = 1000): Schema[string] => ({ type: 'array', of: rule, maxLength: max });
const str = { type: 'string', nonEmpty: true } as const;
const keyRule = { type: 'oneOf', rules: [{ type: 'instance', of: KeyObject, label: 'a KeyObject' }, { type: 'string' }, { type: 'bytes' }] } as const;
const dateRule = { type: 'instance', of: Date, label: 'a Date' } as const;
const serialRule = { type: 'oneOf', rules: [{ type: 'string', nonEmpty: true }, { type: 'any' }] } as const;
const publicationRule: Schema[string] = { type: 'object', schema: { ocsp: listOf(str, 16), caIssuers: listOf(str, 16), crlDistributionPoints: listOf(str, 16) } };
const commonSchema: Schema = {
  now: { type: 'function' },
  random: { type: 'function' },
  serialMode: { type: 'string', enum: ['random', 'sequential'] },
  publication: publicationRule,
};
/** What every new certificate (a CA's own or an issued one) may set. */
const certificateSchema: Schema = {
  subject: { type: 'any' },
  commonName: str,
  key: keyRule,
  keyType: { type: 'string', enum: KEY_TYPES },
  days: { type: 'number', min: 1 / 24, max: 100 * 366 },
  notBefore: dateRule,
  notAfter: dateRule,
  serialNumber: serialRule,
  digest: { type: 'string', enum: DIGESTS },
};
const createSchema: Schema = {
  ...commonSchema,
  ...certificateSchema,
  pathLength: { type: 'number', integer: true, min: 0, max: 100 },
};
const issueSchema: Schema = {
  ...certificateSchema,
  san: listOf({ type: 'any' }),
  publicKey: keyRule,
  keyUsage: listOf({ type: 'string', enum: KEY_USAGE }, 9),
  extendedKeyUsage: listOf(str, 32),
  mustStaple: { type: 'boolean' },
  publication: publicationRule,
};
const signCsrSchema: Schema = {
  ...issueSchema,
  profile: { type: 'string', enum: PROFILES },
  allow: {
    type: 'object',
    schema: {
      sanTypes: listOf({ type: 'string', enum: ['dns', 'ip', 'email', 'uri'] }, 4),
      names: { type: 'oneOf', rules: [listOf({ type: 'oneOf', rules: [str, { type: 'instance', of: RegExp, label: 'a RegExp' }] }), { type: 'string', enum: ['any'] }] },
      extendedKeyUsage: listOf(str, 32),
      ca: { type: 'boolean' },
      maxPathLength: { type: 'number', integer: true, min: 0, max: 100 },
      extensions: listOf({ type: 'string', nonEmpty: true }, 64),
    },
  },
};
delete (signCsrSchema as Record<string, unknown>).key;
delete (signCsrSchema as Record<string, unknown>).publicKey;
delete (signCsrSchema as Record<string, unknown>).keyType;

const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[\x21-\x7e]+$/;

function checkPublication(p: Publication | undefined, option: string): Publication {
  const out: Publication = {};
  for (const k of ['ocsp', 'caIssuers', 'crlDistributionPoints'] as const) {
    const list = p?.[k];
    if (!list) continue;
    list.forEach((u, i) => {
      if (!URL_RE.test(u)) throw createError('ERR_INVALID_ARG_VALUE', `The "${option}.${k}[${i}]" option must be an absolute ASCII URL`, { option: `${option}.${k}[${i}]` });
    });
    out[k] = Object.freeze([...list]);
  }
  return Object.freeze(out);
}

function subjectFor(o: { subject?: NameInput; commonName?: string }, fallbackCn: string | undefined): [string, string][] {
  const subject = o.subject !== undefined ? normalizeName(o.subject, 'subject') : [];
  if (o.commonName !== undefined) {
    if (nameValue(subject, 'CN') !== undefined) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "commonName" option conflicts with a CN in "subject"', { option: 'commonName' });
    subject.push(['CN', o.commonName]);
  } else if (o.subject === undefined && fallbackCn !== undefined) subject.push(['CN', fallbackCn]);
  return subject;
}

/** The validity of a new certificate; a default end (no `days`/`notAfter`) is capped at `cap` (the issuer's notAfter). */
function validityOf(o: { days?: number; notBefore?: Date; notAfter?: Date }, now: number, days: number, cap?: Date): { notBefore: Date; notAfter: Date } {
  if (o.notAfter && o.days !== undefined) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give either "notAfter" or "days", not both', { option: 'days' });
  const notBefore = o.notBefore ?? new Date(now - defaults.cert.clockSkew * 1000);
  let notAfter = o.notAfter ?? new Date(now + (o.days ?? days) * DAY);
  if (cap && o.notAfter === undefined && o.days === undefined && notAfter.getTime() > cap.getTime()) notAfter = cap;
  if (notAfter.getTime() <= notBefore.getTime()) throw createError('ERR_JSEC_CA_VALIDITY', 'The validity ends before it starts (notAfter <= notBefore)', { option: 'notAfter' });
  return { notBefore, notAfter };
}

/** Serial bytes → the public hex form. */
function serialHex(b: Buffer): string {
  return normalizeSerial(b.toString('hex'));
}

interface CaInit {
  certificate: Certificate;
  key: KeyObject;
  chain: Certificate[];
  now: Clock | undefined;
  random: RandomSource;
  serialMode: SerialMode;
  publication: Publication;
}

/**
 * A certificate authority: its certificate and key, and the bookkeeping that
 * keeps it honest: every serial it used (never reused, its own included), the
 * certificates it issued, revocations, and the CRL number.
 *
 * State: `active` until {@link CertificateAuthority.close}; then every operation throws
 * `ERR_JSEC_INVALID_STATE`. Export the state ({@link CertificateAuthority.export}) or save it
 * ({@link CertificateAuthority.save}) after changes: nothing is persisted implicitly.
 *
 * @security The CA key lives in this object (a Node `KeyObject`) until `close()`. Exported states
 *   hold the key in PEM; pass a `passphrase` to encrypt it.
 */
export class CertificateAuthority {
  #state: CaState = CaState.ACTIVE;
  #cert: Certificate;
  #key: KeyObject | null;
  #chain: Certificate[];
  #clock: Clock | undefined;
  #random: RandomSource;
  #serialMode: SerialMode;
  #nextSerial = 1n;
  #used = new Set<string>();
  #issued = new Map<string, IssuedRecord>();
  #revoked = new Map<string, RevokedRecord>();
  #crlNumber = 0n;
  #publication: Publication;
  #ocspSigner: OcspSigner | null = null;
  #responders = new Set<OcspResponder>();

  /** @internal Use the static constructors. */
  constructor(token: symbol, init: CaInit) {
    if (token !== kCreate) throw createError('ERR_JSEC_INVALID_STATE', 'use CertificateAuthority.createRoot(), load() or import()', { operation: 'new CertificateAuthority' });
    this.#cert = init.certificate;
    this.#key = init.key;
    this.#chain = init.chain;
    this.#clock = init.now;
    this.#random = init.random;
    this.#serialMode = init.serialMode;
    this.#publication = init.publication;
    // The CA's own serial is never handed out (the original's first issued
    // certificate carried the root's serial).
    this.#used.add(normalizeSerial(this.#cert.serialNumber));
  }

  // ---- constructors ----------------------------------------------------------

  /**
   * Creates a self-signed root CA (basicConstraints critical CA:TRUE, keyUsage keyCertSign, cRLSign,
   * digitalSignature, SKI). Key generation and signing run off the main thread.
   *
   * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_KEY_INVALID`, `ERR_JSEC_CERT_BUILD`.
   */
  static async createRoot(options?: CreateCaOptions): Promise<CertificateAuthority> {
    const o = deepFreeze(validateOptions<CreateCaOptions>('CertificateAuthority.createRoot', options, createSchema));
    if (o.key && o.keyType) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "keyType" option cannot be used with an existing key', { option: 'keyType' });
    const publication = checkPublication(o.publication, 'publication');
    const subject = subjectFor(o, 'jsec Root CA');
    const now = timeOf(o.now);
    const validity = validityOf(o, now, defaults.ca.rootValidityDays);
    const random = o.random ?? randomBytes;
    const key = o.key !== undefined ? toPrivateKey(o.key, 'key') : (await generateKey(o.keyType ?? defaults.ca.keyType)).privateKey;
    const spec: CertificateSpec = {
      subject,
      signingKey: key,
      serial: o.serialNumber !== undefined ? serialBytes(o.serialNumber as string | bigint) : randomSerial(random),
      ...validity,
      basicConstraints: o.pathLength !== undefined ? { ca: true, pathLength: o.pathLength, critical: true } : { ca: true, critical: true },
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      subjectKeyIdentifier: true,
      authorityKeyIdentifier: false,
    };
    if (o.digest) spec.digest = o.digest;
    const certificate = await buildCertificateAsync(spec);
    return new CertificateAuthority(kCreate, { certificate, key, chain: [], now: o.now, random, serialMode: o.serialMode ?? defaults.ca.serialMode, publication });
  }

  /**
   * Wraps an existing CA certificate and key (for example one made by another tool), optionally
   * with saved bookkeeping.
   *
   * @throws CertificateError `ERR_JSEC_CERT_KEY_MISMATCH` when the key is not the certificate's;
   *   ConfigError `ERR_JSEC_CA_NOT_A_CA` when the certificate cannot sign certificates, `ERR_JSEC_CA_STATE` for a bad state.
   */
  static load(options: LoadCaOptions): CertificateAuthority {
    const o = validateOptions<LoadCaOptions>('CertificateAuthority.load', options, {
      ...commonSchema,
      certificate: { type: 'any' },
      key: keyRule,
      chain: listOf({ type: 'any' }, 16),
      state: { type: 'object', open: true },
    });
    if (o.certificate === undefined) throw createError('ERR_MISSING_OPTION', 'The "certificate" option is required', { option: 'certificate' });
    if (o.key === undefined) throw createError('ERR_MISSING_OPTION', 'The "key" option is required', { option: 'key' });
    const certificate = toCertificate(o.certificate, 'certificate');
    const key = toPrivateKey(o.key, 'key');
    const chain = (o.chain ?? []).map((c, i) => toCertificate(c, `chain[${i}]`));
    const ca = CertificateAuthority.#assemble(certificate, key, chain, o, o.publication);
    if (o.state) ca.#restore(parseState(o.state), o);
    return ca;
  }

  static #assemble(certificate: Certificate, key: KeyObject, chain: Certificate[], o: CaCommonOptions, publication: Publication | undefined): CertificateAuthority {
    if (!native().x509KeyMatches(certificate.derView, pkcs8Der(key))) {
      throw createError('ERR_JSEC_CERT_KEY_MISMATCH', 'The private key does not belong to the CA certificate', { option: 'key' });
    }
    const bc = certificate.basicConstraints;
    const ku = certificate.keyUsage;
    if (!bc?.ca || (ku.length > 0 && !ku.includes('keyCertSign'))) {
      throw createError('ERR_JSEC_CA_NOT_A_CA', 'The certificate is not a CA certificate (basicConstraints CA:TRUE with keyCertSign)', { option: 'certificate' });
    }
    return new CertificateAuthority(kCreate, {
      certificate,
      key,
      chain,
      now: o.now,
      random: o.random ?? randomBytes,
      serialMode: o.serialMode ?? defaults.ca.serialMode,
      publication: checkPublication(publication, 'publication'),
    });
  }

  /**
   * Restores a CA from {@link CertificateAuthority.export}'s output.
   *
   * @throws ConfigError `ERR_JSEC_CA_STATE` (malformed or unsupported state), `ERR_JSEC_CA_PASSPHRASE`
   *   (encrypted key without the right passphrase); CertificateError `ERR_JSEC_CERT_KEY_MISMATCH`.
   */
  static import(state: CaStateJSON, options: { passphrase?: string; now?: Clock; random?: RandomSource } = {}): CertificateAuthority {
    const o = validateOptions<{ passphrase?: string; now?: Clock; random?: RandomSource }>('CertificateAuthority.import', options, {
      passphrase: { type: 'string' },
      now: { type: 'function' },
      random: { type: 'function' },
    });
    const s = parseState(state);
    let key: KeyObject;
    if (s.keyEncrypted && o.passphrase === undefined) throw createError('ERR_JSEC_CA_PASSPHRASE', 'The CA key is encrypted: give the passphrase', { option: 'passphrase' });
    try {
      key = createPrivateKey(s.keyEncrypted ? { key: s.key, format: 'pem', passphrase: o.passphrase! } : { key: s.key, format: 'pem' });
    } catch (cause) {
      if (s.keyEncrypted) throw createError('ERR_JSEC_CA_PASSPHRASE', 'The passphrase does not decrypt the CA key', { option: 'passphrase', cause });
      throw createError('ERR_JSEC_CA_STATE', 'The CA key in the state cannot be decoded', { cause });
    }
    let certificate: Certificate;
    let chain: Certificate[];
    try {
      certificate = Certificate.from(s.certificate);
      chain = s.chain.map((c) => Certificate.from(c));
    } catch (cause) {
      throw createError('ERR_JSEC_CA_STATE', 'A certificate in the state cannot be decoded', { cause });
    }
    const common: CaCommonOptions = { serialMode: s.serialMode };
    if (o.now) common.now = o.now;
    if (o.random) common.random = o.random;
    const ca = CertificateAuthority.#assemble(certificate, key, chain, common, s.publication);
    ca.#restore(s, common);
    return ca;
  }

  #restore(s: ReturnType<typeof parseState>, o: CaCommonOptions): void {
    if (s.certificateDer && !s.certificateDer.equals(this.#cert.derView)) {
      throw createError('ERR_JSEC_CA_STATE', 'The state belongs to another CA certificate', { option: 'state' });
    }
    this.#serialMode = o.serialMode ?? s.serialMode;
    this.#nextSerial = s.nextSerial;
    this.#crlNumber = s.crlNumber;
    for (const serial of s.used) this.#used.add(serial);
    for (const r of s.issued) {
      let certificate: Certificate;
      try {
        certificate = Certificate.from(r.certificate);
      } catch (cause) {
        throw createError('ERR_JSEC_CA_STATE', `Issued certificate ${r.serialNumber} in the state cannot be decoded`, { cause });
      }
      const serialNumber = normalizeSerial(certificate.serialNumber);
      this.#issued.set(serialNumber, Object.freeze({ serialNumber, profile: r.profile, subject: certificate.subject.text, notBefore: certificate.notBefore, notAfter: certificate.notAfter, certificate }));
      this.#used.add(serialNumber);
    }
    for (const r of s.revoked) this.#revoked.set(r.serialNumber, Object.freeze({ ...r }));
    if (Object.keys(s.publication).length > 0 && Object.keys(this.#publication).length === 0) this.#publication = s.publication;
  }

  // ---- accessors ---------------------------------------------------------------

  /** `active` or `closed`. */
  get state(): CaState {
    return this.#state;
  }

  /** The CA certificate. */
  get certificate(): Certificate {
    return this.#cert;
  }

  /** This CA's certificate followed by the certificates above it, the root last. */
  get chain(): readonly Certificate[] {
    return Object.freeze([this.#cert, ...this.#chain]);
  }

  /** Whether this is a self-signed root. */
  get isRoot(): boolean {
    return this.#chain.length === 0 && this.#cert.isSelfIssued;
  }

  /** Every certificate this CA issued (in issue order). */
  get issued(): readonly IssuedRecord[] {
    return Object.freeze([...this.#issued.values()]);
  }

  /** Current revocations (in revocation order). */
  get revoked(): readonly RevokedRecord[] {
    return Object.freeze([...this.#revoked.values()]);
  }

  /** The number of the last CRL signed (0n before the first). */
  get crlNumber(): bigint {
    return this.#crlNumber;
  }

  /** How serials are chosen. */
  get serialMode(): SerialMode {
    return this.#serialMode;
  }

  /** URLs written into issued certificates. */
  get publication(): Publication {
    return this.#publication;
  }

  /** Sets the URLs written into certificates issued from now on (for example once the OCSP responder's port is known). */
  setPublication(publication: Publication): void {
    this.#active('setPublication');
    check('publication', publication, publicationRule);
    this.#publication = checkPublication(publication, 'publication');
  }

  /** Whether a serial was used by this CA (its own serial included). */
  hasSerial(serial: string | bigint): boolean {
    return this.#used.has(normalizeSerial(serial));
  }

  #active(operation: string): KeyObject {
    if (this.#state !== CaState.ACTIVE || this.#key === null) {
      throw createError('ERR_JSEC_INVALID_STATE', `The certificate authority is ${this.#state}`, { state: this.#state, operation });
    }
    return this.#key;
  }

  #now(): number {
    return timeOf(this.#clock);
  }

  // ---- serials -----------------------------------------------------------------

  /** Reserves a fresh serial (or the given one, if unused). Synchronous, so concurrent issues never collide. */
  #reserve(explicit: string | bigint | undefined): Buffer {
    if (explicit !== undefined) {
      const b = serialBytes(explicit as string | bigint, 'serialNumber');
      const hex = serialHex(b);
      if (this.#used.has(hex)) throw createError('ERR_JSEC_CA_SERIAL_REUSE', `Serial ${hex} was already used by this CA`, { serialNumber: hex });
      this.#used.add(hex);
      return b;
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      let b: Buffer;
      if (this.#serialMode === 'sequential') {
        b = serialBytes(this.#nextSerial);
        this.#nextSerial++;
      } else b = randomSerial(this.#random);
      const hex = serialHex(b);
      if (!this.#used.has(hex)) {
        this.#used.add(hex);
        return b;
      }
    }
    throw createError('ERR_JSEC_CA_SERIAL_REUSE', 'No unused serial found: the random source keeps repeating itself', { option: 'random' });
  }

  #record(certificate: Certificate, profile: string): IssuedRecord {
    const serialNumber = normalizeSerial(certificate.serialNumber);
    const rec: IssuedRecord = Object.freeze({ serialNumber, profile, subject: certificate.subject.text, notBefore: certificate.notBefore, notAfter: certificate.notAfter, certificate });
    this.#issued.set(serialNumber, rec);
    if (issueChannel.hasSubscribers) issueChannel.publish({ issuer: this.#cert.subject.text, serialNumber, profile, subject: rec.subject });
    return rec;
  }

  #checkWithin(validity: { notBefore: Date; notAfter: Date }): void {
    if (validity.notAfter.getTime() > this.#cert.notAfter.getTime()) {
      throw createError('ERR_JSEC_CA_VALIDITY', `The certificate would outlive the CA (CA notAfter ${this.#cert.notAfter.toISOString()})`, { option: 'notAfter' });
    }
    if (validity.notBefore.getTime() < this.#cert.notBefore.getTime() - defaults.cert.clockSkew * 1000) {
      throw createError('ERR_JSEC_CA_VALIDITY', `The certificate would start before the CA (CA notBefore ${this.#cert.notBefore.toISOString()})`, { option: 'notBefore' });
    }
  }

  /** Builds and records a certificate signed by this CA; the serial is released if signing fails. */
  async #sign(spec: Omit<CertificateSpec, 'serial' | 'signingKey' | 'issuer'>, explicitSerial: string | bigint | undefined, profile: string, publication: Publication | undefined): Promise<Certificate> {
    const key = this.#active('issue');
    this.#checkWithin(spec);
    const serial = this.#reserve(explicitSerial);
    const pub = publication ?? this.#publication;
    const full: CertificateSpec = { ...spec, serial, signingKey: key, issuer: this.#cert, authorityKeyIdentifier: true, subjectKeyIdentifier: true };
    if (pub.ocsp?.length) full.ocspUrls = pub.ocsp;
    if (pub.caIssuers?.length) full.caIssuerUrls = pub.caIssuers;
    if (pub.crlDistributionPoints?.length) full.crlDistributionPoints = pub.crlDistributionPoints;
    let certificate: Certificate;
    try {
      certificate = await buildCertificateAsync(full);
    } catch (err) {
      this.#used.delete(serialHex(serial));
      throw err;
    }
    this.#record(certificate, profile);
    return certificate;
  }

  // ---- issuance ----------------------------------------------------------------

  /**
   * Creates an intermediate CA under this one. It consumes one of this CA's serials and is
   * recorded as issued (profile `'ca'`).
   *
   * @throws ConfigError `ERR_JSEC_CA_PATH_LENGTH` when this CA's path length forbids it,
   *   `ERR_JSEC_CA_VALIDITY` when it would outlive this CA; StateError `ERR_JSEC_INVALID_STATE` when closed.
   */
  async createIntermediate(options?: CreateCaOptions): Promise<CertificateAuthority> {
    this.#active('createIntermediate');
    const o = deepFreeze(validateOptions<CreateCaOptions>('createIntermediate', options, createSchema));
    if (o.key && o.keyType) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "keyType" option cannot be used with an existing key', { option: 'keyType' });
    const limit = this.#cert.basicConstraints?.pathLength ?? null;
    if (limit === 0) throw createError('ERR_JSEC_CA_PATH_LENGTH', 'This CA has path length 0: it cannot create intermediate CAs', { pathLength: 0 });
    const pathLength = o.pathLength ?? Math.min(defaults.ca.intermediatePathLength, limit === null ? Infinity : limit - 1);
    if (limit !== null && pathLength > limit - 1) {
      throw createError('ERR_JSEC_CA_PATH_LENGTH', `This CA has path length ${limit}: an intermediate below it can have at most ${limit - 1}`, { pathLength: limit });
    }
    const publication = checkPublication(o.publication, 'publication');
    const subject = subjectFor(o, 'jsec Intermediate CA');
    const validity = validityOf(o, this.#now(), defaults.ca.intermediateValidityDays, this.#cert.notAfter);
    const key = o.key !== undefined ? toPrivateKey(o.key, 'key') : (await generateKey(o.keyType ?? defaults.ca.keyType)).privateKey;
    const spec: Omit<CertificateSpec, 'serial' | 'signingKey' | 'issuer'> = {
      subject,
      publicKey: toPublicKey(key),
      ...validity,
      basicConstraints: { ca: true, pathLength, critical: true },
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    };
    if (o.digest) spec.digest = o.digest;
    const certificate = await this.#sign(spec, o.serialNumber as string | bigint | undefined, 'ca', undefined);
    return new CertificateAuthority(kCreate, {
      certificate,
      key,
      chain: [this.#cert, ...this.#chain],
      now: o.now ?? this.#clock,
      random: o.random ?? this.#random,
      serialMode: o.serialMode ?? this.#serialMode,
      publication,
    });
  }

  /**
   * Issues an end-entity certificate under a profile, generating the key unless one is given.
   *
   * | profile | key usage | extended key usage | SAN |
   * |---|---|---|---|
   * | `server` | digitalSignature (+ keyEncipherment for RSA) | serverAuth | required (default from CN) |
   * | `client` | digitalSignature | clientAuth | optional |
   * | `server+client` | as server | serverAuth, clientAuth | required |
   * | `codeSigning` | digitalSignature | codeSigning | optional |
   * | `email` | digitalSignature + keyEncipherment (RSA) / keyAgreement (EC) | emailProtection | an email (default from CN) |
   * | `ocspSigning` | digitalSignature | OCSPSigning, plus id-pkix-ocsp-nocheck | none |
   *
   * Every profile writes basicConstraints critical CA:FALSE, SKI and AKI.
   *
   * @throws ConfigError for bad options, `ERR_JSEC_CA_SERIAL_REUSE` for a used serial, `ERR_JSEC_CA_VALIDITY`;
   *   StateError `ERR_JSEC_INVALID_STATE` when closed.
   */
  async issue(profile: IssueProfile, options?: IssueOptions): Promise<IssuedCertificate> {
    this.#active('issue');
    check('profile', profile, { type: 'string', enum: PROFILES });
    const o = deepFreeze(validateOptions<IssueOptions>('issue', options, issueSchema));
    if (o.key && o.publicKey) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Give either "key" or "publicKey", not both', { option: 'publicKey' });
    if ((o.key || o.publicKey) && o.keyType) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "keyType" option cannot be used with an existing key', { option: 'keyType' });
    const p = PROFILE_SPECS[profile];
    const subject = subjectFor(o, undefined);
    if (subject.length === 0 && !o.san?.length) throw createError('ERR_MISSING_OPTION', 'Give a "subject", "commonName" or "san"', { option: 'commonName' });
    let san = o.san !== undefined ? normalizeSan(o.san, 'san') : [];
    const cn = nameValue(subject, 'CN');
    if (o.san === undefined && p.needsSan && cn !== undefined) san = normalizeSan([profile === 'email' ? { type: 'email', value: cn } : cn], 'commonName');
    if (p.needsSan && san.length === 0) throw createError('ERR_MISSING_OPTION', `The ${profile} profile needs a SAN ("san" or a "commonName" that is a host name, address or email)`, { option: 'san' });
    const publication = o.publication ? checkPublication(o.publication, 'publication') : undefined;
    const validity = validityOf(o, this.#now(), profile === 'ocspSigning' ? defaults.ca.ocspSignerValidityDays : defaults.ca.validityDays, this.#cert.notAfter);
    this.#checkWithin(validity);
    let privateKey: KeyObject | undefined;
    let publicKey: KeyObject;
    if (o.publicKey !== undefined) publicKey = toPublicKey(o.publicKey, 'publicKey');
    else {
      privateKey = o.key !== undefined ? toPrivateKey(o.key, 'key') : (await generateKey(o.keyType ?? defaults.ca.keyType)).privateKey;
      publicKey = toPublicKey(privateKey);
    }
    const spec: Omit<CertificateSpec, 'serial' | 'signingKey' | 'issuer'> = {
      subject,
      publicKey,
      ...validity,
      basicConstraints: { ca: false, critical: true },
      keyUsage: o.keyUsage ?? profileKeyUsage(profile, publicKey),
      extendedKeyUsage: o.extendedKeyUsage ?? p.eku,
      subjectAltName: san,
      mustStaple: o.mustStaple ?? false,
      extraExtensions: p.extra,
    };
    if (o.digest) spec.digest = o.digest;
    const certificate = await this.#sign(spec, o.serialNumber as string | bigint | undefined, profile, publication);
    return Object.freeze({
      certificate,
      cert: certificate.pem,
      key: privateKey ? (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) : undefined,
      privateKey,
      chain: this.chain,
    });
  }

  /**
   * Signs a certificate signing request under a policy. The CSR's signature is checked; its
   * subject and key are used; of its extensions only what `policy.allow` permits is copied
   * (SANs of allowed types and names, allowed EKUs, CA:TRUE only with `allow.ca`, listed OIDs);
   * anything else it asks for is refused, except non-critical unknown extensions, which are dropped.
   * Key usage comes from the profile (or `keyUsage`); `san`, `extendedKeyUsage`, `subject` and the
   * validity options override the request. Server and email profiles need a SAN: without one the
   * CSR's CN becomes it (or the request is refused with rule `san`).
   *
   * @throws CertificateError `ERR_JSEC_CA_CSR_SIGNATURE`, `ERR_JSEC_CA_POLICY` (with `rule`), `ERR_JSEC_CSR_PARSE`;
   *   ConfigError for bad options, `ERR_JSEC_CA_PATH_LENGTH`; StateError when closed.
   */
  async signCsr(csr: Csr | string | Uint8Array, policy?: SignCsrPolicy): Promise<Certificate> {
    this.#active('signCsr');
    const o = deepFreeze(validateOptions<SignCsrPolicy>('signCsr', policy, signCsrSchema));
    const request = csr instanceof Csr ? csr : Csr.from(csr as string | Buffer);
    if (!request.signatureValid) throw createError('ERR_JSEC_CA_CSR_SIGNATURE', 'The signature of the certificate signing request does not verify');
    const profile = o.profile ?? 'server';
    const sanOverride = o.san !== undefined ? normalizeSan(o.san, 'san') : undefined;
    const subjectFromCsr = o.subject === undefined && o.commonName === undefined;
    const result = applyPolicy(request, profile, o.allow ?? {}, sanOverride, o.extendedKeyUsage, subjectFromCsr);
    if (result.ca) {
      const limit = this.#cert.basicConstraints?.pathLength ?? null;
      if (limit !== null && result.ca.pathLength > limit - 1) {
        throw createError('ERR_JSEC_CA_PATH_LENGTH', `This CA has path length ${limit}: a CA below it can have at most ${limit - 1}`, { pathLength: limit });
      }
    }
    const subject = o.subject !== undefined || o.commonName !== undefined ? subjectFor(o, undefined) : request.subject;
    const publicKey = request.publicKeyObject;
    const validity = validityOf(o, this.#now(), defaults.ca.validityDays, this.#cert.notAfter);
    const spec: Omit<CertificateSpec, 'serial' | 'signingKey' | 'issuer'> = {
      subject,
      publicKey,
      ...validity,
      basicConstraints: result.ca ? { ca: true, pathLength: result.ca.pathLength, critical: true } : { ca: false, critical: true },
      keyUsage: o.keyUsage ?? (result.ca ? ['digitalSignature', 'keyCertSign', 'cRLSign'] : profileKeyUsage(profile, publicKey)),
      extendedKeyUsage: result.extendedKeyUsage,
      subjectAltName: result.san,
      mustStaple: o.mustStaple ?? false,
      extraExtensions: [...(result.ca ? [] : PROFILE_SPECS[profile].extra), ...result.extra],
    };
    if (o.digest) spec.digest = o.digest;
    const publication = o.publication ? checkPublication(o.publication, 'publication') : undefined;
    return this.#sign(spec, o.serialNumber as string | bigint | undefined, result.ca ? 'ca' : `csr:${profile}`, publication);
  }

  /** Issues a delegated OCSP responder certificate (profile `ocspSigning`) with a new key. */
  issueOcspSigner(options?: IssueOptions): Promise<IssuedCertificate> {
    return this.issue('ocspSigning', { commonName: `${this.#cert.commonName ?? 'CA'} OCSP Responder`, ...(options ?? {}) });
  }

  // ---- revocation ----------------------------------------------------------------

  /**
   * Revokes a certificate this CA issued. `certificateHold` can later be changed to another reason,
   * or lifted with `removeFromCRL` (the entry then leaves the CRL); any other revocation is final.
   * A certificate (rather than a serial) may be given for one issued before this CA kept records:
   * its signature must verify under this CA.
   *
   * @throws ConfigError `ERR_JSEC_CA_UNKNOWN_SERIAL`, `ERR_JSEC_CA_ALREADY_REVOKED`, `ERR_JSEC_CA_NOT_ON_HOLD`,
   *   `ERR_INVALID_ARG_VALUE` for an unknown reason; StateError when closed.
   */
  revoke(serialOrCertificate: string | bigint | Certificate, reason: RevocationReason = 'unspecified', time?: Date, options?: { invalidityDate?: Date }): RevokedRecord {
    this.#active('revoke');
    check('reason', reason, { type: 'string', enum: REASON_NAMES });
    if (time !== undefined) check('time', time, dateRule);
    const opts = validateOptions<{ invalidityDate?: Date }>('revoke', options, { invalidityDate: dateRule });
    let serialNumber: string;
    if (Certificate.isCertificate(serialOrCertificate)) {
      serialNumber = normalizeSerial(serialOrCertificate.serialNumber);
      if (!this.#issued.has(serialNumber)) {
        if (!native().x509VerifySignature(serialOrCertificate.derView, this.#cert.derView)) {
          throw createError('ERR_JSEC_CA_UNKNOWN_SERIAL', 'The certificate was not issued by this CA', { serialNumber });
        }
        this.#used.add(serialNumber);
      }
    } else {
      serialNumber = normalizeSerial(serialOrCertificate, 'serial');
      if (!this.#issued.has(serialNumber)) throw createError('ERR_JSEC_CA_UNKNOWN_SERIAL', `Serial ${serialNumber} was not issued by this CA`, { serialNumber });
    }
    const existing = this.#revoked.get(serialNumber);
    if (reason === 'removeFromCRL') {
      if (existing?.reason !== 'certificateHold') throw createError('ERR_JSEC_CA_NOT_ON_HOLD', `Serial ${serialNumber} is not on hold`, { serialNumber });
      this.#revoked.delete(serialNumber);
      const lifted: RevokedRecord = Object.freeze({ serialNumber, reason, revocationTime: time ?? new Date(this.#now()), invalidityDate: null });
      if (revokeChannel.hasSubscribers) revokeChannel.publish({ ...lifted });
      return lifted;
    }
    if (existing && existing.reason !== 'certificateHold') {
      throw createError('ERR_JSEC_CA_ALREADY_REVOKED', `Serial ${serialNumber} is already revoked (${existing.reason})`, { serialNumber, reason: existing.reason });
    }
    // A hold that becomes a revocation keeps the original revocation time (RFC 5280 5.3.1).
    const revocationTime = existing ? existing.revocationTime : time ?? new Date(this.#now());
    const rec: RevokedRecord = Object.freeze({ serialNumber, reason, revocationTime, invalidityDate: opts.invalidityDate ?? null });
    if (existing) this.#revoked.delete(serialNumber);
    this.#revoked.set(serialNumber, rec);
    if (revokeChannel.hasSubscribers) revokeChannel.publish({ ...rec });
    return rec;
  }

  /**
   * The status of a serial for OCSP: `revoked` (with time and reason), `good` when this CA
   * issued it, `unknown` otherwise.
   */
  status(serial: string | bigint): OcspLookupResult {
    const s = normalizeSerial(serial, 'serial');
    const r = this.#revoked.get(s);
    if (r) return { status: 'revoked', revocationTime: r.revocationTime, revocationReason: r.reason };
    return { status: this.#issued.has(s) ? 'good' : 'unknown' };
  }

  /**
   * Signs a CRL of the current revocations with the next CRL number (monotonically increasing)
   * and the authority key identifier. The reason code is omitted for `unspecified` (RFC 5280
   * 5.3.1 says it SHOULD be absent).
   *
   * @throws ConfigError `ERR_INVALID_ARG_VALUE` when nextUpdate is not after thisUpdate; StateError when closed.
   */
  crl(options?: CrlOptions): Crl {
    const key = this.#active('crl');
    const o = validateOptions<CrlOptions>('crl', options, { thisUpdate: dateRule, nextUpdate: dateRule, digest: { type: 'string', enum: DIGESTS } });
    const thisUpdate = o.thisUpdate ?? new Date(this.#now());
    const nextUpdate = o.nextUpdate ?? new Date(thisUpdate.getTime() + defaults.ca.crlValidityDays * DAY);
    const number = this.#crlNumber + 1n;
    const crl = buildCrl({
      issuer: this.#cert,
      signingKey: key,
      thisUpdate,
      nextUpdate,
      crlNumber: number,
      entries: [...this.#revoked.values()].map((r) => {
        const e: { serial: string; date: Date; reason?: RevocationReason; invalidityDate?: Date } = { serial: r.serialNumber, date: r.revocationTime };
        if (r.reason !== 'unspecified') e.reason = r.reason;
        if (r.invalidityDate) e.invalidityDate = r.invalidityDate;
        return e;
      }),
      ...(o.digest ? { digest: o.digest } : {}),
    });
    this.#crlNumber = number;
    return crl;
  }

  // ---- OCSP ----------------------------------------------------------------------

  #signer(): OcspSigner {
    const key = this.#active('ocsp');
    this.#ocspSigner ??= new OcspSigner({ certificate: this.#cert, key });
    return this.#ocspSigner;
  }

  #lookup(unknownSerials: 'unknown' | 'good'): (serial: string) => OcspLookupResult {
    return (serial) => {
      const r = this.status(serial);
      return r.status === 'unknown' && unknownSerials === 'good' ? { status: 'good' } : r;
    };
  }

  /**
   * Answers a DER OCSP request from this CA's records, signed by the CA (or `signer`). Never
   * throws for a bad request: it answers `malformedRequest` / `unauthorized` as a responder would.
   *
   * @param options.validity - response validity (nextUpdate - thisUpdate), ms. Default 1 hour (`defaults.ocsp.responseValidity`).
   * @param options.signer - a delegated responder's {@link OcspSigner}. Default: the CA signs.
   * @throws StateError `ERR_JSEC_INVALID_STATE` when closed; ConfigError for non-bytes and bad options.
   */
  async ocspResponse(request: Uint8Array | OcspRequest, options: { validity?: number; signer?: OcspSigner } = {}): Promise<Buffer> {
    this.#active('ocspResponse');
    const o = validateOptions<{ validity?: number; signer?: OcspSigner }>('ocspResponse', options, {
      validity: { type: 'number', integer: true, min: 1000 },
      signer: { type: 'instance', of: OcspSigner, label: 'an OcspSigner' },
    });
    const signer = o.signer ?? this.#signer();
    const der = messageBytes(request instanceof Uint8Array ? request : (request as OcspRequest)?.der, 'OCSP request');
    const answer = ocspAnswerer({
      issuer: this.#cert.derView,
      signer,
      lookup: this.#lookup('unknown'),
      validity: o.validity ?? defaults.ocsp.responseValidity,
      clock: this.#clock,
    });
    return (await answer(der)).body;
  }

  /**
   * Starts an OCSP responder on `node:http` for this CA (see `startOcspResponder` in `jsec/ocsp`):
   * statuses come from this CA's records at request time. It is closed with the CA.
   *
   * @throws JsecError `ERR_JSEC_OCSP_LISTEN`; StateError when closed.
   */
  async ocspResponder(options: CaOcspResponderOptions = {}): Promise<OcspResponder> {
    this.#active('ocspResponder');
    const o = validateOptions<CaOcspResponderOptions>('ocspResponder', options, {
      signer: { type: 'object', schema: { certificate: { type: 'any' }, key: keyRule } },
      host: { type: 'string', nonEmpty: true },
      port: { type: 'number', integer: true, min: 0, max: 65535 },
      validity: { type: 'number', integer: true, min: 1000 },
      unknownSerials: { type: 'string', enum: ['unknown', 'good'] },
    });
    const responder = await startOcspResponder({
      issuer: this.#cert,
      signer: o.signer ? { certificate: o.signer.certificate, key: o.signer.key, chain: [] } : this.#signer(),
      lookup: this.#lookup(o.unknownSerials ?? 'unknown'),
      ...(o.host ? { host: o.host } : {}),
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.validity ? { validity: o.validity } : {}),
      ...(this.#clock ? { now: this.#clock } : {}),
    });
    this.#responders.add(responder);
    return responder;
  }

  // ---- persistence -----------------------------------------------------------------

  /**
   * The CA's complete state as a JSON-able object: certificate and chain (PEM), key (PKCS#8 PEM,
   * encrypted with AES-256-CBC under `passphrase` if given), serial state, CRL number, issued and
   * revoked lists.
   *
   * @security Without a passphrase the key is in clear text: store the result accordingly.
   * @throws StateError when closed.
   */
  export(options: ExportOptions = {}): CaStateJSON {
    const key = this.#active('export');
    const o = validateOptions<ExportOptions>('export', options, { passphrase: { type: 'string', nonEmpty: true } });
    const keyPem = (
      o.passphrase !== undefined
        ? key.export({ type: 'pkcs8', format: 'pem', cipher: defaults.ca.keyCipher, passphrase: o.passphrase })
        : key.export({ type: 'pkcs8', format: 'pem' })
    ) as string;
    return {
      format: CA_STATE_FORMAT,
      version: CA_STATE_VERSION,
      certificate: this.#cert.pem,
      chain: this.#chain.map((c) => c.pem),
      key: keyPem,
      keyEncrypted: o.passphrase !== undefined,
      serials: { mode: this.#serialMode, next: this.#nextSerial.toString(), used: [...this.#used] },
      crlNumber: this.#crlNumber.toString(),
      issued: [...this.#issued.values()].map((r) => ({ serialNumber: r.serialNumber, profile: r.profile, certificate: r.certificate.pem })),
      revoked: [...this.#revoked.values()].map((r) => ({
        serialNumber: r.serialNumber,
        reason: r.reason,
        revocationTime: r.revocationTime.toISOString(),
        ...(r.invalidityDate ? { invalidityDate: r.invalidityDate.toISOString() } : {}),
      })),
      publication: { ...this.#publication },
    };
  }

  /**
   * Writes the state to `path` atomically (see {@link FileCaStore}).
   *
   * @throws JsecError `ERR_JSEC_CA_STORE` (the previous file is intact); StateError when closed.
   */
  async save(path: string, options: ExportOptions = {}): Promise<void> {
    const { FileCaStore } = await import('./store.js');
    await new FileCaStore(path).save(this, options);
  }

  /**
   * Reads a CA saved with {@link CertificateAuthority.save}.
   *
   * @throws JsecError `ERR_JSEC_CA_STORE`; ConfigError `ERR_JSEC_CA_STATE`, `ERR_JSEC_CA_PASSPHRASE`.
   */
  static async open(path: string, options: { passphrase?: string; now?: Clock; random?: RandomSource } = {}): Promise<CertificateAuthority> {
    const { FileCaStore } = await import('./store.js');
    return new FileCaStore(path).load(options);
  }

  /** Forgets the key, closes the OCSP signer and every responder started by {@link ocspResponder}. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === CaState.CLOSED) return;
    this.#state = CaState.CLOSED;
    this.#key = null;
    const responders = [...this.#responders];
    this.#responders.clear();
    await Promise.all(responders.map((r) => r.close()));
    this.#ocspSigner?.close();
    this.#ocspSigner = null;
  }

  /** `await using ca = ...` support: {@link CertificateAuthority.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * PKCS#10 certificate signing requests: generate, parse, verify.
 *
 * @module
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { deepFreeze, validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import type { NativeCsrInfo, NativeExtensionSpec, NativeName } from '../native/binding.js';
import { DIGESTS, type Digest } from './build.js';
import { freezeGeneralName, type BasicConstraints, type PublicKeyInfo, type RawExtension } from './certificate.js';
import { digestFor, generateKey, generateKeySync, KEY_TYPES, nativePrivateKey, pkcs8Pem, toPrivateKey, type KeyType, type PrivateKeyInput } from './keys.js';
import { derBlocks, toPem } from './pem.js';
import { ekuName, ekuOids, KEY_USAGE, keyUsageBits, nameValue, normalizeName, normalizeSan, type DistinguishedName, type GeneralName, type GeneralNameInput, type KeyUsage, type NameInput } from './names.js';

const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const kInternal = Symbol('jsec.csr.internal');

function freezeName(n: NativeName): DistinguishedName {
  return Object.freeze({ entries: Object.freeze(n.entries.map((e) => Object.freeze({ type: e.type, oid: e.oid, value: e.value }))), text: n.text, der: n.der });
}

/** A PKCS#10 certificate signing request, immutable, parsed by OpenSSL. */
export class Csr {
  readonly #der: Buffer;
  readonly #info: NativeCsrInfo;

  /** @internal Use {@link Csr.from}. */
  constructor(token: symbol, der: Buffer) {
    if (token !== kInternal) throw createError('ERR_JSEC_INVALID_STATE', 'use Csr.from() to create a Csr', { operation: 'new Csr' });
    this.#der = der;
    this.#info = native().csrParse(der);
    Object.freeze(this);
  }

  /**
   * Parses a CSR from PEM (`CERTIFICATE REQUEST`) or DER. A CSR whose signature
   * does not verify still parses: check {@link signatureValid} or {@link verifyCsr}.
   *
   * @throws CertificateError `ERR_JSEC_CSR_PARSE`, `ERR_JSEC_PEM_PARSE`; ConfigError `ERR_INVALID_ARG_TYPE`.
   */
  static from(input: string | Buffer | Uint8Array | Csr): Csr {
    if (input instanceof Csr) return input;
    const blocks = derBlocks(input, CSR_LABELS, 'certificate request');
    if (blocks.length > 1) throw createError('ERR_INVALID_ARG_VALUE', `The input holds ${blocks.length} requests`, { option: 'input' });
    return new Csr(kInternal, blocks[0]!);
  }

  /** PKCS#10 version (1). */
  get version(): number {
    return this.#info.version;
  }
  /** The requested subject. */
  get subject(): DistinguishedName {
    return freezeName(this.#info.subject);
  }
  /** Requested subject alternative names. */
  get subjectAltNames(): readonly GeneralName[] {
    return Object.freeze((this.#info.subjectAltName ?? []).map(freezeGeneralName));
  }
  /** Type, size and curve of the requested key. */
  get publicKey(): PublicKeyInfo {
    const p = this.#info.publicKey;
    return Object.freeze(p.curve ? { type: p.type, bits: p.bits, curve: p.curve } : { type: p.type, bits: p.bits });
  }
  /** The requested public key as a `KeyObject`. */
  get publicKeyObject(): KeyObject {
    return createPublicKey({ key: this.#info.publicKey.spki!, format: 'der', type: 'spki' });
  }
  /** @internal SPKI DER of the requested key. */
  get spki(): Buffer {
    return this.#info.publicKey.spki!;
  }
  /** Signature algorithm (OpenSSL's long name). */
  get signatureAlgorithm(): string {
    return this.#info.signatureAlgorithm?.name ?? '';
  }
  /** Whether the request's self-signature verifies with its own public key (proof of possession). */
  get signatureValid(): boolean {
    return this.#info.signatureValid;
  }
  /** Requested key usage names. */
  get keyUsage(): readonly string[] {
    return Object.freeze([...(this.#info.keyUsage ?? [])]);
  }
  /** Requested extended key usages (names where known, else OIDs). */
  get extendedKeyUsage(): readonly string[] {
    return Object.freeze((this.#info.extendedKeyUsage ?? []).map(ekuName));
  }
  /** Requested basic constraints, or null. */
  get basicConstraints(): BasicConstraints | null {
    const b = this.#info.basicConstraints;
    return b ? Object.freeze({ ca: b.ca, pathLength: b.pathLength, critical: b.critical }) : null;
  }
  /** Every requested extension, undecoded (for a CA to copy the allowed ones). */
  get extensions(): readonly RawExtension[] {
    return Object.freeze(this.#info.extensions.map((e) => Object.freeze({ oid: e.oid, name: e.name, critical: e.critical, value: e.value })));
  }
  /** Attribute OIDs of the request (extensionRequest, challengePassword, ...). */
  get attributes(): readonly { oid: string; name: string }[] {
    return Object.freeze(this.#info.attributes.map((a) => Object.freeze({ ...a })));
  }
  /** DER bytes (a copy). */
  get raw(): Buffer {
    return Buffer.from(this.#der);
  }
  /** @internal */
  get derView(): Buffer {
    return this.#der;
  }
  /** PEM text (`CERTIFICATE REQUEST`). */
  get pem(): string {
    return toPem('CERTIFICATE REQUEST', this.#der);
  }
  /** A plain-object form for logs and JSON. */
  toJSON(): Record<string, unknown> {
    return {
      version: this.version,
      subject: this.subject.text,
      subjectAltNames: this.subjectAltNames.map((g) => ({ type: g.type, value: typeof g.value === 'string' ? g.value : String(g.value) })),
      publicKey: { ...this.publicKey },
      signatureAlgorithm: this.signatureAlgorithm,
      signatureValid: this.signatureValid,
      extensions: this.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical })),
    };
  }
}

/**
 * Whether a CSR's self-signature verifies (proof that the requester holds the private key).
 *
 * @throws CertificateError `ERR_JSEC_CSR_PARSE` for input that is not a CSR.
 */
export function verifyCsr(csr: Csr | string | Buffer | Uint8Array): boolean {
  return Csr.from(csr).signatureValid;
}

/** Options of {@link generateCsr}. */
export interface CsrOptions {
  /** Subject distinguished name. Default: `CN=<commonName>`. */
  subject?: NameInput;
  /**
   * Shortcut for the CN, added to `subject` (a CN in both throws `ERR_JSEC_CONFLICTING_OPTIONS`).
   * No default: a CSR needs a subject, a commonName or SANs (`ERR_MISSING_OPTION`).
   */
  commonName?: string;
  /** Requested SANs (same forms as certificate generation). Default: none (the CA decides). */
  san?: readonly GeneralNameInput[];
  /** The requester's private key; default: a new key of `keyType`. */
  key?: PrivateKeyInput;
  /** Type of the generated key. Default `'ec-p256'`. */
  keyType?: KeyType;
  /** Requested key usage (written critical). Default: none requested. */
  keyUsage?: readonly KeyUsage[];
  /** Requested extended key usage (names or OIDs). Default: none requested. */
  extendedKeyUsage?: readonly string[];
  /**
   * Request a CA certificate (basicConstraints CA:TRUE); a CA refuses unless its policy allows.
   * Default: no basicConstraints requested (`false` requests CA:FALSE explicitly).
   */
  ca?: boolean;
  /** Request the TLS feature status_request (must-staple). Default `false`. */
  mustStaple?: boolean;
  /** Further requested extensions, DER values written verbatim; a bad OID throws `ERR_INVALID_ARG_VALUE`. Default: none. */
  extensions?: readonly { oid: string; critical?: boolean; value: Uint8Array }[];
  /** Signature digest for RSA/ECDSA keys (default sha256). */
  digest?: Digest;
}

/** A generated CSR and the requester's key. */
export interface GeneratedCsr {
  /** The parsed request. */
  readonly csr: Csr;
  /** The request as PEM (`CERTIFICATE REQUEST`). */
  readonly pem: string;
  /** The request as DER. */
  readonly der: Buffer;
  /** The private key as PKCS#8 PEM. */
  readonly key: string;
  /** The private key as a KeyObject. */
  readonly privateKey: KeyObject;
}

const keyRule = { type: 'oneOf', rules: [{ type: 'instance', of: KeyObject, label: 'a KeyObject' }, { type: 'string' }, { type: 'bytes' }] } as const;
const CSR_SCHEMA: Schema = {
  subject: { type: 'any' },
  commonName: { type: 'string', nonEmpty: true },
  san: { type: 'array', of: { type: 'any' }, maxLength: 1000 },
  key: keyRule,
  keyType: { type: 'string', enum: KEY_TYPES },
  keyUsage: { type: 'array', of: { type: 'string', enum: [...KEY_USAGE, 'contentCommitment'] } },
  extendedKeyUsage: { type: 'array', of: { type: 'string', nonEmpty: true } },
  ca: { type: 'boolean' },
  mustStaple: { type: 'boolean' },
  extensions: { type: 'array', of: { type: 'object', schema: { oid: { type: 'string', nonEmpty: true }, critical: { type: 'boolean' }, value: { type: 'bytes' } } }, maxLength: 1000 },
  digest: { type: 'string', enum: DIGESTS },
};

function csrPlan(where: string, options: unknown): { subject: [string, string][]; ext: NativeExtensionSpec; o: Partial<CsrOptions> } {
  const o = deepFreeze(validateOptions<CsrOptions>(where, options, CSR_SCHEMA));
  if (o.key && o.keyType) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "keyType" option cannot be used with "key"', { option: 'keyType' });
  const subject = o.subject !== undefined ? normalizeName(o.subject) : [];
  if (o.commonName !== undefined) {
    if (nameValue(subject, 'CN') !== undefined) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "commonName" option conflicts with a CN in "subject"', { option: 'commonName' });
    subject.push(['CN', o.commonName]);
  }
  const ext: NativeExtensionSpec = {};
  if (o.ca !== undefined) ext.basicConstraints = { critical: true, ca: o.ca };
  if (o.keyUsage?.length) ext.keyUsage = { critical: true, bits: keyUsageBits(o.keyUsage) };
  if (o.extendedKeyUsage?.length) ext.extendedKeyUsage = { critical: false, oids: ekuOids(o.extendedKeyUsage) };
  if (o.san?.length) ext.subjectAltName = { critical: subject.length === 0, names: normalizeSan(o.san) };
  if (o.mustStaple) ext.tlsFeature = [5];
  if (o.extensions?.length) {
    ext.extra = o.extensions.map((e, i) => {
      if (!/^[0-2](\.\d+)+$/.test(e.oid)) throw createError('ERR_INVALID_ARG_VALUE', `The "extensions[${i}].oid" option must be a dotted OID`, { option: `extensions[${i}].oid` });
      return { oid: e.oid, critical: e.critical ?? false, value: Buffer.from(e.value) };
    });
  }
  if (subject.length === 0 && !ext.subjectAltName) throw createError('ERR_MISSING_OPTION', 'A CSR needs a subject, a commonName or SANs', { option: 'subject' });
  return { subject, ext, o };
}

function signCsr(subject: [string, string][], ext: NativeExtensionSpec, key: KeyObject, digest: Digest | undefined): GeneratedCsr {
  const der = native().csrBuild({ subject, signingKey: nativePrivateKey(key), digest: digestFor(key, digest ?? defaults.cert.digest), extensions: ext });
  const csr = new Csr(kInternal, der);
  return Object.freeze({ csr, pem: csr.pem, der: Buffer.from(der), key: pkcs8Pem(key), privateKey: key });
}

/**
 * Generates a CSR signed by the requester's key (a new key is generated off the
 * main thread unless `key` is given).
 *
 * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_KEY_INVALID`, `ERR_JSEC_CERT_BUILD`.
 */
export async function generateCsr(options: CsrOptions): Promise<GeneratedCsr> {
  const { subject, ext, o } = csrPlan('generateCsr', options);
  const key = o.key !== undefined ? toPrivateKey(o.key) : (await generateKey(o.keyType ?? defaults.cert.keyType)).privateKey;
  return signCsr(subject, ext, key, o.digest);
}

/** Synchronous {@link generateCsr}. */
export function generateCsrSync(options: CsrOptions): GeneratedCsr {
  const { subject, ext, o } = csrPlan('generateCsrSync', options);
  const key = o.key !== undefined ? toPrivateKey(o.key) : generateKeySync(o.keyType ?? defaults.cert.keyType).privateKey;
  return signCsr(subject, ext, key, o.digest);
}

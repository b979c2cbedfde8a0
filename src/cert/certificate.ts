/**
 * The immutable `Certificate` value object. Parsing is OpenSSL's (one native
 * call returns every field); fingerprints are Node's hashes of the DER.
 *
 * @module
 */
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { native } from '../native/loader.js';
import type { NativeCertHandle, NativeCertInfo, NativeGeneralName, NativeName } from '../native/binding.js';
import { derBlocks, toPem } from './pem.js';
import { ekuName, type DistinguishedName, type GeneralName } from './names.js';

/** Fingerprint algorithms. SHA-1 is offered for display and lookup only (not a security decision). */
export type FingerprintAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const FINGERPRINT_ALGS: readonly FingerprintAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];

/** Public-key information of a certificate. */
export interface PublicKeyInfo {
  /** `rsa`, `rsa-pss`, `ec`, `ed25519`, `ed448`, `dsa`, ... (OpenSSL's key type, lower case). */
  readonly type: string;
  /** Key size in bits (RSA modulus, EC field size, 256 for Ed25519, 456 for Ed448). */
  readonly bits: number;
  /** For EC keys: the NIST name (`P-256`) or OpenSSL's curve name. */
  readonly curve?: string;
}

/** Basic constraints. */
export interface BasicConstraints {
  /** Whether the subject is a CA (may sign certificates). */
  readonly ca: boolean;
  /** The path length constraint, or null when absent. */
  readonly pathLength: number | null;
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
}

/** One extension, undecoded. */
export interface RawExtension {
  /** The extension's OID, dotted decimal. */
  readonly oid: string;
  /** OpenSSL's short name, or the OID when unknown. */
  readonly name: string;
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
  /** The DER inside the extnValue OCTET STRING. */
  readonly value: Buffer;
}

/** Plain-object form of a certificate (`toJSON()`). */
export interface CertificateJSON {
  /** X.509 version (3 for every certificate jsec makes). */
  version: number;
  /** Serial number, upper-case hex. */
  serialNumber: string;
  /** Subject DN, display form (for reading, not for matching). */
  subject: string;
  /** Issuer DN, display form. */
  issuer: string;
  /** Start of validity, ISO 8601. */
  notBefore: string;
  /** End of validity, ISO 8601. */
  notAfter: string;
  /** Key type, size and curve. */
  publicKey: PublicKeyInfo;
  /** Subject alternative names, each with its type and display value. */
  subjectAltNames: { type: string; value: string }[];
  /** Key usage names (`digitalSignature`, ...). */
  keyUsage: string[];
  /** Extended key usage names or OIDs. */
  extendedKeyUsage: string[];
  /** Basic constraints, or null when the extension is absent. */
  basicConstraints: BasicConstraints | null;
  /** Subject key identifier (lower-case hex), or null. */
  subjectKeyIdentifier: string | null;
  /** Authority key identifier (lower-case hex), or null. */
  authorityKeyIdentifier: string | null;
  /** OCSP responder and CA issuer URLs. */
  authorityInfoAccess: { ocsp: string[]; caIssuers: string[] };
  /** CRL distribution point URLs. */
  crlDistributionPoints: string[];
  /** Certificate policy OIDs. */
  policies: string[];
  /** Whether the TLS feature extension asks for OCSP stapling (must-staple). */
  mustStaple: boolean;
  /** Signature algorithm, OpenSSL's short name. */
  signatureAlgorithm: string;
  /** SHA-256 fingerprint, upper-case colon-separated hex. */
  fingerprint256: string;
  /** The certificate as PEM. */
  pem: string;
}

const kInternal = Symbol('jsec.cert.internal');
const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE'];

function freezeName(n: NativeName): DistinguishedName {
  return Object.freeze({
    entries: Object.freeze(n.entries.map((e) => Object.freeze({ type: e.type, oid: e.oid, value: e.value }))),
    text: n.text,
    der: n.der,
  });
}

/** @internal */
export function freezeGeneralName(g: NativeGeneralName): GeneralName {
  if (g.type === 'dirName') return Object.freeze({ type: 'dirName', value: freezeName(g.value as NativeName) });
  if (g.type === 'otherName') return Object.freeze({ type: 'otherName', oid: g.oid ?? '', value: g.value as Buffer });
  return Object.freeze({ type: g.type, value: g.value }) as GeneralName;
}

function hexColon(buf: Buffer): string {
  return buf.toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

function displayName(g: GeneralName): string {
  return g.type === 'dirName' ? g.value.text : Buffer.isBuffer(g.value) ? g.value.toString('hex') : String(g.value);
}

/**
 * An X.509 certificate: immutable, parsed by OpenSSL.
 *
 * Make one with {@link Certificate.from} (PEM or DER), {@link Certificate.fromPem}
 * (a bundle → array) or {@link Certificate.fromX509}; the builders in
 * `jsec/cert` return them too.
 */
export class Certificate {
  readonly #der: Buffer;
  #info: NativeCertInfo | undefined;
  #handle: NativeCertHandle | undefined;
  #pem: string | undefined;
  #fingerprints = new Map<string, string>();
  #cache = new Map<string, unknown>();

  /** @internal Use {@link Certificate.from}. */
  constructor(token: symbol, der: Buffer, info?: NativeCertInfo) {
    if (token !== kInternal) throw createError('ERR_JSEC_INVALID_STATE', 'use Certificate.from() to create a Certificate', { operation: 'new Certificate' });
    this.#der = der;
    this.#info = info;
    Object.freeze(this);
  }

  /** @internal A certificate from DER that jsec just produced (parsed on first use). */
  static fromTrustedDer(der: Buffer): Certificate {
    return new Certificate(kInternal, der);
  }

  /**
   * Parses one certificate from PEM text or DER bytes.
   *
   * @throws CertificateError `ERR_JSEC_CERT_PARSE` (not a certificate), `ERR_JSEC_PEM_PARSE` (no CERTIFICATE block);
   *   ConfigError `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` (a PEM bundle with several certificates: use `fromPem`).
   */
  static from(input: string | Buffer | Uint8Array | Certificate | X509Certificate): Certificate {
    if (input instanceof Certificate) return input;
    if (input instanceof X509Certificate) return Certificate.fromX509(input);
    const blocks = derBlocks(input, CERT_LABELS, 'certificate');
    if (blocks.length > 1) {
      throw createError('ERR_INVALID_ARG_VALUE', `The input holds ${blocks.length} certificates; use Certificate.fromPem() for bundles`, { option: 'input' });
    }
    const der = blocks[0]!;
    return new Certificate(kInternal, der, native().x509Parse(der));
  }

  /**
   * Parses every certificate of a PEM bundle (other PEM blocks are skipped).
   *
   * @throws CertificateError `ERR_JSEC_PEM_PARSE` when there is no certificate, `ERR_JSEC_CERT_PARSE` when one is invalid.
   */
  static fromPem(bundle: string | Buffer | Uint8Array): Certificate[] {
    return derBlocks(bundle, CERT_LABELS, 'certificate bundle').map((der) => new Certificate(kInternal, der, native().x509Parse(der)));
  }

  /** Converts Node's `X509Certificate`. @throws CertificateError `ERR_JSEC_CERT_PARSE` */
  static fromX509(x509: X509Certificate): Certificate {
    if (!(x509 instanceof X509Certificate)) throw createError('ERR_INVALID_ARG_TYPE', 'The "x509" argument must be an X509Certificate', { option: 'x509' });
    return new Certificate(kInternal, Buffer.from(x509.raw), native().x509Parse(x509.raw));
  }

  /** Whether `value` is a jsec Certificate. */
  static isCertificate(value: unknown): value is Certificate {
    return value instanceof Certificate;
  }

  get #parsed(): NativeCertInfo {
    this.#info ??= native().x509Parse(this.#der);
    return this.#info;
  }

  #memo<T>(key: string, make: () => T): T {
    if (!this.#cache.has(key)) this.#cache.set(key, make());
    return this.#cache.get(key) as T;
  }

  /** Node's `X509Certificate` of the same bytes. */
  toX509(): X509Certificate {
    return new X509Certificate(this.#der);
  }

  /** The DER encoding (a copy). */
  get raw(): Buffer {
    return Buffer.from(this.#der);
  }

  /** @internal The parsed native certificate, made once and reused (verification, name checks). */
  get nativeHandle(): NativeCertHandle {
    this.#handle ??= this.#info?.handle ?? native().x509Handle(this.#der);
    return this.#handle;
  }

  /** @internal The DER without copying (never handed to callers). */
  get derView(): Buffer {
    return this.#der;
  }

  /** PEM text. */
  get pem(): string {
    this.#pem ??= toPem('CERTIFICATE', this.#der);
    return this.#pem;
  }

  /** X.509 version (3 for every certificate jsec makes). */
  get version(): number {
    return this.#parsed.version;
  }

  /** Serial number as upper-case hex (as Node's `X509Certificate.serialNumber`). */
  get serialNumber(): string {
    return this.#parsed.serialNumber.toUpperCase();
  }

  /** Subject distinguished name. */
  get subject(): DistinguishedName {
    return this.#memo('subject', () => freezeName(this.#parsed.subject));
  }

  /** Issuer distinguished name. */
  get issuer(): DistinguishedName {
    return this.#memo('issuer', () => freezeName(this.#parsed.issuer));
  }

  /** The subject's common name (the last CN), if any. */
  get commonName(): string | undefined {
    return this.subject.entries.filter((e) => e.type === 'CN').at(-1)?.value;
  }

  /** Start of validity. */
  get notBefore(): Date {
    return new Date(this.#parsed.notBefore * 1000);
  }

  /** End of validity. */
  get notAfter(): Date {
    return new Date(this.#parsed.notAfter * 1000);
  }

  /** Public-key type, size and curve. */
  get publicKey(): PublicKeyInfo {
    return this.#memo('publicKey', () => {
      const p = this.#parsed.publicKey;
      return Object.freeze(p.curve ? { type: p.type, bits: p.bits, curve: p.curve } : { type: p.type, bits: p.bits });
    });
  }

  /** The public key as a Node `KeyObject`. */
  get publicKeyObject(): KeyObject {
    return this.#memo('publicKeyObject', () => createPublicKey({ key: this.#parsed.publicKey.spki!, format: 'der', type: 'spki' }));
  }

  /** Subject alternative names, structured (never flattened into one string). */
  get subjectAltNames(): readonly GeneralName[] {
    return this.#memo('san', () => Object.freeze((this.#parsed.subjectAltName ?? []).map(freezeGeneralName)));
  }

  /** Key usage names (RFC 5280 spelling), empty when the extension is absent. */
  get keyUsage(): readonly string[] {
    return this.#memo('ku', () => Object.freeze([...(this.#parsed.keyUsage ?? [])]));
  }

  /** Extended key usages: names where known (`serverAuth`, ...), dotted OIDs otherwise. */
  get extendedKeyUsage(): readonly string[] {
    return this.#memo('eku', () => Object.freeze((this.#parsed.extendedKeyUsage ?? []).map(ekuName)));
  }

  /** Basic constraints, or null when absent. */
  get basicConstraints(): BasicConstraints | null {
    return this.#memo('bc', () => {
      const b = this.#parsed.basicConstraints;
      return b ? Object.freeze({ ca: b.ca, pathLength: b.pathLength, critical: b.critical }) : null;
    });
  }

  /** Whether basic constraints say CA:TRUE. */
  get isCa(): boolean {
    return this.#parsed.basicConstraints?.ca === true;
  }

  /** Subject key identifier (lower-case hex), or null. */
  get subjectKeyIdentifier(): string | null {
    return this.#parsed.subjectKeyIdentifier ?? null;
  }

  /** Authority key identifier's key id (lower-case hex), or null. */
  get authorityKeyIdentifier(): string | null {
    return this.#parsed.authorityKeyIdentifier?.keyId ?? null;
  }

  /** Authority information access: OCSP responder and CA-issuer URLs. */
  get authorityInfoAccess(): { readonly ocsp: readonly string[]; readonly caIssuers: readonly string[] } {
    return this.#memo('aia', () => {
      const a = this.#parsed.authorityInfoAccess;
      return Object.freeze({ ocsp: Object.freeze([...(a?.ocsp ?? [])]), caIssuers: Object.freeze([...(a?.caIssuers ?? [])]) });
    });
  }

  /** CRL distribution point URLs (full-name URIs). */
  get crlDistributionPoints(): readonly string[] {
    return this.#memo('cdp', () => Object.freeze([...(this.#parsed.crlDistributionPoints ?? [])]));
  }

  /** Certificate policy OIDs. */
  get policies(): readonly string[] {
    return this.#memo('pol', () => Object.freeze([...(this.#parsed.policies ?? [])]));
  }

  /** Whether the TLS feature extension requests status_request (OCSP must-staple). */
  get mustStaple(): boolean {
    return (this.#parsed.tlsFeature ?? []).includes(5);
  }

  /** Signature algorithm (OpenSSL's short name, e.g. `ecdsa-with-SHA256`, `ED25519`). */
  get signatureAlgorithm(): string {
    return this.#parsed.signatureAlgorithm?.name ?? '';
  }

  /** Signature algorithm OID. */
  get signatureAlgorithmOid(): string {
    return this.#parsed.signatureAlgorithm?.oid ?? '';
  }

  /** Every extension, undecoded, in certificate order. */
  get extensions(): readonly RawExtension[] {
    return this.#memo('ext', () => Object.freeze(this.#parsed.extensions.map((e) => Object.freeze({ oid: e.oid, name: e.name, critical: e.critical, value: e.value }))));
  }

  /** Whether subject and issuer names are equal (and any AKI matches the SKI): a root or a self-issued certificate. */
  get isSelfIssued(): boolean {
    return this.#parsed.selfIssued;
  }

  /** Fingerprints (upper-case, colon-separated hex). */
  get fingerprints(): { readonly sha1: string; readonly sha256: string; readonly sha384: string; readonly sha512: string } {
    return Object.freeze({ sha1: this.fingerprint('sha1'), sha256: this.fingerprint('sha256'), sha384: this.fingerprint('sha384'), sha512: this.fingerprint('sha512') });
  }

  /** SHA-256 fingerprint (upper-case, colon-separated hex). */
  get fingerprint256(): string {
    return this.fingerprint('sha256');
  }

  /**
   * The fingerprint with `alg` (default SHA-256): upper-case, colon-separated hex, as Node prints it.
   *
   * @throws ConfigError `ERR_INVALID_ARG_VALUE` for another algorithm.
   */
  fingerprint(alg: FingerprintAlgorithm = 'sha256'): string {
    if (!FINGERPRINT_ALGS.includes(alg)) {
      throw createError('ERR_INVALID_ARG_VALUE', `The "alg" argument must be one of ${FINGERPRINT_ALGS.join(', ')}. Received ${JSON.stringify(alg)}`, { option: 'alg' });
    }
    let f = this.#fingerprints.get(alg);
    if (!f) {
      f = hexColon(createHash(alg).update(this.#der).digest());
      this.#fingerprints.set(alg, f);
    }
    return f;
  }

  /** Whether `date` (default now) is within notBefore..notAfter. */
  isValidAt(date: Date = new Date()): boolean {
    const t = date.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }

  /**
   * Checks a host name against the SAN DNS entries (wildcards per RFC 6125, no partial labels)
   * with OpenSSL's `X509_check_host`. The subject CN is consulted only when the certificate has no DNS SAN.
   *
   * @returns the name that matched, or undefined.
   */
  checkHost(name: string): string | undefined {
    if (typeof name !== 'string' || name.length === 0) throw createError('ERR_INVALID_ARG_TYPE', 'The "name" argument must be a non-empty string', { option: 'name' });
    return native().x509Check(this.nativeHandle, 'host', name, 0x4 /* X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS */) ?? undefined;
  }

  /** Checks an IPv4/IPv6 address against the SAN IP entries (`X509_check_ip_asc`). @returns the address or undefined. */
  checkIP(ip: string): string | undefined {
    if (typeof ip !== 'string') throw createError('ERR_INVALID_ARG_TYPE', 'The "ip" argument must be a string', { option: 'ip' });
    return native().x509Check(this.nativeHandle, 'ip', ip) ?? undefined;
  }

  /** Checks an e-mail address against SAN email entries and the subject emailAddress (`X509_check_email`). */
  checkEmail(email: string): string | undefined {
    if (typeof email !== 'string') throw createError('ERR_INVALID_ARG_TYPE', 'The "email" argument must be a string', { option: 'email' });
    return native().x509Check(this.nativeHandle, 'email', email) ?? undefined;
  }

  /** Whether `other` has the same DER bytes. */
  equals(other: Certificate): boolean {
    return other instanceof Certificate && other.#der.equals(this.#der);
  }

  /** A plain-object form for logs and JSON. */
  toJSON(): CertificateJSON {
    return {
      version: this.version,
      serialNumber: this.serialNumber,
      subject: this.subject.text,
      issuer: this.issuer.text,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
      publicKey: { ...this.publicKey },
      subjectAltNames: this.subjectAltNames.map((g) => ({ type: g.type, value: displayName(g) })),
      keyUsage: [...this.keyUsage],
      extendedKeyUsage: [...this.extendedKeyUsage],
      basicConstraints: this.basicConstraints ? { ...this.basicConstraints } : null,
      subjectKeyIdentifier: this.subjectKeyIdentifier,
      authorityKeyIdentifier: this.authorityKeyIdentifier,
      authorityInfoAccess: { ocsp: [...this.authorityInfoAccess.ocsp], caIssuers: [...this.authorityInfoAccess.caIssuers] },
      crlDistributionPoints: [...this.crlDistributionPoints],
      policies: [...this.policies],
      mustStaple: this.mustStaple,
      signatureAlgorithm: this.signatureAlgorithm,
      fingerprint256: this.fingerprint256,
      pem: this.pem,
    };
  }

  /** `Certificate <subject> (serial ...)` for inspection. */
  toString(): string {
    return `Certificate(${this.subject.text}; serial ${this.serialNumber})`;
  }

  /** What `util.inspect` (and so `console.log`) shows: {@link Certificate.toString}. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The certificate input the functions of `jsec/cert` accept. */
export type CertificateInput = Certificate | X509Certificate | string | Buffer | Uint8Array;

/** @internal Normalises a certificate argument. */
export function toCertificate(input: unknown, argName = 'certificate'): Certificate {
  if (input instanceof Certificate) return input;
  if (input instanceof X509Certificate || typeof input === 'string' || ArrayBuffer.isView(input)) return Certificate.from(input as CertificateInput);
  throw createError('ERR_INVALID_ARG_TYPE', `The "${argName}" argument must be a Certificate, an X509Certificate, PEM text or DER bytes`, { option: argName });
}

/** @internal Normalises a list of certificates (array items, or one PEM bundle). */
export function toCertificateList(input: unknown, argName: string): Certificate[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string' || (ArrayBuffer.isView(input) && !(input instanceof Certificate))) return Certificate.fromPem(input as string);
  if (!Array.isArray(input)) throw createError('ERR_INVALID_ARG_TYPE', `The "${argName}" option must be an array of certificates or a PEM bundle`, { option: argName });
  return input.flatMap((c, i) => (typeof c === 'string' && c.split('-----BEGIN').length > 2 ? Certificate.fromPem(c) : [toCertificate(c, `${argName}[${i}]`)]));
}

/**
 * Certificate revocation lists: the immutable `Crl` value object (parse,
 * verify against the issuer, look up a certificate) and the internal signing
 * primitive {@link buildCrl} that `jsec/ca` uses.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { native } from '../native/loader.js';
import type { NativeCrlInfo, NativeName } from '../native/binding.js';
import { DIGESTS, serialBytes, type Digest } from './build.js';
import { validateOptions } from '../config/validate.js';
import { toCertificate, type Certificate, type CertificateInput, type RawExtension } from './certificate.js';
import { digestFor, nativePrivateKey, toPrivateKey, type PrivateKeyInput } from './keys.js';
import { derBlocks, toPem } from './pem.js';
import type { DistinguishedName } from './names.js';

/** RFC 5280 CRLReason names by code (7 is unused). */
export const REVOCATION_REASONS = Object.freeze({
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const);
/** An RFC 5280 revocation reason. */
export type RevocationReason = keyof typeof REVOCATION_REASONS;

const REASON_BY_CODE = new Map<number, RevocationReason>(Object.entries(REVOCATION_REASONS).map(([k, v]) => [v, k as RevocationReason]));

/** One revoked certificate. */
export interface CrlEntry {
  /** Serial number, upper-case hex (as {@link Certificate.serialNumber}). */
  readonly serialNumber: string;
  /** When the certificate was revoked. */
  readonly revocationDate: Date;
  /** The reason, or null when the entry carries no reason code (which means unspecified). */
  readonly reason: RevocationReason | null;
  /** The numeric CRLReason (RFC 5280 5.3.1), or null when absent. */
  readonly reasonCode: number | null;
  /** When the key is known or suspected to have been compromised (invalidity date extension), or null. */
  readonly invalidityDate: Date | null;
}

const CRL_LABELS = ['X509 CRL'];
const kInternal = Symbol('jsec.crl.internal');

function freezeName(n: NativeName): DistinguishedName {
  return Object.freeze({ entries: Object.freeze(n.entries.map((e) => Object.freeze({ type: e.type, oid: e.oid, value: e.value }))), text: n.text, der: n.der });
}

function normSerial(serial: string | bigint | Uint8Array): string {
  return serialBytes(serial, 'serial').toString('hex').toUpperCase();
}

/** An X.509 CRL, immutable, parsed by OpenSSL. */
export class Crl {
  readonly #der: Buffer;
  readonly #info: NativeCrlInfo;
  readonly #entries: readonly CrlEntry[];
  readonly #bySerial: Map<string, CrlEntry>;

  /** @internal Use {@link Crl.from}. */
  constructor(token: symbol, der: Buffer) {
    if (token !== kInternal) throw createError('ERR_JSEC_INVALID_STATE', 'use Crl.from() to create a Crl', { operation: 'new Crl' });
    this.#der = der;
    this.#info = native().crlParse(der);
    this.#entries = Object.freeze(
      this.#info.entries.map((e) =>
        Object.freeze({
          serialNumber: e.serialNumber.toUpperCase(),
          revocationDate: new Date(e.revocationDate * 1000),
          reason: e.reasonCode === undefined ? null : (REASON_BY_CODE.get(e.reasonCode) ?? null),
          reasonCode: e.reasonCode ?? null,
          invalidityDate: e.invalidityDate === undefined ? null : new Date(e.invalidityDate * 1000),
        }),
      ),
    );
    this.#bySerial = new Map(this.#entries.map((e) => [e.serialNumber, e]));
    Object.freeze(this);
  }

  /**
   * Parses one CRL from PEM (`X509 CRL`) or DER.
   *
   * @throws CertificateError `ERR_JSEC_CRL_PARSE`, `ERR_JSEC_PEM_PARSE`; ConfigError `ERR_INVALID_ARG_TYPE`.
   */
  static from(input: string | Buffer | Uint8Array | Crl): Crl {
    if (input instanceof Crl) return input;
    const blocks = derBlocks(input, CRL_LABELS, 'CRL');
    if (blocks.length > 1) throw createError('ERR_INVALID_ARG_VALUE', `The input holds ${blocks.length} CRLs; use Crl.fromPem() for bundles`, { option: 'input' });
    return new Crl(kInternal, blocks[0]!);
  }

  /** Parses every CRL of a PEM bundle. */
  static fromPem(bundle: string | Buffer | Uint8Array): Crl[] {
    return derBlocks(bundle, CRL_LABELS, 'CRL bundle').map((der) => new Crl(kInternal, der));
  }

  /** CRL version (2 for v2 CRLs). */
  get version(): number {
    return this.#info.version;
  }
  /** The CRL issuer's distinguished name. */
  get issuer(): DistinguishedName {
    return freezeName(this.#info.issuer);
  }
  /** When this CRL was issued. */
  get thisUpdate(): Date {
    return new Date(this.#info.thisUpdate * 1000);
  }
  /** nextUpdate, or null when absent. */
  get nextUpdate(): Date | null {
    return this.#info.nextUpdate === null ? null : new Date(this.#info.nextUpdate * 1000);
  }
  /** The CRL number (upper-case hex), or null. */
  get crlNumber(): string | null {
    return this.#info.crlNumber?.toUpperCase() ?? null;
  }
  /** The CRL number as a bigint, or null. */
  get crlNumberBigInt(): bigint | null {
    return this.#info.crlNumber ? BigInt('0x' + this.#info.crlNumber) : null;
  }
  /** Authority key identifier's key id (lower-case hex), or null. */
  get authorityKeyIdentifier(): string | null {
    return this.#info.authorityKeyIdentifier?.keyId ?? null;
  }
  /** Signature algorithm (OpenSSL's long name). */
  get signatureAlgorithm(): string {
    return this.#info.signatureAlgorithm?.name ?? '';
  }
  /** Revoked certificates, in CRL order. */
  get entries(): readonly CrlEntry[] {
    return this.#entries;
  }
  /** CRL extensions, undecoded. */
  get extensions(): readonly RawExtension[] {
    return Object.freeze(this.#info.extensions.map((e) => Object.freeze({ oid: e.oid, name: e.name, critical: e.critical, value: e.value })));
  }
  /** DER bytes (a copy). */
  get raw(): Buffer {
    return Buffer.from(this.#der);
  }
  /** @internal */
  get derView(): Buffer {
    return this.#der;
  }
  /** PEM text (`X509 CRL`). */
  get pem(): string {
    return toPem('X509 CRL', this.#der);
  }

  /** The entry for a serial (hex text, bigint or bytes), if revoked. */
  entry(serial: string | bigint | Uint8Array): CrlEntry | undefined {
    return this.#bySerial.get(normSerial(serial));
  }

  /**
   * Whether the CRL lists `cert`: its issuer name equals the CRL issuer and its serial is listed
   * (an entry with reason removeFromCRL does not count). Does not check the CRL's signature: call {@link verify}.
   */
  isRevoked(cert: CertificateInput): boolean {
    const c = toCertificate(cert, 'cert');
    if (!c.issuer.der.equals(this.#info.issuer.der) && c.issuer.text !== this.#info.issuer.text) return false;
    const e = this.#bySerial.get(c.serialNumber);
    return e !== undefined && e.reason !== 'removeFromCRL';
  }

  /** Whether `issuer` signed this CRL (its subject is the CRL issuer and its key verifies the signature). */
  verify(issuer: CertificateInput): boolean {
    return native().crlVerify(this.#der, toCertificate(issuer, 'issuer').derView);
  }

  /** Whether `date` (default now) is between thisUpdate and nextUpdate. */
  isCurrent(date: Date = new Date()): boolean {
    const t = date.getTime();
    return t >= this.thisUpdate.getTime() && (this.nextUpdate === null || t <= this.nextUpdate.getTime());
  }

  /** A plain-object form for logs and JSON. */
  toJSON(): Record<string, unknown> {
    return {
      version: this.version,
      issuer: this.issuer.text,
      thisUpdate: this.thisUpdate.toISOString(),
      nextUpdate: this.nextUpdate?.toISOString() ?? null,
      crlNumber: this.crlNumber,
      authorityKeyIdentifier: this.authorityKeyIdentifier,
      signatureAlgorithm: this.signatureAlgorithm,
      entries: this.entries.map((e) => ({ ...e, revocationDate: e.revocationDate.toISOString(), invalidityDate: e.invalidityDate?.toISOString() ?? null })),
    };
  }
}

/** What {@link buildCrl} signs. */
export interface CrlSpec {
  /** The issuing CA's certificate: its subject is the CRL issuer, its SKI the AKI. */
  issuer: Certificate;
  /** The CA's private key (must match `issuer`). */
  signingKey: KeyObject;
  thisUpdate: Date;
  nextUpdate: Date;
  /** The CRL number (monotonically increasing per issuer; the caller keeps the counter). */
  crlNumber: bigint | string | Uint8Array;
  /** Revoked certificates: serial, revocation date, optional reason and invalidity date. */
  entries: readonly { serial: bigint | string | Uint8Array; date: Date; reason?: RevocationReason; invalidityDate?: Date }[];
  /** Signature digest (default SHA-256); ignored for Ed25519/Ed448 keys. */
  digest?: Digest;
}

/**
 * Signs a v2 CRL with the authority key identifier and CRL number extensions.
 * Entries are sorted by serial; a reason is written unless absent (`unspecified`
 * is written as the reason code 0 when given explicitly).
 *
 * @internal for `jsec/ca`
 * @throws CertificateError `ERR_JSEC_CERT_KEY_MISMATCH`, `ERR_JSEC_CERT_BUILD`; ConfigError for bad values.
 */
export function buildCrl(spec: CrlSpec): Crl {
  if (!(spec.nextUpdate.getTime() > spec.thisUpdate.getTime())) {
    throw createError('ERR_INVALID_ARG_VALUE', 'nextUpdate must be later than thisUpdate', { option: 'nextUpdate' });
  }
  const entries = spec.entries.map((e, i) => {
    const out: { serial: Buffer; date: number; reason?: number; invalidityDate?: number } = {
      serial: serialBytes(e.serial, `entries[${i}].serial`),
      date: Math.floor(e.date.getTime() / 1000),
    };
    if (e.reason !== undefined) {
      const code = REVOCATION_REASONS[e.reason];
      if (code === undefined) throw createError('ERR_INVALID_ARG_VALUE', `Unknown revocation reason ${JSON.stringify(e.reason)}`, { option: `entries[${i}].reason` });
      out.reason = code;
    }
    if (e.invalidityDate) out.invalidityDate = Math.floor(e.invalidityDate.getTime() / 1000);
    return out;
  });
  const der = native().crlBuild({
    issuerCert: spec.issuer.derView,
    signingKey: nativePrivateKey(spec.signingKey),
    digest: digestFor(spec.signingKey, spec.digest ?? defaults.cert.digest),
    thisUpdate: Math.floor(spec.thisUpdate.getTime() / 1000),
    nextUpdate: Math.floor(spec.nextUpdate.getTime() / 1000),
    crlNumber: crlNumberBytes(spec.crlNumber),
    entries,
  });
  return new Crl(kInternal, der);
}

function crlNumberBytes(n: bigint | string | Uint8Array): Buffer {
  if (typeof n === 'bigint' && n === 0n) return Buffer.from([0]);
  if (typeof n === 'bigint' && n < 0n) throw createError('ERR_OUT_OF_RANGE', 'The CRL number must not be negative', { option: 'crlNumber' });
  return serialBytes(n, 'crlNumber');
}

/** Options of {@link createCrl}. */
export interface CreateCrlOptions {
  /** The issuing CA: its certificate and private key. */
  issuer: { certificate: CertificateInput; key: PrivateKeyInput };
  /** Start of this CRL's validity. Default: now. */
  thisUpdate?: Date;
  /** When the next CRL will be published. Required: a CRL without nextUpdate is never stale, which is unsafe. */
  nextUpdate: Date;
  /** The CRL number: the caller keeps it monotonically increasing per issuer. */
  crlNumber: bigint | string | Uint8Array;
  /** Revoked certificates: serial, revocation date, optional reason and invalidity date. Default: none (an empty CRL). */
  entries?: readonly { serial: bigint | string | Uint8Array; date: Date; reason?: RevocationReason; invalidityDate?: Date }[];
  /** Signature digest (default sha256). */
  digest?: Digest;
}

/**
 * Signs a v2 CRL (authority key identifier + CRL number) without a
 * `CertificateAuthority` object: the caller keeps the CRL number and the list.
 * `jsec/ca` does this bookkeeping for you.
 *
 * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_KEY_MISMATCH` when the key is not the issuer's.
 */
export function createCrl(options: CreateCrlOptions): Crl {
  const o = validateOptions<CreateCrlOptions>('createCrl', options, {
    issuer: { type: 'object', schema: { certificate: { type: 'any' }, key: { type: 'any' } } },
    thisUpdate: { type: 'instance', of: Date, label: 'a Date' },
    nextUpdate: { type: 'instance', of: Date, label: 'a Date' },
    crlNumber: { type: 'any' },
    entries: { type: 'array', of: { type: 'object', schema: { serial: { type: 'any' }, date: { type: 'instance', of: Date, label: 'a Date' }, reason: { type: 'string', enum: Object.keys(REVOCATION_REASONS) }, invalidityDate: { type: 'instance', of: Date, label: 'a Date' } } } },
    digest: { type: 'string', enum: DIGESTS },
  });
  if (!o.issuer) throw createError('ERR_MISSING_OPTION', 'The "issuer" option is required', { option: 'issuer' });
  if (!o.nextUpdate) throw createError('ERR_MISSING_OPTION', 'The "nextUpdate" option is required', { option: 'nextUpdate' });
  if (o.crlNumber === undefined) throw createError('ERR_MISSING_OPTION', 'The "crlNumber" option is required', { option: 'crlNumber' });
  const spec: CrlSpec = {
    issuer: toCertificate(o.issuer.certificate, 'issuer.certificate'),
    signingKey: toPrivateKey(o.issuer.key, 'issuer.key'),
    thisUpdate: o.thisUpdate ?? new Date(),
    nextUpdate: o.nextUpdate,
    crlNumber: o.crlNumber,
    entries: o.entries ?? [],
  };
  if (o.digest) spec.digest = o.digest;
  return buildCrl(spec);
}

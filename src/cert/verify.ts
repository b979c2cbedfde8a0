/**
 * Chain verification outside a TLS handshake: OpenSSL's own path building
 * and validation (X509_STORE + X509_verify_cert) with every option spelled
 * out, all errors of the chain collected, and results rather than exceptions.
 *
 * @module
 */
import { rootCertificates } from 'node:tls';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import type { NativeTrustStore } from '../native/binding.js';
import { Certificate, toCertificate, toCertificateList, type CertificateInput, type FingerprintAlgorithm } from './certificate.js';
import { Crl } from './crl.js';
import { verifyCodeName } from './verify-codes.js';

/** Verification purposes (what the leaf certificate is for). */
export const PURPOSES = ['server', 'client', 'codeSigning', 'email', 'timeStamping', 'ocspSigning', 'any'] as const;
/** A verification purpose. */
export type Purpose = (typeof PURPOSES)[number];

const PURPOSE_SNAME: Record<Purpose, string> = {
  server: 'sslserver',
  client: 'sslclient',
  codeSigning: 'codesign',
  email: 'smimesign',
  timeStamping: 'timestampsign',
  ocspSigning: 'ocsphelper',
  any: 'any',
};

/** The state of a {@link TrustStore}. */
export type TrustStoreState = 'open' | 'closed';

/**
 * A set of trust anchors compiled once into an OpenSSL `X509_STORE`, for
 * verifying many chains against the same roots without re-parsing them.
 */
export class TrustStore {
  #native: NativeTrustStore | undefined;
  readonly #anchors: readonly Certificate[];

  /**
   * @param anchors - trusted certificates (Certificates, PEM, DER, or one PEM bundle); at least one.
   * @throws CertificateError `ERR_JSEC_PEM_PARSE` when a PEM input holds no certificate block (other
   *   blocks, such as keys, are skipped), `ERR_JSEC_CERT_PARSE` for a certificate that does not parse.
   *   ConfigError `ERR_INVALID_ARG_TYPE` when `anchors` is missing or of the wrong type,
   *   `ERR_INVALID_ARG_VALUE` for an empty list: a store that trusts nothing fails every
   *   verification, which is never what a caller who built one meant.
   */
  constructor(anchors: readonly CertificateInput[] | string | Buffer) {
    if (anchors === undefined || anchors === null) {
      throw createError('ERR_INVALID_ARG_TYPE', 'The "anchors" argument must be an array of certificates or a PEM bundle', { option: 'anchors' });
    }
    const list = toCertificateList(anchors, 'anchors');
    if (list.length === 0) throw createError('ERR_INVALID_ARG_VALUE', 'The "anchors" argument holds no certificate', { option: 'anchors' });
    this.#anchors = Object.freeze(list);
    this.#native = new (native().TrustStore)(this.#anchors.map((c) => c.nativeHandle));
  }

  /** `open` until {@link close}. */
  get state(): TrustStoreState {
    return this.#native ? 'open' : 'closed';
  }

  /** The anchors. */
  get anchors(): readonly Certificate[] {
    return this.#anchors;
  }

  /** Number of anchors. */
  get size(): number {
    return this.#anchors.length;
  }

  /** @internal */
  get handle(): NativeTrustStore {
    if (!this.#native) throw createError('ERR_JSEC_CLOSED', 'The trust store was closed', { operation: 'verify' });
    return this.#native;
  }

  /** Frees the native store; later verifications with it throw `ERR_JSEC_CLOSED`. Idempotent. */
  close(): void {
    this.#native?.close();
    this.#native = undefined;
  }

  /** Same as {@link TrustStore.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

interface DefaultStore {
  store: NativeTrustStore;
  ders: Buffer[];
}
let defaultStore: DefaultStore | undefined;

/** Node's bundled root store (`tls.rootCertificates`), compiled once per process. */
function nodeRoots(): DefaultStore {
  if (!defaultStore) {
    const ders = native()
      .pemDecode(rootCertificates.join('\n'))
      .map((b) => b.der);
    defaultStore = { store: new (native().TrustStore)(ders), ders };
  }
  return defaultStore;
}

/** One problem found while verifying a chain. */
export interface VerifyError {
  /** Node's spelling of the OpenSSL verify code (`CERT_HAS_EXPIRED`, `HOSTNAME_MISMATCH`, ...). */
  readonly code: string;
  /** OpenSSL's numeric `X509_V_ERR_*` code. */
  readonly verifyCode: number;
  /** OpenSSL's text for the code. */
  readonly message: string;
  /** Position in the chain (0 = leaf). */
  readonly depth: number;
  /** The certificate the error concerns, where OpenSSL names one. */
  readonly certificate: Certificate | null;
}

/** The outcome of {@link verifyChain}. */
export interface VerifyResult {
  /** True only when OpenSSL accepted the chain and reported no error. */
  readonly valid: boolean;
  /** The chain OpenSSL built, leaf first (up to where building stopped when invalid). */
  readonly chain: readonly Certificate[];
  /** Every error, in the order OpenSSL found them (empty when valid). */
  readonly errors: readonly VerifyError[];
}

/** Options of {@link verifyChain}. */
export interface VerifyOptions {
  /** Untrusted intermediates that may complete the chain (Certificates, PEM/DER, or one PEM bundle). Default: none. */
  intermediates?: readonly CertificateInput[] | string;
  /** Trust anchors: a {@link TrustStore}, certificates, or a PEM bundle. Default: Node's bundled roots (`tls.rootCertificates`). */
  trustAnchors?: TrustStore | readonly CertificateInput[] | string;
  /** Validation time. Default: now. */
  time?: Date;
  /**
   * What the leaf is for (checks EKU/KU and CA certificates' purposes). Default: none (like `openssl verify`).
   * `codeSigning` (on OpenSSL before 3.2) and `ocspSigning` also require the leaf's EKU to name that usage
   * (OpenSSL's own OCSP-helper purpose does not look at the leaf); `timeStamping` needs a critical
   * time-stamping-only EKU (RFC 3161).
   */
  purpose?: Purpose;
  /**
   * Host name the leaf must match (SAN DNS, wildcard in the left-most label only). Default: none.
   * Security: without `hostname`, `ip` or `email` no name is checked: any trusted leaf verifies.
   */
  hostname?: string;
  /** IP address the leaf must match (SAN IP). Default: none. */
  ip?: string;
  /** E-mail address the leaf must match. Default: none. */
  email?: string;
  /** CRLs (Crl objects, PEM/DER, or a PEM bundle). Default: none (no revocation check). */
  crls?: readonly (Crl | string | Buffer | Uint8Array)[] | string;
  /** Revocation checking: `leaf` (the leaf only), `chain` (every certificate), `none`. Default: `leaf` when CRLs are given, else `none`. */
  crlCheck?: 'leaf' | 'chain' | 'none';
  /** Maximum number of intermediates between leaf and anchor (OpenSSL's verify depth). Default 100. */
  maxDepth?: number;
  /** Accept a chain that ends at a trusted intermediate (not a self-signed root). Default false. */
  partialChain?: boolean;
  /** OpenSSL's X509_STRICT checks (RFC 5280 conformance of every certificate). Default false. */
  strict?: boolean;
}

const listRule = { type: 'oneOf', rules: [{ type: 'array', of: { type: 'any' } }, { type: 'string' }, { type: 'bytes' }] } as const;
const VERIFY_SCHEMA: Schema = {
  intermediates: listRule,
  trustAnchors: { type: 'oneOf', rules: [{ type: 'instance', of: TrustStore, label: 'a TrustStore' }, listRule] },
  time: { type: 'instance', of: Date, label: 'a Date' },
  purpose: { type: 'string', enum: PURPOSES },
  hostname: { type: 'string', nonEmpty: true },
  ip: { type: 'string', nonEmpty: true },
  email: { type: 'string', nonEmpty: true },
  crls: listRule,
  crlCheck: { type: 'string', enum: ['leaf', 'chain', 'none'] },
  maxDepth: { type: 'number', integer: true, min: 0, max: 1000 },
  partialChain: { type: 'boolean' },
  strict: { type: 'boolean' },
};

function toCrls(input: unknown): Crl[] {
  if (input === undefined) return [];
  if (typeof input === 'string' || ArrayBuffer.isView(input)) return Crl.fromPem(input as string);
  return (input as unknown[]).map((c) => Crl.from(c as string));
}

function matchInput(der: Buffer, known: readonly Certificate[]): Certificate {
  return known.find((c) => c.derView.equals(der)) ?? Certificate.fromTrustedDer(der);
}

/**
 * Verifies a certificate chain with OpenSSL's path validation. An invalid
 * chain is a result (`valid: false` with every error OpenSSL found), not an
 * exception; only bad arguments throw.
 *
 * @throws ConfigError for bad options; CertificateError `ERR_JSEC_CERT_PARSE` / `ERR_JSEC_CRL_PARSE` for unparseable inputs;
 *   StateError `ERR_JSEC_CLOSED` for a closed TrustStore.
 */
export function verifyChain(leaf: CertificateInput, options?: VerifyOptions): VerifyResult {
  const o = validateOptions<VerifyOptions>('verifyChain', options, VERIFY_SCHEMA);
  const leafCert = toCertificate(leaf, 'leaf');
  const intermediates = toCertificateList(o.intermediates, 'intermediates');
  let store: NativeTrustStore;
  let anchors: readonly Certificate[] = [];
  let temp: NativeTrustStore | undefined;
  if (o.trustAnchors instanceof TrustStore) {
    store = o.trustAnchors.handle;
    anchors = o.trustAnchors.anchors;
  } else if (o.trustAnchors !== undefined) {
    anchors = toCertificateList(o.trustAnchors, 'trustAnchors');
    temp = new (native().TrustStore)(anchors.map((c) => c.nativeHandle));
    store = temp;
  } else {
    store = nodeRoots().store;
  }
  const crls = toCrls(o.crls);
  const crlCheck = o.crlCheck ?? (crls.length > 0 ? defaults.cert.verifyCrlCheck : 'none');
  if (o.ip !== undefined && !/^[0-9a-fA-F:.]+$/.test(o.ip)) throw createError('ERR_INVALID_ARG_VALUE', 'The "ip" option must be an IPv4 or IPv6 address', { option: 'ip' });
  try {
    const req: Parameters<ReturnType<typeof native>['x509Verify']>[0] = {
      leaf: leafCert.nativeHandle,
      intermediates: intermediates.map((c) => c.nativeHandle),
      store,
      crls: crls.map((c) => c.derView),
      maxDepth: o.maxDepth ?? defaults.cert.verifyMaxDepth,
      partialChain: o.partialChain ?? defaults.cert.verifyPartialChain,
      strict: o.strict ?? defaults.cert.verifyStrict,
    };
    if (o.time) req.time = Math.floor(o.time.getTime() / 1000);
    if (o.purpose) req.purpose = PURPOSE_SNAME[o.purpose];
    if (o.hostname) req.hostname = o.hostname;
    if (o.ip) req.ip = o.ip;
    if (o.email) req.email = o.email;
    if (crlCheck !== 'none') req.crlCheck = crlCheck;
    const r = native().x509Verify(req);
    const known = [leafCert, ...intermediates, ...anchors];
    const chain = Object.freeze(r.chain.map((der) => matchInput(der, known)));
    const errors = Object.freeze(
      r.errors.map((e) =>
        Object.freeze({
          code: verifyCodeName(e.verifyCode),
          verifyCode: e.verifyCode,
          message: e.message,
          depth: e.depth,
          certificate: e.cert ? matchInput(e.cert, [...known, ...chain]) : null,
        }),
      ),
    );
    return Object.freeze({ valid: r.valid, chain, errors });
  } finally {
    temp?.close();
  }
}

/**
 * Builds the path from `leaf` to one of `anchors` through `pool` (OpenSSL's
 * path building; validity dates, purposes and names are not judged).
 *
 * @returns the chain leaf-first ending at the anchor, or null when no path exists.
 */
export function buildChain(leaf: CertificateInput, pool: readonly CertificateInput[] | string, anchors: TrustStore | readonly CertificateInput[] | string): Certificate[] | null {
  const r = verifyChain(leaf, { intermediates: pool, trustAnchors: anchors });
  const unresolved = new Set([2, 18, 19, 20, 21, 22]);
  if (r.chain.length === 0 || r.errors.some((e) => unresolved.has(e.verifyCode))) return null;
  return [...r.chain];
}

/** The fingerprint of a certificate (upper-case colon hex). Default SHA-256. */
export function fingerprint(cert: CertificateInput, alg: FingerprintAlgorithm = 'sha256'): string {
  return toCertificate(cert, 'cert').fingerprint(alg);
}

/** Whether `issuer`'s public key verifies `cert`'s signature (only the signature: names, dates and constraints are not checked). */
export function verifySignature(cert: CertificateInput, issuer: CertificateInput): boolean {
  return native().x509VerifySignature(toCertificate(cert, 'cert').nativeHandle, toCertificate(issuer, 'issuer').nativeHandle);
}

/**
 * OCSP stapling. Servers: {@link OcspStapler} fetches, verifies, caches and
 * refreshes the OCSP response of one certificate (`ocsp: 'auto'`), or serves
 * a verified static response. Clients: {@link checkStaple} verifies a staple
 * (`ocsp: 'require' | 'prefer'`).
 *
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { Certificate } from '../cert/index.js';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import { buildOcspRequest, fetchOcsp, verifyOcspResponse, type OcspVerifiedStatus } from '../ocsp/index.js';

/** Diagnostics: `{ certificate, status, error?, nextUpdate? }` after each fetch attempt. */
export const staplerChannel = diagnostics.channel('jsec:tls:ocsp-staple');

/** The states of an {@link OcspStapler}. */
export type OcspStaplerState = 'empty' | 'fresh' | 'due' | 'expired' | 'closed';

/** Options of {@link OcspStapler}. */
export interface OcspStaplerOptions {
  /** The server certificate (DER or PEM). */
  certificate: Buffer | string;
  /** Its issuer (DER or PEM). */
  issuer: Buffer | string;
  /** Responder URL. Default: the certificate's AIA OCSP URL. */
  url?: string;
  /** Fraction of the response's validity after which it is refreshed. Default `defaults.tlsAdvanced.ocspRefreshFraction` (0.5). */
  refreshFraction?: number;
  /** Milliseconds between attempts after a failed refresh. Default `defaults.tlsAdvanced.ocspRetryInterval` (60 s). */
  retryInterval?: number;
  /** Milliseconds per fetch. Default `defaults.tlsAdvanced.ocspFetchTimeout` (5 s). */
  timeout?: number;
  /** The clock, ms. Default `Date.now`. */
  now?: () => number;
  /** A static response (DER) instead of fetching; verified before it is served. Default: none (fetch from `url`). */
  response?: Buffer;
}

const certRule = { type: 'oneOf', rules: [{ type: 'string', nonEmpty: true }, { type: 'bytes' }] } as const;
const STAPLER_SCHEMA: Schema = {
  certificate: certRule,
  issuer: certRule,
  url: { type: 'string', nonEmpty: true },
  refreshFraction: { type: 'number', min: 0.05, max: 0.95 },
  retryInterval: { type: 'number', integer: true, min: 1, max: 86_400_000 },
  timeout: { type: 'number', integer: true, min: 1, max: 600_000 },
  now: { type: 'function' },
  response: { type: 'instance', of: Uint8Array, label: 'a Buffer or Uint8Array' },
};

function toX509(c: Buffer | string | undefined, option: 'certificate' | 'issuer'): X509Certificate {
  if (c === undefined) throw createError('ERR_MISSING_OPTION', `The "${option}" option is required`, { option });
  try {
    return new X509Certificate(c);
  } catch (cause) {
    throw createError('ERR_JSEC_CERT_PARSE', `The "${option}" option is not a PEM or DER certificate`, { option, cause });
  }
}

/**
 * Keeps a verified OCSP response for one certificate. Never serves a response
 * that failed verification; keeps serving the last good one through responder
 * outages until its nextUpdate (plus the OCSP clock skew) passes.
 */
export class OcspStapler {
  readonly #leaf: X509Certificate;
  readonly #issuer: X509Certificate;
  readonly #url: string | undefined;
  readonly #fraction: number;
  readonly #retry: number;
  readonly #timeout: number;
  readonly #now: () => number;
  readonly #static: boolean;
  #closed = false;
  #der: Buffer | undefined;
  #status: OcspVerifiedStatus | undefined;
  #refreshAt = 0;
  #inflight: Promise<void> | undefined;
  #lastError: JsecError | undefined;

  /**
   * Creates a stapler for one certificate; with `response` it is verified and cached at once.
   *
   * @throws ConfigError `ERR_MISSING_OPTION` when `certificate` or `issuer` is missing, or when no
   *   `response` is given and neither `url` nor the certificate names an OCSP responder;
   *   `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE` for bad values; `ERR_JSEC_UNKNOWN_OPTION` (with
   *   `suggestion`) for an unknown name. CertificateError `ERR_JSEC_CERT_PARSE` when `certificate` or
   *   `issuer` is not a certificate.
   */
  constructor(options: OcspStaplerOptions) {
    const o = validateOptions<OcspStaplerOptions>('OcspStapler', options, STAPLER_SCHEMA);
    this.#leaf = toX509(o.certificate, 'certificate');
    this.#issuer = toX509(o.issuer, 'issuer');
    this.#now = o.now ?? Date.now;
    this.#fraction = o.refreshFraction ?? defaults.tlsAdvanced.ocspRefreshFraction;
    this.#retry = o.retryInterval ?? defaults.tlsAdvanced.ocspRetryInterval;
    this.#timeout = o.timeout ?? defaults.tlsAdvanced.ocspFetchTimeout;
    this.#static = o.response !== undefined;
    this.#url = o.url ?? /OCSP - URI:(\S+)/.exec(this.#leaf.infoAccess ?? '')?.[1];
    if (o.response !== undefined) {
      this.#accept(Buffer.from(o.response));
    } else if (this.#url === undefined) {
      throw createError('ERR_MISSING_OPTION', 'OCSP stapling: the certificate names no OCSP responder; give "ocsp.url"', { option: 'ocsp.url' });
    }
  }

  /** The state, on the stapler's clock. */
  get state(): OcspStaplerState {
    if (this.#closed) return 'closed';
    if (!this.#status) return 'empty';
    const now = this.#now();
    if (now > this.#expiry()) return 'expired';
    return now >= this.#refreshAt ? 'due' : 'fresh';
  }

  /** The verified status of the cached response, if any. */
  get status(): OcspVerifiedStatus | undefined {
    return this.#status;
  }

  /** The error of the last failed fetch (cleared by a successful one). */
  get lastError(): JsecError | undefined {
    return this.#lastError;
  }

  #expiry(): number {
    const s = this.#status!;
    const base = s.nextUpdate ? s.nextUpdate.getTime() : s.thisUpdate.getTime() + defaults.ocsp.maxAge;
    return base;
  }

  /** Verifies `der` and makes it the staple. @throws the OCSP verification errors. */
  #accept(der: Buffer): void {
    const status = verifyOcspResponse(der, { issuer: this.#issuer.raw, certificate: this.#leaf.raw, now: this.#now, clockSkew: 0 });
    this.#der = Buffer.from(der);
    this.#status = status;
    const t = status.thisUpdate.getTime();
    const end = this.#expiry();
    this.#refreshAt = t + Math.max(0, end - t) * this.#fraction;
  }

  /**
   * Fetches a new response now (one at a time). Resolves when done; a failure
   * keeps the previous response and is reported through `lastError` and the
   * `jsec:tls:ocsp-staple` channel, never thrown.
   */
  refresh(): Promise<void> {
    if (this.#closed || this.#static || this.#url === undefined) return Promise.resolve();
    this.#inflight ??= (async () => {
      try {
        const request = buildOcspRequest({ issuer: this.#issuer.raw, certificate: this.#leaf.raw, nonce: false });
        const der = await fetchOcsp(this.#url!, request, { timeout: this.#timeout });
        this.#accept(der);
        this.#lastError = undefined;
        if (staplerChannel.hasSubscribers) staplerChannel.publish({ certificate: this.#leaf, status: this.#status!.status, nextUpdate: this.#status!.nextUpdate });
      } catch (err) {
        this.#lastError = isJsecError(err) ? err : createError('ERR_JSEC_OCSP_HTTP', 'OCSP fetch failed', { cause: err });
        this.#refreshAt = this.#now() + this.#retry;
        if (staplerChannel.hasSubscribers) staplerChannel.publish({ certificate: this.#leaf, status: this.#status?.status, error: this.#lastError });
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }

  /**
   * The response to staple now, or undefined (none yet, or expired). Starts a
   * background refresh when one is due; the first call waits for the first fetch.
   */
  async staple(): Promise<Buffer | undefined> {
    if (this.#closed) return undefined;
    if (!this.#status) await this.refresh();
    else if (this.#now() >= this.#refreshAt) void this.refresh();
    if (!this.#status || this.#now() > this.#expiry()) return undefined;
    return this.#der;
  }

  /** Stops refreshing and drops the response. */
  close(): void {
    this.#closed = true;
    this.#der = undefined;
    this.#status = undefined;
  }

  /** Same as {@link OcspStapler.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The server `ocsp` option. */
export type ServerOcspOption = 'auto' | 'off' | Buffer | Uint8Array | { url?: string; issuer?: string | Buffer; refreshFraction?: number; timeout?: number; now?: () => number };

/** Staplers by certificate, for one server (SNI contexts included). @internal */
export class StaplerSet {
  readonly #option: Exclude<ServerOcspOption, 'off'>;
  readonly #map = new Map<string, OcspStapler | null>();
  readonly #mainCert: string | undefined;

  constructor(option: Exclude<ServerOcspOption, 'off'>, mainCertPem: string | undefined) {
    this.#option = option;
    this.#mainCert = mainCertPem ? new X509Certificate(mainCertPem).fingerprint256 : undefined;
  }

  /** The handler for Node's `'OCSPRequest'` event. */
  handle(certificate: Buffer, issuer: Buffer | null, cb: (err: Error | null, response?: Buffer) => void): void {
    let stapler: OcspStapler | null | undefined;
    try {
      stapler = this.#for(certificate, issuer);
    } catch {
      stapler = null;
    }
    if (!stapler) return cb(null);
    stapler.staple().then(
      (der) => cb(null, der),
      () => cb(null),
    );
  }

  #for(certificate: Buffer, issuer: Buffer | null): OcspStapler | null {
    const key = createHash('sha256').update(certificate).digest('hex');
    if (this.#map.has(key)) return this.#map.get(key)!;
    let s: OcspStapler | null = null;
    const opt = this.#option;
    // Node finds the issuer in the served chain or the context's CA store; an explicit one fills the gap.
    if (!issuer && typeof opt === 'object' && !(opt instanceof Uint8Array) && opt.issuer !== undefined) issuer = Buffer.from(new X509Certificate(opt.issuer).raw);
    if (issuer) {
      if (Buffer.isBuffer(opt) || opt instanceof Uint8Array) {
        // A static staple belongs to the listener's own certificate only.
        const fp = new X509Certificate(certificate).fingerprint256;
        if (fp === this.#mainCert) s = new OcspStapler({ certificate, issuer, response: Buffer.from(opt) });
      } else if (opt === 'auto') {
        s = new OcspStapler({ certificate, issuer });
      } else {
        const { issuer: _unused, ...rest } = opt;
        s = new OcspStapler({ certificate, issuer, ...rest });
      }
    }
    this.#map.set(key, s);
    return s;
  }

  close(): void {
    for (const s of this.#map.values()) s?.close();
    this.#map.clear();
  }
}

/** The client `ocsp` option. */
export type ClientOcspMode = 'require' | 'prefer' | 'off';

/** The OCSP result reported in `info().ocsp`. */
export interface OcspInfo {
  /** `'good' | 'revoked' | 'unknown'` from a verified staple; `'none'` when no staple came; `'resumed'` when the session was resumed (no certificate exchange, so no staple). */
  readonly status: 'good' | 'revoked' | 'unknown' | 'none' | 'resumed';
  /** When the stapled status was known correct (with a verified staple only). */
  readonly thisUpdate?: Date;
  /** When newer status will be available; null when the responder gave none (with a verified staple only). */
  readonly nextUpdate?: Date | null;
  /** Whether the leaf carries the TLS feature status_request (must-staple, RFC 7633). */
  readonly mustStaple: boolean;
}

const TLS_FEATURE_OID_DER = Buffer.from('06082b06010505070118', 'hex');

/** Whether the certificate carries the must-staple TLS feature. @internal */
export function hasMustStaple(cert: X509Certificate): boolean {
  // Runs on every handshake: only a certificate whose DER holds the TLS
  // feature extension's OID (1.3.6.1.5.5.7.1.24) is worth a full parse.
  if (!mayBeMustStaple(cert.raw)) return false;
  try {
    return Certificate.from(cert.raw).mustStaple;
  } catch {
    return false;
  }
}

/**
 * False when a certificate's DER cannot be must-staple (it does not contain
 * the TLS feature extension's OID); true means "parse it to know".
 *
 * @internal
 */
export function mayBeMustStaple(der: Uint8Array): boolean {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).indexOf(TLS_FEATURE_OID_DER) >= 0;
}

/**
 * Verifies a staple against the verified chain (`chain[1]` issues `chain[0]`).
 *
 * @throws CertificateError `CERT_REVOKED` (`source: 'ocsp'`), `ERR_JSEC_TLS_OCSP_MISSING`,
 *   `ERR_JSEC_TLS_OCSP_UNKNOWN` (require only), and the OCSP verification errors
 *   (`ERR_JSEC_OCSP_SIGNATURE`, `ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER`, `ERR_JSEC_OCSP_CERT_ID_MISMATCH`,
 *   `ERR_JSEC_OCSP_STALE`, `ERR_JSEC_OCSP_NOT_YET_VALID`, `ERR_JSEC_OCSP_PARSE`, `ERR_JSEC_OCSP_RESPONSE_STATUS`).
 * @internal
 */
export function checkStaple(staple: Buffer | undefined, chain: readonly X509Certificate[], mode: Exclude<ClientOcspMode, 'off'>, resumed: boolean, now?: () => number): OcspInfo {
  const leaf = chain[0];
  const mustStaple = leaf ? hasMustStaple(leaf) : false;
  if (resumed) return Object.freeze({ status: 'resumed', mustStaple });
  if (!staple || staple.length === 0) {
    if (mode === 'require' || mustStaple) {
      throw createError('ERR_JSEC_TLS_OCSP_MISSING', mustStaple ? 'The server certificate is must-staple but no OCSP response was stapled' : 'No OCSP response was stapled (ocsp: "require")', { mustStaple });
    }
    return Object.freeze({ status: 'none', mustStaple });
  }
  const issuer = chain[1];
  if (!leaf || !issuer) throw createError('ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER', 'The stapled OCSP response cannot be checked: the issuer of the server certificate is unknown', {});
  const v = verifyOcspResponse(staple, { issuer: issuer.raw, certificate: leaf.raw, ...(now ? { now } : {}) });
  if (v.status === 'revoked') {
    throw createError('CERT_REVOKED', 'The server certificate is revoked (stapled OCSP response)', {
      source: 'ocsp',
      revocationTime: v.revocationTime,
      revocationReason: v.revocationReason,
      peerCertificate: leaf,
      chain,
    });
  }
  if (v.status === 'unknown' && mode === 'require') throw createError('ERR_JSEC_TLS_OCSP_UNKNOWN', 'The stapled OCSP response says the certificate status is unknown', {});
  return Object.freeze({ status: v.status, thisUpdate: v.thisUpdate, nextUpdate: v.nextUpdate, mustStaple });
}

/**
 * Options shared by every user of the native engine (DTLS client, DTLS
 * server, `TlsEngine`): the security material, how it is validated, and how
 * it becomes a native engine context. Also the classification of engine
 * failures into typed errors, the same codes `jsec/tls` uses.
 *
 * @internal
 * @module
 */
import { createHash, X509Certificate, type Hash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { defaults } from '../config/defaults.js';
import type { Rule, Schema } from '../config/validate.js';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import type { NativeEngine, NativeEngineContext, NativeEngineContextOptions } from '../native/binding.js';
import { native } from '../native/loader.js';
import { certificateError } from '../tls/errors.js';
import { verifyCodeName as x509VerifyCodeName } from '../cert/verify-codes.js';

/** PEM text as a string or bytes. */
export type PemInput = string | Buffer | Uint8Array;

/**
 * A source of timers. jsec schedules every retransmission, handshake and idle
 * timeout through it, so tests and embedders can inject their own.
 * Default: Node's `setTimeout` / `clearTimeout`, unref'd.
 */
export interface TimerSource {
  /** Schedules `callback` once after `ms` milliseconds; returns a handle for {@link TimerSource.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer returned by {@link TimerSource.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending retransmission never keeps the process alive by itself. */
export const realTimers: TimerSource = Object.freeze({
  setTimeout(callback: () => void, ms: number): unknown {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});

/** A pre-shared key (client side). */
export interface PskOptions {
  /** The PSK identity sent to the server. */
  identity: string;
  /** The key: bytes, or a hex string. */
  key: Uint8Array | string;
}

/** Security material and policy, shared by DTLS and `TlsEngine`. */
export interface SecurityOptions {
  /** Trusted CA certificates (PEM). Default: Node's bundled roots (`tls.rootCertificates`). */
  ca?: PemInput | PemInput[];
  /**
   * Own certificate chain (PEM, leaf first). No default. Required for servers unless `pskKeys`
   * is set (`ERR_MISSING_OPTION`); must be given together with `key` (`ERR_JSEC_CONFLICTING_OPTIONS`).
   * Unusable PEM or a key that does not match throws a `ConfigError`.
   */
  cert?: PemInput;
  /** Own private key (PEM), the pair of `cert`. No default. */
  key?: PemInput;
  /** Passphrase of an encrypted `key`. No default: an encrypted key without it fails (never prompts). */
  passphrase?: string;
  /**
   * Verify the peer's chain (and, for clients, its name). Default `true`.
   * `false` is dangerous: it warns once per process.
   */
  rejectUnauthorized?: boolean;
  /** Same as `rejectUnauthorized: false`, named for what it is. Default `false`. */
  dangerouslyDisableVerification?: boolean;
  /** OpenSSL cipher list (TLS 1.2 / DTLS 1.2). Default: ECDHE + AEAD suites (PSK suites when `psk` is set). */
  ciphers?: string;
  /** ECDHE groups, OpenSSL syntax (`'X25519:P-256'`). Default: OpenSSL's list. */
  groups?: string;
  /**
   * ALPN protocols in preference order (at most 64, each 1-255 bytes, else `ERR_INVALID_ARG_VALUE`).
   * Default: none (no ALPN extension).
   */
  ALPNProtocols?: string[];
  /**
   * Client: the pre-shared key to use. Default: none (certificate authentication).
   * With `psk` and no `ca`, the server's certificate chain is not verified: the key authenticates it.
   */
  psk?: PskOptions;
  /**
   * Server: identities and their keys (bytes or hex). Default: none (no PSK). A key that is
   * neither bytes nor a string throws `ERR_INVALID_ARG_TYPE`. With `pskKeys`, `cert`/`key` become optional.
   */
  pskKeys?: Record<string, Uint8Array | string> | Map<string, Uint8Array | string>;
  /** Server: the identity hint sent to clients (used only with `pskKeys`). Default: none. */
  pskHint?: string;
  /**
   * DTLS-SRTP protection profiles (`'SRTP_AES128_CM_SHA1_80'`, ...). Default: none (no use_srtp).
   * Throws `ERR_JSEC_UNSUPPORTED` when the running OpenSSL does not export use_srtp (see `hasSrtp()`).
   */
  srtpProfiles?: string[];
}

const pem: Rule = { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] };
const keyBytes: Rule = { type: 'oneOf', rules: [{ type: 'string', nonEmpty: true }, { type: 'bytes' }] };

/** The schema of {@link SecurityOptions}. */
export const SECURITY_SCHEMA: Schema = Object.freeze({
  ca: { type: 'oneOf', rules: [pem, { type: 'array', of: pem }] },
  cert: pem,
  key: pem,
  passphrase: { type: 'string' },
  rejectUnauthorized: { type: 'boolean' },
  dangerouslyDisableVerification: { type: 'boolean' },
  ciphers: { type: 'string', nonEmpty: true },
  groups: { type: 'string', nonEmpty: true },
  ALPNProtocols: { type: 'array', of: { type: 'string', nonEmpty: true }, maxLength: 64 },
  psk: { type: 'object', schema: { identity: { type: 'string' }, key: keyBytes } },
  pskKeys: { type: 'oneOf', rules: [{ type: 'instance', of: Map, label: 'a Map' }, { type: 'object', open: true }] },
  pskHint: { type: 'string' },
  srtpProfiles: { type: 'array', of: { type: 'string', nonEmpty: true }, maxLength: 16 },
});

const VERSIONS: Record<string, number> = {
  'DTLSv1': 0xfeff,
  'DTLSv1.2': 0xfefd,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
};

/** Protocol version names accepted by `minVersion` / `maxVersion`. */
export const DTLS_VERSIONS = ['DTLSv1.2', 'DTLSv1'] as const;
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

function toText(v: PemInput): string {
  return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
}

function keyToBuffer(v: Uint8Array | string, option: string): Buffer {
  if (typeof v !== 'string') return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(v)) {
    throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option must be bytes or an even-length hex string`, { option });
  }
  return Buffer.from(v, 'hex');
}

function alpnWire(list: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of list) {
    const b = Buffer.from(p, 'utf8');
    if (b.length > 255) throw createError('ERR_INVALID_ARG_VALUE', 'An ALPN protocol name is longer than 255 bytes', { option: 'ALPNProtocols' });
    parts.push(Buffer.from([b.length]), b);
  }
  return Buffer.concat(parts);
}

let warnedInsecure = false;

/** Whether verification is on; warns once per process when it is not. */
export function verificationEnabled(o: SecurityOptions): boolean {
  const off = o.dangerouslyDisableVerification === true || o.rejectUnauthorized === false;
  if (off && !warnedInsecure) {
    warnedInsecure = true;
    process.emitWarning('jsec: peer certificate verification is disabled (rejectUnauthorized: false); the connection can be intercepted.', {
      code: 'JSEC_INSECURE_VERIFICATION',
    });
  }
  return !off;
}

/** What a context is for. */
export interface ContextRequest {
  readonly mode: 'dtls' | 'tls';
  readonly role: 'client' | 'server';
  readonly security: SecurityOptions;
  readonly minVersion: string;
  readonly maxVersion: string;
  /** Server: ask for a client certificate; `'require'` fails a handshake without one. */
  readonly requestCert?: boolean | 'require';
  readonly ciphersuites?: string;
  readonly sessionTimeout?: number;
}

/**
 * Builds a native engine context. The caller owns it (`close()`).
 *
 * @throws ConfigError for material OpenSSL cannot use (bad PEM, key mismatch, no usable cipher).
 */
export function createEngineContext(req: ContextRequest): NativeEngineContext {
  return new (native().EngineContext)(contextOptions(req).options);
}

/** The native options of a context, and whether its trust anchors are Node's bundled roots. */
function contextOptions(req: ContextRequest): { options: NativeEngineContextOptions; defaultRoots: boolean } {
  let defaultRoots = false;
  const s = req.security;
  const verify = verificationEnabled(s);
  const usesPsk = s.psk !== undefined || s.pskKeys !== undefined;
  const o: NativeEngineContextOptions = {
    dtls: req.mode === 'dtls',
    server: req.role === 'server',
    minVersion: VERSIONS[req.minVersion],
    maxVersion: VERSIONS[req.maxVersion],
    ciphers: s.ciphers ?? (req.mode === 'dtls' ? (usesPsk ? defaults.dtls.pskCiphers : defaults.dtls.ciphers) : usesPsk ? `${defaults.dtls.pskCiphers}:${defaults.tls.ciphers}` : defaults.tls.ciphers),
    verify: 0,
    rejectUnauthorized: verify,
  };
  if (req.ciphersuites !== undefined) o.ciphersuites = req.ciphersuites;
  if (s.groups !== undefined) o.groups = s.groups;
  if (s.cert !== undefined) o.cert = toText(s.cert);
  if (s.key !== undefined) o.key = toText(s.key);
  if (s.passphrase !== undefined) o.passphrase = s.passphrase;
  if ((s.cert === undefined) !== (s.key === undefined)) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'The "cert" and "key" options must be given together', { option: s.cert === undefined ? 'cert' : 'key' });
  }
  // A given `ca` is always loaded (and so checked: garbage is a typed error),
  // even where nothing is verified against it.
  if (s.ca !== undefined) o.ca = (Array.isArray(s.ca) ? s.ca : [s.ca]).map(toText);
  if (req.role === 'client') {
    // PSK-only clients authenticate the server through the key: no chain to verify.
    o.verify = usesPsk && s.ca === undefined ? 0 : 1;
    if (o.verify === 1 && s.ca === undefined) {
      defaultRoots = true;
      o.ca = rootCertificates.map(toText);
    }
  } else {
    if (s.cert === undefined && !usesPsk) {
      throw createError('ERR_MISSING_OPTION', 'A server needs "cert" and "key" (or "pskKeys")', { option: 'cert' });
    }
    if (req.requestCert) {
      o.verify = req.requestCert === 'require' && verify ? 2 : 1;
      if (s.ca === undefined) {
        defaultRoots = true;
        o.ca = rootCertificates.map(toText);
      }
    }
    if (req.sessionTimeout !== undefined) o.sessionTimeout = req.sessionTimeout;
  }
  if (s.ALPNProtocols !== undefined && s.ALPNProtocols.length > 0) o.alpn = alpnWire(s.ALPNProtocols);
  if (s.psk !== undefined) {
    o.pskIdentity = s.psk.identity;
    o.pskKey = keyToBuffer(s.psk.key, 'psk.key');
  }
  if (s.pskKeys !== undefined) {
    const entries = s.pskKeys instanceof Map ? [...s.pskKeys.entries()] : Object.entries(s.pskKeys);
    o.pskTable = entries.map(([identity, key]) => {
      if (typeof key !== 'string' && !ArrayBuffer.isView(key)) {
        throw createError('ERR_INVALID_ARG_TYPE', `The "pskKeys.${identity}" option must be bytes or a hex string`, { option: `pskKeys.${identity}` });
      }
      return { identity, key: keyToBuffer(key, `pskKeys.${identity}`) };
    });
    if (s.pskHint !== undefined) o.pskHint = s.pskHint;
  }
  if (s.srtpProfiles !== undefined && s.srtpProfiles.length > 0) {
    if (!native().engineHasSrtp()) throw createError('ERR_JSEC_UNSUPPORTED', 'The running OpenSSL does not export DTLS-SRTP (use_srtp)');
    o.srtpProfiles = s.srtpProfiles.join(':');
  }
  return { options: o, defaultRoots };
}

// --- shared contexts ------------------------------------------------------------

function hashValue(h: Hash, tag: string, value: unknown): void {
  if (value === undefined) return;
  h.update(`\0${tag}:`);
  if (typeof value === 'string') {
    h.update(`s${Buffer.byteLength(value)}:`).update(value);
  } else if (ArrayBuffer.isView(value)) {
    h.update(`b${value.byteLength}:`).update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (Array.isArray(value)) {
    h.update(`a${value.length}`);
    value.forEach((v, i) => hashValue(h, `${tag}.${i}`, v));
  } else if (typeof value === 'object' && value !== null) {
    for (const k of Object.keys(value).sort()) hashValue(h, `${tag}.${k}`, (value as Record<string, unknown>)[k]);
  } else {
    h.update(`${typeof value}:${String(value)}`);
  }
}

/**
 * The key of a context: every field of its native options (protocol and role,
 * trust anchors, identity and passphrase, PSK identity and key or table,
 * versions, ciphers, groups, ALPN, SRTP, verification mode, session settings),
 * so two requests share a context only when OpenSSL would build identical
 * ones. Node's bundled roots hash as a tag: they are fixed for the life of the process.
 */
function contextKey(options: NativeEngineContextOptions, defaultRoots: boolean): string {
  const h = createHash('sha256');
  for (const k of Object.keys(options).sort()) {
    if (k === 'ca' && defaultRoots) h.update('\0ca:node-roots');
    else hashValue(h, k, (options as unknown as Record<string, unknown>)[k]);
  }
  return h.digest('base64');
}

/** Native contexts by {@link contextKey}, bounded; Map order is LRU order. */
class ContextCache {
  readonly #entries = new Map<string, NativeEngineContext>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The cached context for `req`, built (and the least recently used one closed) on a miss. */
  get(req: ContextRequest): NativeEngineContext {
    // Options are rebuilt (and so validated) on every call; only the OpenSSL work is reused.
    const { options, defaultRoots } = contextOptions(req);
    const key = contextKey(options, defaultRoots);
    const hit = this.#entries.get(key);
    this.#entries.delete(key);
    if (hit !== undefined && !hit.closed) {
      this.#entries.set(key, hit);
      return hit;
    }
    const ctx = new (native().EngineContext)(options);
    this.#entries.set(key, ctx);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.get(oldest)?.close();
      this.#entries.delete(oldest);
    }
    return ctx;
  }

  /** Closes every cached context; returns how many. */
  clear(): number {
    const n = this.#entries.size;
    for (const ctx of this.#entries.values()) ctx.close();
    this.#entries.clear();
    return n;
  }
}

const dtlsClientContexts = new ContextCache(defaults.dtls.contextCacheSize);
const tlsEngineContexts = new ContextCache(defaults.bio.contextCacheSize);

/**
 * A DTLS client context for `req`, shared with every other client request
 * whose options are identical (an LRU of `defaults.dtls.contextCacheSize`).
 * Client contexts keep no per-connection state (no session cache, no cookie
 * secret), and each engine holds its own reference to the SSL_CTX, so evicting
 * one never disturbs an association. The caller must not close it.
 *
 * Every check of {@link createEngineContext} still runs on every call (options
 * are rebuilt and validated before the lookup); only the OpenSSL work is reused.
 *
 * @throws ConfigError as {@link createEngineContext}.
 */
export function sharedClientContext(req: ContextRequest): NativeEngineContext {
  if (req.role !== 'client' || req.mode !== 'dtls') throw createError('ERR_JSEC_INVALID_STATE', 'Only DTLS client contexts are shared here', { state: req.role, operation: 'sharedClientContext' });
  return dtlsClientContexts.get(req);
}

/**
 * A TLS context for a `TlsEngine` (either role), shared with every engine whose
 * options are identical (an LRU of `defaults.bio.contextCacheSize`). Server
 * engines that share one also share its session cache and ticket keys, as the
 * connections of one `node:tls` server do; their options, identity and trust
 * anchors included, are identical by construction. The caller must not close it.
 *
 * @throws ConfigError as {@link createEngineContext}.
 */
export function sharedEngineContext(req: ContextRequest): NativeEngineContext {
  if (req.mode !== 'tls') throw createError('ERR_JSEC_INVALID_STATE', 'Only TLS engine contexts are shared here', { state: req.mode, operation: 'sharedEngineContext' });
  return tlsEngineContexts.get(req);
}

/**
 * Closes every shared DTLS client context; associations already made keep
 * theirs (each engine holds its own reference). Returns how many were closed.
 */
export function clearContextCache(): number {
  return dtlsClientContexts.clear();
}

/**
 * Closes every shared `TlsEngine` context; engines already made keep theirs.
 * Returns how many were closed.
 */
export function clearEngineContextCache(): number {
  return tlsEngineContexts.clear();
}

// --- errors -------------------------------------------------------------------

/** OpenSSL's host-name and IP-address mismatch codes, which Node reports as `ERR_TLS_CERT_ALTNAME_INVALID`. */
const ALTNAME_MISMATCH = new Set([62, 64]);

/** Node's name for an OpenSSL verify code (as in `authorizationError`). */
export function verifyCodeName(code: number): string {
  return ALTNAME_MISMATCH.has(code) ? 'ERR_TLS_CERT_ALTNAME_INVALID' : x509VerifyCodeName(code);
}

const SSL_R = {
  CERTIFICATE_VERIFY_FAILED: 134,
  NO_SHARED_CIPHER: 193,
  NO_PROTOCOLS_AVAILABLE: 191,
  NO_SUITABLE_SIGNATURE_ALGORITHM: 118,
  NO_SHARED_GROUPS: 410,
  PEER_DID_NOT_RETURN_A_CERTIFICATE: 199,
  READ_TIMEOUT_EXPIRED: 312,
  UNSUPPORTED_PROTOCOL: 258,
  UNSUPPORTED_SSL_VERSION: 259,
  VERSION_TOO_LOW: 396,
  WRONG_VERSION_NUMBER: 267,
} as const;

/** The peer chain an engine saw, as certificate objects (leaf first). */
export function peerChain(engine: NativeEngine): X509Certificate[] {
  try {
    return engine.peerCertificates().map((der) => new X509Certificate(der));
  } catch {
    return [];
  }
}

/**
 * Turns an engine failure into the typed error a caller sees: certificate
 * codes as Node names them, alerts with their number and direction, the
 * protocol / cipher codes of `jsec/tls`, or the family's generic code.
 */
export function classifyEngineError(err: unknown, role: 'client' | 'server', mode: 'dtls' | 'tls', chain: X509Certificate[], extra: Record<string, unknown> = {}): JsecError {
  if (!isJsecError(err)) return createError(mode === 'dtls' ? 'ERR_JSEC_DTLS' : 'ERR_JSEC_TLS_HANDSHAKE', String((err as Error)?.message ?? err), { cause: err, ...extra });
  if (err.code !== 'ERR_JSEC_DTLS' && err.code !== 'ERR_JSEC_TLS_HANDSHAKE') return err;
  const f = err as JsecError & { peerChainDer?: unknown; reasonCode?: number; verifyCode?: number; alertReceived?: number; alertReceivedName?: string; alertSent?: number; alertSentName?: string };
  const reason = f.reasonCode ?? 0;
  if (reason === SSL_R.CERTIFICATE_VERIFY_FAILED && typeof f.verifyCode === 'number') {
    if (chain.length === 0 && Array.isArray(f.peerChainDer)) {
      try {
        chain = (f.peerChainDer as Buffer[]).map((der) => new X509Certificate(der));
      } catch {
        chain = [];
      }
    }
    return certificateError(verifyCodeName(f.verifyCode), { role, peerCertificate: chain[0], chain, extra: { ...extra, opensslVerifyCode: f.verifyCode } }, err);
  }
  const data = { cause: err, ...extra, alertSent: f.alertSent, alertReceived: f.alertReceived };
  if (reason === SSL_R.READ_TIMEOUT_EXPIRED) return createError('ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT', 'The DTLS handshake timed out after too many retransmissions', data);
  if (reason === SSL_R.NO_SHARED_CIPHER || reason === SSL_R.NO_SUITABLE_SIGNATURE_ALGORITHM || reason === SSL_R.NO_SHARED_GROUPS) {
    return createError('ERR_JSEC_TLS_NO_SHARED_CIPHER', 'The peers share no cipher suite allowed by the policy', data);
  }
  if (
    reason === SSL_R.UNSUPPORTED_PROTOCOL ||
    reason === SSL_R.UNSUPPORTED_SSL_VERSION ||
    reason === SSL_R.VERSION_TOO_LOW ||
    reason === SSL_R.WRONG_VERSION_NUMBER ||
    reason === SSL_R.NO_PROTOCOLS_AVAILABLE
  ) {
    return createError('ERR_JSEC_TLS_PROTOCOL_VERSION', 'The peers share no protocol version allowed by the policy', data);
  }
  if (reason === SSL_R.PEER_DID_NOT_RETURN_A_CERTIFICATE) {
    return createError('ERR_JSEC_NO_PEER_CERTIFICATE', 'The client presented no certificate but one is required', data);
  }
  if (typeof f.alertReceived === 'number' && f.alertReceived !== 0) {
    return createError('ERR_JSEC_TLS_ALERT', `The peer sent a fatal alert: ${f.alertReceivedName ?? f.alertReceived}`, {
      ...data,
      alert: f.alertReceived,
      alertName: f.alertReceivedName,
      direction: 'received',
    });
  }
  return err;
}

/**
 * TLS contexts: a validated, frozen {@link TlsContext} holding one
 * `tls.SecureContext` built with the policy applied, plus the process-wide
 * LRU cache that makes identical options share one context.
 *
 * @module
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, isBytes, type Schema } from '../config/validate.js';
import { createError, type JsecError } from '../errors/index.js';
import { native } from '../native/loader.js';
import { normalizePolicy, policyContextOptions, SECURITY_SCHEMA, type NormalizedPolicy, type SecurityPolicy } from './policy.js';

/** PEM text or bytes. */
export type PemInput = string | Buffer | Uint8Array;

/** Certificate and key material accepted everywhere (Node's names and meanings). */
export interface MaterialOptions {
  /** Trust anchors (PEM). Default: Node's bundled Mozilla store. Replaces the default store when given, as in Node. */
  ca?: PemInput | readonly PemInput[];
  /** Own certificate chain (PEM, leaf first). Client: for mutual TLS. Server: required unless `pfx`. No default. */
  cert?: PemInput | readonly PemInput[];
  /** Private key (PEM) for `cert`; it must match the certificate. No default. */
  key?: PemInput | readonly PemInput[];
  /** PKCS#12 bundle holding key and chain (instead of `cert`/`key`). No default. */
  pfx?: PemInput | readonly PemInput[];
  /** Passphrase for an encrypted `key` or `pfx`. No default: an encrypted key without it fails (never prompts). */
  passphrase?: string;
  /** Certificate revocation lists (PEM), checked against the peer chain. Default: none. */
  crl?: PemInput | readonly PemInput[];
}

/** Options of {@link createContext}. */
export interface ContextOptions extends MaterialOptions {
  /** Which side the context is for. Default `'client'`. A server context needs `cert` + `key` or `pfx`. */
  role?: 'client' | 'server';
  /** The security policy. Default: jsec's defaults (see {@link SecurityPolicy}). */
  security?: SecurityPolicy;
}

const pemRule = { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } as const;
const pemOrList = { type: 'oneOf', rules: [pemRule, { type: 'array', of: pemRule, maxLength: 10_000 }] } as const;

/** The material options' schema, shared by connect/listen/upgrade. */
export const MATERIAL_SCHEMA: Schema = Object.freeze({
  ca: pemOrList,
  cert: pemOrList,
  key: pemOrList,
  pfx: pemOrList,
  passphrase: { type: 'string' },
  crl: pemOrList,
  security: { type: 'object', schema: SECURITY_SCHEMA },
});

const CONTEXT_SCHEMA: Schema = Object.freeze({ ...MATERIAL_SCHEMA, role: { type: 'string', enum: ['client', 'server'] } });

const kToken = Symbol('jsec.tls.context');

interface Internals {
  /** The createSecureContext options (material + policy), for servers that build their own. */
  readonly secureOptions: tls.SecureContextOptions;
  /** Client: resumable sessions by connection key. Server: session-ID store. */
  readonly sessions: SessionCache;
}

const internals = new WeakMap<TlsContext, Internals>();

/**
 * A reusable TLS configuration for one role: one `tls.SecureContext` built
 * once with the security policy applied, and (client) the session cache used
 * for resumption. Immutable; accepted as `context` by `connect`, `listen` and
 * `upgrade`. Create it with {@link createContext}.
 */
export class TlsContext {
  /** The side this context is for. */
  declare readonly role: 'client' | 'server';
  /** Node's secure context, built once. Passing it to `node:tls` yourself bypasses jsec's verification. */
  declare readonly secureContext: tls.SecureContext;
  /** The normalised security policy (every key present). */
  declare readonly security: NormalizedPolicy;
  /** A stable identifier: SHA-256 of the options' material and policy. */
  declare readonly id: string;

  /** @internal */
  constructor(token: symbol, role: 'client' | 'server', security: NormalizedPolicy, id: string, secureOptions: tls.SecureContextOptions, secureContext: tls.SecureContext) {
    if (token !== kToken) throw createError('ERR_JSEC_INVALID_STATE', 'TlsContext cannot be constructed directly; use createContext()', { operation: 'new TlsContext' });
    Object.defineProperties(this, {
      role: { value: role, enumerable: true },
      secureContext: { value: secureContext, enumerable: false },
      security: { value: security, enumerable: true },
      id: { value: id, enumerable: true },
    });
    internals.set(this, { secureOptions, sessions: new SessionCache(security.sessionCacheSize, security.sessionTimeout * 1000) });
    Object.freeze(this);
  }
}

/** @internal */
export function contextInternals(ctx: TlsContext): Internals {
  const i = internals.get(ctx);
  if (!i) throw createError('ERR_INVALID_ARG_TYPE', 'The "context" option must be a TlsContext made by createContext()', { option: 'context' });
  return i;
}

/** A bounded LRU of sessions with a lifetime. */
export class SessionCache {
  readonly #max: number;
  readonly #ttl: number;
  readonly #map = new Map<string, { data: Buffer; chain: readonly X509Certificate[]; expires: number }>();

  constructor(max: number, ttlMs: number) {
    this.#max = max;
    this.#ttl = ttlMs;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now = performance.now()): { data: Buffer; chain: readonly X509Certificate[] } | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    this.#map.delete(key);
    if (e.expires <= now) return undefined;
    this.#map.set(key, e);
    return e;
  }

  set(key: string, data: Buffer, chain: readonly X509Certificate[] = [], now = performance.now()): void {
    if (this.#max === 0) return;
    this.#map.delete(key);
    this.#map.set(key, { data, chain, expires: now + this.#ttl });
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}

const cache = new Map<string, TlsContext>();

function hashInto(h: ReturnType<typeof createHash>, tag: string, value: unknown): void {
  if (value === undefined) return;
  h.update(`\0${tag}:`);
  if (Array.isArray(value)) {
    h.update(`[${value.length}]`);
    value.forEach((v, i) => hashInto(h, `${tag}.${i}`, v));
  } else if (typeof value === 'string') {
    // Same bytes, same hash: PEM given as a string or as a Buffer is one context.
    h.update(`b${Buffer.byteLength(value)}:`).update(value);
  } else if (isBytes(value)) {
    const b = Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    h.update(`b${b.length}:`).update(b);
  } else {
    h.update(JSON.stringify(value));
  }
}

function toNode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toNode);
  if (isBytes(v) && !Buffer.isBuffer(v)) return Buffer.from(v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return v;
}

const probed = new Map<string, JsecError | null>();

/** Tries one policy string against OpenSSL alone, so a failure names its option. */
function probe(option: string, secure: tls.SecureContextOptions): void {
  const key = `${option}\0${JSON.stringify(secure)}`;
  let result = probed.get(key);
  if (result === undefined) {
    try {
      tls.createSecureContext(secure);
      result = null;
    } catch (cause) {
      result = createError('ERR_INVALID_ARG_VALUE', `OpenSSL rejected "${option}": ${(cause as Error).message}`, { option, cause });
    }
    if (probed.size < 256) probed.set(key, result);
  }
  if (result) throw result;
}

function materialOption(cause: unknown): string {
  const text = `${(cause as { code?: string }).code ?? ''} ${(cause as Error).message ?? ''}`.toUpperCase();
  if (/PASS|DECRYPT|BAD_DECRYPT/.test(text)) return 'passphrase';
  if (/PKCS12|MAC_VERIFY/.test(text)) return 'pfx';
  if (/CRL/.test(text)) return 'crl';
  if (/KEY_VALUES_MISMATCH|PRIVATE KEY|KEY/.test(text)) return 'key';
  return 'cert';
}

const CERT_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

/**
 * Node keeps only the PEM certificates it finds in `ca` and drops anything
 * else without a word: `ca: 'not a pem'` would mean "trust nothing" and a
 * misleading verification error later, and a bad entry in a list would
 * vanish. Every entry must hold at least one PEM certificate.
 */
function checkTrustAnchors(ca: PemInput | readonly PemInput[]): void {
  const entries = Array.isArray(ca) ? (ca as readonly PemInput[]) : [ca as PemInput];
  entries.forEach((entry, i) => {
    let blocks: { label: string }[];
    try {
      blocks = native().pemDecode(typeof entry === 'string' ? entry : new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength));
    } catch {
      blocks = [];
    }
    if (!blocks.some((b) => CERT_LABELS.has(b.label))) {
      const where = Array.isArray(ca) ? `"ca[${i}]"` : '"ca"';
      throw createError('ERR_INVALID_ARG_VALUE', `${where} holds no PEM certificate (trust anchors are PEM "CERTIFICATE" blocks; DER must be converted first)`, { option: 'ca' });
    }
  });
}

/**
 * OpenSSL silently drops a private key that does not match the certificate
 * loaded after it (Node loads the key first), leaving a context that fails
 * every handshake later; check the pair up front.
 */
function checkKeyMatchesCert(options: MaterialOptions): void {
  const { cert, key } = options;
  if (cert === undefined || key === undefined || Array.isArray(cert) || Array.isArray(key)) return;
  let x509: X509Certificate;
  let pkey: KeyObject;
  try {
    x509 = new X509Certificate(toNode(cert) as string | Buffer);
  } catch (cause) {
    throw createError('ERR_INVALID_ARG_VALUE', `The "cert" option holds no readable certificate: ${(cause as Error).message}`, { option: 'cert', cause });
  }
  try {
    pkey = createPrivateKey(options.passphrase === undefined ? (toNode(key) as string | Buffer) : { key: toNode(key) as string | Buffer, passphrase: options.passphrase });
  } catch (cause) {
    throw createError('ERR_INVALID_ARG_VALUE', `The "key" option holds no readable private key: ${(cause as Error).message}`, { option: 'key', cause });
  }
  if (!x509.checkPrivateKey(pkey)) {
    throw createError('ERR_INVALID_ARG_VALUE', 'The "key" option does not belong to the certificate in "cert"', { option: 'key' });
  }
}

/**
 * Returns the (cached) context for validated options. Shared by
 * createContext and the implicit contexts of connect/listen/upgrade.
 *
 * @internal
 */
export function contextFor(role: 'client' | 'server', options: MaterialOptions & { security?: unknown }): TlsContext {
  const recent = recentContext(role, options);
  if (recent) return recent;
  const ctx = contextForSlow(role, options);
  remember(role, options, ctx);
  return ctx;
}

/**
 * The last few option sets resolved to a context, compared by value (strings
 * and primitives with ===, bytes by content): a process that connects with
 * the same `ca` and `security` again skips the policy checks and the SHA-256
 * of its material. A miss falls through to the hash-keyed cache.
 */
interface Recent {
  readonly role: 'client' | 'server';
  readonly material: readonly unknown[];
  readonly security: unknown;
  readonly ctx: TlsContext;
}

const RECENT_MAX = 8;
const recentContexts: Recent[] = [];
const MATERIAL_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'crl'] as const;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'object' || a === null;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  return false;
}

/** Shallow: a security policy's values are primitives (anything else is not memoised). */
function samePolicy(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const va = (a as Record<string, unknown>)[k];
    if ((typeof va === 'object' && va !== null) || typeof va === 'function' || va !== (b as Record<string, unknown>)[k]) return false;
  }
  return true;
}

function recentContext(role: 'client' | 'server', options: MaterialOptions & { security?: unknown }): TlsContext | undefined {
  for (let i = 0; i < recentContexts.length; i++) {
    const r = recentContexts[i]!;
    if (r.role !== role || !samePolicy(r.security, options.security) || !MATERIAL_KEYS.every((k, j) => sameValue(r.material[j], options[k]))) continue;
    if (i > 0) {
      recentContexts.splice(i, 1);
      recentContexts.unshift(r);
    }
    return r.ctx;
  }
  return undefined;
}

function remember(role: 'client' | 'server', options: MaterialOptions & { security?: unknown }, ctx: TlsContext): void {
  const security = options.security;
  // Copies: a caller mutating its options object later must not change what was remembered.
  const material = MATERIAL_KEYS.map((k) => copyValue(options[k]));
  if (material.some((m) => m === NOT_COPIED)) return;
  if (security !== undefined && (typeof security !== 'object' || security === null || !samePolicy(security, security))) return;
  recentContexts.unshift({ role, material, security: security === undefined ? undefined : { ...security }, ctx });
  if (recentContexts.length > RECENT_MAX) recentContexts.pop();
}

const NOT_COPIED = Symbol('not copied');

function copyValue(v: unknown): unknown {
  if (v === undefined || typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const out = v.map(copyValue);
    return out.includes(NOT_COPIED) ? NOT_COPIED : out;
  }
  if (ArrayBuffer.isView(v)) return Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return NOT_COPIED;
}

function contextForSlow(role: 'client' | 'server', options: MaterialOptions & { security?: unknown }): TlsContext {
  const security = normalizePolicy(options.security);
  const h = createHash('sha256');
  hashInto(h, 'role', role);
  for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'crl'] as const) hashInto(h, k, options[k]);
  hashInto(h, 'security', security);
  const id = h.digest('hex');
  const hit = cache.get(id);
  if (hit) {
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  if (role === 'server' && options.pfx === undefined && (options.cert === undefined || options.key === undefined)) {
    throw createError('ERR_MISSING_OPTION', 'A server context needs "cert" and "key" (or "pfx")', { option: options.cert === undefined ? 'cert' : 'key' });
  }
  if (role === 'client' && (options.cert === undefined) !== (options.key === undefined)) {
    throw createError('ERR_MISSING_OPTION', 'A client certificate needs both "cert" and "key"', { option: options.cert === undefined ? 'cert' : 'key' });
  }
  const policyOptions = policyContextOptions(security, role);
  const material: tls.SecureContextOptions = {};
  for (const k of ['ca', 'cert', 'key', 'pfx', 'crl'] as const) {
    if (options[k] !== undefined) (material as Record<string, unknown>)[k] = toNode(options[k]);
  }
  if (options.passphrase !== undefined) material.passphrase = options.passphrase;
  const secureOptions: tls.SecureContextOptions = { ...material, ...policyOptions };
  if (role === 'server') {
    // Servers made from one context share ticket keys and a session-ID context.
    secureOptions.ticketKeys = randomBytes(48);
    secureOptions.sessionIdContext = id.slice(0, 32);
  }
  checkKeyMatchesCert(options);
  if (options.ca !== undefined) checkTrustAnchors(options.ca);
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(secureOptions);
  } catch (cause) {
    const base = { minVersion: security.minVersion, maxVersion: security.maxVersion };
    if (security.groups !== undefined) probe('security.groups', { ...base, ecdhCurve: security.groups });
    if (security.sigalgs !== undefined) probe('security.sigalgs', { ...base, sigalgs: security.sigalgs });
    probe('security.ciphers', { ...base, ciphers: policyOptions.ciphers! });
    const option = materialOption(cause);
    throw createError('ERR_INVALID_ARG_VALUE', `The TLS context could not be built from "${option}": ${(cause as Error).message}`, { option, cause });
  }
  const ctx = new TlsContext(kToken, role, security, id, secureOptions, secureContext);
  cache.set(id, ctx);
  while (cache.size > defaults.tls.contextCacheSize) cache.delete(cache.keys().next().value as string);
  return ctx;
}

/**
 * Creates (or returns the cached) reusable TLS context for a client or a server.
 * Identical options (same material bytes and policy) return the same frozen
 * object, so a SecureContext is built once, not once per connection.
 *
 * @param options - material (`ca`, `cert`, `key`, `pfx`, `passphrase`, `crl`), `security` and `role` (default `'client'`).
 * @returns a frozen {@link TlsContext}.
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` (including OpenSSL
 *   rejecting a key, certificate, cipher list, group or sigalg list), `ERR_OUT_OF_RANGE`,
 *   `ERR_MISSING_OPTION` (server without certificate), `ERR_JSEC_UNKNOWN_OPTION`,
 *   `ERR_JSEC_CONFLICTING_OPTIONS`.
 *
 * @remarks The cache holds up to `defaults.tls.contextCacheSize` contexts (LRU).
 * `ca` replaces Node's default trust store, as in `node:tls`.
 */
export function createContext(options?: ContextOptions): TlsContext {
  const opts = validateOptions<ContextOptions>('tls.createContext', options, CONTEXT_SCHEMA);
  return contextFor(opts.role ?? 'client', opts);
}

/** Whether `value` is a {@link TlsContext}. */
export function isTlsContext(value: unknown): value is TlsContext {
  return value instanceof TlsContext && internals.has(value);
}

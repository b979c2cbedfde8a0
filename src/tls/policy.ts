/**
 * The TLS security policy: validation and normalisation of the `security`
 * option, and its translation into the options of `tls.createSecureContext`.
 *
 * @internal
 * @module
 */
import { constants as cryptoConstants } from 'node:crypto';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { check, closest, type Schema } from '../config/validate.js';
import { createError } from '../errors/index.js';

/** A TLS protocol version name, as Node spells it. */
export type TlsVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

/**
 * The security policy accepted as `security` by `connect`, `listen`,
 * `upgrade` and `createContext`. Every key is applied; none is silently ignored.
 */
export interface SecurityPolicy {
  /** Lowest protocol version. Default `'TLSv1.2'`. Below TLS 1.2 needs `dangerouslyAllowLegacyVersions`. */
  minVersion?: TlsVersion;
  /** Highest protocol version. Default `'TLSv1.3'`. */
  maxVersion?: TlsVersion;
  /** TLS 1.2 cipher list (OpenSSL syntax, no `TLS_` names). Default: ECDHE + AEAD suites only. */
  ciphers?: string;
  /** TLS 1.3 cipher suites (colon-separated `TLS_*` names). Default: the three standard AEAD suites. */
  ciphersuites?: string;
  /** Key-exchange groups, preferred first (for example `'X25519:P-256'`). Default: OpenSSL's list. */
  groups?: string;
  /** Signature algorithms, preferred first (for example `'ECDSA+SHA256:RSA-PSS+SHA256'`). Default: OpenSSL's list. */
  sigalgs?: string;
  /** Sessions cached for resumption: the client's per-context cache, or the server's session-ID store. 0 disables. Default 100. */
  sessionCacheSize?: number;
  /** Session lifetime in seconds (server: ticket and session lifetime; client: cache entry lifetime). Default 300. */
  sessionTimeout?: number;
  /** Whether session tickets (RFC 5077 / TLS 1.3 stateless tickets) are used. Default `true`. */
  sessionTickets?: boolean;
  /** Allows `minVersion` below TLS 1.2. Insecure (RFC 8996); warns once per process. Default `false`. */
  dangerouslyAllowLegacyVersions?: boolean;
  /**
   * TLS 1.2 renegotiation, a legacy feature (TLS 1.3 has none). `'never'` (the default): refused in both
   * directions. `'server-initiated'`: a server may renegotiate with Node's `socket.renegotiate()` (for
   * example to ask for a client certificate mid-connection) and a client accepts the server's request;
   * renegotiation started by a client is refused in every mode. Renegotiation costs a full handshake
   * each time (a denial-of-service lever) and the certificates it brings are not re-checked by jsec:
   * check `socket.authorized` and the peer certificate yourself after it. Needs secure renegotiation
   * (RFC 5746), which OpenSSL always requires. Both peers must allow it.
   */
  renegotiation?: 'never' | 'server-initiated';
}

/** The normalised policy: every key present. */
export interface NormalizedPolicy {
  /** See {@link SecurityPolicy.minVersion}. */
  readonly minVersion: TlsVersion;
  /** See {@link SecurityPolicy.maxVersion}. */
  readonly maxVersion: TlsVersion;
  /** See {@link SecurityPolicy.ciphers}. */
  readonly ciphers: string;
  /** See {@link SecurityPolicy.ciphersuites}. */
  readonly ciphersuites: string;
  /** See {@link SecurityPolicy.groups}; undefined means OpenSSL's list. */
  readonly groups: string | undefined;
  /** See {@link SecurityPolicy.sigalgs}; undefined means OpenSSL's list. */
  readonly sigalgs: string | undefined;
  /** See {@link SecurityPolicy.sessionCacheSize}. */
  readonly sessionCacheSize: number;
  /** See {@link SecurityPolicy.sessionTimeout} (seconds). */
  readonly sessionTimeout: number;
  /** See {@link SecurityPolicy.sessionTickets}. */
  readonly sessionTickets: boolean;
  /** See {@link SecurityPolicy.dangerouslyAllowLegacyVersions}. */
  readonly dangerouslyAllowLegacyVersions: boolean;
  /** See {@link SecurityPolicy.renegotiation}. */
  readonly renegotiation: 'never' | 'server-initiated';
}

const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const rank = (v: TlsVersion): number => VERSIONS.indexOf(v);

/** The schema of the `security` option. */
export const SECURITY_SCHEMA: Schema = Object.freeze({
  minVersion: { type: 'string', enum: VERSIONS },
  maxVersion: { type: 'string', enum: VERSIONS },
  ciphers: { type: 'string' },
  ciphersuites: { type: 'string' },
  groups: { type: 'string', nonEmpty: true },
  sigalgs: { type: 'string', nonEmpty: true },
  sessionCacheSize: { type: 'number', integer: true, min: 0, max: 1_000_000 },
  sessionTimeout: { type: 'number', integer: true, min: 1, max: 86_400 * 7 },
  sessionTickets: { type: 'boolean' },
  dangerouslyAllowLegacyVersions: { type: 'boolean' },
  renegotiation: { type: 'string', enum: ['never', 'server-initiated'] },
});

let knownCiphers: Set<string> | undefined;
function cipherNames(): Set<string> {
  knownCiphers ??= new Set(tls.getCiphers().map((c) => c.toUpperCase()));
  return knownCiphers;
}

function invalid(option: string, message: string, extra: Record<string, unknown> = {}): never {
  throw createError('ERR_INVALID_ARG_VALUE', message, { option, ...extra });
}

/** A cipher-list entry that names one suite (not a keyword or an operator). */
const looksLikeSuiteName = (entry: string): boolean => /^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(entry);

function checkCipherList(list: string): void {
  for (const entry of list.split(':').filter(Boolean)) {
    if (entry.startsWith('TLS_')) {
      invalid('security.ciphers', `"security.ciphers" is the TLS 1.2 list; the TLS 1.3 suite ${entry} belongs in "security.ciphersuites"`);
    }
    const bare = entry.replace(/^[!+-]/, '');
    if (looksLikeSuiteName(bare) && !cipherNames().has(bare)) {
      const suggestion = closest(bare, [...cipherNames()].filter((c) => !c.startsWith('TLS_')));
      invalid('security.ciphers', `Unknown TLS 1.2 cipher ${JSON.stringify(bare)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`, { suggestion });
    }
  }
}

function checkCipherSuites(list: string): void {
  for (const entry of list.split(':').filter(Boolean)) {
    if (!entry.startsWith('TLS_') || !cipherNames().has(entry)) {
      const suggestion = closest(entry, [...cipherNames()].filter((c) => c.startsWith('TLS_')));
      invalid('security.ciphersuites', `Unknown TLS 1.3 cipher suite ${JSON.stringify(entry)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`, {
        suggestion,
      });
    }
  }
}

let legacyWarned = false;

/**
 * Validates and normalises a `security` option (with `where` naming the caller).
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`,
 *   `ERR_JSEC_UNKNOWN_OPTION`, `ERR_JSEC_CONFLICTING_OPTIONS` (min above max).
 */
export function normalizePolicy(security: unknown): NormalizedPolicy {
  if (security !== undefined) check('security', security, { type: 'object', schema: SECURITY_SCHEMA });
  const s = (security ?? {}) as SecurityPolicy;
  const t = defaults.tls;
  const policy: NormalizedPolicy = {
    minVersion: s.minVersion ?? t.minVersion,
    maxVersion: s.maxVersion ?? t.maxVersion,
    ciphers: s.ciphers ?? t.ciphers,
    ciphersuites: s.ciphersuites ?? t.ciphersuites,
    groups: s.groups ?? t.groups,
    sigalgs: s.sigalgs ?? t.sigalgs,
    sessionCacheSize: s.sessionCacheSize ?? t.sessionCacheSize,
    sessionTimeout: s.sessionTimeout ?? t.sessionTimeout,
    sessionTickets: s.sessionTickets ?? t.sessionTickets,
    dangerouslyAllowLegacyVersions: s.dangerouslyAllowLegacyVersions ?? false,
    renegotiation: s.renegotiation ?? t.renegotiation,
  };
  if (rank(policy.minVersion) < rank('TLSv1.2')) {
    if (!policy.dangerouslyAllowLegacyVersions) {
      invalid('security.minVersion', `"security.minVersion" ${policy.minVersion} is below TLS 1.2 (deprecated by RFC 8996); set "security.dangerouslyAllowLegacyVersions" to allow it`);
    }
    if (!legacyWarned) {
      legacyWarned = true;
      process.emitWarning('jsec: TLS versions below 1.2 are enabled (security.dangerouslyAllowLegacyVersions); they are deprecated and insecure.', {
        code: 'JSEC_DANGEROUS_LEGACY_TLS',
      });
    }
  }
  if (rank(policy.minVersion) > rank(policy.maxVersion)) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', `"security.minVersion" ${policy.minVersion} is above "security.maxVersion" ${policy.maxVersion}`, {
      option: 'security.minVersion',
    });
  }
  checkCipherList(policy.ciphers);
  checkCipherSuites(policy.ciphersuites);
  const wants12 = rank(policy.minVersion) <= rank('TLSv1.2');
  const wants13 = rank(policy.maxVersion) >= rank('TLSv1.3');
  if (wants12 && policy.ciphers.split(':').filter(Boolean).length === 0) {
    invalid('security.ciphers', '"security.ciphers" is empty but TLS 1.2 is allowed; raise "security.minVersion" to TLSv1.3 instead');
  }
  if (wants13 && policy.ciphersuites.split(':').filter(Boolean).length === 0) {
    invalid('security.ciphersuites', '"security.ciphersuites" is empty but TLS 1.3 is allowed; lower "security.maxVersion" to TLSv1.2 instead');
  }
  return Object.freeze(policy);
}

/** OpenSSL option bits for the policy: no compression ever; no renegotiation unless allowed. */
function secureOptions(policy: NormalizedPolicy, role: 'client' | 'server'): number {
  const c = cryptoConstants;
  let bits = c.SSL_OP_NO_COMPRESSION;
  if (policy.renegotiation === 'never') bits |= c.SSL_OP_NO_RENEGOTIATION ?? 0;
  // A renegotiation is a full handshake: resuming the session would skip the
  // certificate request it is usually made for.
  else if (role === 'server') bits |= c.SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION;
  if (!policy.sessionTickets) bits |= c.SSL_OP_NO_TICKET;
  return bits;
}

/** The `tls.createSecureContext` options that apply `policy`. */
export function policyContextOptions(policy: NormalizedPolicy, role: 'client' | 'server'): tls.SecureContextOptions {
  const wants12 = rank(policy.minVersion) <= rank('TLSv1.2');
  const wants13 = rank(policy.maxVersion) >= rank('TLSv1.3');
  // Node routes TLS_* names to SSL_CTX_set_ciphersuites and the rest to
  // SSL_CTX_set_cipher_list; both halves must be present or Node narrows
  // the version range on its own.
  const parts = [wants13 ? policy.ciphersuites : '', wants12 ? policy.ciphers : ''].filter(Boolean);
  const out: tls.SecureContextOptions = {
    minVersion: policy.minVersion,
    maxVersion: policy.maxVersion,
    ciphers: parts.join(':'),
    secureOptions: secureOptions(policy, role),
  };
  if (policy.groups !== undefined) out.ecdhCurve = policy.groups;
  if (policy.sigalgs !== undefined) out.sigalgs = policy.sigalgs;
  if (role === 'server') out.sessionTimeout = policy.sessionTimeout;
  return out;
}

/**
 * The client session cache: a pluggable {@link SessionStore} and its default,
 * {@link LruSessionStore}. Keys name the server (host, port, SNI name, ALPN
 * offer) and the client configuration (trust anchors, client identity and
 * policy, through the context id), so a session is never offered to a
 * different server or by a different client identity.
 *
 * TLS 1.3 tickets are single use (RFC 8446 appendix C.4): a stored TLS 1.3
 * entry is removed when it is taken. TLS 1.2 sessions (session IDs or RFC
 * 5077 tickets) may be offered again until they expire.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import type { TlsContext } from './context.js';

/** One stored session. */
export interface StoredSession {
  /** The serialized session (`SSL_SESSION` DER, as Node's `'session'` event gives it). */
  readonly session: Buffer;
  /** The protocol the session was made with (`'TLSv1.3'`, `'TLSv1.2'`). */
  readonly protocol: string;
  /** Expiry, in milliseconds on the store's clock. */
  readonly expires: number;
  /** The verified server chain of the full handshake the session came from (what `info()` reports on resumption). */
  readonly chain?: readonly X509Certificate[];
}

/**
 * Where clients keep sessions for resumption. Synchronous by design: it sits
 * on the connect path. A store shared between processes can mirror a remote
 * cache into memory and implement these three calls on the mirror.
 */
export interface SessionStore {
  /** A session to offer for `key`, or undefined. Removes single-use (TLS 1.3) entries it returns. */
  take(key: string): StoredSession | undefined;
  /** Adds a session for `key` (several may be kept per key). */
  put(key: string, entry: StoredSession): void;
  /** Forgets every session for `key` (called when a handshake with it failed). */
  delete(key: string): void;
}

/** Options of {@link LruSessionStore}. */
export interface LruSessionStoreOptions {
  /** Servers (keys) kept. Default `defaults.tls.sessionCacheSize` (100). 0 disables caching. */
  maxEntries?: number;
  /** Sessions kept per key (TLS 1.3 servers send several tickets). Default `defaults.tlsAdvanced.sessionsPerKey` (64). */
  perKey?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

const LRU_STORE_SCHEMA: Schema = {
  maxEntries: { type: 'number', integer: true, min: 0, max: 1_000_000 },
  perKey: { type: 'number', integer: true, min: 1, max: 1000 },
  now: { type: 'function' },
};

/** The default in-memory store: LRU over keys, a few sessions per key, expiry on read. */
export class LruSessionStore implements SessionStore {
  readonly #max: number;
  readonly #perKey: number;
  readonly #now: () => number;
  readonly #map = new Map<string, StoredSession[]>();

  /**
   * Creates an empty store.
   *
   * @throws ConfigError `ERR_OUT_OF_RANGE` for a negative or fractional `maxEntries`, or `perKey` below 1;
   *   `ERR_INVALID_ARG_TYPE` for a wrong type; `ERR_JSEC_UNKNOWN_OPTION` (with `suggestion`) for an unknown name.
   */
  constructor(options: LruSessionStoreOptions = {}) {
    const o = validateOptions<LruSessionStoreOptions>('LruSessionStore', options, LRU_STORE_SCHEMA);
    this.#max = o.maxEntries ?? defaults.tls.sessionCacheSize;
    this.#perKey = o.perKey ?? defaults.tlsAdvanced.sessionsPerKey;
    this.#now = o.now ?? Date.now;
  }

  /** Number of keys held. */
  get size(): number {
    return this.#map.size;
  }

  /** Number of sessions held for `key` (expired ones included until the next take). */
  count(key: string): number {
    return this.#map.get(key)?.length ?? 0;
  }

  /**
   * The newest unexpired session for `key`, or undefined; expired ones are dropped. A TLS 1.3 session is
   * removed as it is taken (tickets are single-use); a TLS 1.2 session stays.
   */
  take(key: string): StoredSession | undefined {
    const list = this.#map.get(key);
    if (!list) return undefined;
    const now = this.#now();
    // Entries are appended in time order with one lifetime, so expiry grows
    // along the list: drop the expired head, and the newest is the last.
    let expired = 0;
    while (expired < list.length && list[expired]!.expires <= now) expired += 1;
    if (expired > 0) list.splice(0, expired);
    this.#map.delete(key);
    if (list.length === 0) return undefined;
    // Newest first: the freshest ticket has the longest remaining life.
    const entry = list[list.length - 1]!;
    if (entry.protocol === 'TLSv1.3') list.pop();
    if (list.length > 0) this.#map.set(key, list);
    return entry;
  }

  /**
   * Stores a session for `key` (nothing when `maxEntries` is 0). A TLS 1.2 session replaces the key's
   * sessions; TLS 1.3 tickets accumulate up to `perKey`, oldest dropped first; the least recently
   * used key goes beyond `maxEntries`.
   */
  put(key: string, entry: StoredSession): void {
    if (this.#max === 0) return;
    let list = this.#map.get(key);
    this.#map.delete(key);
    // A TLS 1.2 session replaces the previous ones; TLS 1.3 tickets accumulate
    // (after TLS 1.2 sessions, which they replace).
    if (list === undefined || entry.protocol !== 'TLSv1.3' || list[0]?.protocol !== 'TLSv1.3') list = [];
    list.push(entry);
    if (list.length > this.#perKey) list.splice(0, list.length - this.#perKey);
    this.#map.set(key, list);
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }

  /** Forgets every session for `key`. */
  delete(key: string): void {
    this.#map.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#map.clear();
  }
}

const stores = new WeakMap<TlsContext, LruSessionStore>();

/** The default store of a client context (one per context, sized by its policy). @internal */
export function defaultStoreFor(context: TlsContext): LruSessionStore {
  let s = stores.get(context);
  if (!s) {
    s = new LruSessionStore({ maxEntries: context.security.sessionCacheSize });
    stores.set(context, s);
  }
  return s;
}

/**
 * The full cache key: the context id (trust anchors, client identity, policy)
 * plus the connection key (target, SNI name, ALPN offer).
 *
 * @internal
 */
export function storeKey(context: TlsContext, connectionKey: string): string {
  return `${context.id}\0${connectionKey}`;
}

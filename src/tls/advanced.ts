/**
 * Wiring of the advanced TLS features into the core paths: the option
 * schemas (one place), the client extension (session cache, OCSP staple
 * check, CRL check, pins, `verifyPeer`, key log) and the server extension
 * (SNI, ALPN policy, OCSP stapling, ticket keys, key log, hot reload).
 *
 * Client check order after the handshake (full and resumed handshakes alike):
 * 1. chain and host name (OpenSSL + the core), 2. OCSP staple (`ocsp`;
 * skipped on resumption, where no certificate is exchanged), 3. CRL
 * (`revocation`), 4. `pins`, 5. `verifyPeer`. Only then is the connection
 * handed out and its sessions cached.
 *
 * @internal
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError, isJsecError } from '../errors/index.js';
import { peekClientHello, type ClientHelloInfo } from './client-hello.js';
import { contextFor, contextInternals, MATERIAL_SCHEMA, type MaterialOptions, type TlsContext } from './context.js';
import { setFacts } from './facts.js';
import { info, type TlsInfo } from './info.js';
import { attachClientKeylog, attachServerKeylog, KEYLOG_RULE, type KeyLogSink } from './keylog.js';
import { checkStaple, mayBeMustStaple, StaplerSet, type ClientOcspMode, type OcspInfo, type ServerOcspOption } from './ocsp-stapling.js';
import { certificateRequested } from './peer-checks.js';
import { checkPinList, checkPins } from './pinning.js';
import { checkCrl, REVOCATION_RULE, type RevocationOptions } from './revocation.js';
import { defaultStoreFor, LruSessionStore, storeKey, type SessionStore, type StoredSession } from './session-cache.js';
import { ResumeHealth } from './resume-health.js';
import { compileSni, SNI_RULE, type SniOptions } from './sni.js';
import { installTicketKeys, TicketKeys } from './tickets.js';
import type { SecurityPolicy } from './policy.js';

/** Client options added by the advanced features. */
export interface AdvancedClientOptions {
  /**
   * OCSP stapling: `'prefer'` (default) asks for a staple and verifies one if
   * sent (a revoked status fails; a must-staple certificate without a staple
   * fails); `'require'` also fails without a good staple; `'off'` does not ask.
   */
  ocsp?: ClientOcspMode;
  /** CRL checking of the server certificate, see {@link RevocationOptions}. Default off. */
  revocation?: RevocationOptions;
  /**
   * SPKI pins (`'sha256/<base64>'`); some certificate of the verified chain must match one. Checked after
   * verification, never instead of it. Default: none (no pinning).
   */
  pins?: readonly string[];
  /**
   * Runs after every built-in check (chain, host name, OCSP, CRL, pins), on
   * full and resumed handshakes; may be async. Throw (or reject) to refuse the
   * server: the connection fails with `ERR_JSEC_TLS_VERIFY_PEER` (`cause` is what was thrown).
   * Default: none.
   */
  verifyPeer?: (chain: readonly X509Certificate[], info: TlsInfo) => void | Promise<void>;
  /** Where sessions are cached for automatic resumption. Default: the context's {@link LruSessionStore}; `false` disables caching. */
  sessionStore?: SessionStore | false;
  /**
   * DANGEROUS: writes the TLS secrets (NSS key log format) to this sink; anyone who reads it can decrypt
   * the traffic. Warns once per process. Default: none (no key log; `SSLKEYLOGFILE` is never read).
   */
  dangerouslyLogKeys?: KeyLogSink;
}

/** Server options added by the advanced features. */
export interface AdvancedServerOptions {
  /** Name-based certificate selection, see {@link SniOptions}. Excludes `SNICallback`. Default: none (one certificate). */
  sni?: SniOptions;
  /**
   * When the client offers ALPN protocols and none is in `ALPNProtocols`:
   * `'reject'` (default, RFC 7301: fatal `no_application_protocol` alert) or
   * `'proceed'` (the handshake completes without ALPN).
   */
  alpnNoOverlap?: 'reject' | 'proceed';
  /**
   * OCSP stapling: `'auto'` fetches from the certificate's AIA responder with
   * jsec/ocsp, caches and refreshes it (`{ url, refreshFraction, timeout, now }`
   * to tune); a Buffer is a static DER response (verified before use);
   * `'off'` (default) staples nothing.
   */
  ocsp?: ServerOcspOption;
  /** Session-ticket keys with rotation, shareable between processes. Default: private {@link TicketKeys} per server context. */
  ticketKeys?: TicketKeys;
  /**
   * DANGEROUS: writes the TLS secrets of every connection (NSS key log format) to this sink; anyone who
   * reads it can decrypt the traffic. Warns once per process. Default: none.
   */
  dangerouslyLogKeys?: KeyLogSink;
}

const OCSP_RULE = {
  type: 'oneOf',
  rules: [
    { type: 'string', enum: ['require', 'prefer', 'off', 'auto'] },
    { type: 'bytes' },
    {
      type: 'object',
      schema: {
        url: { type: 'string', nonEmpty: true },
        issuer: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
        refreshFraction: { type: 'number', min: 0.05, max: 0.95 },
        timeout: { type: 'number', integer: true, min: 1, max: 600_000 },
        now: { type: 'function' },
      },
    },
  ],
} as const;

const STORE_RULE = { type: 'oneOf', rules: [{ type: 'boolean' }, { type: 'object', open: true }] } as const;

/** The client options' schema additions. */
export const ADVANCED_CLIENT_SCHEMA: Schema = Object.freeze({
  ocsp: OCSP_RULE,
  revocation: REVOCATION_RULE,
  pins: { type: 'array', of: { type: 'string' }, maxLength: 64 },
  verifyPeer: { type: 'function' },
  sessionStore: STORE_RULE,
  dangerouslyLogKeys: KEYLOG_RULE,
});

/** The server options' schema additions. */
export const ADVANCED_SERVER_SCHEMA: Schema = Object.freeze({
  sni: SNI_RULE,
  alpnNoOverlap: { type: 'string', enum: ['reject', 'proceed'] },
  ocsp: OCSP_RULE,
  ticketKeys: { type: 'instance', of: TicketKeys, label: 'a TicketKeys object' },
  dangerouslyLogKeys: KEYLOG_RULE,
});

/** Client-only and server-only advanced option names (for upgrade's role check). */
export const ADVANCED_CLIENT_ONLY = ['revocation', 'sessionStore'] as const;
export const ADVANCED_SERVER_ONLY = ['sni', 'alpnNoOverlap', 'ticketKeys'] as const;

// ---- client -------------------------------------------------------------------

function isStore(v: unknown): v is SessionStore {
  const s = v as SessionStore;
  return typeof s?.take === 'function' && typeof s.put === 'function' && typeof s.delete === 'function';
}

/** The session-cache view the client handshake driver uses. @internal */
export interface SessionAccess {
  /** The session to offer and the chain it was verified with (built on first use). */
  get(key: string): { data: Buffer; chain: () => readonly X509Certificate[] } | undefined;
  /** Stores a session made with `protocol`; `chain` is called only if someone reads the entry's chain. */
  set(key: string, data: Buffer, chain: () => readonly X509Certificate[], protocol: string | null): void;
  delete(key: string): void;
  /** Whether this connection uses the cache at all (false while backing off from a server that does not resume). */
  wanted(key: string): boolean;
  /** Records whether an offered session was resumed; a miss also forgets the older sessions for `key`. */
  offered(key: string, resumed: boolean): void;
}

/** The protocol of a serialized SSL_SESSION (its ssl_version field), or 'unknown'. @internal */
export function sessionProtocol(der: Buffer): string {
  // SSL_SESSION ::= SEQUENCE { version INTEGER (1), ssl_version INTEGER, ... }.
  // Node 22 and later wrap the DER in a header of their own, so look for the
  // two leading INTEGERs rather than assuming they start the buffer.
  const at = der.subarray(0, 256).indexOf(SESSION_PREFIX);
  if (at < 0 || at + SESSION_PREFIX.length + 2 > der.length) return 'unknown';
  const v = der.readUInt16BE(at + SESSION_PREFIX.length);
  return v === 0x0304 ? 'TLSv1.3' : v === 0x0303 ? 'TLSv1.2' : 'unknown';
}

/** `INTEGER 1` (the session format version), then the tag and length of `INTEGER ssl_version`. */
const SESSION_PREFIX = Buffer.from('0201010202', 'hex');

/** A stored session whose `chain` is built when first read (a store that serialises entries reads it). */
function storedSession(session: Buffer, expires: number, chainOf: () => readonly X509Certificate[], protocol: string | null): StoredSession {
  const entry: StoredSession = Object.freeze({
    session,
    protocol: protocol ?? sessionProtocol(session),
    expires,
    get chain() {
      return chainOf();
    },
  });
  builders.set(entry, chainOf);
  return entry;
}

/**
 * The chain builder behind each entry jsec stored. A resumption hands the
 * same builder to the sessions it stores in turn, so every ticket descended
 * from one full handshake shares one builder (and one decoded chain) instead
 * of a getter wrapping the previous entry's getter, one level per resumption.
 */
const builders = new WeakMap<StoredSession, () => readonly X509Certificate[]>();

/** The OCSP facts of a full handshake without a staple and without must-staple. */
const NO_STAPLE: OcspInfo = Object.freeze({ status: 'none', mustStaple: false });

const NO_SESSIONS: SessionAccess = Object.freeze({ get: () => undefined, set: () => {}, delete: () => {}, wanted: () => false, offered: () => {} });

const REQUEST_OCSP = Object.freeze({ requestOCSP: true }) as tls.ConnectionOptions;
const NO_OPTIONS = Object.freeze({}) as tls.ConnectionOptions;

/** A failing custom store costs resumption, never the connection. */
function guard<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** The cache view of a context over its default store (undefined `custom`) or a custom one; built once per pair. */
const accesses = new WeakMap<TlsContext, SessionAccess>();
const customAccesses = new WeakMap<SessionStore, WeakMap<TlsContext, SessionAccess>>();

function sessionAccess(context: TlsContext, custom: SessionStore | undefined): SessionAccess {
  const byContext = custom === undefined ? undefined : (customAccesses.get(custom) ?? customAccesses.set(custom, new WeakMap()).get(custom)!);
  const known = byContext ? byContext.get(context) : accesses.get(context);
  if (known) return known;
  const s: SessionStore = custom ?? defaultStoreFor(context);
  const ttl = context.security.sessionTimeout * 1000;
  const access: SessionAccess = Object.freeze({
    get: (key: string) => {
      const e = guard(() => s.take(storeKey(context, key)), undefined);
      if (!e || !Buffer.isBuffer(e.session) || e.session.length === 0) return undefined;
      return { data: e.session, chain: builders.get(e) ?? (() => e.chain ?? []) };
    },
    set: (key: string, data: Buffer, chain: () => readonly X509Certificate[], protocol: string | null) => guard(() => s.put(storeKey(context, key), storedSession(data, Date.now() + ttl, chain, protocol)), undefined),
    delete: (key: string) => guard(() => s.delete(storeKey(context, key)), undefined),
    wanted: (key: string) => healthOf(context).wanted(storeKey(context, key)),
    offered: (key: string, resumed: boolean) => {
      healthOf(context).offered(storeKey(context, key), resumed);
      if (!resumed) guard(() => s.delete(storeKey(context, key)), undefined);
    },
  });
  if (byContext) byContext.set(context, access);
  else accesses.set(context, access);
  return access;
}

const health = new WeakMap<TlsContext, ResumeHealth>();

function healthOf(context: TlsContext): ResumeHealth {
  let h = health.get(context);
  if (!h) {
    h = new ResumeHealth(context.security.sessionCacheSize);
    health.set(context, h);
  }
  return h;
}

/** Per-connection client state of the advanced features. @internal */
export class ClientExtension {
  readonly #opts: AdvancedClientOptions;
  readonly #mode: ClientOcspMode;
  /** The session cache of this connection (default store or `sessionStore`). */
  readonly sessions: SessionAccess;
  #staple: Buffer | undefined;
  #gotSession = false;
  #sessionWaiter: (() => void) | undefined;

  constructor(opts: AdvancedClientOptions, context: TlsContext) {
    this.#opts = opts;
    const mode = opts.ocsp ?? defaults.tlsAdvanced.clientOcsp;
    if (mode !== 'require' && mode !== 'prefer' && mode !== 'off') {
      throw createError('ERR_INVALID_ARG_VALUE', `The client "ocsp" option is 'require', 'prefer' or 'off'; got ${JSON.stringify(typeof mode === 'string' ? mode : typeof mode)}`, { option: 'ocsp' });
    }
    this.#mode = mode;
    if (opts.pins !== undefined) checkPinList(opts.pins);
    const store = opts.sessionStore;
    if (store !== undefined && (store as unknown) !== false && !isStore(store)) {
      throw createError('ERR_INVALID_ARG_TYPE', 'The "sessionStore" option must have take(), put() and delete() methods (or be false)', { option: 'sessionStore' });
    }
    this.sessions = store === false || context.security.sessionCacheSize === 0 ? NO_SESSIONS : sessionAccess(context, isStore(store) ? store : undefined);
  }

  /** Node options: the OCSP status request. */
  nodeOptions(): tls.ConnectionOptions {
    return this.#mode !== 'off' ? REQUEST_OCSP : NO_OPTIONS;
  }

  /** Listeners that must be in place before the handshake. */
  attach(socket: tls.TLSSocket): void {
    if (this.#opts.dangerouslyLogKeys !== undefined) attachClientKeylog(socket, this.#opts.dangerouslyLogKeys);
    if (this.#mode !== 'off') socket.on('OCSPResponse', (r: Buffer) => (this.#staple = r));
  }

  /**
   * Watches for the server's first TLS 1.3 ticket. Called when the handshake
   * completes, which is before any ticket can arrive (a TLS 1.3 server sends
   * them after reading the client's Finished); a 'session' listener makes
   * Node serialise every ticket, so it is added only when needed.
   */
  #watchTickets(socket: tls.TLSSocket): void {
    socket.on('session', () => {
      this.#gotSession = true;
      this.#sessionWaiter?.();
    });
  }

  /**
   * The checks after chain and host-name verification (see the module notes
   * for the order), then, on a full TLS 1.3 handshake by a client that
   * presents a certificate, the wait for the server's first ticket: a server
   * that rejects the client certificate closes the connection instead of
   * sending one.
   */
  async afterVerify(socket: tls.TLSSocket, verify: boolean, chainOf: () => readonly X509Certificate[], leafDer: () => Buffer | undefined): Promise<void> {
    const resumed = socket.isSessionReused();
    const waitTicket = !resumed && socket.getProtocol() === 'TLSv1.3' && certificateRequested(socket);
    if (waitTicket) this.#watchTickets(socket);
    // Certificate objects are built only for the checks that read them.
    let built: readonly X509Certificate[] | undefined;
    const chain = (): readonly X509Certificate[] => (built ??= chainOf());
    if (verify && this.#mode !== 'off') {
      // Without a staple only a must-staple leaf matters ('prefer'); a scan
      // of the leaf's DER for the TLS feature OID decides without decoding.
      const noStaple = this.#staple == null || this.#staple.length === 0;
      const leaf = noStaple && !resumed && this.#mode === 'prefer' ? leafDer() : undefined;
      setFacts(socket, { ocsp: leaf !== undefined && !mayBeMustStaple(leaf) ? NO_STAPLE : checkStaple(this.#staple, chain(), this.#mode, resumed) });
    }
    const rev = this.#opts.revocation;
    if (verify && rev && (rev.crl ?? 'off') === 'fetch') setFacts(socket, { revocation: await checkCrl(chain(), rev) });
    if (this.#opts.pins !== undefined) checkPins(chain(), this.#opts.pins);
    if (this.#opts.verifyPeer !== undefined) {
      try {
        await this.#opts.verifyPeer(Object.freeze([...chain()]), info(socket));
      } catch (cause) {
        throw createError('ERR_JSEC_TLS_VERIFY_PEER', 'The verifyPeer hook rejected the server', { cause, peerCertificate: chain()[0], chain: chain() });
      }
    }
    // Only a server that asked for a client certificate can refuse the
    // client after its Finished (with the alert as its first post-handshake
    // record); for everyone else the wait would only delay connect (the
    // tickets still reach the session cache when they arrive).
    if (waitTicket) await this.#firstTicket(socket);
  }

  #firstTicket(socket: tls.TLSSocket): Promise<void> {
    const wait = defaults.tlsAdvanced.ticketWait;
    if (this.#gotSession || wait === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        clearTimeout(timer);
        this.#sessionWaiter = undefined;
        socket.removeListener('readable', onReadable);
        // Leave Node's TLS read callback first: writes made from inside it
        // (the caller's first write after connect) would stall.
        setImmediate(() => (err ? reject(err) : resolve()));
      };
      // Application data or the end of the stream also end the wait. A
      // server that ends right after the handshake without a ticket is
      // indistinguishable from one that refused the client certificate, so
      // both hand out a socket that ends; the refusing jsec server reports
      // the typed reason on its side.
      const onReadable = () => settle();
      const timer = setTimeout(() => settle(), wait);
      this.#sessionWaiter = () => settle();
      socket.on('readable', onReadable);
    });
  }
}

// ---- server -------------------------------------------------------------------

const hellos = new WeakMap<object, ClientHelloInfo>();

function helloOfSocket(socket: tls.TLSSocket): ClientHelloInfo | undefined {
  const raw = (socket as unknown as { _parent?: object })._parent;
  return raw ? hellos.get(raw) : undefined;
}

interface AlpnServer {
  ALPNProtocols?: unknown;
}

function alpnList(v: MaterialOptions & { ALPNProtocols?: readonly string[] | Buffer | Uint8Array }): string[] | undefined {
  const a = v.ALPNProtocols;
  if (a === undefined) return undefined;
  if (Array.isArray(a)) return [...(a as string[])];
  const out: string[] = [];
  const b = Buffer.from(a as Uint8Array);
  for (let i = 0; i < b.length; ) {
    const n = b[i]!;
    out.push(b.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  return out;
}

/** Per-server state of the advanced features. @internal */
export class ServerExtension {
  readonly #opts: AdvancedServerOptions & { ALPNProtocols?: readonly string[] | Buffer | Uint8Array; requestCert?: boolean };
  readonly #alpn: string[] | undefined;
  readonly #peek: boolean;
  #staplers: StaplerSet | undefined;
  #ticketKeys: TicketKeys | undefined;
  #mainCert: string | undefined;

  constructor(opts: AdvancedServerOptions & { ALPNProtocols?: readonly string[] | Buffer | Uint8Array; SNICallback?: unknown; requestCert?: boolean }, nodeOptions: tls.TlsOptions, context: TlsContext) {
    this.#opts = opts;
    this.#alpn = alpnList(opts);
    if (opts.sni !== undefined && opts.SNICallback !== undefined) {
      throw createError('ERR_JSEC_CONFLICTING_OPTIONS', '"sni" and "SNICallback" cannot be combined', { option: 'sni' });
    }
    const ocsp = opts.ocsp ?? 'off';
    if ((ocsp as string) === 'require' || (ocsp as string) === 'prefer') {
      throw createError('ERR_INVALID_ARG_VALUE', `The server "ocsp" option is 'auto', 'off', a DER response or an object; got ${JSON.stringify(ocsp)}`, { option: 'ocsp' });
    }
    let needsHello = false;
    if (opts.sni !== undefined) {
      const table = compileSni(opts.sni, helloOfSocket);
      nodeOptions.SNICallback = table.callback as unknown as tls.TlsOptions['SNICallback'];
      needsHello = table.needsHello;
    }
    this.#peek = needsHello || (opts.alpnNoOverlap === 'proceed' && this.#alpn !== undefined);
    const cert = contextInternals(context).secureOptions.cert;
    this.#mainCert = typeof cert === 'string' ? cert : Buffer.isBuffer(cert) ? cert.toString('latin1') : Array.isArray(cert) ? String(cert[0]) : undefined;
    if (ocsp !== 'off') {
      if (Buffer.isBuffer(ocsp) || ocsp instanceof Uint8Array) {
        if (this.#mainCert === undefined) throw createError('ERR_MISSING_OPTION', 'A static OCSP staple needs the server "cert" (PEM)', { option: 'cert' });
      }
      this.#staplers = new StaplerSet(ocsp, this.#mainCert);
    }
    this.#ticketKeys = opts.ticketKeys;
  }

  /** Whether connections go through the ClientHello peek. */
  get peeks(): boolean {
    return this.#peek;
  }

  /** Installs the per-server parts on a constructed server (and again after a reload). */
  install(server: tls.Server, context: TlsContext, initial: boolean): void {
    if (context.security.sessionTickets) {
      // Servers that authenticate clients get keys of their own, so a session
      // made without a client certificate never resumes on them.
      this.#ticketKeys ??= ticketKeysFor(context, this.#opts.requestCert === true);
      installTicketKeys(server, this.#ticketKeys);
    }
    if (!initial) return;
    if (this.#staplers) {
      const staplers = this.#staplers;
      server.on('OCSPRequest', (certificate: Buffer, issuer: Buffer | null, cb: (err: Error | null, resp?: Buffer) => void) => staplers.handle(certificate, issuer, cb));
    }
    if (this.#opts.dangerouslyLogKeys !== undefined) attachServerKeylog(server, this.#opts.dangerouslyLogKeys);
  }

  /**
   * Runs Node's connection handling for `raw`, after reading the ClientHello
   * when a resolver needs the ALPN offer or the ALPN policy is `'proceed'`.
   */
  connection(server: tls.Server, raw: Duplex, timeout: number, proceed: () => void): void {
    void peekClientHello(raw, timeout).then((hello) => {
      hellos.set(raw, hello);
      if (raw.destroyed) return;
      const alpn = this.#alpn;
      const noOverlap = alpn !== undefined && this.#opts.alpnNoOverlap === 'proceed' && hello.alpnProtocols.length > 0 && !hello.alpnProtocols.some((p) => alpn.includes(p));
      if (!noOverlap) return proceed();
      // Node reads the ALPN list from the server for each new connection;
      // this one is accepted without ALPN.
      const s = server as unknown as AlpnServer;
      const saved = s.ALPNProtocols;
      s.ALPNProtocols = undefined;
      try {
        proceed();
      } finally {
        s.ALPNProtocols = saved;
      }
    });
  }

  /** Stops the staplers. */
  close(): void {
    this.#staplers?.close();
  }
}

const contextTicketKeys = new WeakMap<TlsContext, [TicketKeys | undefined, TicketKeys | undefined]>();

function ticketKeysFor(context: TlsContext, clientAuth: boolean): TicketKeys {
  let pair = contextTicketKeys.get(context);
  if (!pair) {
    pair = [undefined, undefined];
    contextTicketKeys.set(context, pair);
  }
  const i = clientAuth ? 1 : 0;
  return (pair[i] ??= new TicketKeys());
}

/** Options of `TlsServer.reload()`: new material and policy. */
export interface ReloadOptions extends MaterialOptions {
  /** The new security policy (default: the defaults, as for `listen`). */
  security?: SecurityPolicy;
  /** A server context instead of material. Default: none (a new context is built from the material). */
  context?: TlsContext;
}

const RELOAD_SCHEMA: Schema = Object.freeze({ ...MATERIAL_SCHEMA, context: { type: 'any' } });

/**
 * Hot reload: builds the new context and makes the server use it for new
 * handshakes (Node's `setSecureContext`); live connections keep theirs.
 *
 * @internal
 */
export function reloadServer(server: tls.Server, options: ReloadOptions, ext: ServerExtension | undefined): TlsContext {
  const o = validateOptions<ReloadOptions>('TlsServer.reload', options, RELOAD_SCHEMA);
  let context: TlsContext;
  if (o.context !== undefined) {
    if (Object.keys(o).some((k) => k !== 'context')) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', '"context" cannot be combined with material options in reload()', { option: 'context' });
    context = o.context;
    if (context.role !== 'server') throw createError('ERR_INVALID_ARG_VALUE', 'reload() needs a server context', { option: 'context' });
  } else {
    context = contextFor('server', o);
  }
  const secureOptions = contextInternals(context).secureOptions;
  tls.Server.prototype.setSecureContext.call(server, secureOptions);
  ext?.install(server, context, false);
  return context;
}

/** Maps what an advanced check threw to a typed error. @internal */
export function advancedError(err: unknown): Error {
  return isJsecError(err) ? err : createError('ERR_JSEC_TLS_HANDSHAKE', 'TLS post-handshake check failed', { cause: err });
}

export { LruSessionStore };

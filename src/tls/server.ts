/**
 * The TLS server: {@link listen} and {@link TlsServer}, a `tls.Server` that
 * verifies client certificates itself, reports failed handshakes as typed
 * errors, and hands out verified connections through `accept()` and async
 * iteration.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError, type JsecError } from '../errors/index.js';
import { abortError, bridgeEarlyErrors, resolveContext } from './client.js';
import { contextInternals, isTlsContext, MATERIAL_SCHEMA, TlsContext, type MaterialOptions } from './context.js';
import { certificateError, mapTlsError } from './errors.js';
import { channels, peerChain, recordSocket } from './info.js';
import { ADVANCED_SERVER_SCHEMA, reloadServer, ServerExtension, type AdvancedServerOptions, type ReloadOptions } from './advanced.js';
import { checkClientPeer, clientPeerChecks, type ClientPeerChecks } from './peer-checks.js';
import type { SecurityPolicy } from './policy.js';
import { guardRenegotiation } from './renegotiation.js';
import type { TlsInfo } from './info.js';
import type { X509Certificate } from 'node:crypto';

/** Options shared by `listen` and the server role of `upgrade`. */
export interface ServerOptions extends MaterialOptions, AdvancedServerOptions {
  /**
   * A server context from {@link createContext} (`role: 'server'`); excludes the material and `security`
   * options. Default: a context built from the material and `security`.
   */
  context?: TlsContext;
  /** The security policy. Default: jsec's defaults (see {@link SecurityPolicy}). */
  security?: SecurityPolicy;
  /** Ask clients for a certificate. Default `false`. */
  requestCert?: boolean;
  /**
   * With `requestCert`: reject clients whose certificate is missing or does not
   * verify against `ca`. Default `true`. `false` means optional client
   * authentication: the connection is accepted and `info().authorized` tells.
   */
  rejectUnauthorized?: boolean;
  /** ALPN protocols the server supports, preferred first. Default: none (ALPN is not negotiated). */
  ALPNProtocols?: readonly string[] | Buffer | Uint8Array;
  /**
   * Picks the context for an SNI name: `cb(null, context)` with a `TlsContext` or a `tls.SecureContext`.
   * Default: none (one certificate for every name). Exclusive with `sni` (`ERR_JSEC_CONFLICTING_OPTIONS`).
   */
  SNICallback?: (servername: string, cb: (err: Error | null, ctx?: TlsContext | tls.SecureContext) => void) => void;
  /**
   * SPKI pins of client certificates (`'sha256/<base64>'`, see `spkiPin()`): some certificate of the
   * client's verified chain must match one. Checked after OpenSSL verified the chain, never instead of
   * it, so it needs `requestCert: true` and `rejectUnauthorized` left on (`ERR_JSEC_CONFLICTING_OPTIONS`).
   * A mismatch refuses that client with `ERR_JSEC_TLS_PIN_MISMATCH` (`'handshakeError'`). Default: none.
   */
  pins?: readonly string[];
  /**
   * Runs after every built-in check of the client (chain verification, `pins`), on full and resumed
   * handshakes, before the connection is handed out; may be async. `chain` is the client's chain
   * (empty when it sent none, which only `rejectUnauthorized: false` or no `requestCert` allows).
   * Throw, reject or return `false` to refuse the client: it is destroyed and reported as
   * `'handshakeError'` with `ERR_JSEC_TLS_VERIFY_PEER` (`cause` is what was thrown). Default: none.
   */
  verifyPeer?: (chain: readonly X509Certificate[], info: TlsInfo) => void | Promise<void>;
  /** Milliseconds from accept to a completed handshake. Default `defaults.tls.handshakeTimeout` (30 s). */
  handshakeTimeout?: number;
  /** As in net. Default `false`. */
  allowHalfOpen?: boolean;
  /** Disable Nagle on accepted sockets. Default `false` (as net). */
  noDelay?: boolean;
  /** TCP keep-alive on accepted sockets. Default `false` (as net). */
  keepAlive?: boolean;
  /** Keep-alive initial delay in ms. Default 0 (as net). */
  keepAliveInitialDelay?: number;
  /** Socket read high-water mark. Default: Node's stream default. */
  highWaterMark?: number;
}

/** Options of {@link listen}. */
export interface ListenOptions extends ServerOptions {
  /** Address to bind. Default: all addresses (as net). */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Unix socket path (instead of host/port). No default. */
  path?: string;
  /** Listen backlog. Default `defaults.tls.backlog` (511). */
  backlog?: number;
  /** Only IPv6 (net's option). Default `false` (dual stack where `host` is `'::'`). */
  ipv6Only?: boolean;
  /** Verified connections kept for `accept()`/iteration before new ones are dropped. Default `defaults.tls.acceptQueue` (128). */
  acceptQueue?: number;
  /** Cancels listening before it started. Default: none. */
  signal?: AbortSignal;
}

const alpnRule = { type: 'oneOf', rules: [{ type: 'array', of: { type: 'string', nonEmpty: true }, maxLength: 1000 }, { type: 'bytes' }] } as const;

/** @internal */
export const SERVER_SCHEMA: Schema = Object.freeze({
  ...MATERIAL_SCHEMA,
  ...ADVANCED_SERVER_SCHEMA,
  context: { type: 'instance', of: TlsContext, label: 'a TlsContext from createContext()' },
  requestCert: { type: 'boolean' },
  rejectUnauthorized: { type: 'boolean' },
  ALPNProtocols: alpnRule,
  SNICallback: { type: 'function' },
  pins: { type: 'array', of: { type: 'string' }, maxLength: 64 },
  verifyPeer: { type: 'function' },
  handshakeTimeout: { type: 'number', integer: true, min: 1, max: 2 ** 31 - 1 },
  allowHalfOpen: { type: 'boolean' },
  noDelay: { type: 'boolean' },
  keepAlive: { type: 'boolean' },
  keepAliveInitialDelay: { type: 'number', integer: true, min: 0 },
  highWaterMark: { type: 'number', integer: true, min: 1 },
});

const LISTEN_SCHEMA: Schema = Object.freeze({
  ...SERVER_SCHEMA,
  host: { type: 'string', nonEmpty: true },
  port: { type: 'number', integer: true, min: 0, max: 65535 },
  path: { type: 'string', nonEmpty: true },
  backlog: { type: 'number', integer: true, min: 0 },
  ipv6Only: { type: 'boolean' },
  acceptQueue: { type: 'number', integer: true, min: 0, max: 1_000_000 },
  signal: { type: 'signal' },
});

/** Where a failed handshake came from, as reported with `'handshakeError'`. */
export interface HandshakeErrorDetails {
  /** The client's address, when the transport has one (not for Unix sockets). */
  readonly remoteAddress: string | undefined;
  /** The client's port, when the transport has one. */
  readonly remotePort: number | undefined;
  /** `'IPv4'` or `'IPv6'`, when the transport has one. */
  readonly remoteFamily: string | undefined;
  /** The local address the connection came in on. */
  readonly localAddress: string | undefined;
  /** The local port the connection came in on. */
  readonly localPort: number | undefined;
  /** The TLS socket, already destroyed. */
  readonly socket: tls.TLSSocket | undefined;
}

/** The server's states; transitions only go forward. */
export type TlsServerState = 'created' | 'listening' | 'closing' | 'closed';

interface Accepted {
  start: number;
  details: Omit<HandshakeErrorDetails, 'socket'>;
}

interface Waiter {
  resolve: (socket: tls.TLSSocket) => void;
  reject: (err: JsecError) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface ServerBaseInstance extends Omit<tls.Server, 'close' | 'emit' | typeof Symbol.asyncDispose> {
  /** EventEmitter's `emit`. */
  emit(event: string | symbol, ...args: unknown[]): boolean;
}
type ServerBase = new (options: tls.TlsOptions) => ServerBaseInstance;
const Base = tls.Server as unknown as ServerBase;

/** @internal */
export const kServerInit = Symbol('jsec.tls.server.init');

interface ServerInit {
  context: TlsContext;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  acceptQueue: number;
  ext?: ServerExtension;
  handshakeTimeout?: number;
  /** Client-certificate pins and the verifyPeer hook, when given. */
  checks?: ClientPeerChecks | undefined;
}

/**
 * A `tls.Server` (every usual event) that only emits `'secureConnection'` for
 * verified connections, reports every failed or abandoned handshake as
 * `'handshakeError'` `(error, details)` with a typed error (and on the
 * `jsec:tls:handshake-error` diagnostics channel), and adds `accept()`,
 * async iteration, a promise-returning `close()` and `Symbol.asyncDispose`.
 *
 * Queueing: connections are queued for `accept()` only once `accept()` or
 * iteration has been used, so a server driven by `'secureConnection'` alone
 * keeps no queue. The queue holds at most `acceptQueue` connections (default
 * 128); beyond that new verified connections are destroyed and reported as
 * `'handshakeError'` with `ERR_JSEC_TLS_QUEUE_FULL`.
 */
export class TlsServer extends Base {
  #state: TlsServerState = 'created';
  #init: ServerInit;
  #queueing = false;
  readonly #queue: tls.TLSSocket[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #accepted = new WeakMap<object, Accepted>();
  readonly #handshaking = new Set<Duplex>();
  /** Handshaken connections whose pins / verifyPeer checks are still running. */
  readonly #checking = new Set<tls.TLSSocket>();
  #closed: Promise<void> | undefined;

  /** @internal */
  constructor(token: symbol, nodeOptions: tls.TlsOptions, init: ServerInit) {
    if (token !== kServerInit) throw createError('ERR_JSEC_INVALID_STATE', 'TlsServer cannot be constructed directly; use listen()', { operation: 'new TlsServer' });
    super(nodeOptions);
    this.#init = init;
    const sessions = contextInternals(init.context).sessions;
    // The stateful session-ID cache only when tickets are off: with tickets
    // it would only cost every full TLS 1.2 handshake a serialisation and a
    // pause for Node's 'newSession' callback, for clients that use tickets.
    if (init.context.security.sessionCacheSize > 0 && !init.context.security.sessionTickets) {
      this.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
        sessions.set(id.toString('hex'), data);
        cb();
      });
      this.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => {
        cb(null, sessions.get(id.toString('hex'))?.data ?? null);
      });
    }
  }

  /** The server's state. */
  get state(): TlsServerState {
    return this.#state;
  }

  /** The context the server was made with. */
  get context(): TlsContext {
    return this.#init.context;
  }

  /** @internal */
  markListening(): void {
    if (this.#state === 'created') this.#state = 'listening';
  }

  /**
   * EventEmitter's `emit`, through which the server sees `'connection'`, `'secureConnection'` and
   * `'tlsClientError'` first (to time, verify and queue handshakes). Not meant to be called directly.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    switch (event) {
      case 'connection':
        this.#onConnection(args[0] as Duplex);
        if (this.#init.ext?.peeks) {
          this.#init.ext.connection(this as unknown as tls.Server, args[0] as Duplex, this.#init.handshakeTimeout ?? defaults.tls.handshakeTimeout, () => super.emit(event, ...args));
          return true;
        }
        return super.emit(event, ...args);
      case 'secureConnection':
        return this.#onSecure(args[0] as tls.TLSSocket);
      case 'tlsClientError':
        this.#onClientError(args[0], args[1] as tls.TLSSocket);
        return super.emit(event, ...args);
      default:
        return super.emit(event, ...args);
    }
  }

  #onConnection(raw: Duplex): void {
    const s = raw as Partial<tls.TLSSocket>;
    this.#accepted.set(raw, {
      start: performance.now(),
      details: { remoteAddress: s.remoteAddress, remotePort: s.remotePort, remoteFamily: s.remoteFamily, localAddress: s.localAddress, localPort: s.localPort },
    });
    this.#handshaking.add(raw);
    raw.once('close', () => this.#handshaking.delete(raw));
  }

  #acceptedFor(socket: tls.TLSSocket): Accepted | undefined {
    // Node links a server-side TLSSocket to the accepted transport as `_parent`.
    const raw = (socket as unknown as { _parent?: object })._parent;
    if (raw) this.#handshaking.delete(raw as Duplex);
    return raw ? this.#accepted.get(raw) : undefined;
  }

  #report(err: JsecError, socket: tls.TLSSocket | undefined, acc: Accepted | undefined): void {
    // Handshakes cut short by close() are not failures of the peer.
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const details: HandshakeErrorDetails = Object.freeze({
      remoteAddress: acc?.details.remoteAddress ?? socket?.remoteAddress,
      remotePort: acc?.details.remotePort ?? socket?.remotePort,
      remoteFamily: acc?.details.remoteFamily ?? socket?.remoteFamily,
      localAddress: acc?.details.localAddress ?? socket?.localAddress,
      localPort: acc?.details.localPort ?? socket?.localPort,
      socket,
    });
    if (channels.handshakeError.hasSubscribers) channels.handshakeError.publish({ role: 'server', error: err, ...details });
    super.emit('handshakeError', err, details);
  }

  #onClientError(err: unknown, socket: tls.TLSSocket): void {
    const acc = this.#acceptedFor(socket);
    const extra = { remoteAddress: acc?.details.remoteAddress, remotePort: acc?.details.remotePort };
    // A client certificate that failed verification: Node destroyed the
    // socket right after the handshake (so a missing certificate could fail
    // inside it with an alert) and reports the close; the reason is the
    // verify code it kept.
    const verifyCode = socket?.authorizationError;
    const typed =
      verifyCode && this.#init.requestCert && this.#init.rejectUnauthorized
        ? certificateError(String(verifyCode), { role: 'server', extra })
        : mapTlsError(err, { role: 'server', extra });
    socket.destroy();
    this.#report(typed, socket, acc);
  }

  #onSecure(socket: tls.TLSSocket): boolean {
    const acc = this.#acceptedFor(socket);
    // Node leaves an accepted socket's timeout at 0 after disarming its
    // handshake timer; net's sockets have none until setTimeout().
    if (socket.timeout === 0) delete (socket as { timeout?: number }).timeout;
    if (this.#init.context.security.renegotiation === 'server-initiated') guardRenegotiation(socket);
    else socket.disableRenegotiation();
    if (this.#init.requestCert && this.#init.rejectUnauthorized && !socket.authorized) {
      const chain = peerChain(socket);
      const ctx = { role: 'server' as const, chain, peerCertificate: chain[0], extra: { remoteAddress: acc?.details.remoteAddress, remotePort: acc?.details.remotePort } };
      const err =
        chain.length === 0
          ? createError('ERR_JSEC_NO_PEER_CERTIFICATE', 'The client presented no certificate', ctx.extra)
          : certificateError(String(socket.authorizationError ?? 'ERR_JSEC_CERT_VERIFY'), ctx);
      socket.on('error', () => {});
      socket.destroy();
      this.#report(err, socket, acc);
      return false;
    }
    const duration = acc ? performance.now() - acc.start : undefined;
    recordSocket(socket, { role: 'server', servername: undefined, handshakeDuration: duration });
    const checks = this.#init.checks;
    if (checks === undefined) return this.#verified(socket, duration);
    this.#checkPeer(socket, checks, acc, duration);
    return true;
  }

  /** Runs the pins and the verifyPeer hook, then hands the socket out or refuses it. */
  #checkPeer(socket: tls.TLSSocket, checks: ClientPeerChecks, acc: Accepted | undefined, duration: number | undefined): void {
    // Nobody listens to the socket yet: hold its events while the checks run.
    let failure: unknown;
    let closed = false;
    const onError = (err: unknown) => (failure ??= err);
    const onClose = () => (closed = true);
    socket.on('error', onError);
    socket.once('close', onClose);
    this.#checking.add(socket);
    const extra = { remoteAddress: acc?.details.remoteAddress, remotePort: acc?.details.remotePort };
    checkClientPeer(socket, checks, extra).then(
      () => {
        this.#checking.delete(socket);
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        if (this.#state === 'closing' || this.#state === 'closed') {
          socket.on('error', () => {});
          socket.destroy();
          return;
        }
        if (failure !== undefined || closed || socket.destroyed) {
          socket.on('error', () => {});
          socket.destroy();
          const err = failure !== undefined ? mapTlsError(failure, { role: 'server', extra }) : createError('ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE', 'The client closed the connection while it was being verified', extra);
          this.#report(err, socket, acc);
          return;
        }
        this.#verified(socket, duration);
      },
      (err: JsecError) => {
        this.#checking.delete(socket);
        socket.removeListener('close', onClose);
        socket.destroy();
        socket.removeListener('error', onError);
        socket.on('error', () => {});
        this.#report(err, socket, acc);
      },
    );
  }

  /** A connection that passed every check: published, queued or handed to a waiter, then emitted. */
  #verified(socket: tls.TLSSocket, duration: number | undefined): boolean {
    if (channels.handshake.hasSubscribers) {
      channels.handshake.publish({ role: 'server', socket, duration, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name, resumed: socket.isSessionReused() });
    }
    this.#deliver(socket);
    return super.emit('secureConnection', socket);
  }

  #deliver(socket: tls.TLSSocket): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      bridgeEarlyErrors(socket);
      waiter.resolve(socket);
      return;
    }
    if (!this.#queueing) return;
    if (this.#queue.length >= this.#init.acceptQueue) {
      socket.on('error', () => {});
      socket.destroy();
      this.#report(createError('ERR_JSEC_TLS_QUEUE_FULL', 'A verified connection was dropped: the accept queue is full'), socket, undefined);
      return;
    }
    const onError = () => {};
    const onClose = () => {
      const i = this.#queue.indexOf(socket);
      if (i >= 0) this.#queue.splice(i, 1);
    };
    socket.on('error', onError);
    socket.once('close', onClose);
    (socket as unknown as Record<symbol, unknown>)[kQueued] = () => {
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    };
    this.#queue.push(socket);
  }

  /**
   * The next verified connection. Connections that arrive while nobody waits
   * are queued (see the class notes).
   *
   * @throws StateError `ERR_JSEC_CLOSED` when the server is closing or closed
   *   (also for waiters pending at `close()`), `ABORT_ERR` when `signal` aborts.
   */
  accept(options?: { signal?: AbortSignal }): Promise<tls.TLSSocket> {
    const opts = validateOptions<{ signal?: AbortSignal }>('TlsServer.accept', options, { signal: { type: 'signal' } });
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.reject(createError('ERR_JSEC_CLOSED', 'The server is closed', { state: this.#state, operation: 'accept' }));
    }
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    this.#queueing = true;
    const queued = this.#queue.shift();
    if (queued) {
      ((queued as unknown as Record<symbol, () => void>)[kQueued])?.();
      bridgeEarlyErrors(queued);
      return Promise.resolve(queued);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal: opts.signal,
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(abortError(opts.signal!));
        },
      };
      opts.signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Iterates over verified connections until the server closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<tls.TLSSocket, void, undefined> {
    this.#queueing = true;
    for (;;) {
      let socket: tls.TLSSocket;
      try {
        socket = await this.accept();
      } catch (err) {
        if ((err as JsecError).code === 'ERR_JSEC_CLOSED') return;
        throw err;
      }
      yield socket;
    }
  }

  /**
   * Stops accepting: pending `accept()` calls reject with `ERR_JSEC_CLOSED`,
   * queued connections nobody took and handshakes in progress are destroyed,
   * and the promise resolves once every handed-out connection has closed (as
   * net's `close`). Idempotent. The Node callback form `close(cb)` also works.
   */
  /**
   * Hot reload: new handshakes use the new certificate, key and policy (or
   * `context`); live connections keep theirs. Session tickets issued before
   * stay valid (the ticket keys are kept).
   *
   * @throws ConfigError for bad options (the server keeps its old context).
   */
  reload(options: ReloadOptions): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw createError('ERR_JSEC_INVALID_STATE', 'A closed server cannot be reloaded', { state: this.#state, operation: 'reload' });
    }
    this.#init.context = reloadServer(this as unknown as tls.Server, options, this.#init.ext);
  }

  /**
   * Stops listening. Pending `accept()` calls reject with `ERR_JSEC_CLOSED`; queued (not yet accepted)
   * and still-handshaking connections are destroyed. As with net, the promise (and `callback`) settles
   * once the listener is closed and every connection already handed out has ended. Idempotent: later
   * calls return the same promise.
   */
  close(callback?: (err?: Error) => void): Promise<void> {
    if (!this.#closed) {
      this.#init.ext?.close();
      const wasListening = this.listening;
      this.#state = 'closing';
      for (const w of this.#waiters.splice(0)) {
        w.signal?.removeEventListener('abort', w.onAbort);
        w.reject(createError('ERR_JSEC_CLOSED', 'The server was closed', { state: 'closing', operation: 'accept' }));
      }
      for (const s of this.#queue.splice(0)) s.destroy();
      for (const s of this.#checking) s.destroy();
      this.#checking.clear();
      for (const raw of this.#handshaking) raw.destroy();
      this.#handshaking.clear();
      this.#closed = new Promise<void>((resolve) => {
        if (!wasListening) {
          this.#state = 'closed';
          resolve();
          return;
        }
        tls.Server.prototype.close.call(this as unknown as tls.Server, () => {
          this.#state = 'closed';
          resolve();
        });
      });
    }
    if (callback) this.#closed.then(() => callback(), callback);
    return this.#closed;
  }

  /** Closes the server (`await using server = await listen(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const kQueued = Symbol('jsec.tls.queued');

/** The TlsServer for validated server options. @internal */
export function createServer(opts: Partial<ServerOptions>, acceptQueue: number): TlsServer {
  const context = resolveContext('server', opts);
  const secureOptions = contextInternals(context).secureOptions;
  const requestCert = opts.requestCert ?? false;
  const rejectUnauthorized = opts.rejectUnauthorized ?? defaults.tls.rejectUnauthorized;
  const checks = clientPeerChecks(opts, requestCert, rejectUnauthorized);
  const nodeOptions: tls.TlsOptions = {
    ...secureOptions,
    requestCert,
    // Node's rejection makes OpenSSL require the certificate in the
    // handshake: a client that sends none gets the certificate_required
    // (TLS 1.3) or handshake_failure (TLS 1.2) alert instead of a closed socket.
    rejectUnauthorized: requestCert && rejectUnauthorized,
    handshakeTimeout: opts.handshakeTimeout ?? defaults.tls.handshakeTimeout,
    allowHalfOpen: opts.allowHalfOpen ?? defaults.tls.allowHalfOpen,
  };
  if (opts.ALPNProtocols !== undefined) nodeOptions.ALPNProtocols = opts.ALPNProtocols as string[];
  if (opts.SNICallback !== undefined) {
    const user = opts.SNICallback;
    nodeOptions.SNICallback = (name, cb) => {
      user(name, (err, ctx) => {
        if (err || ctx === undefined) return cb(err ?? null, undefined);
        if (isTlsContext(ctx)) {
          if (ctx.role !== 'server') return cb(createError('ERR_INVALID_ARG_VALUE', 'SNICallback returned a client context', { option: 'SNICallback' }), undefined);
          return cb(null, ctx.secureContext);
        }
        return cb(null, ctx as tls.SecureContext);
      });
    };
  }
  for (const k of ['noDelay', 'keepAlive', 'keepAliveInitialDelay', 'highWaterMark'] as const) {
    if (opts[k] !== undefined) (nodeOptions as Record<string, unknown>)[k] = opts[k];
  }
  const ext = new ServerExtension(opts, nodeOptions, context);
  const server = new TlsServer(kServerInit, nodeOptions, {
    context,
    requestCert,
    rejectUnauthorized,
    acceptQueue,
    ext,
    handshakeTimeout: nodeOptions.handshakeTimeout,
    checks,
  });
  ext.install(server as unknown as tls.Server, context, true);
  return server;
}

/**
 * Starts a TLS server and resolves once it listens.
 *
 * @param options - see {@link ListenOptions}; needs `cert` + `key`, `pfx`, or a server `context`.
 * @returns a listening {@link TlsServer}.
 * @throws ConfigError for bad options; `ERR_INVALID_ARG_VALUE` when `context` is a client context.
 * @throws TlsError `ERR_JSEC_TLS_LISTEN` (address in use, permission, ...; `cause` is the system error).
 * @throws StateError `ABORT_ERR` when `signal` aborts first.
 */
export async function listen(options: ListenOptions): Promise<TlsServer> {
  const opts = validateOptions<ListenOptions>('tls.listen', options, LISTEN_SCHEMA);
  if (opts.path !== undefined && (opts.host !== undefined || opts.port !== undefined)) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', '"path" (Unix socket) cannot be combined with "host"/"port"', { option: 'path' });
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const server = createServer(opts, opts.acceptQueue ?? defaults.tls.acceptQueue);
  const listenOptions: { host?: string; port?: number; path?: string; backlog: number; ipv6Only?: boolean } = { backlog: opts.backlog ?? defaults.tls.backlog };
  if (opts.path !== undefined) listenOptions.path = opts.path;
  else {
    listenOptions.port = opts.port ?? 0;
    if (opts.host !== undefined) listenOptions.host = opts.host;
    if (opts.ipv6Only !== undefined) listenOptions.ipv6Only = opts.ipv6Only;
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(createError('ERR_JSEC_TLS_LISTEN', `The server could not listen: ${cause.message}`, { cause, ...listenOptions }));
    };
    const onAbort = () => {
      server.removeListener('error', onError);
      void server.close();
      reject(abortError(opts.signal!));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', onError);
    server.listen(listenOptions, () => {
      server.removeListener('error', onError);
      opts.signal?.removeEventListener('abort', onAbort);
      server.markListening();
      resolve();
    });
  });
  return server;
}

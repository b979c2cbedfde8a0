/**
 * `DtlsSocket`: one DTLS association, message-oriented. It drives a native
 * engine (sans-IO) over a datagram transport it is given: feeds received
 * datagrams in, sends what the engine emits, runs the RFC 6347
 * retransmission timer through an injectable timer source, and keeps an
 * explicit state machine.
 *
 * @module
 */
/// <reference lib="esnext.disposable" />
import { EventEmitter } from 'node:events';
import type { X509Certificate } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import type { NativeEngine } from '../native/binding.js';
import { classifyEngineError, peerChain, verifyCodeName, type TimerSource } from './engine-config.js';
import * as io from './io.js';

const debug = debuglog('jsec');

/** Diagnostics channels of `jsec/dtls`. */
export const channels = Object.freeze({
  /** `{ socket, role, duration, resumed }` once a handshake completes. */
  handshake: channel('jsec:dtls:handshake'),
  /** `{ socket, role, retransmits }` on every retransmitted flight. */
  retransmit: channel('jsec:dtls:retransmit'),
  /** `{ reason, address, port }` for datagrams a server drops without allocating state. */
  drop: channel('jsec:dtls:drop'),
  /** `{ socket, error }` when an association fails. */
  error: channel('jsec:dtls:error'),
});

/** The states of a {@link DtlsSocket}. */
export enum DtlsState {
  /** The handshake is running (retransmissions may be pending). */
  Handshaking = 'handshaking',
  /** Established: messages flow both ways. */
  Open = 'open',
  /** close() was called; close_notify is being sent. */
  Closing = 'closing',
  /** Closed normally (by either side, or by the idle timeout). */
  Closed = 'closed',
  /** Failed (handshake error, timeout, fatal alert); `error` holds why. */
  Failed = 'failed',
}

const EDGES: Readonly<Record<DtlsState, readonly DtlsState[]>> = Object.freeze({
  [DtlsState.Handshaking]: [DtlsState.Open, DtlsState.Closing, DtlsState.Closed, DtlsState.Failed],
  [DtlsState.Open]: [DtlsState.Closing, DtlsState.Closed, DtlsState.Failed],
  [DtlsState.Closing]: [DtlsState.Closed, DtlsState.Failed],
  [DtlsState.Closed]: [],
  [DtlsState.Failed]: [],
});

/** What a DtlsSocket sends through: one peer, datagrams only. @internal */
export interface DatagramTransport {
  /** Hands one datagram to the socket; resolves when the socket took it. */
  send(datagram: Uint8Array): Promise<void>;
  /** Hands one datagram to the socket; errors are only logged (handshake flights, alerts). */
  post(datagram: Uint8Array): void;
  /** Hands one datagram to the socket with no completion callback at all (the application data fast path). */
  push(datagram: Uint8Array): void;
  /** Releases the transport (a client closes its UDP socket; a server forgets the peer). */
  close(): void;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
}

/** Settings of one association. @internal */
export interface SocketSettings {
  readonly role: 'client' | 'server';
  readonly timers: TimerSource;
  readonly retransmitRetries: number;
  readonly handshakeTimeout: number;
  /** 0 disables it. */
  readonly idleTimeout: number;
  readonly maxQueuedMessages: number;
  readonly mtu: number;
  readonly servername: string | undefined;
  readonly verifyEnabled: boolean;
  readonly now: () => number;
}

/** What {@link DtlsSocket.info} reports. */
export interface DtlsInfo {
  /** Which end of the association this socket is. */
  readonly role: 'client' | 'server';
  /** `'DTLSv1.2'`. */
  readonly protocol: string;
  /** The negotiated cipher: OpenSSL and IANA names, the protocol version it belongs to, and its key bits. */
  readonly cipher: { readonly name: string; readonly standardName: string; readonly version: string; readonly bits: number };
  /** The negotiated ALPN protocol, or `false`. */
  readonly alpnProtocol: string | false;
  /** Client: the SNI name sent; server: the one received. */
  readonly servername: string | undefined;
  /** The peer chain, leaf first; empty for PSK or anonymous clients. */
  readonly peerCertificates: readonly X509Certificate[];
  /** Whether the peer's chain (and for clients, its name) verified. */
  readonly authorized: boolean;
  /** Why not, as Node names verify errors. */
  readonly authorizationError: string | undefined;
  /** Whether the handshake resumed a session (abbreviated handshake). */
  readonly resumed: boolean;
  /** PSK identity (server side) where PSK was used. */
  readonly pskIdentity: string | undefined;
  /** The negotiated DTLS-SRTP profile, where use_srtp was offered. */
  readonly srtpProfile: string | undefined;
  /** The configured MTU (largest datagram jsec sends). */
  readonly mtu: number;
  /** The largest message `send()` accepts under this MTU and cipher. */
  readonly maxMessageSize: number;
  /** Flights retransmitted during the handshake. */
  readonly retransmits: number;
  /** Milliseconds from the first flight to completion. */
  readonly handshakeDuration: number | undefined;
  /** The local IP address of the UDP socket, or undefined once it is closed. */
  readonly localAddress: string | undefined;
  /** The local UDP port, or undefined once the socket is closed. */
  readonly localPort: number | undefined;
  /** The peer's IP address. */
  readonly remoteAddress: string;
  /** The peer's UDP port. */
  readonly remotePort: number;
  /** `'IPv4'` or `'IPv6'`. */
  readonly remoteFamily: string;
}

/** Traffic counters of one association. */
export interface DtlsStats {
  /** UDP datagrams sent (handshake flights, retransmissions, alerts and records). */
  readonly datagramsSent: number;
  /** UDP datagrams received from the peer. */
  readonly datagramsReceived: number;
  /** Bytes of UDP payload sent (DTLS record overhead included). */
  readonly bytesSent: number;
  /** Bytes of UDP payload received (DTLS record overhead included). */
  readonly bytesReceived: number;
  /** The largest datagram this association sent (never above the MTU). */
  readonly largestDatagramSent: number;
  /** Handshake flights retransmitted. */
  readonly retransmits: number;
  /** Received datagrams dropped because the engine's queue was full. */
  readonly droppedDatagrams: number;
  /** Messages dropped because nobody read them (`maxQueuedMessages`). */
  readonly droppedMessages: number;
  /** Application messages received (decrypted records). */
  readonly messagesReceived: number;
  /** Application messages sent with `send()`. */
  readonly messagesSent: number;
}

/** Module-private constructor key: sockets are made by connect/listen/upgrade only. */
export const kCreate = Symbol('jsec.dtls.create');
/** @internal */
export const kReceive = Symbol('jsec.dtls.receive');
/** @internal */
export const kStart = Symbol('jsec.dtls.start');
/** @internal Fails the association from outside (transport errors). */
export const kFail = Symbol('jsec.dtls.fail');
/** @internal Ends the association without close_notify (its peer started a new one). */
export const kAbandon = Symbol('jsec.dtls.abandon');
/** @internal */
export const kMessageHook = Symbol('jsec.dtls.messageHook');

/**
 * One DTLS association: a client from `connect()`/`upgrade()`, or a peer of
 * a server from `listen()`.
 *
 * Events: `'message'` (data: Buffer), `'close'` (error?: JsecError),
 * `'error'` (error: JsecError; only emitted when a listener is attached —
 * the async iterator and {@link DtlsSocket.error} always see it), `'secure'`.
 *
 * Messages are also available through `for await (const m of socket)`,
 * which ends when the association closes.
 */
export class DtlsSocket extends EventEmitter {
  #engine: NativeEngine | undefined;
  #transport: DatagramTransport;
  #settings: SocketSettings;
  #state: DtlsState = DtlsState.Handshaking;
  #error: JsecError | undefined;
  #retransmitTimer: unknown;
  #handshakeTimer: unknown;
  #idleTimer: unknown;
  #retransmits = 0;
  /** Retransmissions of the current flight: the RFC 6347 bound is per flight. */
  #flightRetransmits = 0;
  #lastActivity = 0;
  #maxMessage = 0;
  #startedAt = 0;
  #handshakeDuration: number | undefined;
  #secure: { resolve: () => void; reject: (e: JsecError) => void } | undefined;
  #queue: Buffer[] = [];
  #waiters: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: unknown) => void }[] = [];
  #iterating = false;
  #chain: X509Certificate[] | undefined;
  #stats = {
    datagramsSent: 0,
    datagramsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    largestDatagramSent: 0,
    retransmits: 0,
    droppedDatagrams: 0,
    droppedMessages: 0,
    messagesReceived: 0,
    messagesSent: 0,
  };
  /** @internal A server's hook that takes messages first (recvFrom mode); returns true when consumed. */
  [kMessageHook]: ((data: Buffer, socket: DtlsSocket) => boolean) | undefined;

  /** @internal Use `connect()`, `listen()` or `upgrade()`. */
  constructor(key: symbol, engine: NativeEngine, transport: DatagramTransport, settings: SocketSettings) {
    super();
    if (key !== kCreate) throw createError('ERR_JSEC_INVALID_STATE', 'DtlsSocket is created by connect(), listen() or upgrade()', { state: 'none', operation: 'constructor' });
    this.#engine = engine;
    this.#transport = transport;
    this.#settings = settings;
  }

  /** The association's state. */
  get state(): DtlsState {
    return this.#state;
  }

  /** The error that failed the association, if it failed. */
  get error(): JsecError | undefined {
    return this.#error;
  }

  /** The peer's IP address. */
  get remoteAddress(): string {
    return this.#transport.remoteAddress;
  }

  /** The peer's UDP port. */
  get remotePort(): number {
    return this.#transport.remotePort;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string {
    return this.#transport.remoteFamily;
  }

  /** The local IP address, while the socket is open. */
  get localAddress(): string | undefined {
    return this.#transport.localAddress;
  }

  /** The local UDP port, while the socket is open. */
  get localPort(): number | undefined {
    return this.#transport.localPort;
  }

  #transition(to: DtlsState, operation: string): void {
    if (!EDGES[this.#state].includes(to)) {
      throw createError('ERR_JSEC_INVALID_STATE', `Cannot go from ${this.#state} to ${to} (${operation})`, { state: this.#state, operation });
    }
    this.#state = to;
  }

  /** @internal Starts the handshake; resolves when it completes. */
  [kStart](): Promise<void> {
    this.#startedAt = this.#settings.now();
    const done = new Promise<void>((resolve, reject) => {
      this.#secure = { resolve, reject };
    });
    // Callers that never await still must not see an unhandled rejection.
    done.catch(() => {});
    if (this.#settings.handshakeTimeout > 0) {
      this.#handshakeTimer = this.#settings.timers.setTimeout(() => {
        this.#handshakeTimer = undefined;
        if (this.#state === DtlsState.Handshaking) {
          this.#fail(
            createError('ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT', `The DTLS handshake did not complete within ${this.#settings.handshakeTimeout} ms`, {
              timeout: this.#settings.handshakeTimeout,
              retransmits: this.#retransmits,
              remoteAddress: this.remoteAddress,
              remotePort: this.remotePort,
            }),
          );
        }
      }, this.#settings.handshakeTimeout);
    }
    this.#touch();
    this.#drive();
    return done;
  }

  /** @internal */
  [kFail](err: JsecError): void {
    this.#fail(err);
  }

  /** @internal */
  [kAbandon](): void {
    this.#finish(DtlsState.Closed, undefined);
  }

  /** @internal One datagram from the peer. */
  [kReceive](datagram: Buffer): void {
    const engine = this.#engine;
    if (engine === undefined || this.#state === DtlsState.Closed || this.#state === DtlsState.Failed) return;
    this.#stats.datagramsReceived++;
    this.#stats.bytesReceived += datagram.length;
    this.#touch();
    if (this.#state === DtlsState.Handshaking) {
      if (!engine.feed(datagram)) this.#stats.droppedDatagrams++;
      this.#drive();
    } else {
      this.#receive(engine, datagram);
    }
  }

  /** The handshake: runs it on what was fed, then reads what came with its last flight. */
  #drive(): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    try {
      if (engine.handshake()) this.#onSecure();
    } catch (err) {
      this.#flush();
      this.#fail(classifyEngineError(err, this.#settings.role, 'dtls', this.#peerChainSafe(), this.#errorExtra()));
      return;
    }
    if (this.#state === DtlsState.Handshaking) {
      this.#flushed();
    } else {
      this.#receive(engine, null);
    }
  }

  /**
   * The established association: feeds one datagram (or none) and reads every
   * message it completes in one native call per batch, sends what the engine
   * queued (a retransmitted last flight, an alert), then delivers.
   */
  #receive(engine: NativeEngine, datagram: Buffer | null): void {
    const status = io.status;
    let input = datagram;
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let flags = 0;
    try {
      let room = input === null ? this.#settings.mtu : input.length;
      for (;;) {
        const count = engine.receive(input, io.receiveSlab(room), io.receiveOffset(), status);
        input = null;
        flags = status[0]!;
        if ((flags & io.RECEIVE_DROPPED) !== 0) this.#stats.droppedDatagrams++;
        for (let i = 0; i < count; i++) {
          const m = io.takeReceived(status[io.STATUS_HEADER + i]!);
          if (first === undefined) first = m;
          else (rest ??= []).push(m);
        }
        if ((flags & io.RECEIVE_MORE) === 0) break;
        room = Math.max(status[1]!, this.#settings.mtu);
      }
    } catch (err) {
      this.#flush();
      this.#fail(classifyEngineError(err, this.#settings.role, 'dtls', this.#peerChainSafe(), this.#errorExtra()));
      return;
    }
    if ((flags & io.RECEIVE_OUTPUT) !== 0 || this.#retransmitTimer !== undefined) this.#flushed();
    if (first !== undefined) {
      this.#deliver(first);
      if (rest !== undefined) for (const m of rest) this.#deliver(m);
    }
    if ((flags & io.RECEIVE_PEER_CLOSED) !== 0) this.#peerClosed();
  }

  /** Sends what the engine queued and re-arms the retransmission timer. */
  #flushed(): void {
    // Something the peer sent made us send: a new flight, so a fresh retransmission budget.
    if (this.#flush() > 0) this.#flightRetransmits = 0;
    // OpenSSL stops its timer when the handshake completes.
    if (this.#state === DtlsState.Handshaking || this.#retransmitTimer !== undefined) this.#schedule();
  }

  #peerChainSafe(): X509Certificate[] {
    return this.#engine ? peerChain(this.#engine) : [];
  }

  #errorExtra(): Record<string, unknown> {
    return { remoteAddress: this.remoteAddress, remotePort: this.remotePort, servername: this.#settings.servername };
  }

  #onSecure(): void {
    this.#transition(DtlsState.Open, 'handshake');
    this.#handshakeDuration = this.#settings.now() - this.#startedAt;
    this.#clearTimer('handshake');
    const s = this.#secure;
    this.#secure = undefined;
    if (channels.handshake.hasSubscribers) {
      channels.handshake.publish({ socket: this, role: this.#settings.role, duration: this.#handshakeDuration, resumed: this.#engine?.info().resumed });
    }
    debug('dtls %s handshake complete with %s:%d', this.#settings.role, this.remoteAddress, this.remotePort);
    s?.resolve();
    this.emit('secure');
  }

  #deliver(m: Buffer): void {
    this.#stats.messagesReceived++;
    if (this[kMessageHook]?.(m, this)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ value: m, done: false });
    } else if (this.#iterating || this.listenerCount('message') === 0) {
      if (this.#queue.length >= this.#settings.maxQueuedMessages) {
        this.#stats.droppedMessages++;
      } else {
        this.#queue.push(m);
      }
    }
    this.emit('message', m);
  }

  #count(d: Uint8Array): void {
    this.#stats.datagramsSent++;
    this.#stats.bytesSent += d.length;
    if (d.length > this.#stats.largestDatagramSent) this.#stats.largestDatagramSent = d.length;
  }

  /** Sends whatever the engine emitted (flights, alerts, retransmissions); loss is DTLS's business. */
  #flush(): number {
    const engine = this.#engine;
    if (engine === undefined) return 0;
    const out = engine.output();
    for (const d of out) {
      this.#count(d);
      this.#transport.post(d);
    }
    return out.length;
  }

  /** Like #flush, but the caller waits until the socket took every datagram. */
  #flushAwaited(datagrams: Uint8Array[]): Promise<void> {
    if (datagrams.length === 1) {
      this.#count(datagrams[0]!);
      return this.#transport.send(datagrams[0]!);
    }
    return Promise.all(
      datagrams.map((d) => {
        this.#count(d);
        return this.#transport.send(d);
      }),
    ).then(() => undefined);
  }

  #schedule(): void {
    this.#clearTimer('retransmit');
    const engine = this.#engine;
    if (engine === undefined) return;
    const ms = engine.timeout();
    if (ms < 0) return;
    this.#retransmitTimer = this.#settings.timers.setTimeout(() => this.#onTimer(), Math.max(1, Math.ceil(ms)));
  }

  #onTimer(): void {
    this.#retransmitTimer = undefined;
    const engine = this.#engine;
    if (engine === undefined || this.#state === DtlsState.Closed || this.#state === DtlsState.Failed) return;
    if (this.#state === DtlsState.Handshaking && this.#flightRetransmits >= this.#settings.retransmitRetries && engine.timeout() === 0) {
      this.#fail(
        createError('ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT', `No answer from ${this.remoteAddress}:${this.remotePort} after ${this.#flightRetransmits} retransmissions of one flight`, {
          retransmits: this.#flightRetransmits,
          totalRetransmits: this.#retransmits,
          remoteAddress: this.remoteAddress,
          remotePort: this.remotePort,
        }),
      );
      return;
    }
    let r = 0;
    try {
      r = engine.handleTimeout();
    } catch (err) {
      this.#fail(classifyEngineError(err, this.#settings.role, 'dtls', this.#peerChainSafe(), this.#errorExtra()));
      return;
    }
    if (r === 1) {
      this.#retransmits++;
      this.#flightRetransmits++;
      this.#stats.retransmits++;
      if (channels.retransmit.hasSubscribers) channels.retransmit.publish({ socket: this, role: this.#settings.role, retransmits: this.#retransmits });
    }
    this.#flush();
    this.#schedule();
  }

  #touch(): void {
    if (this.#settings.idleTimeout <= 0) return;
    this.#lastActivity = this.#settings.now();
    // One timer per association, re-armed lazily: no timer churn per datagram.
    if (this.#idleTimer === undefined) this.#armIdle(this.#settings.idleTimeout);
  }

  #armIdle(ms: number): void {
    this.#idleTimer = this.#settings.timers.setTimeout(() => {
      this.#idleTimer = undefined;
      const idleFor = this.#settings.now() - this.#lastActivity;
      if (idleFor < this.#settings.idleTimeout - 1 && (this.#state === DtlsState.Open || this.#state === DtlsState.Handshaking)) {
        this.#armIdle(this.#settings.idleTimeout - idleFor);
        return;
      }
      if (this.#state === DtlsState.Open) {
        const err = createError('ERR_JSEC_DTLS_IDLE_TIMEOUT', `Nothing arrived from ${this.remoteAddress}:${this.remotePort} for ${this.#settings.idleTimeout} ms`, {
          timeout: this.#settings.idleTimeout,
        });
        this.#sendCloseNotify().catch(() => {});
        this.#finish(DtlsState.Closed, err);
      } else if (this.#state === DtlsState.Handshaking) {
        this.#fail(createError('ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT', 'The DTLS handshake went idle', { timeout: this.#settings.idleTimeout }));
      }
    }, Math.max(1, Math.ceil(ms)));
  }

  #clearTimer(which: 'retransmit' | 'handshake' | 'idle' | 'all'): void {
    const t = this.#settings.timers;
    if ((which === 'retransmit' || which === 'all') && this.#retransmitTimer !== undefined) {
      t.clearTimeout(this.#retransmitTimer);
      this.#retransmitTimer = undefined;
    }
    if ((which === 'handshake' || which === 'all') && this.#handshakeTimer !== undefined) {
      t.clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = undefined;
    }
    if ((which === 'idle' || which === 'all') && this.#idleTimer !== undefined) {
      t.clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  #sendCloseNotify(): Promise<void> {
    const engine = this.#engine;
    if (engine === undefined) return Promise.resolve();
    try {
      engine.shutdown();
    } catch {
      return Promise.resolve();
    }
    return this.#flushAwaited(engine.output());
  }

  #peerClosed(): void {
    // Answer the peer's close_notify with ours, then release everything.
    this.#sendCloseNotify().catch(() => {});
    this.#finish(DtlsState.Closed, undefined);
  }

  #fail(err: JsecError): void {
    if (this.#state === DtlsState.Closed || this.#state === DtlsState.Failed) return;
    this.#error = err;
    if (channels.error.hasSubscribers) channels.error.publish({ socket: this, error: err });
    debug('dtls %s failed: %s %s', this.#settings.role, err.code, err.message);
    const s = this.#secure;
    this.#secure = undefined;
    this.#finish(DtlsState.Failed, err);
    if (s) {
      s.reject(err);
    } else if (this.listenerCount('error') > 0) {
      this.emit('error', err);
    }
  }

  #finish(state: DtlsState.Closed | DtlsState.Failed, reason: JsecError | undefined): void {
    if (this.#state === DtlsState.Closed || this.#state === DtlsState.Failed) return;
    this.#state = state;
    this.#clearTimer('all');
    this.#chain ??= this.#peerChainSafe();
    this.#engine?.close();
    this.#engine = undefined;
    this.#transport.close();
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) {
      if (state === DtlsState.Failed && reason) w.reject(reason);
      else w.resolve({ value: undefined, done: true });
    }
    if (this.#secure) {
      const s = this.#secure;
      this.#secure = undefined;
      s.reject(reason ?? createError('ERR_JSEC_CLOSED', 'The association was closed during the handshake'));
    }
    this.emit('close', reason);
  }

  /**
   * Sends one message as one datagram. Resolves when the datagram was handed
   * to the UDP socket (UDP gives no delivery guarantee beyond that).
   *
   * @throws DtlsError `ERR_JSEC_DTLS_MESSAGE_TOO_LARGE` when the message does not fit under the MTU (nothing is sent).
   * @throws StateError `ERR_JSEC_INVALID_STATE` before the handshake completed, `ERR_JSEC_CLOSED` after close.
   * @throws ConfigError `ERR_INVALID_ARG_TYPE` for anything but a string or bytes.
   */
  send(message: string | Uint8Array): Promise<void> {
    let sealed: Uint8Array | Uint8Array[];
    try {
      sealed = this.#encrypt(message);
    } catch (err) {
      return Promise.reject(err);
    }
    if (sealed instanceof Uint8Array) {
      this.#count(sealed);
      return this.#transport.send(sealed);
    }
    return this.#flushAwaited(sealed);
  }

  /**
   * Sends one message as one datagram without waiting: no Promise and no
   * completion callback, the fast path for high message rates (what
   * `dgram.send()` without a callback is to `node:dgram`). The checks are
   * those of {@link DtlsSocket.send}, thrown instead of rejected; a failure of
   * the UDP socket itself is loss, as for any datagram, and is only logged.
   *
   * @throws DtlsError `ERR_JSEC_DTLS_MESSAGE_TOO_LARGE` when the message does not fit under the MTU (nothing is sent).
   * @throws StateError `ERR_JSEC_INVALID_STATE` before the handshake completed, `ERR_JSEC_CLOSED` after close.
   * @throws ConfigError `ERR_INVALID_ARG_TYPE` for anything but a string or bytes.
   */
  post(message: string | Uint8Array): void {
    const sealed = this.#encrypt(message);
    if (sealed instanceof Uint8Array) {
      this.#count(sealed);
      this.#transport.push(sealed);
      return;
    }
    for (const d of sealed) {
      this.#count(d);
      this.#transport.push(d);
    }
  }

  /** The datagram(s) of one message: one datagram, written straight into the send slab, unless the engine queued more. */
  #encrypt(message: string | Uint8Array): Uint8Array | Uint8Array[] {
    const data = toBuffer(message);
    const engine = this.#engine;
    if (this.#state === DtlsState.Closed || this.#state === DtlsState.Failed || engine === undefined) {
      throw createError('ERR_JSEC_CLOSED', 'The DTLS association is closed', { state: this.#state, cause: this.#error });
    }
    if (this.#state !== DtlsState.Open) {
      throw createError('ERR_JSEC_INVALID_STATE', `Cannot send in state ${this.#state}`, { state: this.#state, operation: 'send' });
    }
    if (data.length === 0) throw createError('ERR_INVALID_ARG_VALUE', 'A DTLS message must not be empty', { option: 'message' });
    const max = this.#maxMessage || (this.#maxMessage = engine.maxMessageSize());
    if (data.length > max) {
      throw createError('ERR_JSEC_DTLS_MESSAGE_TOO_LARGE', `The message (${data.length} bytes) does not fit in one ${this.#settings.mtu}-byte datagram (at most ${max} bytes)`, {
        size: data.length,
        max,
        mtu: this.#settings.mtu,
      });
    }
    try {
      const slab = io.sendSlab(this.#settings.mtu);
      const r = engine.send(data, slab, io.sendOffset());
      this.#stats.messagesSent++;
      const size = Math.floor(r / 2);
      if (r % 2 === 0 && size > 0) return io.takeSent(size);
      const queued: Uint8Array[] = engine.output();
      return size > 0 ? [io.takeSent(size), ...queued] : queued;
    } catch (err) {
      if (isJsecError(err) && (err.code === 'ERR_JSEC_DTLS_MESSAGE_TOO_LARGE' || err.code === 'ERR_JSEC_INVALID_STATE')) throw err;
      const e = classifyEngineError(err, this.#settings.role, 'dtls', this.#peerChainSafe(), this.#errorExtra());
      this.#fail(e);
      throw e;
    }
  }

  /**
   * Waits for the next message. Resolves `undefined` when the association
   * closes first.
   *
   * @throws the association's error when it failed; `ABORT_ERR` when `signal` aborts.
   */
  async receive(options: { signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    this.#iterating = true;
    const r = await this.#next(options.signal);
    return r.done ? undefined : r.value;
  }

  #next(signal?: AbortSignal): Promise<IteratorResult<Buffer>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#state === DtlsState.Failed) return Promise.reject(this.#error);
    if (this.#state === DtlsState.Closed) return Promise.resolve({ value: undefined, done: true });
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (r: IteratorResult<Buffer>) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Messages until the association closes (throws its error if it fails). */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    this.#iterating = true;
    const self = this;
    return {
      next: () => self.#next(),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Connection details (see {@link DtlsInfo}). @throws StateError `ERR_JSEC_CLOSED` once closed. */
  info(): DtlsInfo {
    const engine = this.#engine;
    if (engine === undefined) throw createError('ERR_JSEC_CLOSED', 'The DTLS association is closed');
    const i = engine.info();
    const chain = (this.#chain = peerChain(engine));
    const verifyError = i.verifyCode !== 0 ? verifyCodeName(i.verifyCode) : undefined;
    const psk = /(^|-)PSK-/.test(i.cipher ?? '');
    return Object.freeze({
      role: this.#settings.role,
      protocol: i.version,
      cipher: Object.freeze({ name: i.cipher ?? '', standardName: i.standardName ?? '', version: i.version, bits: i.cipherBits ?? 0 }),
      alpnProtocol: i.alpnProtocol ?? false,
      servername: i.servername ?? this.#settings.servername,
      peerCertificates: Object.freeze(chain),
      // With a PSK suite the key itself authenticated the peer.
      authorized: psk || (i.hasPeerCertificate && i.verifyCode === 0 && this.#settings.verifyEnabled),
      authorizationError: psk ? undefined : i.hasPeerCertificate ? verifyError : this.#settings.verifyEnabled ? 'NO_PEER_CERTIFICATE' : undefined,
      resumed: i.resumed,
      pskIdentity: i.pskIdentity,
      srtpProfile: i.srtpProfile,
      mtu: this.#settings.mtu,
      maxMessageSize: i.maxMessageSize ?? 0,
      retransmits: this.#retransmits,
      handshakeDuration: this.#handshakeDuration,
      localAddress: this.localAddress,
      localPort: this.localPort,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      remoteFamily: this.remoteFamily,
    });
  }

  /** Traffic counters. */
  stats(): DtlsStats {
    return Object.freeze({ ...this.#stats });
  }

  /** The session for resumption (pass it as `session` to a later `connect()`), or undefined. */
  getSession(): Buffer | undefined {
    return this.#engine?.session() ?? undefined;
  }

  /**
   * RFC 5705 keying material.
   *
   * @throws StateError `ERR_JSEC_INVALID_STATE` before the handshake completed.
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    if (!Number.isInteger(length) || length < 1 || length > 65536) throw createError('ERR_OUT_OF_RANGE', 'length must be an integer in [1, 65536]', { option: 'length' });
    if (typeof label !== 'string') throw createError('ERR_INVALID_ARG_TYPE', 'label must be a string', { option: 'label' });
    if (context !== undefined && !ArrayBuffer.isView(context)) throw createError('ERR_INVALID_ARG_TYPE', 'context must be bytes', { option: 'context' });
    const engine = this.#engine;
    if (engine === undefined) throw createError('ERR_JSEC_CLOSED', 'The DTLS association is closed');
    if (this.#state !== DtlsState.Open) throw createError('ERR_JSEC_INVALID_STATE', 'Keying material exists only after the handshake', { state: this.#state, operation: 'exportKeyingMaterial' });
    return engine.exportKeyingMaterial(length, label, context);
  }

  /**
   * Sends close_notify (when established) and releases the association.
   * Idempotent. Resolves once close_notify was handed to the socket.
   */
  async close(): Promise<void> {
    if (this.#state === DtlsState.Closed || this.#state === DtlsState.Failed || this.#state === DtlsState.Closing) return;
    const wasOpen = this.#state === DtlsState.Open;
    this.#transition(DtlsState.Closing, 'close');
    await (wasOpen ? this.#sendCloseNotify() : Promise.resolve()).catch(() => {});
    this.#finish(DtlsState.Closed, undefined);
  }

  /** Same as {@link DtlsSocket.close} without waiting. */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Same as {@link DtlsSocket.close} (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function abortError(signal: AbortSignal): JsecError {
  return createError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason });
}

/** Bytes of a message. @throws ConfigError `ERR_INVALID_ARG_TYPE` */
export function toBuffer(message: unknown): Buffer {
  if (typeof message === 'string') return Buffer.from(message, 'utf8');
  if (Buffer.isBuffer(message)) return message;
  if (ArrayBuffer.isView(message)) return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (message instanceof ArrayBuffer) return Buffer.from(message);
  throw createError('ERR_INVALID_ARG_TYPE', 'A message must be a string, Buffer, TypedArray, DataView or ArrayBuffer', { option: 'message' });
}

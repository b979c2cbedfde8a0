/**
 * `DtlsServer`: one UDP socket, many DTLS peers. New peers pass a stateless
 * cookie exchange (HelloVerifyRequest, an HMAC of the peer address under a
 * rotating secret) before any per-peer state exists.
 *
 * @module
 */
/// <reference lib="esnext.disposable" />
import type { Socket as DgramSocket, RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { debuglog } from 'node:util';
import { defaults } from '../config/defaults.js';
import { createError, type JsecError } from '../errors/index.js';
import type { NativeEngine, NativeEngineContext, NativeEngineOptions } from '../native/binding.js';
import { native } from '../native/loader.js';
import { verificationEnabled } from './engine-config.js';
import type { DtlsListenOptions, Normalized } from './options.js';
import { DtlsSocket, DtlsState, channels, kAbandon, kCreate, kMessageHook, kReceive, kStart } from './socket.js';
import { PeerTransport } from './transport.js';

const debug = debuglog('jsec');

/** The states of a {@link DtlsServer}. */
export enum DtlsServerState {
  /** Bound and accepting associations. */
  Listening = 'listening',
  /** close() runs: peers are being sent close_notify. */
  Closing = 'closing',
  /** The UDP socket and the context are released. */
  Closed = 'closed',
}

/** A message received through {@link DtlsServer.recvFrom}. */
export interface DtlsDatagram {
  /** The application message (one DTLS record's payload). */
  readonly data: Buffer;
  /** The peer's IP address. */
  readonly address: string;
  /** The peer's UDP port. */
  readonly port: number;
  /** The peer's association. */
  readonly socket: DtlsSocket;
}

/** Counters of a server. */
export interface DtlsServerStats {
  /** HelloVerifyRequests sent (cookie-less or stale-cookie ClientHellos). */
  readonly helloVerifyRequests: number;
  /** ClientHellos whose cookie verified (each allocated one peer). */
  readonly cookiesVerified: number;
  /** Datagrams from unknown addresses that were not a usable ClientHello. */
  readonly droppedDatagrams: number;
  /** ClientHellos ignored because `maxPeers` was reached. */
  readonly droppedPeerLimit: number;
  /** Handshakes that failed. */
  readonly failedHandshakes: number;
  /** Associations established. */
  readonly established: number;
}

const MAX_RECV_QUEUE = 4096;

/** The peer table key: IPv4-mapped IPv6 addresses (dual-stack sockets) and plain IPv4 name the same peer. */
function peerKey(address: string, port: number): string {
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return `${a}|${port}`;
}

/** An epoch-0 handshake record carrying the first fragment of a ClientHello. */
function isClientHello(d: Buffer): boolean {
  return d.length >= 59 && d[0] === 22 && d[1] === 0xfe && d[3] === 0 && d[4] === 0 && d[13] === 1 && d[19] === 0 && d[20] === 0 && d[21] === 0;
}

/** The ClientHello's random (record header 13 + handshake header 12 + version 2). */
function helloRandom(d: Buffer): Buffer {
  return d.subarray(27, 59);
}

/**
 * A DTLS server. Peers arrive through {@link DtlsServer.accept}, async
 * iteration, the `'connection'` event, or (for one-loop servers)
 * {@link DtlsServer.recvFrom} / {@link DtlsServer.sendTo}.
 *
 * Events: `'connection'` (socket), `'peerError'` (error, { address, port }),
 * `'close'`.
 */
export class DtlsServer extends EventEmitter {
  #socket: DgramSocket;
  #ctx: NativeEngineContext;
  #options: Normalized<DtlsListenOptions>;
  #engineOptions: NativeEngineOptions;
  #scratch: NativeEngine | undefined;
  #peers = new Map<string, DtlsSocket>();
  #acceptQueue: DtlsSocket[] = [];
  #acceptWaiters: { resolve: (s: IteratorResult<DtlsSocket>) => void; reject: (e: unknown) => void }[] = [];
  #recvMode = false;
  #recvQueue: DtlsDatagram[] = [];
  #recvWaiters: { resolve: (d: DtlsDatagram | undefined) => void; reject: (e: unknown) => void }[] = [];
  #rotation: unknown;
  #state = DtlsServerState.Listening;
  #stats = { helloVerifyRequests: 0, cookiesVerified: 0, droppedDatagrams: 0, droppedPeerLimit: 0, failedHandshakes: 0, established: 0 };
  #verify: boolean;
  /** The ClientHello random that created each association (RFC 6347 4.2.8 duplicates). */
  #randoms = new WeakMap<DtlsSocket, Buffer>();

  /** @internal Use `listen()`. */
  constructor(key: symbol, socket: DgramSocket, ctx: NativeEngineContext, options: Normalized<DtlsListenOptions>) {
    super();
    if (key !== kCreate) throw createError('ERR_JSEC_INVALID_STATE', 'DtlsServer is created by listen()', { state: 'none', operation: 'constructor' });
    this.#socket = socket;
    this.#ctx = ctx;
    this.#options = options;
    this.#verify = verificationEnabled(options);
    this.#engineOptions = {
      server: true,
      mtu: options.mtu,
      retransmitInitial: options.retransmitInitial,
      retransmitMax: options.retransmitMax,
      maxQueued: defaults.dtls.maxQueuedDatagrams,
    };
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onDatagram(msg, rinfo));
    socket.on('error', (err: Error) => debug('dtls server socket error: %s', err.message));
    this.#scheduleRotation();
  }

  /** The server's state. */
  get state(): DtlsServerState {
    return this.#state;
  }

  /** Peers that hold state (handshaking or established). */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** The bound address. */
  address(): { address: string; family: string; port: number } {
    return this.#socket.address();
  }

  /** Counters (see {@link DtlsServerStats}). */
  stats(): DtlsServerStats {
    return Object.freeze({ ...this.#stats });
  }

  #scheduleRotation(): void {
    const period = (this.#options.cookieSecretRotation ?? defaults.dtls.cookieSecretRotation) as number;
    this.#rotation = this.#options.timers.setTimeout(() => {
      if (this.#state !== DtlsServerState.Listening) return;
      try {
        this.#ctx.rotateCookieSecret();
      } catch {
        return;
      }
      this.#scheduleRotation();
    }, period);
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#state !== DtlsServerState.Listening) return;
    const key = peerKey(rinfo.address, rinfo.port);
    const peer = this.#peers.get(key);
    // RFC 6347 4.2.8: a new ClientHello (epoch 0) from the address of an
    // established association starts a new association there, after its own
    // cookie exchange; the old one ends only if the new handshake proceeds.
    if (peer && !(peer.state === DtlsState.Open && isClientHello(msg) && !this.#randoms.get(peer)?.equals(helloRandom(msg)))) {
      // (A duplicated or delayed copy of the ClientHello that made this
      // association carries its random: it goes to the association, which
      // ignores it, instead of replacing a live association.)
      peer[kReceive](msg);
      return;
    }
    // Only a DTLS handshake record (type 22, major version 0xfe) can open an
    // association; everything else is dropped before any work.
    if (msg.length < 25 || msg[0] !== 22 || msg[1] !== 0xfe) {
      this.#drop('not-a-client-hello', rinfo);
      return;
    }
    if (!peer && this.#peers.size >= ((this.#options.maxPeers ?? defaults.dtls.maxPeers) as number)) {
      this.#stats.droppedPeerLimit++;
      this.#drop('peer-limit', rinfo);
      return;
    }
    let scratch = this.#scratch;
    try {
      scratch ??= this.#scratch = new (native().Engine)(this.#ctx, this.#engineOptions);
      scratch.feed(msg);
      const r = scratch.listen(Buffer.from(key, 'latin1'));
      for (const d of scratch.output()) {
        this.#stats.helloVerifyRequests++;
        this.#socket.send(d, rinfo.port, rinfo.address, (err) => err && debug('dtls HelloVerifyRequest send failed: %s', err.message));
      }
      if (r !== 1) {
        if (r < 0) this.#drop('bad-client-hello', rinfo);
        return;
      }
    } catch (err) {
      debug('dtls listen failed: %s', (err as Error).message);
      this.#scratch?.close();
      this.#scratch = undefined;
      return;
    }
    // The cookie verified: the scratch engine becomes this peer's engine.
    this.#scratch = undefined;
    if (peer) peer[kAbandon]();
    this.#stats.cookiesVerified++;
    const socket = this.#admit(scratch, rinfo, key);
    this.#randoms.set(socket, Buffer.from(helloRandom(msg)));
  }

  #drop(reason: string, rinfo: RemoteInfo): void {
    if (reason !== 'peer-limit') this.#stats.droppedDatagrams++;
    if (channels.drop.hasSubscribers) channels.drop.publish({ reason, address: rinfo.address, port: rinfo.port });
  }

  #admit(engine: NativeEngine, rinfo: RemoteInfo, key: string): DtlsSocket {
    const o = this.#options;
    let socket: DtlsSocket | undefined;
    const transport = new PeerTransport(this.#socket, rinfo, () => {
      if (socket && this.#peers.get(key) === socket) this.#peers.delete(key);
      const i = socket ? this.#acceptQueue.indexOf(socket) : -1;
      if (i >= 0) this.#acceptQueue.splice(i, 1);
    });
    socket = new DtlsSocket(kCreate, engine, transport, {
      role: 'server',
      timers: o.timers,
      retransmitRetries: o.retransmitRetries,
      handshakeTimeout: o.handshakeTimeout,
      idleTimeout: (o.idleTimeout ?? defaults.dtls.idleTimeout) as number,
      maxQueuedMessages: o.maxQueuedMessages,
      mtu: o.mtu,
      servername: undefined,
      verifyEnabled: this.#verify && o.requestCert !== undefined && o.requestCert !== false,
      now: o.now,
    });
    socket[kMessageHook] = (data, s) => this.#onPeerMessage(data, s);
    this.#peers.set(key, socket);
    const peer = socket;
    peer[kStart]().then(
      () => this.#onEstablished(peer),
      (err: JsecError) => {
        this.#stats.failedHandshakes++;
        if (this.listenerCount('peerError') > 0) this.emit('peerError', err, { address: rinfo.address, port: rinfo.port });
      },
    );
    return peer;
  }

  #onEstablished(socket: DtlsSocket): void {
    if (socket.state !== DtlsState.Open) return;
    this.#stats.established++;
    const waiter = this.#acceptWaiters.shift();
    if (waiter) waiter.resolve({ value: socket, done: false });
    else if (this.listenerCount('connection') === 0 && !this.#recvMode) this.#acceptQueue.push(socket);
    this.emit('connection', socket);
  }

  #onPeerMessage(data: Buffer, socket: DtlsSocket): boolean {
    if (!this.#recvMode) return false;
    const d: DtlsDatagram = Object.freeze({ data, address: socket.remoteAddress, port: socket.remotePort, socket });
    const w = this.#recvWaiters.shift();
    if (w) w.resolve(d);
    else if (this.#recvQueue.length < MAX_RECV_QUEUE) this.#recvQueue.push(d);
    return true;
  }

  /**
   * The next established peer.
   *
   * @throws StateError `ERR_JSEC_CLOSED` when the server closes first, `ABORT_ERR` when `signal` aborts.
   */
  async accept(options: { signal?: AbortSignal } = {}): Promise<DtlsSocket> {
    const r = await this.#nextPeer(options.signal);
    if (r.done) throw createError('ERR_JSEC_CLOSED', 'The DTLS server is closed');
    return r.value;
  }

  #nextPeer(signal?: AbortSignal): Promise<IteratorResult<DtlsSocket>> {
    while (this.#acceptQueue.length > 0) {
      const s = this.#acceptQueue.shift()!;
      if (s.state === DtlsState.Open) return Promise.resolve({ value: s, done: false });
    }
    if (this.#state !== DtlsServerState.Listening) return Promise.resolve({ value: undefined, done: true });
    if (signal?.aborted) return Promise.reject(createError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#acceptWaiters.indexOf(waiter);
        if (i >= 0) this.#acceptWaiters.splice(i, 1);
        reject(createError('ABORT_ERR', 'The operation was aborted', { cause: signal?.reason }));
      };
      const waiter = {
        resolve: (r: IteratorResult<DtlsSocket>) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#acceptWaiters.push(waiter);
    });
  }

  /** Established peers as they arrive, until the server closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<DtlsSocket> {
    const self = this;
    return {
      next: () => self.#nextPeer(),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * The next message from any peer (one-loop servers). Calling it switches the
   * server into "recvFrom mode": from then on peer messages go here and not to
   * the peers' own iterators. Resolves `undefined` when the server closes.
   */
  recvFrom(options: { signal?: AbortSignal } = {}): Promise<DtlsDatagram | undefined> {
    this.#recvMode = true;
    const q = this.#recvQueue.shift();
    if (q) return Promise.resolve(q);
    if (this.#state !== DtlsServerState.Listening) return Promise.resolve(undefined);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(createError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#recvWaiters.indexOf(waiter);
        if (i >= 0) this.#recvWaiters.splice(i, 1);
        reject(createError('ABORT_ERR', 'The operation was aborted', { cause: signal?.reason }));
      };
      const waiter = {
        resolve: (d: DtlsDatagram | undefined) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(d);
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#recvWaiters.push(waiter);
    });
  }

  /**
   * Sends a message to an established peer.
   *
   * @throws DtlsError `ERR_JSEC_DTLS_NO_PEER` when no established peer has that address; see {@link DtlsSocket.send}.
   */
  async sendTo(address: string, port: number, message: string | Uint8Array): Promise<void> {
    const peer = typeof address === 'string' && Number.isInteger(port) ? this.#peers.get(peerKey(address, port)) : undefined;
    if (!peer || peer.state !== DtlsState.Open) {
      throw createError('ERR_JSEC_DTLS_NO_PEER', `No established DTLS peer at ${address}:${port}`, { address, port });
    }
    await peer.send(message);
  }

  /** The established peers. */
  peers(): DtlsSocket[] {
    return [...this.#peers.values()].filter((p) => p.state === DtlsState.Open);
  }

  /** Sends close_notify to every peer, then closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.#state !== DtlsServerState.Listening) return;
    this.#state = DtlsServerState.Closing;
    if (this.#rotation !== undefined) this.#options.timers.clearTimeout(this.#rotation);
    await Promise.allSettled([...this.#peers.values()].map((p) => p.close()));
    this.#peers.clear();
    this.#acceptQueue = [];
    for (const w of this.#acceptWaiters.splice(0)) w.resolve({ value: undefined, done: true });
    for (const w of this.#recvWaiters.splice(0)) w.resolve(undefined);
    this.#scratch?.close();
    this.#scratch = undefined;
    this.#ctx.close();
    await new Promise<void>((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    this.#state = DtlsServerState.Closed;
    this.emit('close');
  }

  /** Starts {@link DtlsServer.close} without waiting for it (`using`). */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Same as {@link DtlsServer.close} (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Client connectors (one per arm kind) and the two client workloads: the
 * echo loop and the connect loop.
 *
 * @module
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { JSEC_STORE_PER_KEY, type Impl } from './options.js';
import type { Endpoint } from './servers.js';
import { BENCH_PSK_IDENTITY, BENCH_PSK_KEY_HEX, BENCH_PSK_MESSAGE_SIZE, BENCH_PSK_SUITE, jsecSecurity, nodeTlsOptions, type Material, type TlsSettings } from './settings.js';

/** A connected (and, for TLS, verified) client socket. */
export interface Connected {
  readonly socket: net.Socket;
  /** Milliseconds from the connect call to a usable socket (TCP connect, or TLS handshake plus verification). */
  readonly handshakeMs: number;
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly resumed: boolean;
}

/** Opens one connection; `slot` names the client (connect loop) opening it, for connectors that keep per-client state. */
export type Connector = (slot?: number) => Promise<Connected>;

function where(ep: Endpoint): { host: string; port: number } | { path: string } {
  return 'path' in ep ? { path: ep.path } : { host: ep.host, port: ep.port };
}

/** A connect or handshake that takes longer than this is a failure, not a slow sample. */
const CONNECT_TIMEOUT_MS = 10_000;
/** An echo that has not come back this long after the deadline ends the client with an error. */
const STALL_MS = 5_000;

function settle(socket: net.Socket, event: 'connect' | 'secureConnect', start: number): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(Object.assign(new Error('connect timed out'), { code: 'ERR_BENCH_CONNECT_TIMEOUT' })), CONNECT_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.off('error', fail);
      const handshakeMs = performance.now() - start;
      socket.setNoDelay(true);
      if (socket instanceof tls.TLSSocket) {
        if (!socket.authorized) {
          socket.destroy();
          reject(Object.assign(new Error(String(socket.authorizationError)), { code: 'ERR_BENCH_UNAUTHORIZED' }));
          return;
        }
        resolve({ socket, handshakeMs, protocol: socket.getProtocol(), cipher: socket.getCipher()?.standardName ?? null, resumed: socket.isSessionReused() });
      } else {
        resolve({ socket, handshakeMs, protocol: null, cipher: null, resumed: false });
      }
    });
  });
}

/**
 * A connector for `impl` against `ep`.
 *
 * - `net`: node:net.
 * - `node`: node:tls with one SecureContext shared by every connection (what a careful node:tls user does).
 * - `node-resume`: `node` plus resumption done by hand, as a careful node:tls user does: each client (`slot`)
 *   keeps the last session its connections received (`'session'` event) and passes it as `session` next time.
 * - `node-resume-once`: `node` plus resumption by hand the way jsec's cache does it (RFC 8446 section C.4):
 *   one pool of sessions per connector, newest offered first, a TLS 1.3 ticket used once, a TLS 1.2 session
 *   kept; the same client-side work as jsec's default cache, for comparing the two against one server.
 * - `naive`: node:tls with `ca` and the policy passed to every `tls.connect`, so node builds a context per connection.
 * - `jsec`: jsec `connect`, which caches the context for identical options.
 * - `jsec-nocache`: the same with the client session cache off.
 * - `jsec-store`: the same with its own session store sized for many concurrent clients ({@link JSEC_STORE_PER_KEY} per server).
 */
export async function connector(impl: Impl, ep: Endpoint, material: Material, settings: TlsSettings): Promise<Connector> {
  const at = where(ep);
  switch (impl) {
    case 'net':
      return () => {
        const start = performance.now();
        return settle(net.connect({ ...at, noDelay: true }), 'connect', start);
      };
    case 'node': {
      const secureContext = tls.createSecureContext({ ca: material.cert, ...nodeTlsOptions(settings) });
      return () => {
        const start = performance.now();
        return settle(tls.connect({ ...at, servername: material.servername, secureContext }), 'secureConnect', start);
      };
    }
    case 'node-resume': {
      const secureContext = tls.createSecureContext({ ca: material.cert, ...nodeTlsOptions(settings) });
      const sessions: Array<Buffer | undefined> = [];
      return (slot = 0) => {
        const start = performance.now();
        const socket = tls.connect({ ...at, servername: material.servername, secureContext, session: sessions[slot] });
        socket.on('session', (session: Buffer) => {
          sessions[slot] = session;
        });
        return settle(socket, 'secureConnect', start);
      };
    }
    case 'node-resume-once': {
      const secureContext = tls.createSecureContext({ ca: material.cert, ...nodeTlsOptions(settings) });
      const pool: { session: Buffer; v13: boolean }[] = [];
      return () => {
        const start = performance.now();
        const entry = pool.at(-1);
        if (entry?.v13) pool.pop();
        const socket = tls.connect({ ...at, servername: material.servername, secureContext, session: entry?.session });
        socket.on('session', (session: Buffer) => {
          const v13 = socket.getProtocol() === 'TLSv1.3';
          if (!v13) pool.length = 0;
          pool.push({ session, v13 });
          if (pool.length > defaults.tlsAdvanced.sessionsPerKey) pool.shift();
        });
        return settle(socket, 'secureConnect', start);
      };
    }
    case 'naive':
      return () => {
        const start = performance.now();
        return settle(tls.connect({ ...at, servername: material.servername, ca: material.cert, ...nodeTlsOptions(settings) }), 'secureConnect', start);
      };
    case 'dgram':
    case 'jsec-psk':
    case 'ndc':
      throw new Error(`${impl} is a datagram client`);
    case 'jsec':
    case 'jsec-nocache':
    case 'jsec-store': {
      const { connect, LruSessionStore } = await import('../tls/index.js');
      const security = impl === 'jsec-nocache' ? { ...jsecSecurity(settings), sessionCacheSize: 0 } : jsecSecurity(settings);
      const store = impl === 'jsec-store' ? { sessionStore: new LruSessionStore({ perKey: JSEC_STORE_PER_KEY }) } : {};
      return async () => {
        const start = performance.now();
        const socket = await connect({ ...at, servername: material.servername, ca: material.cert, security, ...store });
        const handshakeMs = performance.now() - start;
        socket.setNoDelay(true);
        return { socket, handshakeMs, protocol: socket.getProtocol(), cipher: socket.getCipher()?.standardName ?? null, resumed: socket.isSessionReused() };
      };
    }
  }
}

/** One echo client's counters. */
export interface EchoClientResult {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly iterations: number;
  /** Milliseconds the echo loop ran. */
  readonly elapsedMs: number;
  readonly error?: string;
}

/**
 * Writes `chunk`, reads it back completely, and repeats until `deadline`
 * (a `performance.now()` value). One chunk is in flight at a time.
 */
export function echoLoop(socket: net.Socket, chunk: Buffer, deadline: number): Promise<EchoClientResult> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    let iterations = 0;
    let expected = chunk.length;
    let done = false;
    const start = performance.now();
    const stall = setTimeout(() => finish('ERR_BENCH_STALLED'), Math.max(0, deadline - start) + STALL_MS);
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(stall);
      const elapsedMs = performance.now() - start;
      socket.removeAllListeners('data');
      socket.destroy();
      resolve({ bytesSent: sent, bytesReceived: received, iterations, elapsedMs, ...(error !== undefined ? { error } : {}) });
    };
    socket.on('data', (d: Buffer) => {
      received += d.length;
      if (received < expected) return;
      iterations += 1;
      if (performance.now() >= deadline) {
        finish();
        return;
      }
      expected += chunk.length;
      sent += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.on('close', () => finish('ERR_BENCH_CLOSED_EARLY'));
    sent += chunk.length;
    socket.write(chunk);
  });
}

/** Counters of one connect loop. */
export interface ConnectLoopResult {
  readonly handshakes: number;
  readonly failed: number;
  readonly resumed: number;
  readonly latenciesMs: number[];
  readonly errors: Record<string, number>;
}

/**
 * The skeleton of every connect loop: connect, count, let `use` finish with
 * the connection (a failure there counts as a failed connection), until
 * `deadline` (and at least `minimum` attempts); gives up after `giveUp`
 * failures without a single success.
 */
async function loopConnections<C extends { readonly resumed: boolean; readonly handshakeMs: number }>(
  connect: () => Promise<C>,
  use: (c: C) => void | Promise<void>,
  deadline: number,
  giveUp: number,
  minimum = 0,
): Promise<ConnectLoopResult> {
  let handshakes = 0;
  let failed = 0;
  let resumed = 0;
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  while (handshakes + failed < minimum || performance.now() < deadline) {
    try {
      const c = await connect();
      await use(c);
      handshakes += 1;
      if (c.resumed) resumed += 1;
      latenciesMs.push(c.handshakeMs);
    } catch (err) {
      failed += 1;
      const code = String((err as { code?: unknown }).code ?? 'ERR_UNKNOWN');
      errors[code] = (errors[code] ?? 0) + 1;
      if (failed > giveUp && handshakes === 0) break;
    }
  }
  return { handshakes, failed, resumed, latenciesMs, errors };
}

/** A polite close (close_notify + FIN), as a well-behaved client does; no wait for the peer. */
function politeClose(socket: net.Socket): void {
  socket.on('error', () => undefined);
  socket.end();
}

/** Connects, then closes (without waiting for the close to finish), over and over until `deadline`. */
export function connectLoop(connect: Connector, deadline: number): Promise<ConnectLoopResult> {
  return loopConnections(connect, (c) => politeClose(c.socket), deadline, 100);
}

/** Closes a datagram socket, resolving when it closed (or at once when it already was). */
function closeQuietly(s: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** A connected (and, for DTLS, verified) datagram peer. */
export interface DatagramConnected {
  /** Milliseconds from the connect call to a usable peer (UDP bind and connect, or the DTLS handshake with its cookie exchange). */
  readonly handshakeMs: number;
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly resumed: boolean;
  /** Bytes of one echo message: the whole datagram for UDP, the largest message that fits one datagram for DTLS. */
  readonly messageSize: number;
  /** Sends one message (one datagram); never throws (a failed send is a lost datagram). */
  send(message: Buffer): void;
  /** Calls `listener` for every message received. */
  onMessage(listener: (message: Buffer) => void): void;
  /** Closes (close_notify for DTLS); never rejects. */
  close(): Promise<void>;
}

/** Opens one datagram peer. */
export type DatagramConnector = () => Promise<DatagramConnected>;

/** What a datagram connector needs besides the endpoint. */
export interface DatagramSetup {
  readonly material: Material;
  /** Bytes per UDP datagram on the wire (the DTLS MTU). */
  readonly datagramSize: number;
  /** Where node-dtls-client was found (a path to require it from), or undefined. */
  readonly nodeDtlsClient: string | undefined;
}

/** node-dtls-client's socket, as much of it as the benchmark uses. */
interface NdcSocket {
  once(event: 'connected', listener: () => void): NdcSocket;
  once(event: 'error', listener: (err: Error) => void): NdcSocket;
  once(event: 'close', listener: () => void): NdcSocket;
  on(event: 'message', listener: (m: Buffer) => void): NdcSocket;
  on(event: 'error', listener: (err: Error) => void): NdcSocket;
  send(data: Buffer, callback?: (err?: Error) => void): void;
  close(callback?: () => void): void;
}
interface NdcModule {
  readonly dtls: { createSocket(options: Record<string, unknown>): NdcSocket };
}

/** Loads node-dtls-client from `from` (a directory with it in node_modules, or a file to resolve from). */
export async function loadNodeDtlsClient(from: string): Promise<NdcModule> {
  const { createRequire } = await import('node:module');
  const { join } = await import('node:path');
  return createRequire(join(from, 'noop.js'))('node-dtls-client') as NdcModule;
}

function benchError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A datagram connector for `impl` against `ep` (a UDP endpoint).
 *
 * - `dgram`: a connected node:dgram socket.
 * - `jsec`: jsec/dtls `connect` with the run's certificate as `ca` (verified, cookie exchange included).
 * - `jsec-psk`: jsec/dtls `connect` with the benchmark PSK.
 * - `ndc`: node-dtls-client with the benchmark PSK.
 *
 * Both PSK clients offer only {@link BENCH_PSK_SUITE} (plain PSK, AES-128-GCM).
 */
export async function datagramConnector(impl: Impl, ep: Endpoint, setup: DatagramSetup): Promise<DatagramConnector> {
  if ('path' in ep) throw new Error('datagram arms need a UDP endpoint');
  const { host, port } = ep;
  switch (impl) {
    case 'dgram': {
      const { createSocket } = await import('node:dgram');
      return async () => {
        const start = performance.now();
        const s = createSocket('udp4');
        s.on('error', () => undefined);
        await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => s.connect(port, host, () => resolve())));
        const handshakeMs = performance.now() - start;
        return {
          handshakeMs,
          protocol: null,
          cipher: null,
          resumed: false,
          messageSize: setup.datagramSize,
          send: (m) => s.send(m),
          onMessage: (f) => s.on('message', f),
          close: () => closeQuietly(s),
        };
      };
    }
    case 'jsec':
    case 'jsec-psk': {
      const { connect } = await import('../dtls/index.js');
      const credentials = impl === 'jsec' ? { ca: setup.material.cert, servername: setup.material.servername } : { psk: { identity: BENCH_PSK_IDENTITY, key: Buffer.from(BENCH_PSK_KEY_HEX, 'hex') }, ciphers: BENCH_PSK_SUITE.openssl };
      return async () => {
        const start = performance.now();
        const c = await connect(host, port, { ...credentials, mtu: setup.datagramSize, handshakeTimeout: CONNECT_TIMEOUT_MS });
        const handshakeMs = performance.now() - start;
        c.on('error', () => undefined);
        const info = c.info();
        return {
          handshakeMs,
          protocol: info.protocol,
          cipher: info.cipher?.standardName ?? info.cipher?.name ?? null,
          resumed: info.resumed,
          messageSize: impl === 'jsec' ? info.maxMessageSize : Math.min(BENCH_PSK_MESSAGE_SIZE, info.maxMessageSize),
          // post(): no Promise per datagram, as the udp arm sends without a callback.
          send: (m) => {
            try {
              c.post(m);
            } catch {
              // a lost datagram
            }
          },
          onMessage: (f) => c.on('message', f),
          close: () => c.close().catch(() => undefined),
        };
      };
    }
    case 'ndc': {
      if (setup.nodeDtlsClient === undefined) throw new Error('node-dtls-client is not available');
      const { dtls } = await loadNodeDtlsClient(setup.nodeDtlsClient);
      const psk = { [BENCH_PSK_IDENTITY]: Buffer.from(BENCH_PSK_KEY_HEX, 'hex') };
      return async () => {
        const start = performance.now();
        const s = dtls.createSocket({ type: 'udp4', address: host, port, psk, ciphers: [BENCH_PSK_SUITE.iana], timeout: CONNECT_TIMEOUT_MS });
        await new Promise<void>((resolve, reject) => {
          s.once('connected', resolve).once('error', reject).once('close', () => reject(benchError('ERR_BENCH_CLOSED_EARLY', 'node-dtls-client closed during the handshake')));
        });
        const handshakeMs = performance.now() - start;
        s.on('error', () => undefined);
        return {
          handshakeMs,
          // node-dtls-client speaks DTLS 1.2 only and reports no suite: it offers this one only.
          protocol: 'DTLSv1.2',
          cipher: BENCH_PSK_SUITE.iana,
          resumed: false,
          messageSize: BENCH_PSK_MESSAGE_SIZE,
          send: (m) => {
            try {
              s.send(m);
            } catch {
              // a lost datagram
            }
          },
          onMessage: (f) => s.on('message', f),
          close: () => closeQuietly(s),
        };
      };
    }
    default:
      throw new Error(`no datagram client for ${impl}`);
  }
}

/** One datagram echo peer's counters (bytes are message bytes; datagrams are echoes that came back). */
export interface DatagramEchoResult extends EchoClientResult {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Times the window was refilled after 50 ms without an echo (lost datagrams). */
  readonly stalls: number;
}

/** Without an echo for this long, a peer's window counts as lost and is refilled. */
const REFILL_MS = 50;

/**
 * Closed-loop datagram echo: keeps `window` messages of `messageSize` bytes in
 * flight, sends one more for every echo that comes back, refills the window
 * after {@link REFILL_MS} without an echo, and stops at `deadline` (a
 * `performance.now()` value). Closes the peer afterwards, without waiting.
 */
export function datagramEchoLoop(conn: DatagramConnected, window: number, deadline: number): Promise<DatagramEchoResult> {
  return new Promise((resolve) => {
    const payload = Buffer.alloc(conn.messageSize, 0x61);
    let inflight = 0;
    let sent = 0;
    let received = 0;
    let stalls = 0;
    let running = true;
    const start = performance.now();
    let last = start;
    const pump = (): void => {
      while (running && inflight < window) {
        inflight += 1;
        sent += 1;
        conn.send(payload);
      }
    };
    conn.onMessage(() => {
      if (!running) return;
      received += 1;
      inflight = Math.max(0, inflight - 1);
      last = performance.now();
      pump();
    });
    const refill = setInterval(() => {
      if (performance.now() - last > REFILL_MS) {
        stalls += 1;
        inflight = 0;
        last = performance.now();
        pump();
      }
    }, REFILL_MS / 2);
    setTimeout(() => {
      running = false;
      clearInterval(refill);
      const elapsedMs = performance.now() - start;
      void conn.close();
      resolve({
        bytesSent: sent * conn.messageSize,
        bytesReceived: received * conn.messageSize,
        iterations: received,
        elapsedMs,
        datagramsSent: sent,
        datagramsReceived: received,
        stalls,
      });
    }, Math.max(0, deadline - start));
    pump();
  });
}

/** Connects a datagram peer, closes it (waiting for close_notify to be sent), and repeats until `deadline`. */
export function datagramConnectLoop(connect: DatagramConnector, deadline: number): Promise<ConnectLoopResult> {
  return loopConnections(connect, (c) => c.close(), deadline, 20);
}

/** Counters of one resumption loop. */
export interface ResumeLoopResult extends ConnectLoopResult {
  /** Completed connections by negotiated protocol (`TLSv1.3`: n). */
  readonly protocols: Record<string, number>;
  /** Connections whose session held a ticket when they closed (RFC 5077 ticket, or a TLS 1.3 ticket). */
  readonly withTicket: number;
}

/** Writes one byte and resolves when it is back: by then the server's TLS 1.3 tickets, sent before it, have arrived. */
function roundTrip(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(benchError('ERR_BENCH_STALLED', 'no echo')), STALL_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onData = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => fail(benchError('ERR_BENCH_CLOSED_EARLY', 'closed before the echo'));
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('close', onClose);
    socket.write(ROUND_TRIP_BYTE);
  });
}

const ROUND_TRIP_BYTE = Buffer.from('R');

/**
 * The resumption workload's loop for client `slot`: connect (with or without a
 * session, as the connector decides), one byte there and back, polite close
 * without waiting for the peer; repeated until `deadline` (a `performance.now()`
 * value), and at least `minimum` times. Every connection does the same work, so
 * full and resumed arms differ only in the handshake.
 */
export async function resumeLoop(connect: Connector, slot: number, deadline: number, minimum = 0): Promise<ResumeLoopResult> {
  let withTicket = 0;
  const protocols: Record<string, number> = {};
  const result = await loopConnections(
    () => connect(slot),
    async (c) => {
      try {
        await roundTrip(c.socket);
      } catch (err) {
        c.socket.destroy();
        throw err;
      }
      if ((c.socket as tls.TLSSocket).getTLSTicket() !== undefined) withTicket += 1;
      const p = c.protocol ?? 'none';
      protocols[p] = (protocols[p] ?? 0) + 1;
      politeClose(c.socket);
    },
    deadline,
    100,
    minimum,
  );
  return { ...result, protocols, withTicket };
}

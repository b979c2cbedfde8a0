/**
 * Client connectors (one per arm kind) and the two client workloads: the
 * echo loop and the connect loop.
 *
 * @module
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { Impl } from './options.js';
import type { Endpoint } from './servers.js';
import { jsecSecurity, nodeTlsOptions, type Material, type TlsSettings } from './settings.js';

/** A connected (and, for TLS, verified) client socket. */
export interface Connected {
  readonly socket: net.Socket;
  /** Milliseconds from the connect call to a usable socket (TCP connect, or TLS handshake plus verification). */
  readonly handshakeMs: number;
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly resumed: boolean;
}

/** Opens one connection. */
export type Connector = () => Promise<Connected>;

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
 * - `naive`: node:tls with `ca` and the policy passed to every `tls.connect`, so node builds a context per connection.
 * - `jsec`: jsec `connect`, which caches the context for identical options.
 * - `jsec-nocache`: the same with the client session cache off.
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
    case 'naive':
      return () => {
        const start = performance.now();
        return settle(tls.connect({ ...at, servername: material.servername, ca: material.cert, ...nodeTlsOptions(settings) }), 'secureConnect', start);
      };
    case 'jsec':
    case 'jsec-nocache': {
      const { connect } = await import('../tls/index.js');
      const security = impl === 'jsec' ? jsecSecurity(settings) : { ...jsecSecurity(settings), sessionCacheSize: 0 };
      return async () => {
        const start = performance.now();
        const socket = await connect({ ...at, servername: material.servername, ca: material.cert, security });
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

/** Connects, then closes (without waiting for the close to finish), over and over until `deadline`. */
export async function connectLoop(connect: Connector, deadline: number): Promise<ConnectLoopResult> {
  let handshakes = 0;
  let failed = 0;
  let resumed = 0;
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  while (performance.now() < deadline) {
    try {
      const c = await connect();
      handshakes += 1;
      if (c.resumed) resumed += 1;
      latenciesMs.push(c.handshakeMs);
      c.socket.on('error', () => undefined);
      // A polite close (close_notify + FIN), as a well-behaved client does; no wait for the peer.
      c.socket.end();
    } catch (err) {
      failed += 1;
      const code = String((err as { code?: unknown }).code ?? 'ERR_UNKNOWN');
      errors[code] = (errors[code] ?? 0) + 1;
      if (failed > 100 && handshakes === 0) break;
    }
  }
  return { handshakes, failed, resumed, latenciesMs, errors };
}

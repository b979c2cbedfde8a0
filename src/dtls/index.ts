/**
 * jsec/dtls: DTLS 1.2 over UDP on Node's own OpenSSL. A client
 * (`connect`), a multi-peer server with a stateless cookie exchange
 * (`listen`), and DTLS over an existing UDP socket (`upgrade`).
 *
 * Verification is the same as `jsec/tls`: Node's root store or `ca`,
 * hostname / IP checks, the same typed certificate errors.
 *
 * @example
 * ```js
 * import { connect } from 'jsec/dtls';
 * const socket = await connect('127.0.0.1', 4433, { ca });
 * await socket.send('hello');
 * for await (const message of socket) handle(message);
 * ```
 *
 * @module
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { defaults } from '../config/defaults.js';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import type { NativeEngineOptions } from '../native/binding.js';
import { native } from '../native/loader.js';
import { clearContextCache as clearClientContexts, createEngineContext, sharedClientContext, verificationEnabled } from './engine-config.js';
import { CONNECT_SCHEMA, LISTEN_SCHEMA, UPGRADE_SCHEMA, normalize, type DtlsConnectOptions, type DtlsListenOptions, type DtlsUpgradeOptions } from './options.js';
import { DtlsServer } from './server.js';
import { DtlsSocket, DtlsState, kCreate, kFail, kReceive, kStart } from './socket.js';
import { ConnectedTransport } from './transport.js';

export { DtlsSocket, DtlsState, channels, type DtlsInfo, type DtlsStats } from './socket.js';
export { DtlsServer, DtlsServerState, type DtlsDatagram, type DtlsServerStats } from './server.js';
export type { DtlsCommonOptions, DtlsConnectOptions, DtlsListenOptions, DtlsUpgradeOptions } from './options.js';
export type { PemInput, PskOptions, SecurityOptions, TimerSource } from './engine-config.js';
export { activeHandles, type ActiveHandles } from '../bio/handles.js';

/**
 * Closes the client contexts `connect()` and `upgrade()` keep for reuse.
 *
 * Clients made with identical options share one native context (an LRU of
 * `defaults.dtls.contextCacheSize`, 16): building one (parsing trust anchors,
 * the identity, the PSK) costs more than a PSK handshake. Contexts are never
 * shared across different trust anchors, identities, PSK settings, versions,
 * ciphers, ALPN or SRTP options. Associations already made keep working (each
 * holds its own reference). Useful before counting {@link activeHandles}, or to
 * drop key material from memory.
 *
 * @returns how many contexts were closed.
 */
export function clearContextCache(): number {
  return clearClientContexts();
}

/** Whether the running OpenSSL can negotiate DTLS-SRTP (`srtpProfiles`). */
export function hasSrtp(): boolean {
  return native().engineHasSrtp();
}

function abortError(signal: AbortSignal): JsecError {
  return createError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason });
}

function connectError(err: unknown, host: string, port: number): JsecError {
  if (isJsecError(err)) return err;
  return createError('ERR_JSEC_TLS_CONNECT', `Cannot reach ${host}:${port}: ${(err as Error)?.message ?? String(err)}`, { cause: err, host, port });
}

async function openConnectedSocket(address: string, family: 4 | 6, port: number, localAddress?: string, localPort?: number): Promise<DgramSocket> {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: localPort ?? 0, ...(localAddress ? { address: localAddress } : {}) }, () => {
        socket.connect(port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    });
  } catch (err) {
    try {
      socket.close();
    } catch {
      // not open
    }
    throw err;
  }
  return socket;
}

function clientEngineOptions(host: string, o: { servername?: string; checkServerIdentity?: boolean; session?: Uint8Array; mtu: number; retransmitInitial: number; retransmitMax: number }, verify: boolean): NativeEngineOptions {
  const ip = isIP(host) !== 0;
  const name = o.servername ?? (ip ? undefined : host);
  const e: NativeEngineOptions = {
    server: false,
    mtu: o.mtu,
    retransmitInitial: o.retransmitInitial,
    retransmitMax: o.retransmitMax,
    maxQueued: defaults.dtls.maxQueuedDatagrams,
  };
  if (name !== undefined && isIP(name) === 0) e.servername = name;
  if (verify && o.checkServerIdentity !== false) {
    if (name !== undefined && isIP(name) === 0) e.verifyHost = name;
    else e.verifyIp = name ?? host;
  }
  if (o.session !== undefined) e.session = Buffer.from(o.session.buffer, o.session.byteOffset, o.session.byteLength);
  return e;
}

async function handshakeWithin(socket: DtlsSocket, signal: AbortSignal | undefined): Promise<void> {
  const done = socket[kStart]();
  if (!signal) return done;
  const onAbort = (): void => {
    void socket.close();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await done;
  } catch (err) {
    if (signal.aborted) throw abortError(signal);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Connects to a DTLS server: resolves the host (DNS, IPv4 or IPv6), opens a
 * connected UDP socket, runs the handshake (with retransmission) and
 * verifies the server.
 *
 * @param host - a host name or an IPv4/IPv6 literal.
 * @param port - the server's UDP port.
 * @throws ConfigError for bad options; CertificateError (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`,
 *   `ERR_TLS_CERT_ALTNAME_INVALID`, ...) when verification fails; DtlsError `ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT`
 *   when the server does not answer; AlertError `ERR_JSEC_TLS_ALERT` for a fatal alert; TlsError
 *   `ERR_JSEC_TLS_CONNECT` for DNS / socket errors; `ABORT_ERR` when `signal` aborts.
 */
export async function connect(host: string, port: number, options?: DtlsConnectOptions): Promise<DtlsSocket> {
  if (typeof host !== 'string' || host.length === 0) throw createError('ERR_INVALID_ARG_TYPE', 'The "host" argument must be a non-empty string', { option: 'host' });
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw createError('ERR_OUT_OF_RANGE', 'The "port" argument must be an integer in [1, 65535]', { option: 'port' });
  const o = normalize<DtlsConnectOptions>('dtls.connect', options, CONNECT_SCHEMA);
  if (o.signal?.aborted) throw abortError(o.signal);
  const verify = verificationEnabled(o);
  // Shared with other connects made with the same options; never closed here.
  const ctx = sharedClientContext({ mode: 'dtls', role: 'client', security: o, minVersion: o.minVersion, maxVersion: o.maxVersion });
  let dgram: DgramSocket | undefined;
  try {
    let address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    let family = isIP(address) as 0 | 4 | 6;
    if (family === 0) {
      try {
        const r = await lookup(address, o.family ? { family: o.family } : {});
        address = r.address;
        family = r.family as 4 | 6;
      } catch (err) {
        throw connectError(err, host, port);
      }
    }
    if (o.signal?.aborted) throw abortError(o.signal);
    try {
      dgram = await openConnectedSocket(address, family as 4 | 6, port, o.localAddress, o.localPort);
    } catch (err) {
      throw connectError(err, host, port);
    }
    const engine = new (native().Engine)(ctx, clientEngineOptions(host.replace(/^\[|\]$/g, ''), o, verify));
    const transport = new ConnectedTransport(dgram, true);
    const socket = new DtlsSocket(kCreate, engine, transport, {
      role: 'client',
      timers: o.timers,
      retransmitRetries: o.retransmitRetries,
      handshakeTimeout: o.handshakeTimeout,
      idleTimeout: o.idleTimeout ?? 0,
      maxQueuedMessages: o.maxQueuedMessages,
      mtu: o.mtu,
      servername: o.servername ?? (isIP(address) === 0 ? host : undefined),
      verifyEnabled: verify,
      now: o.now,
    });
    const udp = dgram;
    udp.on('message', (msg: Buffer) => socket[kReceive](msg));
    udp.on('error', (err: NodeJS.ErrnoException) => {
      // ICMP port unreachable while the handshake runs: nobody listens there,
      // fail now as TCP would. Other errors are loss; retransmission handles it.
      if (err.code === 'ECONNREFUSED' && socket.state === DtlsState.Handshaking) {
        socket[kFail](createError('ECONNREFUSED', `Nothing listens on udp ${address}:${port} (port unreachable)`, { cause: err, host, port, address }));
      }
    });
    dgram = undefined; // the socket owns it now
    await handshakeWithin(socket, o.signal);
    return socket;
  } finally {
    // Engines hold their own reference to the SSL_CTX.
    dgram?.close();
  }
}

/**
 * Starts a DTLS server on one UDP socket.
 *
 * @throws ConfigError for bad options or unusable certificate / key; TlsError `ERR_JSEC_TLS_CONNECT` when the bind fails.
 */
export async function listen(options?: DtlsListenOptions): Promise<DtlsServer> {
  const o = normalize<DtlsListenOptions>('dtls.listen', options, LISTEN_SCHEMA);
  if (o.signal?.aborted) throw abortError(o.signal);
  const ctx = createEngineContext({
    mode: 'dtls',
    role: 'server',
    security: o,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    requestCert: o.requestCert ?? false,
    sessionTimeout: o.sessionTimeout ?? defaults.dtls.sessionTimeout,
  });
  const port = o.port ?? 0;
  const bindOn = (type: 'udp4' | 'udp6', address: string): Promise<DgramSocket> =>
    new Promise((resolve, reject) => {
      const s = createSocket({ type, reuseAddr: false });
      s.once('error', (err) => {
        try {
          s.close();
        } catch {
          // not open
        }
        reject(err);
      });
      s.bind(port, address, () => resolve(s));
    });
  let socket: DgramSocket;
  try {
    if (o.host !== undefined) socket = await bindOn(isIP(o.host) === 6 ? 'udp6' : 'udp4', o.host);
    else {
      try {
        socket = await bindOn('udp6', '::');
      } catch {
        socket = await bindOn('udp4', '0.0.0.0');
      }
    }
  } catch (err) {
    ctx.close();
    throw connectError(err, o.host ?? '::', port);
  }
  socket.removeAllListeners('error');
  return new DtlsServer(kCreate, socket, ctx, o);
}

/**
 * Runs DTLS over an existing, connected UDP socket, in either role. The
 * returned association owns the socket (closing it closes the socket).
 * A server role here skips the cookie exchange: the socket is already
 * connected to one peer.
 *
 * @throws StateError `ERR_JSEC_INVALID_STATE` when the socket is not connected; otherwise as {@link connect}.
 */
export async function upgrade(dgramSocket: DgramSocket, options?: DtlsUpgradeOptions): Promise<DtlsSocket> {
  if (dgramSocket === null || typeof dgramSocket !== 'object' || typeof (dgramSocket as DgramSocket).remoteAddress !== 'function') {
    throw createError('ERR_INVALID_ARG_TYPE', 'The "dgramSocket" argument must be a dgram.Socket', { option: 'dgramSocket' });
  }
  const o = normalize<DtlsUpgradeOptions>('dtls.upgrade', options, UPGRADE_SCHEMA);
  if (o.signal?.aborted) throw abortError(o.signal);
  let transport: ConnectedTransport;
  try {
    transport = new ConnectedTransport(dgramSocket, true);
  } catch (err) {
    throw createError('ERR_JSEC_INVALID_STATE', 'upgrade() needs a bound and connected UDP socket', { state: 'not-connected', operation: 'upgrade', cause: err });
  }
  const server = o.isServer === true;
  const verify = verificationEnabled(o);
  const request = {
    mode: 'dtls',
    role: server ? 'server' : 'client',
    security: o,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    requestCert: o.requestCert ?? false,
  } as const;
  // Clients share a context with identical options; a server context (cookie secret, session cache) is its own.
  const ctx = server ? createEngineContext(request) : sharedClientContext(request);
  try {
    const engineOptions: NativeEngineOptions = server
      ? { server: true, mtu: o.mtu, retransmitInitial: o.retransmitInitial, retransmitMax: o.retransmitMax, maxQueued: defaults.dtls.maxQueuedDatagrams }
      : clientEngineOptions(o.servername ?? transport.remoteAddress, o, verify);
    const engine = new (native().Engine)(ctx, engineOptions);
    const socket = new DtlsSocket(kCreate, engine, transport, {
      role: server ? 'server' : 'client',
      timers: o.timers,
      retransmitRetries: o.retransmitRetries,
      handshakeTimeout: o.handshakeTimeout,
      idleTimeout: o.idleTimeout ?? 0,
      maxQueuedMessages: o.maxQueuedMessages,
      mtu: o.mtu,
      servername: server ? undefined : o.servername,
      verifyEnabled: server ? verify && o.requestCert !== undefined && o.requestCert !== false : verify,
      now: o.now,
    });
    dgramSocket.on('message', (msg: Buffer) => socket[kReceive](msg));
    // ICMP port unreachable during the handshake fails it now; other socket errors are loss.
    dgramSocket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && socket.state === DtlsState.Handshaking) {
        socket[kFail](createError('ECONNREFUSED', `Nothing listens on udp ${transport.remoteAddress}:${transport.remotePort} (port unreachable)`, { cause: err }));
      }
    });
    await handshakeWithin(socket, o.signal);
    return socket;
  } finally {
    // Engines hold their own reference to the SSL_CTX.
    if (server) ctx.close();
  }
}

/**
 * STARTTLS: {@link upgrade} turns any connected `Duplex` into a verified TLS
 * connection, in the client role (default) or the server role.
 *
 * @module
 */
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError, type JsecError } from '../errors/index.js';
import { abortError, bridgeEarlyErrors, CLIENT_SCHEMA, clientNodeOptions, resolveContext, runClientHandshake, sessionKeyFor, verificationEnabled, type ClientOptions } from './client.js';
import { ADVANCED_CLIENT_ONLY, ADVANCED_SERVER_ONLY } from './advanced.js';
import { createServer, SERVER_SCHEMA, type HandshakeErrorDetails, type ServerOptions } from './server.js';

/** Options of {@link upgrade}. */
export interface UpgradeOptions extends Omit<ClientOptions, 'rejectUnauthorized' | 'ocsp'>, Omit<ServerOptions, 'ALPNProtocols' | 'context' | 'security' | 'handshakeTimeout' | 'rejectUnauthorized' | 'ocsp'> {
  /**
   * Client role: `'require' | 'prefer' | 'off'` (see `connect`); server role: `'auto' | 'off'`, a DER staple
   * or stapler options (see `listen`). Default: `'prefer'` for a client, `'off'` for a server.
   */
  ocsp?: ClientOptions['ocsp'] | ServerOptions['ocsp'];
  /** Take the server role (needs `cert` + `key`, `pfx`, or a server `context`). Default `false` (client). */
  isServer?: boolean;
  /**
   * Bytes the caller already read from `socket` after the STARTTLS exchange
   * (for example the start of a pipelined ClientHello); they are fed to TLS
   * before anything else. Bytes still in the socket's readable buffer are used
   * automatically. Default: none.
   */
  head?: Buffer | Uint8Array;
  /**
   * Client role: the host the connection goes to, checked when `servername` is not given. No default:
   * with verification on, one of `servername` and `host` is required (`ERR_MISSING_OPTION`).
   */
  host?: string;
  /** Server role: reject clients without a valid certificate when `requestCert`. Default `true`. */
  rejectUnauthorized?: boolean;
}

const UPGRADE_SCHEMA: Schema = Object.freeze({
  ...SERVER_SCHEMA,
  ...CLIENT_SCHEMA,
  rejectUnauthorized: { type: 'boolean' },
  isServer: { type: 'boolean' },
  head: { type: 'bytes' },
  host: { type: 'string', nonEmpty: true },
});

const CLIENT_ONLY = ['servername', 'session', 'checkServerIdentity', 'dangerouslyDisableVerification', 'minDHSize', 'host', ...ADVANCED_CLIENT_ONLY] as const;
const SERVER_ONLY = ['requestCert', 'SNICallback', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', ...ADVANCED_SERVER_ONLY] as const;

function checkTransport(socket: unknown): asserts socket is Duplex {
  if (!(socket instanceof Duplex)) {
    throw createError('ERR_INVALID_ARG_TYPE', 'The "socket" argument must be a connected stream.Duplex (for example a net.Socket)', { option: 'socket' });
  }
  if (socket.destroyed || !socket.readable || !socket.writable || (socket as { connecting?: boolean }).connecting) {
    throw createError('ERR_JSEC_INVALID_STATE', 'The socket to upgrade must be connected, readable and writable', {
      state: socket.destroyed ? 'destroyed' : 'not-open',
      operation: 'upgrade',
    });
  }
}

/**
 * Upgrades a connected stream to TLS (STARTTLS) and resolves once the
 * handshake completed and verified.
 *
 * Client role (default): verifies the server as `connect` does; the host name
 * checked is `servername` (also sent as SNI), else `host`; one of them is
 * required unless verification is disabled.
 * Server role (`isServer: true`): presents `cert`/`key` (or a server
 * `context`), optionally verifies a client certificate (`requestCert`).
 *
 * No byte is lost: data still buffered in `socket` and `head` are fed to TLS
 * first. Remove your own `'data'`/`'readable'` listeners from `socket` before
 * calling; the returned TLS socket owns the transport from then on.
 *
 * @throws ConfigError for bad options, `ERR_MISSING_OPTION` (no host to verify, no server certificate).
 * @throws StateError `ERR_JSEC_INVALID_STATE` for a socket that is not open; `ABORT_ERR`.
 * @throws TlsError / CertificateError / AlertError as `connect` (both roles).
 */
export async function upgrade(socket: Duplex, options?: UpgradeOptions): Promise<tls.TLSSocket> {
  const opts = validateOptions<UpgradeOptions>('tls.upgrade', options, UPGRADE_SCHEMA);
  checkTransport(socket);
  const isServer = opts.isServer ?? (opts.context?.role === 'server');
  const foreign = (isServer ? CLIENT_ONLY : SERVER_ONLY).find((k) => opts[k] !== undefined);
  if (foreign) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', `"${foreign}" does not apply to the ${isServer ? 'server' : 'client'} role of upgrade`, { option: foreign });
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  if (opts.head !== undefined && opts.head.byteLength > 0) socket.unshift(Buffer.from(opts.head));
  return isServer ? upgradeServer(socket, opts) : upgradeClient(socket, opts);
}

function upgradeClient(socket: Duplex, opts: Partial<UpgradeOptions>): Promise<tls.TLSSocket> {
  const copts = opts as ClientOptions;
  const verify = verificationEnabled(copts);
  const context = resolveContext('client', copts);
  const checkHost = opts.servername ?? opts.host;
  if (verify && checkHost === undefined) {
    throw createError('ERR_MISSING_OPTION', 'upgrade in the client role needs "servername" or "host" to verify the server against', { option: 'servername' });
  }
  const servername = opts.servername ?? (opts.host !== undefined && isIP(opts.host) === 0 ? opts.host : undefined);
  const nodeOptions: tls.ConnectionOptions = { ...clientNodeOptions(copts, servername), socket };
  // As tls.connect({ socket }): a STARTTLS client may keep writing after the server ends.
  if (opts.allowHalfOpen !== undefined) (nodeOptions as { allowHalfOpen?: boolean }).allowHalfOpen = opts.allowHalfOpen;
  // Sessions belong to one server: the transport's peer port (where it has
  // one) keeps two STARTTLS servers on one host apart.
  const peerPort = (socket as { remotePort?: number }).remotePort;
  return runClientHandshake(nodeOptions, {
    context,
    checkHost: checkHost ?? 'localhost',
    servername,
    sessionKey: opts.session === undefined && opts.host !== undefined ? sessionKeyFor(`starttls:${opts.host}:${peerPort ?? ''}`, servername, opts.ALPNProtocols) : undefined,
    verify,
    signal: opts.signal,
    handshakeTimeout: opts.handshakeTimeout ?? defaults.tls.handshakeTimeout,
    extra: opts.host !== undefined ? { host: opts.host } : {},
    options: copts,
  });
}

/** The longest timer Node accepts (about 24.8 days). */
const NO_TIMEOUT = 2 ** 31 - 1;

function upgradeServer(socket: Duplex, opts: Partial<UpgradeOptions>): Promise<tls.TLSSocket> {
  // A server that never listens: the transport is injected as a connection,
  // which is how node:tls accepts any Duplex on the server side.
  // 0 turns the timeout off, as in the client role (Node's server has no
  // "off": the longest timer it accepts stands in for it).
  const handshakeTimeout = opts.handshakeTimeout === 0 ? NO_TIMEOUT : (opts.handshakeTimeout ?? defaults.tls.handshakeTimeout);
  const server = createServer({ ...opts, handshakeTimeout } as Partial<ServerOptions>, 0);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      server.removeListener('secureConnection', onSecure);
      server.removeListener('handshakeError', onFail);
    };
    const onSecure = (tlsSocket: tls.TLSSocket) => {
      if (settled) return;
      finish();
      bridgeEarlyErrors(tlsSocket);
      resolve(tlsSocket);
    };
    const onFail = (err: JsecError, _details: HandshakeErrorDetails) => {
      if (settled) return;
      finish();
      reject(err);
    };
    const onAbort = () => {
      if (settled) return;
      finish();
      socket.destroy();
      reject(abortError(opts.signal!));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    server.on('secureConnection', onSecure);
    server.on('handshakeError', onFail);
    server.emit('connection', socket);
  });
}

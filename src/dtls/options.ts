/**
 * Option schemas and normalisation for `jsec/dtls`.
 *
 * @internal
 * @module
 */
import { defaults } from '../config/defaults.js';
import { createError } from '../errors/index.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { DTLS_VERSIONS, SECURITY_SCHEMA, realTimers, type SecurityOptions, type TimerSource } from './engine-config.js';

/** Options every DTLS endpoint accepts. */
export interface DtlsCommonOptions extends SecurityOptions {
  /** Lowest DTLS version. Default `'DTLSv1.2'`. */
  minVersion?: 'DTLSv1.2' | 'DTLSv1';
  /** Highest DTLS version. Default `'DTLSv1.2'`. */
  maxVersion?: 'DTLSv1.2' | 'DTLSv1';
  /** Largest UDP payload jsec sends (bytes). Default 1200. Handshake messages are fragmented to fit; a larger application message is an error. */
  mtu?: number;
  /** First retransmission timeout in ms (RFC 6347: 1000). Default 1000. */
  retransmitInitial?: number;
  /** Ceiling of the doubling retransmission timeout in ms. Default 60000. */
  retransmitMax?: number;
  /** Retransmissions of one flight before the handshake fails with `ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT`. Default 6. */
  retransmitRetries?: number;
  /** The whole handshake must finish within this many ms (0 disables). Default 30000. */
  handshakeTimeout?: number;
  /** Received but unread messages kept per association. Default 1024. */
  maxQueuedMessages?: number;
  /** The timer source for retransmission, handshake and idle timers (tests inject their own). Default: Node's timers. */
  timers?: TimerSource;
  /** The clock used for durations (ms). Default `performance.now`. */
  now?: () => number;
}

/** Options of `connect()`. */
export interface DtlsConnectOptions extends DtlsCommonOptions {
  /** The name to send as SNI and to verify the certificate against. Default: the host, unless it is an IP address (then the IP is verified). */
  servername?: string;
  /** Verify the server's name (default `true`; turning it off is dangerous). */
  checkServerIdentity?: boolean;
  /** A session from `getSession()` to resume. Default: none (a full handshake). */
  session?: Uint8Array;
  /** Address family for DNS: 4 or 6. Default: whatever DNS returns first. */
  family?: 4 | 6;
  /** Local address to bind. Default: any address of the family. */
  localAddress?: string;
  /** Local port to bind. Default 0 (any). */
  localPort?: number;
  /** Aborts the connect (and the handshake); the promise rejects with the signal's abort error. Default: none. */
  signal?: AbortSignal;
  /** Close an association nobody sent anything on for this many ms (0 disables). Default 0 for clients. */
  idleTimeout?: number;
}

/** Options of `listen()`. */
export interface DtlsListenOptions extends DtlsCommonOptions {
  /** UDP port. Default 0 (any free port). */
  port?: number;
  /** Address to bind. Default `'::'` (dual stack), falling back to `'0.0.0.0'`. */
  host?: string;
  /** Ask clients for a certificate (`'require'`: fail handshakes without one). Default `false`. */
  requestCert?: boolean | 'require';
  /** Most concurrent peers (handshaking or established); ClientHellos beyond it are ignored. Default 1024. */
  maxPeers?: number;
  /** Forget a silent peer after this many ms (0 disables). Default 300000. */
  idleTimeout?: number;
  /** HelloVerifyRequest cookie secret rotation period in ms. Default 60000. */
  cookieSecretRotation?: number;
  /** Server session lifetime in seconds. Default 300. */
  sessionTimeout?: number;
  /** Aborts the bind; the promise rejects with the signal's abort error. Default: none. */
  signal?: AbortSignal;
}

/** Options of `upgrade()`. */
export interface DtlsUpgradeOptions extends DtlsCommonOptions {
  /** Act as the DTLS server on this socket. Default `false`. */
  isServer?: boolean;
  /**
   * Client: the name to send as SNI and to verify the certificate against. Default: the
   * socket's remote address, an IP, so the certificate's IP SAN is verified and no SNI is sent.
   */
  servername?: string;
  /** Client: verify the server's name. Default `true`; turning it off is dangerous. */
  checkServerIdentity?: boolean;
  /** Client: a session from `getSession()` to resume. Default: none (a full handshake). */
  session?: Uint8Array;
  /** Server: ask the client for a certificate (`'require'`: fail handshakes without one). Default `false`. */
  requestCert?: boolean | 'require';
  /** Close the association after this many ms with nothing received (0 disables). Default 0. */
  idleTimeout?: number;
  /** Aborts the handshake; the promise rejects with the signal's abort error. Default: none. */
  signal?: AbortSignal;
}

const timersRule = { type: 'object', open: true } as const;

const COMMON: Schema = {
  ...SECURITY_SCHEMA,
  minVersion: { type: 'string', enum: DTLS_VERSIONS },
  maxVersion: { type: 'string', enum: DTLS_VERSIONS },
  mtu: { type: 'number', integer: true, min: 256, max: 65507 },
  retransmitInitial: { type: 'number', integer: true, min: 1, max: 60_000 },
  retransmitMax: { type: 'number', integer: true, min: 1, max: 600_000 },
  retransmitRetries: { type: 'number', integer: true, min: 0, max: 12 },
  handshakeTimeout: { type: 'number', integer: true, min: 0, max: 3_600_000 },
  maxQueuedMessages: { type: 'number', integer: true, min: 0, max: 1_000_000 },
  timers: timersRule,
  now: { type: 'function' },
};

export const CONNECT_SCHEMA: Schema = Object.freeze({
  ...COMMON,
  servername: { type: 'string', nonEmpty: true },
  checkServerIdentity: { type: 'boolean' },
  session: { type: 'bytes' },
  family: { type: 'number', integer: true, min: 4, max: 6 },
  localAddress: { type: 'string', nonEmpty: true },
  localPort: { type: 'number', integer: true, min: 0, max: 65535 },
  signal: { type: 'signal' },
  idleTimeout: { type: 'number', integer: true, min: 0, max: 86_400_000 },
});

export const LISTEN_SCHEMA: Schema = Object.freeze({
  ...COMMON,
  port: { type: 'number', integer: true, min: 0, max: 65535 },
  host: { type: 'string', nonEmpty: true },
  requestCert: { type: 'oneOf', rules: [{ type: 'boolean' }, { type: 'string', enum: ['require'] }] },
  maxPeers: { type: 'number', integer: true, min: 1, max: 1_000_000 },
  idleTimeout: { type: 'number', integer: true, min: 0, max: 86_400_000 },
  cookieSecretRotation: { type: 'number', integer: true, min: 1000, max: 86_400_000 },
  sessionTimeout: { type: 'number', integer: true, min: 1, max: 86_400 },
  signal: { type: 'signal' },
});

export const UPGRADE_SCHEMA: Schema = Object.freeze({
  ...COMMON,
  isServer: { type: 'boolean' },
  servername: { type: 'string', nonEmpty: true },
  checkServerIdentity: { type: 'boolean' },
  session: { type: 'bytes' },
  requestCert: { type: 'oneOf', rules: [{ type: 'boolean' }, { type: 'string', enum: ['require'] }] },
  idleTimeout: { type: 'number', integer: true, min: 0, max: 86_400_000 },
  signal: { type: 'signal' },
});

/** Validated options with every default applied. */
export type Normalized<T> = Readonly<T & Required<Pick<DtlsCommonOptions, 'minVersion' | 'maxVersion' | 'mtu' | 'retransmitInitial' | 'retransmitMax' | 'retransmitRetries' | 'handshakeTimeout' | 'maxQueuedMessages' | 'timers' | 'now'>>>;

function checkTimers(t: unknown): void {
  const ok = t !== null && typeof t === 'object' && typeof (t as TimerSource).setTimeout === 'function' && typeof (t as TimerSource).clearTimeout === 'function';
  if (!ok) throw createError('ERR_INVALID_ARG_TYPE', 'The "timers" option must have setTimeout(fn, ms) and clearTimeout(handle) functions', { option: 'timers' });
}

/** Validates and fills in defaults. @throws ConfigError */
export function normalize<T extends DtlsCommonOptions>(where: string, options: unknown, schema: Schema): Normalized<T> {
  const o = validateOptions<T>(where, options, schema) as T;
  if (o.timers !== undefined) checkTimers(o.timers);
  const out = {
    ...o,
    minVersion: o.minVersion ?? defaults.dtls.minVersion,
    maxVersion: o.maxVersion ?? defaults.dtls.maxVersion,
    mtu: o.mtu ?? defaults.dtls.mtu,
    retransmitInitial: o.retransmitInitial ?? defaults.dtls.retransmitInitial,
    retransmitMax: o.retransmitMax ?? defaults.dtls.retransmitMax,
    retransmitRetries: o.retransmitRetries ?? defaults.dtls.retransmitRetries,
    handshakeTimeout: o.handshakeTimeout ?? defaults.dtls.handshakeTimeout,
    maxQueuedMessages: o.maxQueuedMessages ?? defaults.dtls.maxQueuedMessages,
    timers: o.timers ?? realTimers,
    now: o.now ?? (() => performance.now()),
  };
  // Shallow freeze: nested values (ca arrays, the signal, the timer source) belong to the caller.
  return Object.freeze(out) as unknown as Normalized<T>;
}

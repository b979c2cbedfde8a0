/**
 * The TLS client: {@link connect}, and the handshake driver shared with the
 * client role of `upgrade`.
 *
 * @module
 */
import { X509Certificate as X509CertificateClass, type X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError, type JsecError } from '../errors/index.js';
import { contextFor, isTlsContext, MATERIAL_SCHEMA, TlsContext, type MaterialOptions } from './context.js';
import { native } from '../native/loader.js';
import { certificateError, mapTlsError } from './errors.js';
import { channels, lazyChain, notePeerCertificate, peerChain, peerChainDer, recordSocket } from './info.js';
import { ADVANCED_CLIENT_SCHEMA, ClientExtension, type AdvancedClientOptions } from './advanced.js';
import { armLightPeer } from './light-peer.js';
import type { SecurityPolicy } from './policy.js';

/** Options shared by `connect` and the client role of `upgrade`. */
export interface ClientOptions extends MaterialOptions, AdvancedClientOptions {
  /** SNI name and the name the certificate must match. Default: the host, unless it is an IP address (then no SNI is sent and the IP is checked against IP SANs). */
  servername?: string;
  /** ALPN protocols offered, preferred first. Default: none (no ALPN extension is sent). */
  ALPNProtocols?: readonly string[] | Buffer | Uint8Array;
  /** A session (from `socket.getSession()` or the `'session'` event) to resume. Default: the context's session cache. */
  session?: Buffer | Uint8Array;
  /**
   * Replaces the host-name check, with Node's meaning: return an Error to reject.
   * The chain is verified regardless. Default: `tls.checkServerIdentity`.
   */
  checkServerIdentity?: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
  /**
   * A client context from {@link createContext}; excludes the material and `security` options
   * (`ERR_JSEC_CONFLICTING_OPTIONS`), and a server context is refused (`ERR_INVALID_ARG_VALUE`).
   * Default: a context built from the material and `security`, shared process-wide by identical options.
   */
  context?: TlsContext;
  /** The security policy. Default: jsec's defaults (TLS 1.2 minimum, ECDHE + AEAD suites; see {@link SecurityPolicy}). */
  security?: SecurityPolicy;
  /** Cancels the pending connect/handshake: the promise rejects with `ABORT_ERR` and the socket is destroyed. Default: none. */
  signal?: AbortSignal;
  /** Milliseconds for transport connect + handshake + verification. Default `defaults.tls.handshakeTimeout` (30 s); 0 disables. */
  handshakeTimeout?: number;
  /**
   * Turns certificate and host-name verification off. DANGEROUS: anyone on the
   * path can impersonate the server. Emits a process warning once per process. Default `false`.
   */
  dangerouslyDisableVerification?: boolean;
  /**
   * Only `true` is accepted (the default); `false` throws `ERR_INVALID_ARG_VALUE` pointing to
   * `dangerouslyDisableVerification`, so verification is never turned off by Node habit.
   */
  rejectUnauthorized?: true;
  /** Minimum DH parameter size for DHE (Node's option). Default: Node's (1024 bits). */
  minDHSize?: number;
  /** Socket read high-water mark (Node's option). Default: Node's stream default. */
  highWaterMark?: number;
}

/** Options of {@link connect}. Node's `tls.connect`/`net.connect` names keep their meaning. */
export interface ConnectOptions extends ClientOptions {
  /** Host name or IP address. Default `'localhost'`. */
  host?: string;
  /** TCP port, 1 to 65535 (`ERR_OUT_OF_RANGE`). No default: required unless `path` (`ERR_MISSING_OPTION`). */
  port?: number | string;
  /**
   * Unix socket path (instead of host/port; combining them throws `ERR_JSEC_CONFLICTING_OPTIONS`).
   * The host name checked is `servername`, else `'localhost'`. No default.
   */
  path?: string;
  /** As in net: keep the writable side open after the peer ends. Default `false`. */
  allowHalfOpen?: boolean;
  /** Disable Nagle. Default `false` (as net). */
  noDelay?: boolean;
  /** Enable TCP keep-alive. Default `false` (as net). */
  keepAlive?: boolean;
  /** Keep-alive initial delay in ms. Default 0 (as net). */
  keepAliveInitialDelay?: number;
  /** Socket idle timeout in ms (net's `timeout`: emits `'timeout'`, does not close). Default: none. */
  timeout?: number;
  /** Local address to bind. Default: chosen by the OS. */
  localAddress?: string;
  /** Local port to bind. Default: chosen by the OS. */
  localPort?: number;
  /** IP family for DNS lookup: 0, 4 or 6. Default 0 (both, as net). */
  family?: number;
  /** Custom DNS lookup (net's option). Default `dns.lookup`. */
  lookup?: (...args: never[]) => unknown;
  /** Try all DNS addresses (net's `autoSelectFamily`). Default: net's (`net.getDefaultAutoSelectFamily()`). */
  autoSelectFamily?: boolean;
}

const alpnRule = { type: 'oneOf', rules: [{ type: 'array', of: { type: 'string', nonEmpty: true }, maxLength: 1000 }, { type: 'bytes' }] } as const;

/** @internal */
export const CLIENT_SCHEMA: Schema = Object.freeze({
  ...MATERIAL_SCHEMA,
  ...ADVANCED_CLIENT_SCHEMA,
  servername: { type: 'string', nonEmpty: true },
  ALPNProtocols: alpnRule,
  session: { type: 'bytes' },
  checkServerIdentity: { type: 'function' },
  context: { type: 'instance', of: TlsContext, label: 'a TlsContext from createContext()' },
  signal: { type: 'signal' },
  handshakeTimeout: { type: 'number', integer: true, min: 0, max: 2 ** 31 - 1 },
  dangerouslyDisableVerification: { type: 'boolean' },
  rejectUnauthorized: { type: 'boolean' },
  minDHSize: { type: 'number', integer: true, min: 0 },
  highWaterMark: { type: 'number', integer: true, min: 1 },
});

const CONNECT_SCHEMA: Schema = Object.freeze({
  ...CLIENT_SCHEMA,
  host: { type: 'string', nonEmpty: true },
  port: { type: 'oneOf', rules: [{ type: 'number', integer: true, min: 0, max: 65535 }, { type: 'string', nonEmpty: true }] },
  path: { type: 'string', nonEmpty: true },
  allowHalfOpen: { type: 'boolean' },
  noDelay: { type: 'boolean' },
  keepAlive: { type: 'boolean' },
  keepAliveInitialDelay: { type: 'number', integer: true, min: 0 },
  timeout: { type: 'number', min: 0 },
  localAddress: { type: 'string' },
  localPort: { type: 'number', integer: true, min: 0, max: 65535 },
  family: { type: 'number', integer: true, min: 0, max: 6 },
  lookup: { type: 'function' },
  autoSelectFamily: { type: 'boolean' },
});

let verificationWarned = false;

/** Emits the verification-off warning once per process. @internal */
export function warnVerificationDisabled(): void {
  if (verificationWarned) return;
  verificationWarned = true;
  process.emitWarning('jsec: TLS certificate verification is disabled (dangerouslyDisableVerification); the peer can be impersonated.', {
    code: 'JSEC_DANGEROUS_NO_VERIFY',
  });
}

const MATERIAL_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'crl', 'security'] as const;

/**
 * The context for validated options: the `context` option (checked for its
 * role) or the cached context for the material.
 *
 * @internal
 */
export function resolveContext(role: 'client' | 'server', opts: MaterialOptions & { context?: TlsContext; security?: unknown }): TlsContext {
  if (opts.context !== undefined) {
    if (!isTlsContext(opts.context)) throw createError('ERR_INVALID_ARG_TYPE', 'The "context" option must be a TlsContext from createContext()', { option: 'context' });
    const clash = MATERIAL_KEYS.find((k) => opts[k] !== undefined);
    if (clash) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', `"${clash}" cannot be combined with "context"; put it in createContext()`, { option: clash });
    if (opts.context.role !== role) {
      throw createError('ERR_INVALID_ARG_VALUE', `A ${opts.context.role} context cannot be used for the ${role} role`, { option: 'context' });
    }
    return opts.context;
  }
  return contextFor(role, opts);
}

/**
 * Bridges the gap between the handshake's completion and the caller's
 * continuation. OpenSSL may process more records in the same read as the
 * server's Finished (for example a renegotiation request that jsec refuses),
 * and the resulting 'error' and 'close' are emitted on process.nextTick,
 * before the awaiting code can add listeners. They are held and replayed on
 * the next turn; as with net, an error nobody listens to stays fatal.
 *
 * @internal
 */
export function bridgeEarlyErrors(socket: tls.TLSSocket): void {
  holdEarlyEvents(socket)();
}

/**
 * Starts holding 'error' and 'close' events nobody else listens to; the
 * returned function replays them on the next turn (after the caller's
 * continuation). Used from the moment the handshake is verified, so events
 * during later checks (waiting for a session ticket, hooks) are not lost.
 *
 * @internal
 */
export function holdEarlyEvents(socket: tls.TLSSocket): () => void {
  let pending: unknown;
  let closed: [boolean] | undefined;
  // Before release nobody outside jsec can listen; after it, only events no
  // caller listener received are replayed.
  let released = false;
  const hold = (err: unknown) => {
    if (!released || socket.listenerCount('error') === 1) pending ??= err;
  };
  const onClose = (hadError: boolean) => {
    if (!released || socket.listenerCount('close') === 1) closed = [hadError];
  };
  socket.on('error', hold);
  socket.on('close', onClose);
  return () => {
    released = true;
    setImmediate(() => {
      socket.removeListener('error', hold);
      socket.removeListener('close', onClose);
      if (pending !== undefined) socket.emit('error', pending);
      if (closed) socket.emit('close', closed[0]);
    });
  };
}

/**
 * The default host check: Node's for names; for IP addresses OpenSSL's
 * `X509_check_ip` (through X509Certificate#checkIP), which matches every
 * spelling of an IPv6 address (Node 22's check rejects `::1` against
 * `IP:0:0:0:0:0:0:0:1`).
 */
function checkServerIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  if (isIP(host) === 0 || !cert.raw) return tls.checkServerIdentity(host, cert);
  if (new X509CertificateClass(cert.raw).checkIP(host) !== undefined) return undefined;
  return Object.assign(new Error(`IP: ${host} is not in the certificate's list of IP addresses`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'IP address mismatch', host });
}

/** @internal */
export function abortError(signal: AbortSignal): JsecError {
  return createError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason });
}

/** What the client handshake driver needs besides Node's options. */
interface ClientRun {
  readonly context: TlsContext;
  readonly checkHost: string;
  readonly servername: string | undefined;
  readonly sessionKey: string | undefined;
  readonly verify: boolean;
  readonly signal: AbortSignal | undefined;
  readonly handshakeTimeout: number;
  readonly extra: Record<string, unknown>;
  /** The advanced options (OCSP, CRL, pins, verifyPeer, session store, key log). */
  readonly options?: AdvancedClientOptions;
}

/**
 * Runs one client handshake with `tls.connect(nodeOptions)` and settles when
 * the connection is verified (or failed, timed out, aborted).
 *
 * @internal
 */
export function runClientHandshake(options: tls.ConnectionOptions, run: ClientRun): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) {
      reject(abortError(run.signal));
      return;
    }
    let nodeOptions = options;
    const start = performance.now();
    let ext: ClientExtension;
    try {
      ext = new ClientExtension(run.options ?? {}, run.context);
    } catch (err) {
      reject(err);
      return;
    }
    const sessions = ext.sessions;
    let hostError: Error | undefined;
    const userCheck = nodeOptions.checkServerIdentity ?? checkServerIdentity;
    let verified = false;
    const pending: Buffer[] = [];
    // The peer chain as a lazy builder: kept with the stored sessions and in
    // info(), decoded only when someone reads it.
    let chain: (() => readonly X509Certificate[]) | undefined;
    let resumedChain: (() => readonly X509Certificate[]) | undefined;
    // A server that keeps refusing offered sessions is not offered any (and
    // its tickets are not kept) for a while: see resume-health.ts.
    const useCache = run.sessionKey !== undefined && run.context.security.sessionCacheSize > 0 && sessions.wanted(run.sessionKey);
    let offered = false;
    if (useCache && nodeOptions.session === undefined) {
      const entry = sessions.get(run.sessionKey!);
      if (entry) {
        offered = true;
        nodeOptions = { ...nodeOptions, session: entry.data };
        resumedChain = entry.chain;
      }
    } else if (nodeOptions.session !== undefined) {
      // A session the caller kept: Node has no chain for its resumption, but
      // the session carries the server's certificate.
      resumedChain = sessionLeaf(nodeOptions.session);
    }
    // jsec's own host check reads the leaf through OpenSSL, so Node does not
    // turn the whole chain into objects on every handshake (light-peer.ts).
    const light = nodeOptions.checkServerIdentity === undefined;
    let lightLeaf: tls.PeerCertificate | undefined;
    // The verified chain of a full handshake on the light path.
    let fullChain: (() => readonly X509Certificate[]) | undefined;
    const store = (session: Buffer) => {
      chain ??= socket.isSessionReused() ? resumedChain ?? NO_CHAIN : fullChain ?? lazyChain(peerChainDer(socket, true));
      sessions.set(run.sessionKey!, session, chain, socket.getProtocol());
    };
    let settled = false;
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        ...nodeOptions,
        ...ext.nodeOptions(),
        secureContext: run.context.secureContext,
        rejectUnauthorized: false,
        checkServerIdentity: (_host, cert) => {
          if (cert !== lightLeaf) notePeerCertificate(socket, cert);
          hostError = run.verify ? userCheck(run.checkHost, cert) : undefined;
          return hostError;
        },
      });
    } catch (cause) {
      reject(mapTlsError(cause, { role: 'client', extra: run.extra }));
      return;
    }
    const disarm = light ? armLightPeer(socket, (l) => (lightLeaf = l)) : undefined;
    socket.disableRenegotiation();
    ext.attach(socket);
    if (useCache) {
      socket.on('session', (session: Buffer) => {
        if (verified) store(session);
        else pending.push(session);
      });
    }

    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('secureConnect', onSecure);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    };
    const fail = (err: JsecError) => {
      if (settled) return;
      cleanup();
      if (run.sessionKey !== undefined) sessions.delete(run.sessionKey);
      // Keep a late error from the destroyed socket from becoming uncaught.
      socket.on('error', () => {});
      socket.destroy();
      channels.handshakeError.publish({ role: 'client', error: err, socket, ...run.extra });
      reject(err);
    };
    const onError = (err: unknown) => {
      let chain;
      try {
        chain = peerChain(socket);
      } catch {
        chain = undefined;
      }
      fail(mapTlsError(err, { role: 'client', chain, peerCertificate: chain?.[0], extra: run.extra }));
    };
    // Set once the chain and host name verified: a clean close after that
    // (a server that answers and ends at once) ends a verified connection;
    // it is replayed to the caller, not turned into a handshake failure.
    let release: (() => void) | undefined;
    const onClose = () => {
      if (release === undefined) fail(createError('ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE', 'The connection closed before the TLS handshake completed', run.extra));
    };
    const onAbort = () => fail(abortError(run.signal!));
    const onSecure = () => {
      disarm?.();
      if (run.verify && !socket.authorized) {
        const chain = peerChain(socket);
        const ctx = { role: 'client' as const, chain, peerCertificate: chain[0], extra: run.extra };
        fail(hostError ? certificateError('ERR_TLS_CERT_ALTNAME_INVALID', ctx, hostError) : certificateError(String(socket.authorizationError ?? 'ERR_JSEC_CERT_VERIFY'), ctx));
        return;
      }
      release = holdEarlyEvents(socket);
      if (lightLeaf !== undefined && !socket.isSessionReused()) fullChain = verifiedChainOf(run.context, socket, lightLeaf);
      const chainNow = (): readonly X509Certificate[] => {
        const kept = socket.isSessionReused() ? resumedChain?.() : fullChain?.();
        return kept?.length ? kept : peerChain(socket);
      };
      ext.afterVerify(socket, run.verify, chainNow, () => lightLeaf?.raw ?? peerChainDer(socket)[0]).then(
        () => {
          if (!settled) onChecked();
        },
        (err: unknown) => {
          const c = chainNow();
          fail(mapTlsError(err, { role: 'client', chain: c, peerCertificate: c[0], extra: run.extra }));
        },
      );
    };
    const onChecked = () => {
      cleanup();
      verified = true;
      if (offered) sessions.offered(run.sessionKey!, socket.isSessionReused());
      if (useCache) for (const p of pending.splice(0)) store(p);
      const duration = performance.now() - start;
      recordSocket(socket, {
        role: 'client',
        servername: run.servername,
        handshakeDuration: duration,
        resumedChain: socket.isSessionReused() ? resumedChain : fullChain,
      });
      if (channels.handshake.hasSubscribers) {
        channels.handshake.publish({ role: 'client', socket, duration, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name, resumed: socket.isSessionReused() });
      }
      (release ?? holdEarlyEvents(socket))();
      resolve(socket);
    };
    const timer =
      run.handshakeTimeout > 0
        ? setTimeout(() => fail(createError('ERR_TLS_HANDSHAKE_TIMEOUT', `The TLS handshake did not finish within ${run.handshakeTimeout} ms`, run.extra)), run.handshakeTimeout)
        : undefined;
    run.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    socket.once('close', onClose);
  });
}

const NO_CHAIN = (): readonly X509Certificate[] => [];

/**
 * The verified chain of a full handshake on the light path, as a lazy
 * builder: what info() reports (also after the socket closed) and what the
 * session cache keeps for resumptions. Node's detailed peer certificate, the
 * only way to the verified chain that leaves the socket intact, costs about
 * half a millisecond; it is taken once per server certificate and context
 * (the same leaf verified against the same trust store gives the same
 * chain) and kept as DER in a bounded memo.
 */
function verifiedChainOf(context: TlsContext, socket: tls.TLSSocket, leaf: tls.PeerCertificate): () => readonly X509Certificate[] {
  if (!leaf.raw || !leaf.fingerprint256) return lazyChain(peerChainDer(socket, true));
  let memo = chainMemo.get(context);
  if (!memo) chainMemo.set(context, (memo = new Map()));
  const fp = leaf.fingerprint256;
  const known = memo.get(fp);
  if (known) return known;
  const ders = peerChainDer(socket, true);
  const built = lazyChain(ders.length > 0 ? ders : leaf.raw ? [leaf.raw] : []);
  if (ders.length > 0 && ders[0]!.equals(leaf.raw)) {
    memo.set(fp, built);
    if (memo.size > CHAIN_MEMO_MAX) memo.delete(memo.keys().next().value as string);
  }
  return built;
}

/** The server certificate inside a serialized session, decoded on first use. */
function sessionLeaf(session: Buffer | Uint8Array): () => readonly X509Certificate[] {
  let built: readonly X509Certificate[] | undefined;
  return () => {
    if (built) return built;
    let der: Buffer | null = null;
    try {
      der = native().sessionPeer(session);
    } catch {
      der = null;
    }
    built = Object.freeze(der ? [new X509CertificateClass(der)] : []);
    return built;
  };
}

const CHAIN_MEMO_MAX = 64;
const chainMemo = new WeakMap<TlsContext, Map<string, () => readonly X509Certificate[]>>();

/**
 * Decoding a session costs about as much as Node's own decoding of it (OpenSSL
 * parses the certificate inside); a caller that passes the same buffer again
 * (the usual "keep the last session" pattern) has it checked once.
 */
const usableSessions = new WeakMap<Uint8Array, number>();

function sessionUsable(session: Buffer | Uint8Array): boolean {
  if (usableSessions.get(session) === session.byteLength) return true;
  const ok = native().sessionUsable(session);
  if (ok) usableSessions.set(session, session.byteLength);
  return ok;
}

/** Node options common to connect and client upgrade. @internal */
export function clientNodeOptions(opts: ClientOptions, servername: string | undefined): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {};
  if (servername !== undefined) out.servername = servername;
  if (opts.ALPNProtocols !== undefined) out.ALPNProtocols = opts.ALPNProtocols as string[];
  // A session OpenSSL cannot decode is not handed to Node (its decoder would
  // leave the failure on the error queue for an unrelated call to throw):
  // the connection makes a full handshake instead.
  if (opts.session !== undefined && sessionUsable(opts.session)) out.session = Buffer.from(opts.session);
  if (opts.checkServerIdentity !== undefined) out.checkServerIdentity = opts.checkServerIdentity;
  if (opts.minDHSize !== undefined) out.minDHSize = opts.minDHSize;
  if (opts.highWaterMark !== undefined) (out as { highWaterMark?: number }).highWaterMark = opts.highWaterMark;
  return out;
}

/** Checks the verification options and warns when verification is off. @internal */
export function verificationEnabled(opts: Omit<ClientOptions, 'rejectUnauthorized'> & { rejectUnauthorized?: boolean }): boolean {
  if (opts.rejectUnauthorized === false) {
    throw createError('ERR_INVALID_ARG_VALUE', '"rejectUnauthorized: false" is not accepted; use "dangerouslyDisableVerification: true" (and know why it is dangerous)', {
      option: 'rejectUnauthorized',
      suggestion: 'dangerouslyDisableVerification',
    });
  }
  if (opts.dangerouslyDisableVerification) {
    warnVerificationDisabled();
    return false;
  }
  return true;
}

function alpnKey(alpn: ClientOptions['ALPNProtocols']): string {
  if (alpn === undefined) return '';
  return Array.isArray(alpn) ? alpn.join(',') : Buffer.from(alpn as Uint8Array).toString('hex');
}

/** The session-cache key of a connection. @internal */
export function sessionKeyFor(target: string, servername: string | undefined, alpn: ClientOptions['ALPNProtocols']): string {
  return `${target}\0${servername ?? ''}\0${alpnKey(alpn)}`;
}

/**
 * Opens a TLS connection and resolves once the handshake completed and the
 * server's certificate chain and host name verified.
 *
 * @param host - host name or IP address (IPv6 without brackets).
 * @param port - TCP port.
 * @param options - see {@link ConnectOptions}.
 * @returns Node's own `tls.TLSSocket` (so `instanceof net.Socket`), flowing like any net socket.
 * @throws ConfigError for bad options (unknown names carry a `suggestion`).
 * @throws CertificateError `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `SELF_SIGNED_CERT_IN_CHAIN`,
 *   `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, `CERT_HAS_EXPIRED`, `CERT_NOT_YET_VALID`,
 *   `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, ... with `verifyCode`,
 *   `depth` (where known), `peerCertificate` and `chain`.
 * @throws TlsError `ERR_JSEC_TLS_PROTOCOL_VERSION`, `ERR_TLS_HANDSHAKE_TIMEOUT`, `ECONNREFUSED`,
 *   `ERR_JSEC_TLS_BAD_RECORD`, `ERR_JSEC_TLS_PEER_TOO_LARGE`, `ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE`,
 *   `ERR_JSEC_TLS_CONNECT`; AlertError `ERR_JSEC_TLS_ALERT` (`alert`, `alertName`, `direction`).
 * @throws StateError `ABORT_ERR` when `signal` aborts.
 *
 * @remarks Verification is always on unless `dangerouslyDisableVerification`.
 * Sessions are cached per context (`security.sessionCacheSize`) and resumed automatically.
 */
export function connect(host: string, port: number | string, options?: ClientOptions & Omit<ConnectOptions, 'host' | 'port' | 'path'>): Promise<tls.TLSSocket>;
export function connect(options: ConnectOptions): Promise<tls.TLSSocket>;
export async function connect(hostOrOptions: string | ConnectOptions, port?: number | string, options?: ConnectOptions): Promise<tls.TLSSocket> {
  let opts: Partial<ConnectOptions>;
  if (typeof hostOrOptions === 'string') {
    opts = validateOptions<ConnectOptions>('tls.connect', options, CONNECT_SCHEMA);
    if (opts.host !== undefined || opts.port !== undefined || opts.path !== undefined) {
      throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'connect(host, port, options): "host", "port" and "path" belong in the arguments, not in options', { option: 'host' });
    }
    opts = { ...opts, host: hostOrOptions, port: port as number };
    validateOptions('tls.connect', { host: opts.host, port: opts.port }, CONNECT_SCHEMA);
  } else {
    opts = validateOptions<ConnectOptions>('tls.connect', hostOrOptions, CONNECT_SCHEMA);
  }
  if (opts.path !== undefined && (opts.port !== undefined || opts.host !== undefined)) {
    throw createError('ERR_JSEC_CONFLICTING_OPTIONS', '"path" (Unix socket) cannot be combined with "host"/"port"', { option: 'path' });
  }
  let portNumber: number | undefined;
  if (opts.path === undefined) {
    if (opts.port === undefined) throw createError('ERR_MISSING_OPTION', 'connect needs "port" (or a Unix "path")', { option: 'port' });
    portNumber = typeof opts.port === 'string' ? Number(opts.port) : opts.port;
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
      throw createError('ERR_OUT_OF_RANGE', `The "port" option must be an integer from 1 to 65535. Received ${String(opts.port)}`, { option: 'port' });
    }
  }
  const verify = verificationEnabled(opts);
  const context = resolveContext('client', opts);
  const host = opts.path === undefined ? (opts.host ?? 'localhost') : undefined;
  const servername = opts.servername ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
  const checkHost = opts.servername ?? host ?? 'localhost';
  const target = opts.path !== undefined ? `unix:${opts.path}` : `${host}:${portNumber}`;
  const sessionKey = opts.session === undefined ? sessionKeyFor(target, servername, opts.ALPNProtocols) : undefined;
  const nodeOptions: tls.ConnectionOptions = clientNodeOptions(opts, servername);
  if (opts.path !== undefined) nodeOptions.path = opts.path;
  else {
    nodeOptions.host = host!;
    nodeOptions.port = portNumber!;
  }
  for (const k of ['allowHalfOpen', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', 'timeout', 'localAddress', 'localPort', 'family', 'lookup', 'autoSelectFamily'] as const) {
    if (opts[k] !== undefined) (nodeOptions as Record<string, unknown>)[k] = opts[k];
  }
  return runClientHandshake(nodeOptions, {
    context,
    checkHost,
    servername,
    sessionKey,
    verify,
    signal: opts.signal,
    handshakeTimeout: opts.handshakeTimeout ?? defaults.tls.handshakeTimeout,
    extra: opts.path !== undefined ? { path: opts.path } : { host, port: portNumber },
    options: opts,
  });
}

/** A connected duplex, as `upgrade` accepts it. @internal */
export type Transport = Duplex;

/**
 * jsec/bio: TLS without sockets. {@link TlsEngine} is the sans-IO engine in
 * TLS mode: ciphertext bytes in and out, plaintext read and written, for
 * custom transports (a WebSocket, a serial line, a message queue). It also
 * offers TLS 1.3 KeyUpdate, which Node's own sockets cannot initiate.
 * {@link MemoryBio} is a plain OpenSSL memory BIO.
 *
 * @example
 * ```js
 * import { TlsEngine } from 'jsec/bio';
 * const engine = new TlsEngine({ servername: 'example.com' }); // the name is verified
 * engine.handshake();                       // false: needs the server's answer
 * transport.send(engine.takeCiphertext());  // ClientHello
 * transport.onData((bytes) => { engine.putCiphertext(bytes); engine.handshake(); ... });
 * ```
 *
 * @module
 */
/// <reference lib="esnext.disposable" />
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import type { NativeEngine, NativeEngineOptions, NativeMemoryBio } from '../native/binding.js';
import { native } from '../native/loader.js';
import {
  SECURITY_SCHEMA,
  TLS_VERSIONS,
  classifyEngineError,
  clearEngineContextCache,
  peerChain,
  sharedEngineContext,
  verificationEnabled,
  verifyCodeName,
  type SecurityOptions,
} from '../dtls/engine-config.js';

export { activeHandles, type ActiveHandles } from './handles.js';

/**
 * Closes every cached `TlsEngine` context (engines with identical options
 * share one native `SSL_CTX`, an LRU of `defaults.bio.contextCacheSize`);
 * engines already made keep theirs. Returns how many were closed.
 */
export function clearContextCache(): number {
  return clearEngineContextCache();
}
export type { PemInput, PskOptions, SecurityOptions } from '../dtls/engine-config.js';

function toBytes(data: unknown, option: string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" argument must be a string or bytes`, { option });
}

/**
 * An OpenSSL memory BIO: bytes written are read back in order.
 *
 * @example
 * ```js
 * using bio = new MemoryBio();
 * bio.write('hello'); bio.read(2); // <Buffer 68 65>
 * ```
 */
export class MemoryBio {
  #bio: NativeMemoryBio | undefined;

  constructor() {
    this.#bio = new (native().MemoryBio)();
  }

  #open(): NativeMemoryBio {
    if (this.#bio === undefined) throw createError('ERR_JSEC_CLOSED', 'The MemoryBio is closed');
    return this.#bio;
  }

  /** Appends bytes (a string is UTF-8). Returns the count written. @throws `ERR_JSEC_CLOSED`, `ERR_INVALID_ARG_TYPE` */
  write(data: string | Uint8Array): number {
    const b = this.#open();
    return b.write(toBytes(data, 'data'));
  }

  /**
   * Consumes up to `size` bytes (default 16384). Returns `null` when empty.
   *
   * @throws ConfigError `ERR_OUT_OF_RANGE` for a negative or non-integer size; `ERR_JSEC_CLOSED`.
   */
  read(size: number = defaults.bio.readSize): Buffer | null {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 2 ** 31 - 1) {
      throw createError('ERR_OUT_OF_RANGE', 'The "size" argument must be a non-negative integer', { option: 'size' });
    }
    return this.#open().read(size);
  }

  /** Every pending byte, without consuming. */
  peek(): Buffer {
    return this.#open().peek();
  }

  /** Number of pending bytes. */
  get pending(): number {
    return this.#open().pending();
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#bio === undefined;
  }

  /** Frees the BIO; idempotent. */
  close(): void {
    this.#bio?.close();
    this.#bio = undefined;
  }

  /** Same as {@link MemoryBio.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The states of a {@link TlsEngine}. */
export enum TlsEngineState {
  /** Created; the handshake has not completed yet. */
  Handshaking = 'handshaking',
  /** The handshake completed: application data flows both ways. */
  Open = 'open',
  /** close_notify sent; the peer's may still arrive. */
  ShutdownSent = 'shutdown-sent',
  /** The peer sent close_notify. */
  PeerClosed = 'peer-closed',
  /** A fatal error occurred; it is sticky (see {@link TlsEngine.error}). */
  Failed = 'failed',
  /** close() freed the native engine. */
  Closed = 'closed',
}

/** Options of a {@link TlsEngine}. */
export interface TlsEngineOptions extends SecurityOptions {
  /** Server role. Default `false` (client). */
  isServer?: boolean;
  /**
   * Client: SNI and the name to verify (a host name against the DNS SANs; an IP
   * literal against the IP SANs, and then no SNI is sent). No default, and required
   * (`ERR_MISSING_OPTION`) while the server's certificate is verified, unless
   * `checkServerIdentity: false`: a sans-IO engine does not know the host it talks to,
   * and a chain check without a name accepts any certificate of the trusted CAs.
   */
  servername?: string;
  /**
   * Client: verify the server's name against `servername` (default `true`). `false` is the
   * explicit opt-out of the name check (the chain is still verified): dangerous unless the
   * trust anchors (`ca`) admit only the intended server.
   */
  checkServerIdentity?: boolean;
  /**
   * Server: request (or with `'require'`, require) a client certificate. Default `false`.
   * The client's chain is verified against `ca`, which defaults to Node's public roots: set `ca`.
   */
  requestCert?: boolean | 'require';
  /** Lowest version. Default `'TLSv1.2'`. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Highest version. Default `'TLSv1.3'`. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** TLS 1.3 suites. Default: all three AEAD suites. */
  ciphersuites?: string;
  /** Client: a session from getSession() to resume. Default: none (a full handshake). */
  session?: Uint8Array;
}

const ENGINE_SCHEMA: Schema = Object.freeze({
  ...SECURITY_SCHEMA,
  isServer: { type: 'boolean' },
  servername: { type: 'string', nonEmpty: true },
  checkServerIdentity: { type: 'boolean' },
  requestCert: { type: 'oneOf', rules: [{ type: 'boolean' }, { type: 'string', enum: ['require'] }] },
  minVersion: { type: 'string', enum: TLS_VERSIONS },
  maxVersion: { type: 'string', enum: TLS_VERSIONS },
  ciphersuites: { type: 'string', nonEmpty: true },
  session: { type: 'bytes' },
});

/** What {@link TlsEngine.info} reports. */
export interface TlsEngineInfo {
  /** Which end this engine is. */
  readonly role: 'client' | 'server';
  /** The negotiated version: `'TLSv1.2'` or `'TLSv1.3'`. */
  readonly protocol: string;
  /** The negotiated cipher: OpenSSL and IANA names, the protocol version it belongs to, and its key bits. */
  readonly cipher: { readonly name: string; readonly standardName: string; readonly version: string; readonly bits: number };
  /** The negotiated ALPN protocol, or `false`. */
  readonly alpnProtocol: string | false;
  /** Client: the SNI name sent; server: the one received. */
  readonly servername: string | undefined;
  /** The peer chain, leaf first; empty for PSK or anonymous peers. */
  readonly peerCertificates: readonly X509Certificate[];
  /** Whether the peer's chain (and for clients with `servername`, its name) verified. */
  readonly authorized: boolean;
  /** Why not, as Node names verify errors (`'CERT_HAS_EXPIRED'`, ...). */
  readonly authorizationError: string | undefined;
  /** Whether the handshake resumed a session. */
  readonly resumed: boolean;
  /** PSK identity (server side) where PSK was used. */
  readonly pskIdentity: string | undefined;
}

/**
 * The sans-IO TLS engine. Nothing here does I/O or keeps time: feed the
 * bytes your transport received with {@link TlsEngine.putCiphertext}, send
 * what {@link TlsEngine.takeCiphertext} returns, and call
 * {@link TlsEngine.handshake} / {@link TlsEngine.read} after each input.
 *
 * Errors are sticky: after a failure every call throws the same error.
 */
export class TlsEngine {
  #engine: NativeEngine | undefined;
  #role: 'client' | 'server';
  #state = TlsEngineState.Handshaking;
  #error: JsecError | undefined;
  #verify: boolean;
  #servername: string | undefined;

  /**
   * Creates an engine for one connection, in the client role unless `isServer`.
   * Engines with identical options share one native context (see {@link clearContextCache}).
   *
   * @throws ConfigError for bad options or unusable certificate / key; `ERR_MISSING_OPTION`
   *   for a verifying client without `servername` (and without `checkServerIdentity: false`).
   */
  constructor(options?: TlsEngineOptions) {
    const o = validateOptions<TlsEngineOptions>('TlsEngine', options, ENGINE_SCHEMA) as TlsEngineOptions;
    this.#role = o.isServer ? 'server' : 'client';
    this.#verify = verificationEnabled(o);
    // A PSK client without `ca` verifies no certificate: the key authenticates the server.
    const checksChain = this.#verify && !(o.psk !== undefined && o.ca === undefined);
    if (this.#role === 'client' && checksChain && o.checkServerIdentity !== false && o.servername === undefined) {
      throw createError('ERR_MISSING_OPTION', 'A verifying TlsEngine client needs "servername" (the host name or IP to verify), or "checkServerIdentity: false" to verify the chain only', {
        option: 'servername',
      });
    }
    const ctx = sharedEngineContext({
      mode: 'tls',
      role: this.#role,
      security: o,
      minVersion: o.minVersion ?? defaults.tls.minVersion,
      maxVersion: o.maxVersion ?? defaults.tls.maxVersion,
      requestCert: o.requestCert ?? false,
      ciphersuites: o.ciphersuites ?? defaults.tls.ciphersuites,
    });
    const e: NativeEngineOptions = { server: this.#role === 'server' };
    if (this.#role === 'client') {
      const name = o.servername;
      if (name !== undefined && isIP(name) === 0) e.servername = name;
      this.#servername = name;
      if (this.#verify && o.checkServerIdentity !== false && name !== undefined) {
        if (isIP(name) === 0) e.verifyHost = name;
        else e.verifyIp = name;
      }
      if (o.session !== undefined) e.session = Buffer.from(o.session.buffer, o.session.byteOffset, o.session.byteLength);
    }
    // The engine holds its own reference to the SSL_CTX: evicting the cached context never disturbs it.
    this.#engine = new (native().Engine)(ctx, e);
  }

  /** The engine's state. */
  get state(): TlsEngineState {
    return this.#state;
  }

  /** The sticky error, once failed. */
  get error(): JsecError | undefined {
    return this.#error;
  }

  #live(operation: string): NativeEngine {
    if (this.#error) throw this.#error;
    if (this.#engine === undefined) throw createError('ERR_JSEC_CLOSED', `The TlsEngine is closed (${operation})`);
    return this.#engine;
  }

  #failWith(err: unknown): never {
    const engine = this.#engine;
    const e = isJsecError(err) && !['ERR_JSEC_TLS_HANDSHAKE'].includes(err.code) ? err : classifyEngineError(err, this.#role, 'tls', engine ? peerChain(engine) : [], { servername: this.#servername });
    if (e.code === 'ERR_JSEC_INVALID_STATE' || e.code === 'ERR_JSEC_CLOSED') throw e;
    this.#error = e;
    this.#state = TlsEngineState.Failed;
    throw e;
  }

  /** Bytes received from the transport. @throws the sticky error; `ERR_JSEC_CLOSED` */
  putCiphertext(data: Uint8Array | string): void {
    const engine = this.#live('putCiphertext');
    engine.feed(toBytes(data, 'data'));
  }

  /**
   * Bytes to send on the transport (empty when none). Call after every
   * other method. Still works after a failure, to deliver the alert.
   */
  takeCiphertext(): Buffer {
    const engine = this.#engine;
    if (engine === undefined) return Buffer.alloc(0);
    const out = engine.output();
    return out.length === 0 ? Buffer.alloc(0) : out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /**
   * Advances the handshake. True once it is complete.
   *
   * @throws CertificateError / AlertError / TlsError as `jsec/tls` does, and the same error on every later call.
   */
  handshake(): boolean {
    const engine = this.#live('handshake');
    if (this.#state !== TlsEngineState.Handshaking) return true;
    try {
      if (engine.handshake()) {
        this.#state = TlsEngineState.Open;
        return true;
      }
      return false;
    } catch (err) {
      this.#failWith(err);
    }
  }

  /**
   * Plaintext that arrived, or `null` when none is ready. Returns `null` and
   * moves to `PeerClosed` on the peer's close_notify.
   */
  read(): Buffer | null {
    const engine = this.#live('read');
    try {
      const m = engine.read();
      if (m === null && engine.state === 'peer-closed') this.#state = TlsEngineState.PeerClosed;
      else if (m !== null && this.#state === TlsEngineState.Handshaking) this.#state = TlsEngineState.Open;
      return m;
    } catch (err) {
      this.#failWith(err);
    }
  }

  /**
   * Encrypts plaintext; the records appear in {@link TlsEngine.takeCiphertext}.
   *
   * @throws StateError `ERR_JSEC_INVALID_STATE` before the handshake completed or after shutdown.
   */
  write(data: string | Uint8Array): void {
    const engine = this.#live('write');
    if (this.#state !== TlsEngineState.Open) {
      throw createError('ERR_JSEC_INVALID_STATE', `Cannot write in state ${this.#state}`, { state: this.#state, operation: 'write' });
    }
    try {
      engine.write(toBytes(data, 'data'));
    } catch (err) {
      this.#failWith(err);
    }
  }

  /**
   * TLS 1.3 KeyUpdate: new traffic keys for what this side sends; with
   * `requestPeer`, the peer is asked to update its keys too.
   *
   * @throws StateError `ERR_JSEC_INVALID_STATE` unless an established TLS 1.3 connection.
   */
  keyUpdate(requestPeer = false): void {
    const engine = this.#live('keyUpdate');
    if (this.#state !== TlsEngineState.Open) {
      throw createError('ERR_JSEC_INVALID_STATE', `Cannot update keys in state ${this.#state}`, { state: this.#state, operation: 'keyUpdate' });
    }
    try {
      engine.keyUpdate(requestPeer === true);
    } catch (err) {
      this.#failWith(err);
    }
  }

  /** Sends close_notify (take it with takeCiphertext()). Idempotent. */
  shutdown(): void {
    const engine = this.#engine;
    if (engine === undefined || this.#error) return;
    if (this.#state === TlsEngineState.Open || this.#state === TlsEngineState.PeerClosed) {
      engine.shutdown();
      if (this.#state === TlsEngineState.Open) this.#state = TlsEngineState.ShutdownSent;
    }
  }

  /** Connection details. @throws `ERR_JSEC_CLOSED` */
  info(): TlsEngineInfo {
    const engine = this.#live('info');
    const i = engine.info();
    return Object.freeze({
      role: this.#role,
      protocol: i.version,
      cipher: Object.freeze({ name: i.cipher ?? '', standardName: i.standardName ?? '', version: i.version, bits: i.cipherBits ?? 0 }),
      alpnProtocol: i.alpnProtocol ?? false,
      servername: i.servername ?? this.#servername,
      peerCertificates: Object.freeze(peerChain(engine)),
      authorized: /(^|-)PSK-/.test(i.cipher ?? '') || (i.hasPeerCertificate && i.verifyCode === 0 && this.#verify),
      authorizationError: i.verifyCode !== 0 ? verifyCodeName(i.verifyCode) : undefined,
      resumed: i.resumed,
      pskIdentity: i.pskIdentity,
    });
  }

  /** The session to resume later (client), or undefined. */
  getSession(): Buffer | undefined {
    return this.#engine?.session() ?? undefined;
  }

  /** RFC 5705 / RFC 8446 exporter. @throws `ERR_JSEC_INVALID_STATE` before the handshake completed. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    if (!Number.isInteger(length) || length < 1 || length > 65536) throw createError('ERR_OUT_OF_RANGE', 'length must be an integer in [1, 65536]', { option: 'length' });
    if (typeof label !== 'string') throw createError('ERR_INVALID_ARG_TYPE', 'label must be a string', { option: 'label' });
    const engine = this.#live('exportKeyingMaterial');
    if (this.#state !== TlsEngineState.Open) throw createError('ERR_JSEC_INVALID_STATE', 'Keying material exists only after the handshake', { state: this.#state, operation: 'exportKeyingMaterial' });
    return engine.exportKeyingMaterial(length, label, context);
  }

  /** Frees the engine (without close_notify: call shutdown() first for a clean close). Idempotent. */
  close(): void {
    this.#engine?.close();
    this.#engine = undefined;
    if (this.#state !== TlsEngineState.Failed) this.#state = TlsEngineState.Closed;
  }

  /** Same as {@link TlsEngine.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * `jsec/tls`: promise-first TLS on Node's own `node:tls`, secure by default.
 *
 * - {@link connect}: a verified client connection (Node's own `tls.TLSSocket`).
 * - {@link listen}: a {@link TlsServer} with `accept()`, async iteration and typed handshake errors.
 * - {@link upgrade}: STARTTLS over any connected `Duplex`, client or server role.
 * - {@link createContext}: a reusable, frozen {@link TlsContext} (cached for identical options).
 * - {@link info}: negotiated protocol, cipher, ALPN, verified peer chain, resumption, handshake time.
 *
 * Defaults (see `docs/defaults.md`): TLS 1.2 minimum, ECDHE + AEAD suites for
 * TLS 1.2, verification on (chain and host name), renegotiation and
 * compression off, a 30 s handshake timeout. Verification can only be turned
 * off with `dangerouslyDisableVerification`, which warns once per process.
 *
 * Diagnostics channels: `jsec:tls:handshake`, `jsec:tls:handshake-error`.
 *
 * @module
 */
export { connect, type ConnectOptions, type ClientOptions } from './client.js';
export { listen, TlsServer, type ListenOptions, type ServerOptions, type HandshakeErrorDetails, type TlsServerState } from './server.js';
export { upgrade, type UpgradeOptions } from './upgrade.js';
export { createContext, isTlsContext, TlsContext, type ContextOptions, type MaterialOptions, type PemInput } from './context.js';
export { info, channels, type TlsInfo } from './info.js';
export { ALERTS } from './errors.js';
export type { SecurityPolicy, NormalizedPolicy, TlsVersion } from './policy.js';
export { TicketKeys, type TicketKeysOptions, type TicketKeysState } from './tickets.js';
export { LruSessionStore, type SessionStore, type StoredSession, type LruSessionStoreOptions } from './session-cache.js';
export { OcspStapler, staplerChannel, type OcspStaplerOptions, type OcspStaplerState, type OcspInfo, type ClientOcspMode, type ServerOcspOption } from './ocsp-stapling.js';
export { clearCrlCache, type RevocationOptions, type RevocationInfo } from './revocation.js';
export { spkiPin } from './pinning.js';
export type { SniOptions, SniEntry, SniHello } from './sni.js';
export type { KeyLogSink } from './keylog.js';
export type { AdvancedClientOptions, AdvancedServerOptions, ReloadOptions } from './advanced.js';

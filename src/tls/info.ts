/**
 * Connection facts: {@link info} and the per-socket record jsec keeps
 * (handshake duration, role, the SNI name sent).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import tls from 'node:tls';
import { createError } from '../errors/index.js';
import { advancedInfo } from './facts.js';
import type { OcspInfo } from './ocsp-stapling.js';
import type { RevocationInfo } from './revocation.js';

/** Facts about an established jsec TLS connection, frozen. */
export interface TlsInfo {
  /** Which side this socket is. */
  readonly role: 'client' | 'server';
  /** Negotiated protocol version (`'TLSv1.3'`, `'TLSv1.2'`). */
  readonly protocol: string | null;
  /** Negotiated cipher suite. */
  readonly cipher: { readonly name: string; readonly standardName: string; readonly version: string };
  /** Negotiated ALPN protocol, or `false` when none was agreed. */
  readonly alpnProtocol: string | false;
  /** Client: the SNI name sent (undefined for IP hosts). Server: the SNI name received. */
  readonly servername: string | undefined;
  /** The peer chain as certificate objects, leaf first (the verified chain when `authorized`). Empty when the peer sent none. */
  readonly peerCertificates: readonly X509Certificate[];
  /** Whether the peer chain (and, for clients, the host name) verified. */
  readonly authorized: boolean;
  /** The verification failure code when not authorized (only possible with verification disabled, or on servers that do not require client certificates). */
  readonly authorizationError: string | undefined;
  /** Whether the session was resumed. */
  readonly resumed: boolean;
  /** Handshake duration in milliseconds (monotonic clock, measured by jsec from transport connect / accept to verified). */
  readonly handshakeDuration: number | undefined;
  /** Ephemeral key exchange (client side only; `{}` on servers, as in Node). */
  readonly ephemeralKey: { readonly type?: string; readonly name?: string; readonly size?: number };
  /** The local address, when the transport has one (a TCP socket). */
  readonly localAddress: string | undefined;
  /** The local port, when the transport has one (a TCP socket). */
  readonly localPort: number | undefined;
  /** The peer's address, when the transport has one (undefined for Unix sockets and other duplexes). */
  readonly remoteAddress: string | undefined;
  /** The peer's port, when the transport has one. */
  readonly remotePort: number | undefined;
  /** `'IPv4'` or `'IPv6'`, when the transport has one. */
  readonly remoteFamily: string | undefined;
  /** Client: the OCSP staple check (`status` good/revoked/unknown/none/resumed, `thisUpdate`, `nextUpdate`, `mustStaple`); undefined with `ocsp: 'off'`. */
  readonly ocsp: OcspInfo | undefined;
  /** Client: the CRL check with `revocation: { crl: 'fetch' }` (`status`, `url`); undefined otherwise. */
  readonly revocation: RevocationInfo | undefined;
}

/** What jsec records about each socket it hands out. */
export interface SocketRecord {
  role: 'client' | 'server';
  servername: string | undefined;
  handshakeDuration: number | undefined;
  /**
   * Client: the verified chain jsec keeps, built on first use: for a resumed
   * session the chain verified when the session was made (Node has none),
   * for a full handshake on the light path the chain verified now.
   */
  resumedChain?: (() => readonly X509Certificate[]) | undefined;
}

const records = new WeakMap<tls.TLSSocket, SocketRecord>();

/** @internal */
export function recordSocket(socket: tls.TLSSocket, record: SocketRecord): void {
  records.set(socket, record);
}

/** The handshake diagnostics channels. */
export const channels = Object.freeze({
  /** Published on every verified handshake: `{ role, socket, duration, protocol, cipher, resumed }`. */
  handshake: diagnostics.channel('jsec:tls:handshake'),
  /** Published on every failed handshake: `{ role, error, socket, remoteAddress, remotePort }`. */
  handshakeError: diagnostics.channel('jsec:tls:handshake-error'),
});

/**
 * The peer chain as certificate objects, leaf first. Built from Node's
 * detailed peer certificate, whose issuer links follow the chain OpenSSL
 * built (ending at the trust anchor when verification succeeded).
 *
 * @internal
 */
export function peerChain(socket: tls.TLSSocket): X509Certificate[] {
  // Decoding certificates is the costliest step after the handshake itself:
  // the chain is built once per socket (it cannot change: renegotiation is
  // off) and every later caller gets a copy of the same objects.
  const memo = chains.get(socket);
  if (memo) return [...memo];
  const out = buildPeerChain(socket);
  if (out.length > 0) chains.set(socket, Object.freeze([...out]));
  return out;
}

const chains = new WeakMap<tls.TLSSocket, readonly X509Certificate[]>();
const details = new WeakMap<tls.TLSSocket, tls.DetailedPeerCertificate>();

/**
 * Keeps the detailed peer certificate Node already built for its host-name
 * check, so the chain is not decoded a second time (it is the largest cost
 * of a handshake after the cryptography).
 *
 * @internal
 */
export function notePeerCertificate(socket: tls.TLSSocket, cert: tls.PeerCertificate): void {
  if (cert && (cert as tls.DetailedPeerCertificate).raw) details.set(socket, cert as tls.DetailedPeerCertificate);
}

/**
 * The DER of the peer chain Node already decoded for its host-name check,
 * leaf first, without building certificate objects (cheap). Empty when Node
 * did not run the check (verification off, resumed session, jsec's own host
 * check), unless `build` asks Node for the chain.
 *
 * @internal
 */
export function peerChainDer(socket: tls.TLSSocket, build = false): Buffer[] {
  if (build && !details.has(socket)) {
    try {
      notePeerCertificate(socket, socket.getPeerCertificate(true));
    } catch {
      // A destroyed socket has no certificate any more.
    }
  }
  const out: Buffer[] = [];
  const seen = new Set<string>();
  for (let c = details.get(socket); c && c.raw && c.raw.length > 0 && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(c.raw);
    if (c.issuerCertificate === c) break;
  }
  return out;
}

/**
 * A chain built from DER on first use and then kept: most connections never
 * look at their peer's certificates as objects, and decoding them is the
 * largest cost of a handshake after the cryptography.
 *
 * @internal
 */
export function lazyChain(ders: readonly Buffer[]): () => readonly X509Certificate[] {
  let built: readonly X509Certificate[] | undefined;
  return () => (built ??= Object.freeze(ders.map((d) => new X509Certificate(d))));
}

function buildPeerChain(socket: tls.TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  // jsec's client on the light path (light-peer.ts): the chain it recorded.
  const kept = details.has(socket) ? undefined : records.get(socket)?.resumedChain;
  if (kept) return [...kept()];
  let c: tls.DetailedPeerCertificate | undefined = details.get(socket);
  try {
    c ??= socket.getPeerCertificate(true);
  } catch {
    return out;
  }
  const seen = new Set<string>();
  while (c && c.raw && c.raw.length > 0 && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    if (c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  if (out.length === 0) {
    // A resumed session carries the peer's leaf but not its chain.
    const leaf = socket.getPeerX509Certificate();
    if (leaf) out.push(leaf);
  }
  return out;
}

function peerChainOf(socket: tls.TLSSocket, rec: SocketRecord | undefined): X509Certificate[] {
  const chain = peerChain(socket);
  return chain.length === 0 && rec?.resumedChain ? [...rec.resumedChain()] : chain;
}

/**
 * Returns frozen facts about an established connection made by jsec
 * (`connect`, `listen`/`accept`, `upgrade`); also works on any `tls.TLSSocket`,
 * with `handshakeDuration` undefined.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` when `socket` is not a `tls.TLSSocket`.
 * @throws StateError `ERR_JSEC_INVALID_STATE` when the handshake has not completed.
 */
export function info(socket: tls.TLSSocket): TlsInfo {
  if (!(socket instanceof tls.TLSSocket)) {
    throw createError('ERR_INVALID_ARG_TYPE', 'The "socket" argument must be a tls.TLSSocket', { option: 'socket' });
  }
  const cipher = socket.getCipher();
  if (!cipher) {
    throw createError('ERR_JSEC_INVALID_STATE', 'The TLS handshake has not completed', { state: 'handshaking', operation: 'info' });
  }
  const rec = records.get(socket);
  const role = rec?.role ?? ((socket as { server?: unknown }).server ? 'server' : 'client');
  const ephemeral = socket.getEphemeralKeyInfo();
  return Object.freeze({
    role,
    protocol: socket.getProtocol(),
    cipher: Object.freeze({ name: cipher.name, standardName: cipher.standardName, version: cipher.version }),
    alpnProtocol: socket.alpnProtocol ?? false,
    servername: role === 'server' ? ((socket as { servername?: string | false }).servername || undefined) : rec?.servername,
    peerCertificates: Object.freeze(peerChainOf(socket, rec)),
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    resumed: socket.isSessionReused(),
    handshakeDuration: rec?.handshakeDuration,
    ephemeralKey: Object.freeze({ ...(ephemeral ?? {}) }),
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
    ...advancedInfo(socket),
  });
}

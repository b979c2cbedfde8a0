/**
 * The server's checks of a client after OpenSSL verified its certificate
 * chain: `pins`, then the `verifyPeer` hook. They run on full and resumed
 * handshakes alike, before the connection is handed out.
 *
 * @internal
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import { createError, isJsecError, type JsecError } from '../errors/index.js';
import { info, peerChain, type TlsInfo } from './info.js';
import { checkPinList, checkPins } from './pinning.js';

/** The server-side `verifyPeer` hook. */
export type ServerVerifyPeer = (chain: readonly X509Certificate[], info: TlsInfo) => void | Promise<void>;

/** The validated client checks of one server. */
export interface ClientPeerChecks {
  readonly pins: readonly string[] | undefined;
  readonly verifyPeer: ServerVerifyPeer | undefined;
}

/**
 * Validates the server's `pins` and `verifyPeer`; undefined when neither is set.
 *
 * @throws ConfigError `ERR_JSEC_CONFLICTING_OPTIONS` (pins without a required, verified client
 *   certificate), `ERR_INVALID_ARG_VALUE` (a malformed pin).
 */
export function clientPeerChecks(opts: { pins?: readonly string[]; verifyPeer?: ServerVerifyPeer }, requestCert: boolean, rejectUnauthorized: boolean): ClientPeerChecks | undefined {
  if (opts.pins === undefined && opts.verifyPeer === undefined) return undefined;
  if (opts.pins !== undefined) {
    // A pin adds a check to verification; it never replaces it.
    if (!requestCert) throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Server "pins" check client certificates: they need "requestCert: true"', { option: 'pins' });
    if (!rejectUnauthorized) {
      throw createError('ERR_JSEC_CONFLICTING_OPTIONS', 'Server "pins" are checked on the verified client chain; they cannot be combined with "rejectUnauthorized: false"', { option: 'pins' });
    }
    checkPinList(opts.pins);
  }
  return Object.freeze({ pins: opts.pins === undefined ? undefined : Object.freeze([...opts.pins]), verifyPeer: opts.verifyPeer });
}

function refused(cause: unknown, chain: readonly X509Certificate[], extra: Record<string, unknown>): JsecError {
  return createError('ERR_JSEC_TLS_VERIFY_PEER', 'The verifyPeer hook rejected the client', { ...extra, cause, peerCertificate: chain[0], chain });
}

/**
 * Runs the pins, then the hook, on a handshaken server socket.
 *
 * @throws CertificateError `ERR_JSEC_TLS_PIN_MISMATCH`, `ERR_JSEC_TLS_VERIFY_PEER`.
 */
export async function checkClientPeer(socket: tls.TLSSocket, checks: ClientPeerChecks, extra: Record<string, unknown>): Promise<void> {
  // On a resumed session OpenSSL keeps the client's leaf and the original
  // verification result; Node completes the chain from the server's trust
  // store, so pins on the leaf, an intermediate in `ca` or the root match again.
  const chain = peerChain(socket);
  if (checks.pins !== undefined) {
    try {
      checkPins(chain, checks.pins);
    } catch (err) {
      throw isJsecError(err) ? createError(err.code, err.message, { ...extra, pins: checks.pins, chainPins: (err as { chainPins?: unknown }).chainPins, peerCertificate: chain[0], chain }) : err;
    }
  }
  if (checks.verifyPeer !== undefined) {
    let verdict: unknown;
    try {
      // Typed as returning nothing (as the client's hook); `false` refuses too.
      verdict = await checks.verifyPeer(Object.freeze([...chain]), info(socket));
    } catch (cause) {
      throw refused(cause, chain, extra);
    }
    if (verdict === false) throw refused(undefined, chain, extra);
  }
}

/**
 * Whether the server sent a CertificateRequest in this (full) handshake.
 * OpenSSL fills a client's shared signature algorithms only from the
 * signature_algorithms of a CertificateRequest, so the list is empty unless
 * the server asked for a client certificate.
 */
export function certificateRequested(socket: tls.TLSSocket): boolean {
  try {
    return socket.getSharedSigalgs().length > 0;
  } catch {
    // No handle any more (destroyed): nothing left to wait for.
    return false;
  }
}

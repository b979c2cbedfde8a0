/**
 * Per-socket results of the advanced checks (OCSP, CRL), read by `info()`.
 *
 * @internal
 * @module
 */
import type tls from 'node:tls';
import type { OcspInfo } from './ocsp-stapling.js';
import type { RevocationInfo } from './revocation.js';

/** The advanced facts of one socket. */
export interface AdvancedFacts {
  ocsp?: OcspInfo;
  revocation?: RevocationInfo;
}

const facts = new WeakMap<tls.TLSSocket, AdvancedFacts>();

/** Records facts for a socket. */
export function setFacts(socket: tls.TLSSocket, f: AdvancedFacts): void {
  facts.set(socket, { ...facts.get(socket), ...f });
}

/** The `info()` fields of the advanced features: `ocsp` and `revocation` (undefined when not checked). */
export function advancedInfo(socket: tls.TLSSocket): { readonly ocsp: OcspInfo | undefined; readonly revocation: RevocationInfo | undefined } {
  const f = facts.get(socket);
  return { ocsp: f?.ocsp, revocation: f?.revocation };
}

/**
 * TLS 1.2 renegotiation with `security.renegotiation: 'server-initiated'`:
 * the server application may renegotiate (Node's `socket.renegotiate()`, for
 * example to ask for a client certificate mid-connection) while a client that
 * starts a renegotiation is still refused.
 *
 * OpenSSL cannot tell the two apart here: Node allows client-initiated
 * renegotiation in every context it builds, and `SSL_OP_NO_RENEGOTIATION`
 * refuses both kinds. Node refuses every handshake after the first on a
 * socket whose renegotiation is disabled; the guard keeps that refusal on and
 * lifts it only while a renegotiation the server asked for is in progress.
 *
 * @internal
 * @module
 */
import tls from 'node:tls';
import { createError } from '../errors/index.js';

/** The own property Node's public `disableRenegotiation()` sets, learnt once by calling it on a plain object. */
let disableKey: symbol | string | undefined | null;

function renegotiationSwitch(): symbol | string | undefined {
  if (disableKey === undefined) {
    const probe: Record<string | symbol, unknown> = {};
    try {
      tls.TLSSocket.prototype.disableRenegotiation.call(probe as unknown as tls.TLSSocket);
    } catch {
      // Leaves the key unknown.
    }
    const keys = [...Object.getOwnPropertySymbols(probe), ...Object.keys(probe)].filter((k) => probe[k] === true);
    disableKey = keys.length === 1 ? keys[0]! : null;
  }
  return disableKey ?? undefined;
}

const guarded = new WeakSet<tls.TLSSocket>();

/**
 * Lets the server application renegotiate `socket` (TLS 1.2) and refuses
 * every renegotiation the client starts.
 */
export function guardRenegotiation(socket: tls.TLSSocket): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  let serverAsked = false;
  const refuse = () => {
    if (!socket.destroyed) socket.destroy(createError('ERR_TLS_RENEGOTIATION_DISABLED', 'The client started a TLS renegotiation; only the server may renegotiate', { initiator: 'client' }));
  };
  const key = renegotiationSwitch();
  if (key !== undefined) {
    // Node reads the switch when a handshake starts on an established
    // socket: a start the server did not ask for is the client's, and the
    // connection ends there, before the client's handshake completes.
    Object.defineProperty(socket, key, {
      configurable: true,
      get: () => {
        if (!serverAsked) refuse();
        return false;
      },
      set: () => {},
    });
  }
  // A completed handshake the server did not ask for is refused after the
  // fact too (only reachable if Node stopped consulting the switch).
  socket.on('secure', () => {
    if (serverAsked) serverAsked = false;
    else refuse();
  });
  const renegotiate = socket.renegotiate;
  Object.defineProperty(socket, 'renegotiate', {
    configurable: true,
    writable: true,
    value: function (this: tls.TLSSocket, options: Parameters<tls.TLSSocket['renegotiate']>[0], callback?: (err: Error | null) => void): boolean | undefined {
      serverAsked = true;
      const done = (err: Error | null) => {
        if (err) serverAsked = false;
        callback?.(err);
      };
      const started = renegotiate.call(this, options, done) as boolean | undefined;
      if (started !== true) serverAsked = false;
      return started;
    },
  });
}

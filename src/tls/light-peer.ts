/**
 * The client's host-name check without Node's detailed peer certificate.
 *
 * Node's TLS client calls `getPeerCertificate(true)` on every full handshake
 * to hand the host check the whole chain as JavaScript objects (names,
 * extensions, three fingerprints per certificate, the issuer looked up in the
 * trust store): about half a millisecond, a third of a client's handshake
 * CPU. The host check reads only the leaf's names. For connections that use
 * jsec's own check, that one call returns the leaf alone (Node's
 * non-detailed form); the check is Node's own `tls.checkServerIdentity` on
 * it, so the rules are unchanged. jsec builds the verified chain once per
 * server certificate and context instead (client.ts).
 *
 * `getPeerX509Certificate()` is not an option: on a client it consumes
 * Node's copy of the peer chain (a second call, and any later
 * `getPeerCertificate()`, return nothing), which would break the socket for
 * its user.
 *
 * @internal
 * @module
 */
import tls from 'node:tls';

const nodeGetPeerCertificate = tls.TLSSocket.prototype.getPeerCertificate;

/**
 * Arms the light path on a client socket for the 'secure' event, in which
 * Node's handler calls `getPeerCertificate(true)` right before the host
 * check; `onLight` receives the leaf handed out instead. Returns the function
 * that disarms it, which the caller runs on 'secureConnect' (Node emits it
 * from the same handler, right after the check); the light getter also
 * disarms itself on its first call, so any later caller, user code included,
 * gets Node's own method.
 */
export function armLightPeer(socket: tls.TLSSocket, onLight: (leaf: tls.PeerCertificate) => void): () => void {
  const disarm = (): void => {
    if (Object.prototype.hasOwnProperty.call(socket, 'getPeerCertificate')) delete (socket as { getPeerCertificate?: unknown }).getPeerCertificate;
  };
  socket.prependOnceListener('secure', () => {
    // A resumed session has no host check (and no chain in Node).
    if (socket.isSessionReused()) return;
    Object.defineProperty(socket, 'getPeerCertificate', {
      configurable: true,
      writable: true,
      value: (detailed?: boolean) => {
        disarm();
        if (detailed !== true) return nodeGetPeerCertificate.call(socket, detailed);
        const leaf = nodeGetPeerCertificate.call(socket, false);
        onLight(leaf);
        return leaf;
      },
    });
  });
  return disarm;
}

// upgrade() in the server role: handshakeTimeout 0 means "no timeout" (as in
// the client role), a positive value still bounds the handshake, and the
// accepted TLS socket reports no idle timeout (as net's sockets).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upgrade } from 'jsec/tls';
import { pki, rejectionOf, tcpPair } from './_util.mjs';

const T = { timeout: 20_000 };
const leaf = pki.leaves['P-256'];
const serverOptions = { isServer: true, cert: leaf.cert + pki.root.cert, key: leaf.key };


test('server-role upgrade: handshakeTimeout 0 is accepted and a handshake completes; the socket has no idle timeout', T, async () => {
  const [raw, serverRaw] = await tcpPair();
  const [srvSock, cliSock] = await Promise.all([upgrade(serverRaw, { ...serverOptions, handshakeTimeout: 0 }), upgrade(raw, { host: 'localhost', ca: pki.ca, handshakeTimeout: 0 })]);
  assert.equal(srvSock.timeout, undefined);
  cliSock.destroy();
  srvSock.destroy();
});

test('server-role upgrade: a positive handshakeTimeout still fires; 0 does not time out (a silent client is cut by the signal instead)', T, async () => {
  const [raw, serverRaw] = await tcpPair();
  const err = await rejectionOf(upgrade(serverRaw, { ...serverOptions, handshakeTimeout: 20 }));
  assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
  raw.destroy();
  const [raw2, serverRaw2] = await tcpPair();
  const ac = new AbortController();
  const pending = upgrade(serverRaw2, { ...serverOptions, handshakeTimeout: 0, signal: ac.signal });
  // Well past the 20 ms above: with 0 nothing fires until the caller aborts.
  setTimeout(() => ac.abort(), 200);
  const aborted = await rejectionOf(pending);
  assert.equal(aborted.code, 'ABORT_ERR');
  raw2.destroy();
});

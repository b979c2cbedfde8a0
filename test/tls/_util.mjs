// Shared bits of the jsec/tls tests: an echo server over listen(), and a
// check that a server still serves a healthy client.
import assert from 'node:assert/strict';
import { connect, listen } from 'jsec/tls';
import { getTestPki } from '../helpers/pki.mjs';

export const pki = await getTestPki();

/** A listening echo server on 127.0.0.1 with the ECDSA leaf (or `options`). */
export async function echoServer(options = {}) {
  const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa, ...options });
  server.on('secureConnection', (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  return server;
}

/** Connects a healthy client, round-trips a message, and closes. */
export async function assertServes(server, options = {}) {
  const addr = server.address();
  const target = typeof addr === 'string' ? { path: addr } : { host: '127.0.0.1', port: addr.port };
  const socket = await connect({ ...target, ca: pki.ca, servername: 'localhost', ...options });
  socket.write('ping');
  const [data] = await Promise.race([
    new Promise((resolve) => socket.once('data', (d) => resolve([d]))),
    new Promise((_, reject) => socket.once('error', reject)),
  ]);
  assert.equal(String(data), 'ping');
  socket.destroy();
}

export { rejectionOf } from '../helpers/rejection.mjs';

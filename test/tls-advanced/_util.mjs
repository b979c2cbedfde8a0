// Shared bits of the jsec/tls advanced-feature tests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { connect, listen } from 'jsec/tls';
import { getAdvancedPki, KEY_TYPES, VERSIONS, resetResponder } from '../helpers/tls-advanced-pki.mjs';

export const pki = await getAdvancedPki();
export { KEY_TYPES, VERSIONS, resetResponder };

/** Every {TLS version} x {key type} case. */
export const MATRIX = VERSIONS.flatMap((version) => Object.keys(KEY_TYPES).map((keyType) => ({ version, keyType, name: `${version} ${keyType}` })));

/** Policy pinning one version. */
export const only = (version) => ({ minVersion: version, maxVersion: version });

/** A listening jsec echo server for `keyType` (leaf + root in the chain, so Node finds the OCSP issuer). */
export async function server(keyType, version, options = {}) {
  const leaf = pki.leaves[keyType];
  const s = await listen({ host: '127.0.0.1', port: 0, cert: leaf.cert + pki.root.cert, key: leaf.key, security: only(version), ...options });
  s.errors = [];
  s.on('handshakeError', (e) => s.errors.push(e));
  s.on('secureConnection', (sock) => {
    sock.on('error', () => {});
    sock.pipe(sock);
  });
  return s;
}

export const portOf = (s) => s.address().port;

/** Connects with the test root as trust anchor; closes politely after an echo round trip. */
export async function dial(srv, options = {}) {
  const base = options.context ? { servername: 'localhost' } : { ca: pki.ca, servername: 'localhost' };
  const s = await connect('127.0.0.1', typeof srv === 'number' ? srv : portOf(srv), { ...base, ...options });
  return s;
}

/** Echo round trip then end; resolves when closed. */
export async function roundTrip(socket, text = 'ping') {
  socket.write(text);
  const [d] = await once(socket, 'data');
  assert.equal(String(d), text);
  socket.end();
  await once(socket, 'close');
}

export { rejectionOf } from '../helpers/rejection.mjs';

/** Runs a command with stdin text; resolves { code, out } (stdout+stderr), killed after `ms`. */
export function run(cmd, args, { input = '', ms = 10_000, keepOpen = 0 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    p.stdin.on('error', () => {});
    if (keepOpen) {
      p.stdin.write(input);
      setTimeout(() => p.stdin.end(), keepOpen);
    } else p.stdin.end(input);
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Waits until something accepts TCP connections on `port`. */
export async function waitPort(port, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the server reported at least `n` handshake errors (bounded). */
export async function errorsAtLeast(srv, n, ms = 5000) {
  const end = Date.now() + ms;
  while (srv.errors.length < n) {
    if (Date.now() > end) assert.fail(`expected ${n} handshake errors, saw ${srv.errors.length}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return srv.errors;
}

/** A connected plain TCP pair on loopback: [client side, server side]. */
export async function tcpPair() {
  const plain = net.createServer();
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const accepted = once(plain, 'connection');
  const raw = net.connect(plain.address().port, '127.0.0.1');
  await once(raw, 'connect');
  const [serverRaw] = await accepted;
  plain.close();
  return [raw, serverRaw];
}

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import tls from 'node:tls';
import { CertificateError, ConfigError, StateError, TlsError, AlertError } from 'jsec/errors';
import { connect, createContext, info, listen } from 'jsec/tls';
import { echoServer, pki, rejectionOf } from './_util.mjs';

const T = { timeout: 10_000 };

/** A node:tls echo server (the independent peer for client tests). */
async function nodeServer(options, host = '127.0.0.1') {
  const server = tls.createServer(options, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  server.on('tlsClientError', () => {});
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

async function roundTrip(socket, text = 'hello') {
  socket.write(text);
  const [d] = await once(socket, 'data');
  assert.equal(String(d), text);
}

const ipv6 = await new Promise((resolve) => {
  const s = net.createServer().once('error', () => resolve(false));
  s.listen(0, '::1', () => s.close(() => resolve(true)));
});

describe('connect: transports', () => {
  test('IPv4 literal: no SNI, IP SAN checked, info fields', T, async () => {
    let sni = 'unset';
    const server = await nodeServer({ ...pki.leaves.ecdsa, SNICallback: (name, cb) => { sni = name; cb(null); } });
    server.on('secureConnection', (s) => { sni = s.servername; });
    const socket = await connect('127.0.0.1', server.address().port, { ca: pki.ca });
    assert.ok(socket instanceof tls.TLSSocket);
    assert.ok(socket instanceof net.Socket);
    await roundTrip(socket);
    const i = info(socket);
    assert.ok(Object.isFrozen(i));
    assert.equal(i.role, 'client');
    assert.equal(i.protocol, 'TLSv1.3');
    assert.equal(i.cipher.version, 'TLSv1.3');
    assert.match(i.cipher.standardName, /^TLS_/);
    assert.equal(i.alpnProtocol, false);
    assert.equal(i.servername, undefined);
    assert.equal(sni, false, 'no SNI is sent to an IP address');
    assert.equal(i.authorized, true);
    assert.equal(i.authorizationError, undefined);
    assert.equal(i.resumed, false);
    assert.equal(typeof i.handshakeDuration, 'number');
    assert.ok(i.handshakeDuration > 0);
    assert.equal(i.peerCertificates.length, 3, 'leaf, intermediate, root');
    assert.ok(i.peerCertificates.every((c) => c instanceof X509Certificate));
    assert.equal(i.peerCertificates[0].subject, 'CN=localhost');
    assert.equal(i.peerCertificates[1].subject, 'CN=jsec Test Intermediate CA');
    assert.equal(i.peerCertificates[2].subject, 'CN=jsec Test Root CA');
    assert.equal(i.remoteAddress, '127.0.0.1');
    assert.equal(i.remotePort, server.address().port);
    assert.equal(i.localAddress, '127.0.0.1');
    socket.destroy();
    server.close();
  });

  test('DNS name localhost: SNI sent and checked', T, async () => {
    let sni;
    const server = await nodeServer({ ...pki.leaves.rsa }, undefined);
    server.on('secureConnection', (s) => { sni = s.servername; });
    const socket = await connect('localhost', server.address().port, { ca: pki.ca, ALPNProtocols: ['h2', 'http/1.1'] });
    await roundTrip(socket);
    assert.equal(sni, 'localhost');
    assert.equal(info(socket).servername, 'localhost');
    socket.destroy();
    server.close();
  });

  test('IPv6 literal ::1', { ...T, skip: !ipv6 && '::1 is not available' }, async () => {
    const server = await nodeServer({ ...pki.leaves.ed25519 }, '::1');
    const socket = await connect('::1', server.address().port, { ca: pki.ca });
    await roundTrip(socket);
    assert.equal(info(socket).remoteFamily, 'IPv6');
    assert.equal(info(socket).peerCertificates[0].checkIP('::1'), '::1');
    socket.destroy();
    server.close();
  });

  test('Unix socket path, host name from servername', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsec-tls-'));
    const path = join(dir, 's.sock');
    const server = await echoServer({ host: undefined, port: undefined, path });
    try {
      const socket = await connect({ path, ca: pki.ca, servername: 'localhost' });
      await roundTrip(socket);
      assert.equal(info(socket).servername, 'localhost');
      socket.destroy();
      const err = await rejectionOf(connect({ path, ca: pki.ca, servername: 'other.example' }));
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('application data flows both ways after connect (ALPN negotiated)', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa, ALPNProtocols: ['http/1.1'] });
    const socket = await connect({ host: '127.0.0.1', port: server.address().port, ca: pki.ca, ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(info(socket).alpnProtocol, 'http/1.1');
    await roundTrip(socket, 'x'.repeat(100_000).slice(0, 1000));
    socket.destroy();
    server.close();
  });
});

describe('connect: typed rejections', () => {
  const cases = [
    ['expired', { ...pki.expired }, pki.ca, 'CERT_HAS_EXPIRED', 0],
    ['not yet valid', { ...pki.notYetValid }, pki.ca, 'CERT_NOT_YET_VALID', 0],
    ['wrong host', { ...pki.wrongHost }, pki.ca, 'ERR_TLS_CERT_ALTNAME_INVALID', 0],
    ['self-signed', { ...pki.selfSigned }, pki.ca, 'DEPTH_ZERO_SELF_SIGNED_CERT', 0],
    ['untrusted root, leaf only', { ...pki.untrusted }, pki.ca, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 0],
    ['untrusted root sent in chain', { cert: pki.untrusted.cert + pki.otherRoot.cert, key: pki.untrusted.key }, pki.ca, 'SELF_SIGNED_CERT_IN_CHAIN', 1],
    ['chain to an anchor we do not trust', { ...pki.leaves.ecdsa }, pki.otherRoot.cert, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 1],
  ];
  for (const [name, serverOptions, ca, code, depth] of cases) {
    test(name, T, async () => {
      const server = await nodeServer(serverOptions);
      const err = await rejectionOf(connect('127.0.0.1', server.address().port, { ca }));
      assert.ok(err instanceof CertificateError, `${err}`);
      assert.equal(err.code, code);
      assert.equal(err.verifyCode, code);
      assert.equal(err.depth, depth);
      assert.ok(err.peerCertificate instanceof X509Certificate);
      assert.ok(err.cause === undefined || err.cause instanceof Error);
      server.close();
    });
  }

  test('default trust store does not trust the test root', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa });
    const err = await rejectionOf(connect('127.0.0.1', server.address().port));
    assert.equal(err.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    server.close();
  });

  test('protocol version: no shared version', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa, maxVersion: 'TLSv1.2' });
    const err = await rejectionOf(connect('127.0.0.1', server.address().port, { ca: pki.ca, security: { minVersion: 'TLSv1.3' } }));
    assert.ok(err instanceof TlsError);
    assert.equal(err.code, 'ERR_JSEC_TLS_PROTOCOL_VERSION');
    assert.equal(err.alert, 70);
    assert.equal(err.alertName, 'protocol_version');
    assert.equal(err.direction, 'received');
    assert.ok(err.cause instanceof Error);
    server.close();
  });

  test('alert received: server requires a client certificate (TLS 1.2)', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa, requestCert: true, rejectUnauthorized: true, ca: pki.ca, maxVersion: 'TLSv1.2' });
    const err = await rejectionOf(connect('127.0.0.1', server.address().port, { ca: pki.ca }));
    assert.ok(err instanceof AlertError);
    assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
    assert.equal(err.alert, 40);
    assert.equal(err.alertName, 'handshake_failure');
    assert.equal(err.direction, 'received');
    server.close();
  });

  test('mutual TLS succeeds with a client certificate', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa, requestCert: true, rejectUnauthorized: true, ca: pki.ca });
    const socket = await connect('127.0.0.1', server.address().port, { ca: pki.ca, ...pki.client });
    await roundTrip(socket);
    socket.destroy();
    server.close();
  });

  test('connection refused', T, async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    await new Promise((r) => probe.close(r));
    const err = await rejectionOf(connect('127.0.0.1', port, { ca: pki.ca }));
    assert.ok(err instanceof TlsError);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.cause.code, 'ECONNREFUSED');
  });

  test('handshake timeout against a server that never answers', T, async () => {
    const sockets = [];
    const silent = net.createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const err = await rejectionOf(connect('127.0.0.1', silent.address().port, { ca: pki.ca, handshakeTimeout: 150 }));
    assert.ok(err instanceof TlsError);
    assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    sockets.forEach((s) => s.destroy());
    silent.close();
  });

  test('abort through the signal destroys the socket', T, async () => {
    const controller = new AbortController();
    const sockets = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
      controller.abort(new Error('user gave up'));
    }).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const err = await rejectionOf(connect('127.0.0.1', silent.address().port, { ca: pki.ca, signal: controller.signal }));
    assert.ok(err instanceof StateError);
    assert.equal(err.code, 'ABORT_ERR');
    assert.equal(err.cause.message, 'user gave up');
    // The server side sees the connection end: the client socket was destroyed.
    await once(sockets[0], 'close');
    const pre = await rejectionOf(connect('127.0.0.1', silent.address().port, { ca: pki.ca, signal: AbortSignal.abort() }));
    assert.equal(pre.code, 'ABORT_ERR');
    silent.close();
  });
});

describe('connect: contexts, sessions and options', () => {
  test('createContext returns one frozen context per identical options', () => {
    const a = createContext({ ca: pki.ca });
    const b = createContext({ ca: Buffer.from(pki.ca) });
    const c = createContext({ ca: pki.otherRoot.cert });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.ok(Object.isFrozen(a));
    assert.equal(a.role, 'client');
    assert.ok(a.secureContext);
    assert.equal(a.security.minVersion, 'TLSv1.2');
    assert.throws(() => { a.role = 'server'; }, TypeError);
  });

  test('connect reuses one SecureContext for the same ca', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa });
    const original = tls.createSecureContext;
    let built = 0;
    tls.createSecureContext = (...args) => { built++; return original(...args); };
    try {
      const ca = pki.ca + '\n'; // material not seen before in this process
      for (let i = 0; i < 4; i++) (await connect('127.0.0.1', server.address().port, { ca, security: { sessionCacheSize: 0 } })).destroy();
    } finally {
      tls.createSecureContext = original;
    }
    assert.equal(built, 1);
    server.close();
  });

  test('a context is accepted, and conflicts with material options', T, async () => {
    const server = await nodeServer({ ...pki.leaves.ecdsa });
    const ctx = createContext({ ca: pki.ca, security: { maxVersion: 'TLSv1.2' } });
    const socket = await connect('127.0.0.1', server.address().port, { context: ctx });
    assert.equal(info(socket).protocol, 'TLSv1.2');
    socket.destroy();
    const err = await rejectionOf(connect('127.0.0.1', server.address().port, { context: ctx, ca: pki.ca }));
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'ERR_JSEC_CONFLICTING_OPTIONS');
    const serverCtx = createContext({ role: 'server', ...pki.leaves.ecdsa });
    const wrongRole = await rejectionOf(connect('127.0.0.1', server.address().port, { context: serverCtx }));
    assert.equal(wrongRole.code, 'ERR_INVALID_ARG_VALUE');
    const listenErr = await rejectionOf(listen({ port: 0, context: ctx }));
    assert.ok(listenErr instanceof ConfigError);
    assert.equal(listenErr.code, 'ERR_INVALID_ARG_VALUE');
    server.close();
  });

  test('sessions are cached per context and resumed; sessionCacheSize 0 disables', T, async () => {
    const server = await echoServer();
    const port = server.address().port;
    const security = { sessionCacheSize: 4 };
    const first = await connect('localhost', port, { ca: pki.ca, security });
    await roundTrip(first); // the TLS 1.3 ticket arrives after the handshake
    first.destroy();
    const second = await connect('localhost', port, { ca: pki.ca, security });
    assert.equal(info(second).resumed, true);
    assert.equal(info(second).authorized, true);
    assert.equal(info(second).peerCertificates[0].subject, 'CN=localhost');
    second.destroy();
    const off = { sessionCacheSize: 0 };
    const a = await connect('localhost', port, { ca: pki.ca, security: off });
    await roundTrip(a);
    a.destroy();
    const b = await connect('localhost', port, { ca: pki.ca, security: off });
    assert.equal(info(b).resumed, false);
    b.destroy();
    await server.close();
  });

  test('bad options are typed config errors with suggestions', async () => {
    const e1 = await rejectionOf(connect('127.0.0.1', 1, { servrname: 'x' }));
    assert.equal(e1.code, 'ERR_JSEC_UNKNOWN_OPTION');
    assert.equal(e1.suggestion, 'servername');
    const e2 = await rejectionOf(connect('127.0.0.1', 1, { rejectUnauthorized: false }));
    assert.equal(e2.code, 'ERR_INVALID_ARG_VALUE');
    assert.equal(e2.suggestion, 'dangerouslyDisableVerification');
    const e3 = await rejectionOf(connect({ host: '127.0.0.1' }));
    assert.equal(e3.code, 'ERR_MISSING_OPTION');
    const e4 = await rejectionOf(connect('127.0.0.1', 70000));
    assert.equal(e4.code, 'ERR_OUT_OF_RANGE');
    const e5 = await rejectionOf(connect('127.0.0.1', 1, { security: { minVersion: 'TLSv1.1' } }));
    assert.equal(e5.code, 'ERR_INVALID_ARG_VALUE');
    const e6 = await rejectionOf(connect('127.0.0.1', 1, { security: { minVersoin: 'TLSv1.3' } }));
    assert.equal(e6.code, 'ERR_JSEC_UNKNOWN_OPTION');
    assert.equal(e6.suggestion, 'minVersion');
    const e7 = await rejectionOf(connect('127.0.0.1', 1, { handshakeTimeout: -1 }));
    assert.equal(e7.code, 'ERR_OUT_OF_RANGE');
    assert.throws(() => info({}), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
  });
});

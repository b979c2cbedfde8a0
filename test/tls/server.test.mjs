import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { CertificateError, ConfigError, StateError, TlsError } from 'jsec/errors';
import { connect, info, listen, TlsServer } from 'jsec/tls';
import { assertServes, echoServer, pki, rejectionOf } from './_util.mjs';

const T = { timeout: 10_000 };
const port = (server) => server.address().port;
const closed = (s) => new Promise((resolve) => { s.on('error', () => {}); s.on('close', resolve); });

describe('listen', () => {
  test('a started tls.Server: accept() hands out verified connections with info', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.rsa, ALPNProtocols: ['x-test'] });
    assert.ok(server instanceof tls.Server);
    assert.ok(server instanceof TlsServer);
    assert.equal(server.listening, true);
    assert.equal(server.state, 'listening');
    const accepted = server.accept();
    const client = await connect('localhost', port(server), { ca: pki.ca, ALPNProtocols: ['x-test'] });
    const s = await accepted;
    assert.ok(s instanceof tls.TLSSocket);
    const i = info(s);
    assert.equal(i.role, 'server');
    assert.equal(i.servername, 'localhost');
    assert.equal(i.alpnProtocol, 'x-test');
    assert.equal(i.protocol, 'TLSv1.3');
    assert.equal(typeof i.handshakeDuration, 'number');
    assert.ok(i.handshakeDuration > 0);
    assert.deepEqual(i.peerCertificates, []);
    s.write('from server');
    const [d] = await once(client, 'data');
    assert.equal(String(d), 'from server');
    client.destroy();
    await server.close();
    assert.equal(server.state, 'closed');
  });

  test('async iteration yields each connection and ends on close', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa });
    const seen = [];
    const loop = (async () => {
      for await (const s of server) {
        seen.push(s);
        s.end();
        if (seen.length === 3) break;
      }
    })();
    const clients = await Promise.all([1, 2, 3].map(() => connect('127.0.0.1', port(server), { ca: pki.ca })));
    await loop;
    assert.equal(seen.length, 3);
    clients.forEach((c) => c.destroy());
    await server.close();
    // Iterating a closed server ends at once; accept() rejects.
    for await (const _ of server) assert.fail('no connection after close');
    const err = await rejectionOf(server.accept());
    assert.ok(err instanceof StateError);
    assert.equal(err.code, 'ERR_JSEC_CLOSED');
  });

  test('close() rejects pending accept() and supports the callback form', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa });
    const pending = server.accept();
    let called = false;
    const p = server.close(() => { called = true; });
    const err = await rejectionOf(pending);
    assert.equal(err.code, 'ERR_JSEC_CLOSED');
    await p;
    assert.equal(called, true);
    await server.close(); // idempotent
  });

  test('accept() honours an AbortSignal', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa });
    const controller = new AbortController();
    const pending = server.accept({ signal: controller.signal });
    controller.abort();
    const err = await rejectionOf(pending);
    assert.equal(err.code, 'ABORT_ERR');
    // The aborted waiter does not swallow the next connection.
    const next = server.accept();
    const c = await connect('127.0.0.1', port(server), { ca: pki.ca });
    (await next).destroy();
    c.destroy();
    await server.close();
  });

  test('a server used only through secureConnection keeps no queue', T, async () => {
    const server = await echoServer();
    for (let i = 0; i < 3; i++) await assertServes(server);
    // Nothing was queued: the first accept() waits for a new connection.
    const first = server.accept();
    const c = await connect('127.0.0.1', port(server), { ca: pki.ca });
    const s = await first;
    assert.equal(s.remotePort, c.localPort);
    c.destroy();
    await server.close();
  });

  test('the accept queue is bounded: overflow is dropped and reported', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa, acceptQueue: 1 });
    const errors = [];
    server.on('handshakeError', (e) => errors.push(e.code));
    const waiting = server.accept();
    const c0 = await connect('127.0.0.1', port(server), { ca: pki.ca });
    (await waiting).destroy();
    const dropped = once(server, 'handshakeError');
    const c1 = await connect('127.0.0.1', port(server), { ca: pki.ca });
    const c2 = await connect('127.0.0.1', port(server), { ca: pki.ca });
    await dropped;
    assert.deepEqual(errors, ['ERR_JSEC_TLS_QUEUE_FULL']);
    const queued = await server.accept();
    assert.equal(queued.remotePort, c1.localPort);
    [c0, c1, c2, queued].forEach((s) => s.destroy());
    await server.close();
  });

  test('listen errors are typed', T, async () => {
    const a = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa });
    const err = await rejectionOf(listen({ host: '127.0.0.1', port: port(a), ...pki.leaves.ecdsa }));
    assert.ok(err instanceof TlsError);
    assert.equal(err.code, 'ERR_JSEC_TLS_LISTEN');
    assert.equal(err.cause.code, 'EADDRINUSE');
    await a.close();
    const missing = await rejectionOf(listen({ port: 0, cert: pki.leaves.ecdsa.cert }));
    assert.ok(missing instanceof ConfigError);
    assert.equal(missing.code, 'ERR_MISSING_OPTION');
    const mismatch = await rejectionOf(listen({ port: 0, cert: pki.leaves.ecdsa.cert, key: pki.leaves.rsa.key }));
    assert.equal(mismatch.code, 'ERR_INVALID_ARG_VALUE');
    assert.equal(mismatch.option, 'key');
    const typo = await rejectionOf(listen({ port: 0, ...pki.leaves.ecdsa, requestCrt: true }));
    assert.equal(typo.suggestion, 'requestCert');
  });
});

describe('listen: handshake failures are reported, never disturb the server', () => {
  test('handshakeError event and diagnostics channels', T, async () => {
    const server = await echoServer();
    const published = [];
    const ok = [];
    const onError = (m) => published.push(m);
    const onOk = (m) => ok.push(m);
    diagnostics.subscribe('jsec:tls:handshake-error', onError);
    diagnostics.subscribe('jsec:tls:handshake', onOk);
    try {
      const reported = once(server, 'handshakeError');
      // A client that does not trust the server aborts the handshake.
      const clientErr = await rejectionOf(connect('127.0.0.1', port(server), { ca: pki.otherRoot.cert }));
      assert.equal(clientErr.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
      const [err, details] = await reported;
      assert.ok(err instanceof TlsError);
      assert.equal(details.remoteAddress, '127.0.0.1');
      assert.equal(typeof details.remotePort, 'number');
      assert.ok(published.some((m) => m.role === 'server' && m.error === err));
      assert.ok(published.some((m) => m.role === 'client' && m.error === clientErr));
      await assertServes(server);
      assert.ok(ok.some((m) => m.role === 'server' && typeof m.duration === 'number' && m.protocol === 'TLSv1.3'));
      assert.ok(ok.some((m) => m.role === 'client' && typeof m.duration === 'number'));
    } finally {
      diagnostics.unsubscribe('jsec:tls:handshake-error', onError);
      diagnostics.unsubscribe('jsec:tls:handshake', onOk);
      await server.close();
    }
  });

  test('mutual TLS: missing or untrusted client certificates are typed errors', T, async () => {
    const server = await echoServer({ requestCert: true, ca: pki.ca });
    const errors = [];
    server.on('handshakeError', (e) => errors.push(e));
    let secure = 0;
    server.on('secureConnection', () => secure++);
    // TLS 1.3: the client finishes its handshake before the server checks its
    // certificate, so its connect() may resolve just before it is dropped.
    const dropped = async (p) => {
      try {
        await closed(await p);
      } catch (err) {
        assert.ok(err instanceof TlsError);
      }
    };
    await dropped(connect('127.0.0.1', port(server), { ca: pki.ca }));
    await dropped(connect('127.0.0.1', port(server), { ca: pki.ca, ...pki.untrusted }));
    while (errors.length < 2) await once(server, 'handshakeError');
    assert.equal(errors.length, 2);
    assert.equal(errors[0].code, 'ERR_JSEC_NO_PEER_CERTIFICATE');
    assert.ok(errors[1] instanceof CertificateError);
    assert.equal(errors[1].code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(secure, 0, 'secureConnection is only emitted for verified connections');
    const good = await connect('127.0.0.1', port(server), { ca: pki.ca, ...pki.client });
    good.write('mtls');
    const [d] = await once(good, 'data');
    assert.equal(String(d), 'mtls');
    assert.equal(secure, 1);
    good.destroy();
    await server.close();
  });

  test('optional client authentication with rejectUnauthorized: false', T, async () => {
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa, requestCert: true, rejectUnauthorized: false, ca: pki.ca });
    const a = server.accept();
    const c1 = await connect('127.0.0.1', port(server), { ca: pki.ca });
    const s1 = await a;
    assert.equal(info(s1).authorized, false);
    const b = server.accept();
    const c2 = await connect('127.0.0.1', port(server), { ca: pki.ca, ...pki.client });
    const s2 = await b;
    assert.equal(info(s2).authorized, true);
    assert.equal(info(s2).peerCertificates[0].subject, 'CN=jsec test client');
    [c1, c2, s1, s2].forEach((s) => s.destroy());
    await server.close();
  });

  test('close() destroys handshakes in progress instead of waiting for them', T, async () => {
    const server = await echoServer({ handshakeTimeout: 60_000 });
    const accepted = once(server, 'connection');
    const raw = net.connect(port(server), '127.0.0.1');
    await accepted;
    await server.close();
    await once(raw, 'close');
  });
});

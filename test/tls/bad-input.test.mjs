// Hostile and broken peers: each yields a typed error within the handshake
// timeout, and the server keeps serving a concurrent healthy client.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { TlsError } from 'jsec/errors';
import { connect } from 'jsec/tls';
import { assertServes, echoServer, pki, rejectionOf } from './_util.mjs';

const T = { timeout: 10_000 };

/** Opens a raw TCP connection to `server`, runs `act(socket)`, returns the reported handshake error. */
async function attack(server, act) {
  const reported = once(server, 'handshakeError');
  const raw = net.connect(server.address().port, '127.0.0.1');
  raw.on('error', () => {});
  await once(raw, 'connect');
  const localPort = raw.localPort;
  act(raw);
  // A healthy client is served while the attack is in progress.
  await assertServes(server);
  const [err, details] = await reported;
  assert.ok(err instanceof TlsError, `${err}`);
  assert.equal(details.remoteAddress, '127.0.0.1');
  assert.equal(details.remotePort, localPort);
  raw.destroy();
  await assertServes(server);
  return err;
}

/** A raw TCP server that runs `onSocket` for each connection. */
async function rawServer(onSocket) {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

describe('server under bad input', () => {
  test('garbage instead of a ClientHello', T, async () => {
    const server = await echoServer();
    const err = await attack(server, (raw) => raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')));
    assert.equal(err.code, 'ERR_JSEC_TLS_BAD_RECORD');
    const binary = await attack(server, (raw) => raw.write(Buffer.alloc(64, 0xa5)));
    assert.equal(binary.code, 'ERR_JSEC_TLS_BAD_RECORD');
    await server.close();
  });

  test('a client that closes in the middle of its ClientHello', T, async () => {
    const server = await echoServer();
    // A handshake record header announcing 512 bytes, then 4 of them, then FIN.
    const err = await attack(server, (raw) => raw.end(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])));
    assert.equal(err.code, 'ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE');
    await server.close();
  });

  test('a client that connects and sends nothing times out', T, async () => {
    const server = await echoServer({ handshakeTimeout: 300 });
    const err = await attack(server, () => {});
    assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    await server.close();
  });

  test('a client certificate chain of 1 MiB', T, async () => {
    const server = await echoServer({ requestCert: true, ca: pki.ca });
    const reported = once(server, 'handshakeError');
    const huge = pki.client.cert + pki.intermediate.cert.repeat(Math.ceil((1 << 20) / pki.intermediate.cert.length));
    const attacker = rejectionOf(connect('127.0.0.1', server.address().port, { ca: pki.ca, cert: huge, key: pki.client.key, security: { maxVersion: 'TLSv1.2' } }));
    await assertServes(server, pki.client);
    const [err] = await reported;
    assert.equal(err.code, 'ERR_JSEC_TLS_PEER_TOO_LARGE');
    const clientErr = await attacker;
    assert.ok(clientErr instanceof TlsError);
    await assertServes(server, pki.client);
    await server.close();
  });
});

describe('client under bad input', () => {
  test('garbage instead of a ServerHello', T, async () => {
    const bad = await rawServer((s) => s.once('data', () => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    const err = await rejectionOf(connect('127.0.0.1', bad.port, { ca: pki.ca, handshakeTimeout: 5000 }));
    assert.equal(err.code, 'ERR_JSEC_TLS_BAD_RECORD');
    assert.ok(err.cause instanceof Error);
    bad.close();
  });

  test('a server that closes after reading the ClientHello', T, async () => {
    const bad = await rawServer((s) => s.once('data', () => s.end()));
    const err = await rejectionOf(connect('127.0.0.1', bad.port, { ca: pki.ca, handshakeTimeout: 5000 }));
    assert.equal(err.code, 'ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE');
    bad.close();
  });

  test('a server that sends a certificate chain of 1 MiB', T, async () => {
    const huge = pki.leaves.ecdsa.cert + pki.intermediate.cert.repeat(Math.ceil((1 << 20) / pki.intermediate.cert.length));
    assert.ok(huge.length > 1 << 20);
    const server = tls.createServer({ cert: huge, key: pki.leaves.ecdsa.key });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
      const err = await rejectionOf(connect('127.0.0.1', server.address().port, { ca: pki.ca, handshakeTimeout: 5000, security: { maxVersion } }));
      assert.equal(err.code, 'ERR_JSEC_TLS_PEER_TOO_LARGE', maxVersion);
    }
    server.close();
  });
});

describe('trust anchors that hold no certificate are refused, never dropped', () => {
  const bad = [['text', 'not a pem'], ['a list with one bad entry', () => [pki.ca, 'junk']], ['DER bytes', Buffer.from('308201', 'hex')], ['a key', () => pki.leaves.ecdsa.key]];
  for (const [name, value] of bad) {
    test(`connect({ ca: ${name} }) -> ERR_INVALID_ARG_VALUE (option ca)`, T, async () => {
      const ca = typeof value === 'function' ? value() : value;
      const err = await rejectionOf(connect({ host: '127.0.0.1', port: 9, ca }));
      assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
      assert.equal(err.option, 'ca');
    });
  }
  test('listen({ requestCert, ca: garbage }) -> ERR_INVALID_ARG_VALUE (option ca)', T, async () => {
    const err = await rejectionOf(echoServer({ requestCert: true, ca: 'garbage' }));
    assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
    assert.equal(err.option, 'ca');
  });
});

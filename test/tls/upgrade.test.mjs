import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { CertificateError, ConfigError, StateError } from 'jsec/errors';
import { info, upgrade } from 'jsec/tls';
import { pki, rejectionOf } from './_util.mjs';

const T = { timeout: 10_000 };

/**
 * Reads one CRLF line from a plain socket, then stops reading. Returns the
 * line and whatever arrived after it in the same chunk(s).
 */
function readLine(socket) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf('\r\n');
      if (i < 0) return;
      socket.removeListener('data', onData);
      socket.removeListener('error', reject);
      socket.pause();
      resolve({ line: String(buf.subarray(0, i)), rest: buf.subarray(i + 2) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

/** Reads one CRLF line from a TLS socket (flowing). */
function tlsLine(socket) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      if (!text.includes('\r\n')) return;
      socket.removeListener('data', onData);
      socket.removeListener('error', reject);
      resolve(text.split('\r\n')[0]);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/**
 * A minimal SMTP server: greeting, EHLO (advertises STARTTLS), STARTTLS,
 * then EHLO over TLS. `handOver` says how leftover bytes after the STARTTLS
 * line reach TLS: 'head' passes them as `head`, 'unshift' puts them back into
 * the socket's readable buffer.
 */
async function smtpServer(handOver = 'head') {
  const sessions = [];
  const server = net.createServer(async (sock) => {
    const session = { leftover: 0 };
    sessions.push(session);
    try {
      sock.write('220 mx.test ESMTP\r\n');
      let { line, rest } = await readLine(sock);
      assert.match(line, /^EHLO /);
      sock.write('250-mx.test\r\n250 STARTTLS\r\n');
      if (rest.length === 0) ({ line, rest } = await readLine(sock));
      else ({ line, rest } = await readLineFrom(rest, sock));
      assert.equal(line, 'STARTTLS');
      session.leftover = rest.length;
      sock.write('220 2.0.0 Ready to start TLS\r\n');
      const options = { isServer: true, ...pki.leaves.ecdsa };
      if (handOver === 'head') options.head = rest;
      else if (rest.length) sock.unshift(rest);
      const secure = await upgrade(sock, options);
      session.info = info(secure);
      const ehlo = await tlsLine(secure);
      session.secureLine = ehlo;
      secure.end('250 mx.test at your service, over TLS\r\n');
    } catch (err) {
      session.error = err;
      sock.destroy();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, sessions, port: server.address().port };
}

async function readLineFrom(buffered, sock) {
  const i = buffered.indexOf('\r\n');
  if (i >= 0) return { line: String(buffered.subarray(0, i)), rest: buffered.subarray(i + 2) };
  sock.unshift(buffered);
  return readLine(sock);
}

/** A well-behaved SMTP client: waits for each reply, then upgrades. */
async function smtpClient(port, upgradeOptions = { servername: 'localhost', ca: pki.ca }) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  let r = await readLine(sock);
  assert.match(r.line, /^220 /);
  sock.write('EHLO client.test\r\n');
  r = await readLine(sock);
  assert.equal(r.line, '250-mx.test');
  r = await readLineFrom(r.rest, sock);
  assert.equal(r.line, '250 STARTTLS');
  sock.write('STARTTLS\r\n');
  r = r.rest.length ? await readLineFrom(r.rest, sock) : await readLine(sock);
  assert.match(r.line, /^220 /);
  const secure = await upgrade(sock, { ...upgradeOptions, head: r.rest });
  secure.write('EHLO client.test\r\n');
  const reply = await tlsLine(secure);
  return { secure, reply };
}

describe('upgrade (STARTTLS)', () => {
  test('SMTP exchange: jsec client role against jsec server role', T, async () => {
    const { server, sessions, port } = await smtpServer('head');
    const { secure, reply } = await smtpClient(port);
    assert.match(reply, /^250 .*over TLS$/);
    assert.ok(secure instanceof tls.TLSSocket);
    assert.equal(info(secure).authorized, true);
    assert.equal(info(secure).servername, 'localhost');
    assert.equal(sessions[0].secureLine, 'EHLO client.test');
    assert.equal(sessions[0].info.role, 'server');
    assert.equal(sessions[0].info.servername, 'localhost');
    secure.destroy();
    server.close();
  });

  test('SMTP exchange: jsec server role against openssl s_client -starttls smtp', T, async () => {
    const { server, sessions, port } = await smtpServer('unshift');
    const caFile = join(pki.dir, 'smtp-ca.pem');
    writeFileSync(caFile, pki.ca);
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'smtp', '-crlf', '-quiet', '-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', () => {});
    // s_client reads stdin only once the handshake is done, so the line goes over TLS.
    child.stdin.write('EHLO openssl.test\n');
    const [code] = await once(child, 'close');
    assert.equal(code, 0);
    assert.match(out, /250 mx\.test at your service, over TLS/);
    assert.equal(sessions[0].secureLine, 'EHLO openssl.test');
    assert.equal(sessions[0].error, undefined);
    server.close();
  });

  for (const handOver of ['head', 'unshift']) {
    test(`pipelined STARTTLS + ClientHello in one chunk reaches TLS (${handOver})`, T, async () => {
      const { server, sessions, port } = await smtpServer(handOver);
      const sock = net.connect(port, '127.0.0.1');
      await once(sock, 'connect');
      let r = await readLine(sock);
      sock.write('EHLO pipeliner.test\r\n');
      r = await readLine(sock);
      r = await readLineFrom(r.rest, sock);
      assert.equal(r.line, '250 STARTTLS');
      // A pipelining client: STARTTLS and the ClientHello leave in one write,
      // before the 220 reply. Its transport strips the 220 line before TLS
      // sees the bytes (a generic Duplex, not a net.Socket).
      const transport = stripFirstLine(sock);
      sock.cork();
      sock.write('STARTTLS\r\n');
      const pending = upgrade(transport, { servername: 'localhost', ca: pki.ca });
      setImmediate(() => sock.uncork());
      const secure = await pending;
      assert.match(transport.strippedLine, /^220 /);
      secure.write('EHLO pipeliner.test\r\n');
      assert.match(await tlsLine(secure), /over TLS$/);
      assert.ok(sessions[0].leftover > 0, 'the ClientHello arrived with the STARTTLS line');
      assert.equal(sessions[0].secureLine, 'EHLO pipeliner.test');
      secure.destroy();
      server.close();
    });
  }

  test('a bad server certificate fails the upgrade with a typed error', T, async () => {
    const { server, port } = await smtpServer('head');
    const err = await rejectionOf(smtpClient(port, { servername: 'wrong.example', ca: pki.ca }));
    assert.ok(err instanceof CertificateError);
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    server.close();
  });

  test('argument and state errors', T, async () => {
    const e1 = await rejectionOf(upgrade({}, { servername: 'x' }));
    assert.ok(e1 instanceof ConfigError);
    assert.equal(e1.code, 'ERR_INVALID_ARG_TYPE');
    const [a, b] = duplexPair();
    const e2 = await rejectionOf(upgrade(a, { ca: pki.ca }));
    assert.equal(e2.code, 'ERR_MISSING_OPTION');
    const e3 = await rejectionOf(upgrade(a, { isServer: true }));
    assert.equal(e3.code, 'ERR_MISSING_OPTION');
    const e4 = await rejectionOf(upgrade(a, { isServer: true, ...pki.leaves.ecdsa, servername: 'x' }));
    assert.equal(e4.code, 'ERR_JSEC_CONFLICTING_OPTIONS');
    a.destroy();
    const e5 = await rejectionOf(upgrade(a, { servername: 'localhost', ca: pki.ca }));
    assert.ok(e5 instanceof StateError);
    assert.equal(e5.code, 'ERR_JSEC_INVALID_STATE');
    b.destroy();
  });

  test('in-memory duplex pair: both roles, client certificate, abort', T, async () => {
    const [a, b] = duplexPair();
    const [client, serverSide] = await Promise.all([
      upgrade(a, { servername: 'localhost', ca: pki.ca, ...pki.client }),
      upgrade(b, { isServer: true, ...pki.leaves.ed25519, requestCert: true, ca: pki.ca }),
    ]);
    assert.equal(info(serverSide).authorized, true);
    assert.equal(info(serverSide).peerCertificates[0].subject, 'CN=jsec test client');
    assert.equal(info(client).peerCertificates[0].publicKey.asymmetricKeyType, 'ed25519');
    client.write('over memory');
    const [d] = await once(serverSide, 'data');
    assert.equal(String(d), 'over memory');
    client.destroy();
    serverSide.destroy();
    const [c, d2] = duplexPair();
    const controller = new AbortController();
    const pending = upgrade(c, { servername: 'localhost', ca: pki.ca, signal: controller.signal });
    controller.abort();
    const err = await rejectionOf(pending);
    assert.equal(err.code, 'ABORT_ERR');
    d2.destroy();
  });
});

/** Two connected in-memory duplexes. */
function duplexPair() {
  let a;
  let b;
  const make = (peer) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

/** A Duplex over `sock` that removes the first CRLF line of incoming data. */
function stripFirstLine(sock) {
  let pending = Buffer.alloc(0);
  let stripped = false;
  const d = new Duplex({
    read() {
      sock.resume();
    },
    write(chunk, _enc, cb) {
      sock.write(chunk, cb);
    },
    final(cb) {
      sock.end(cb);
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  sock.on('data', (chunk) => {
    if (!stripped) {
      pending = Buffer.concat([pending, chunk]);
      const i = pending.indexOf('\r\n');
      if (i < 0) return;
      stripped = true;
      d.strippedLine = String(pending.subarray(0, i));
      chunk = pending.subarray(i + 2);
      if (chunk.length === 0) return;
    }
    if (!d.push(chunk)) sock.pause();
  });
  sock.on('end', () => d.push(null));
  return d;
}

// jsec/bio: MemoryBio, and TlsEngine proven against node:tls over an
// in-memory Duplex pair in both roles (TLS 1.2 and 1.3), with KeyUpdate,
// mTLS, ALPN, exporter, resumption, typed verification errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { MemoryBio, TlsEngine, TlsEngineState } from 'jsec/bio';
import { CertificateError, ConfigError, StateError } from 'jsec/errors';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();

/** Two Duplex ends: what one writes, the other reads. */
function duplexPair() {
  const a = new Duplex({ read() {}, write(chunk, _e, cb) { b.push(chunk); cb(); }, final(cb) { b.push(null); cb(); } });
  const b = new Duplex({ read() {}, write(chunk, _e, cb) { a.push(chunk); cb(); }, final(cb) { a.push(null); cb(); } });
  return [a, b];
}

/** Pumps a TlsEngine over a Duplex end: returns helpers to await plaintext. */
function attach(engine, end) {
  const received = [];
  let waiters = [];
  let failure;
  const pump = () => {
    try {
      engine.handshake();
      if (engine.state !== TlsEngineState.Handshaking) {
        for (let m = engine.read(); m !== null; m = engine.read()) received.push(m);
      }
    } catch (err) {
      failure = err;
    }
    const out = engine.takeCiphertext();
    if (out.length) end.write(out);
    for (const w of waiters.splice(0)) w();
  };
  end.on('data', (d) => {
    engine.putCiphertext(d);
    pump();
  });
  pump();
  const until = async (pred) => {
    while (!pred() && !failure) await new Promise((r) => waiters.push(r));
    if (failure && !pred()) throw failure;
  };
  return { received, until, pump, failure: () => failure };
}

test('MemoryBio: write, read, peek, pending, close, typed errors', () => {
  const bio = new MemoryBio();
  assert.equal(bio.write('hello '), 6);
  assert.equal(bio.write(Buffer.from('world')), 5);
  assert.equal(bio.pending, 11);
  assert.equal(bio.peek().toString(), 'hello world');
  assert.equal(bio.read(5).toString(), 'hello');
  assert.equal(bio.pending, 6);
  assert.equal(bio.read().toString(), ' world');
  assert.equal(bio.read(), null);
  assert.throws(() => bio.read(-1), (e) => e instanceof ConfigError && e.code === 'ERR_OUT_OF_RANGE');
  assert.throws(() => bio.write(42), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
  bio.close();
  bio.close();
  assert.equal(bio.closed, true);
  assert.throws(() => bio.write('x'), (e) => e instanceof StateError && e.code === 'ERR_JSEC_CLOSED');
  assert.throws(() => bio.peek(), (e) => e.code === 'ERR_JSEC_CLOSED');
});

for (const version of ['TLSv1.2', 'TLSv1.3']) {
  test(`TlsEngine client against node:tls server (${version}), ALPN, exporter`, { timeout: 10_000 }, async () => {
    const [a, b] = duplexPair();
    const node = new tls.TLSSocket(a, { isServer: true, ...pki.ec, minVersion: version, maxVersion: version, ALPNProtocols: ['h2', 'x'] });
    node.on('data', (d) => node.write(Buffer.concat([Buffer.from('echo:'), d])));
    const engine = new TlsEngine({ servername: 'localhost', ca: pki.ca, ALPNProtocols: ['x'], maxVersion: version });
    const io = attach(engine, b);
    await io.until(() => engine.state === TlsEngineState.Open);
    const info = engine.info();
    assert.equal(info.protocol, version);
    assert.equal(info.alpnProtocol, 'x');
    assert.equal(info.authorized, true);
    assert.equal(info.peerCertificates[0].subject, 'CN=localhost');
    await new Promise((r) => (node.encrypted && node.getProtocol() ? r() : node.once('secure', r)));
    assert.deepEqual(engine.exportKeyingMaterial(32, 'EXPORTER-jsec'), node.exportKeyingMaterial(32, 'EXPORTER-jsec'));
    engine.write('ping');
    io.pump();
    await io.until(() => Buffer.concat(io.received).toString() === 'echo:ping');
    engine.close();
    node.destroy();
  });

  test(`TlsEngine server against node:tls client (${version}) with a client certificate`, { timeout: 10_000 }, async () => {
    const [a, b] = duplexPair();
    const engine = new TlsEngine({ isServer: true, ...pki.rsa, ca: pki.ca, requestCert: 'require', maxVersion: version });
    const io = attach(engine, b);
    const node = tls.connect({ socket: a, servername: 'localhost', ca: pki.ca, ...pki.client, minVersion: version, maxVersion: version });
    await new Promise((resolve, reject) => node.once('secureConnect', resolve).once('error', reject));
    assert.equal(node.getProtocol(), version);
    assert.equal(node.authorized, true);
    await io.until(() => engine.state === TlsEngineState.Open);
    assert.equal(engine.info().authorized, true);
    assert.equal(engine.info().peerCertificates[0].subject, 'CN=jsec test client');
    node.write('from node');
    await io.until(() => Buffer.concat(io.received).toString() === 'from node');
    const got = new Promise((r) => node.once('data', r));
    engine.write('from jsec');
    io.pump();
    assert.equal(String(await got), 'from jsec');
    engine.shutdown();
    io.pump();
    await new Promise((r) => node.once('end', r));
    engine.close();
    node.destroy();
  });
}

test('TlsEngine: TLS 1.3 KeyUpdate (ours and requested from node) keeps traffic flowing', { timeout: 10_000 }, async () => {
  const [a, b] = duplexPair();
  const node = new tls.TLSSocket(a, { isServer: true, ...pki.ec });
  node.on('data', (d) => node.write(d));
  const engine = new TlsEngine({ servername: 'localhost', ca: pki.ca });
  const io = attach(engine, b);
  await io.until(() => engine.state === TlsEngineState.Open);
  let expected = '';
  for (let i = 0; i < 5; i++) {
    const before = engine.takeCiphertext();
    assert.equal(before.length, 0);
    engine.keyUpdate(i % 2 === 1);
    const update = engine.takeCiphertext();
    // A KeyUpdate is one encrypted handshake record (type 23 on the wire, 22 bytes of ciphertext or more).
    assert.ok(update.length >= 22, 'KeyUpdate record emitted');
    b.write(update);
    engine.write(`m${i}`);
    expected += `m${i}`;
    io.pump();
    await io.until(() => Buffer.concat(io.received).toString() === expected);
  }
  engine.close();
  node.destroy();
});

test('TlsEngine: KeyUpdate on TLS 1.2 and before the handshake is a state error', () => {
  const engine = new TlsEngine({ servername: 'localhost', ca: pki.ca });
  assert.throws(() => engine.keyUpdate(), (e) => e instanceof StateError && e.code === 'ERR_JSEC_INVALID_STATE');
  assert.throws(() => engine.write('x'), (e) => e.code === 'ERR_JSEC_INVALID_STATE');
  assert.throws(() => engine.exportKeyingMaterial(16, 'x'), (e) => e.code === 'ERR_JSEC_INVALID_STATE');
  engine.close();
  assert.throws(() => engine.handshake(), (e) => e.code === 'ERR_JSEC_CLOSED');
});

test('TlsEngine: untrusted and misnamed servers give typed, sticky certificate errors', { timeout: 10_000 }, async () => {
  for (const [opts, code] of [
    [{ servername: 'localhost' }, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    [{ servername: 'wrong.example', ca: pki.ca }, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ]) {
    const [a, b] = duplexPair();
    const node = new tls.TLSSocket(a, { isServer: true, ...pki.ec });
    node.on('error', () => {});
    const engine = new TlsEngine(opts);
    const io = attach(engine, b);
    await assert.rejects(io.until(() => engine.state === TlsEngineState.Open), (e) => e instanceof CertificateError && e.code === code);
    assert.equal(engine.state, TlsEngineState.Failed);
    // Sticky: the same error again.
    assert.throws(() => engine.handshake(), (e) => e === engine.error);
    engine.close();
    node.destroy();
  }
});

test('TlsEngine: a self-signed server is DEPTH_ZERO_SELF_SIGNED_CERT; resumption reports resumed', { timeout: 10_000 }, async () => {
  {
    const [a, b] = duplexPair();
    const node = new tls.TLSSocket(a, { isServer: true, ...pki.self });
    node.on('error', () => {});
    const engine = new TlsEngine({ servername: 'localhost' });
    const io = attach(engine, b);
    await assert.rejects(io.until(() => engine.state === TlsEngineState.Open), (e) => e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
    engine.close();
    node.destroy();
  }
  // TLS 1.2 session resumption through getSession()/session.
  const server = new TlsEngine({ isServer: true, ...pki.ec, maxVersion: 'TLSv1.2' });
  server.close();
  const ctx = tls.createSecureContext({ ...pki.ec });
  let session;
  for (let round = 0; round < 2; round++) {
    const [a, b] = duplexPair();
    const node = new tls.TLSSocket(a, { isServer: true, secureContext: ctx, maxVersion: 'TLSv1.2' });
    const engine = new TlsEngine({ servername: 'localhost', ca: pki.ca, maxVersion: 'TLSv1.2', session });
    const io = attach(engine, b);
    await io.until(() => engine.state === TlsEngineState.Open);
    assert.equal(engine.info().resumed, round === 1);
    session = engine.getSession();
    assert.ok(session.length > 0);
    engine.close();
    node.destroy();
  }
});

test('TlsEngine: garbage ciphertext is a typed TLS error, never a crash', () => {
  const engine = new TlsEngine({ isServer: true, ...pki.ec });
  engine.putCiphertext(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.throws(() => engine.handshake(), (e) => e.name === 'TlsError' || e.name === 'AlertError');
  assert.equal(engine.state, TlsEngineState.Failed);
  engine.close();
  assert.throws(() => new TlsEngine({ isServer: true }), (e) => e instanceof ConfigError && e.code === 'ERR_MISSING_OPTION');
  assert.throws(() => new TlsEngine({ isServer: true, cert: 'garbage', key: 'garbage' }), (e) => e instanceof ConfigError && e.code === 'ERR_INVALID_ARG_VALUE');
  assert.throws(() => new TlsEngine({ servername: 'x', cipher: 'x' }), (e) => e.code === 'ERR_JSEC_UNKNOWN_OPTION' && e.suggestion === 'ciphers');
});


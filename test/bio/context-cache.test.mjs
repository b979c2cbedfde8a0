// TlsEngine shares one native context (SSL_CTX) between engines whose options
// are identical, in an LRU bounded by defaults.bio.contextCacheSize; other
// trust anchors, identities or options never share one. A verifying client
// engine needs `servername` (or an explicit `checkServerIdentity: false`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TlsEngine, TlsEngineState, activeHandles, clearContextCache } from 'jsec/bio';
// The defaults table is internal (docs/defaults.md is written from it).
const { defaults } = await import('../../dist/config/defaults.js');
import { CertificateError, ConfigError } from 'jsec/errors';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();
const T = { timeout: 20_000 };

/** Runs the handshake of two engines in memory; throws the first engine error. */
function handshake(client, server) {
  for (let i = 0; i < 20; i++) {
    client.handshake();
    const a = client.takeCiphertext();
    if (a.length > 0) server.putCiphertext(a);
    server.handshake();
    const b = server.takeCiphertext();
    if (b.length > 0) client.putCiphertext(b);
    if (client.state === TlsEngineState.Open && server.state === TlsEngineState.Open) return;
  }
  throw new Error('the handshake did not finish in 20 steps');
}

/** A client against a fresh server with `serverIdentity`; returns the client's info(). */
function connectOnce(clientOptions, serverIdentity = pki.ec) {
  const client = new TlsEngine(clientOptions);
  const server = new TlsEngine({ isServer: true, ...serverIdentity });
  try {
    handshake(client, server);
    return client.info();
  } finally {
    client.close();
    server.close();
  }
}

test('100 identical engines create one native context; clearContextCache() releases it', T, () => {
  clearContextCache();
  const start = activeHandles();
  const engines = Array.from({ length: 100 }, () => new TlsEngine({ servername: 'localhost', ca: pki.ca }));
  const during = activeHandles();
  assert.equal(during.engines - start.engines, 100);
  assert.equal(during.contexts - start.contexts, 1, 'one cached context wrapper');
  assert.equal(during.sslCtx - start.sslCtx, 1, 'one OpenSSL SSL_CTX behind 100 engines');
  // The same material as a Buffer is the same key.
  engines.push(new TlsEngine({ servername: 'localhost', ca: Buffer.from(pki.ca) }));
  assert.equal(activeHandles().sslCtx - start.sslCtx, 1);
  // A shared context works: one of the engines completes a verified handshake.
  const server = new TlsEngine({ isServer: true, ...pki.ec });
  handshake(engines[42], server);
  assert.equal(engines[42].info().authorized, true);
  server.close();
  for (const e of engines) e.close();
  assert.equal(clearContextCache(), 2, 'the client context and the server one');
  const end = activeHandles();
  assert.equal(end.contexts, start.contexts);
  assert.equal(end.sslCtx, start.sslCtx);
  assert.equal(end.engines, start.engines);
});

test('another CA, identity or option is another context, and behaves as its own options say', T, () => {
  clearContextCache();
  const start = activeHandles();
  const trusted = new TlsEngine({ servername: 'localhost', ca: pki.ca });
  const otherCa = new TlsEngine({ servername: 'localhost', ca: pki.self.cert });
  const tls12 = new TlsEngine({ servername: 'localhost', ca: pki.ca, maxVersion: 'TLSv1.2' });
  const alpn = new TlsEngine({ servername: 'localhost', ca: pki.ca, ALPNProtocols: ['x'] });
  const mtls = new TlsEngine({ servername: 'localhost', ca: pki.ca, ...pki.client });
  // servername is per engine, not part of the context.
  const otherName = new TlsEngine({ servername: '127.0.0.1', ca: pki.ca });
  assert.equal(activeHandles().sslCtx - start.sslCtx, 5);
  assert.equal(activeHandles().contexts - start.contexts, 5);
  for (const e of [trusted, otherCa, tls12, alpn, mtls, otherName]) e.close();

  // The engine with the other trust anchor does not inherit the trusted store.
  assert.throws(() => connectOnce({ servername: 'localhost', ca: pki.self.cert }), (e) => e instanceof CertificateError && e.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  assert.equal(connectOnce({ servername: 'localhost', ca: pki.ca }).authorized, true);
  assert.equal(connectOnce({ servername: 'localhost', ca: pki.ca, maxVersion: 'TLSv1.2' }).protocol, 'TLSv1.2');
  assert.equal(connectOnce({ servername: 'localhost', ca: pki.ca }).protocol, 'TLSv1.3');

  // Servers: each identity is its own context and presents its own certificate.
  const rsa = connectOnce({ servername: 'localhost', ca: pki.ca }, pki.rsa);
  const ec = connectOnce({ servername: 'localhost', ca: pki.ca }, pki.ec);
  assert.equal(rsa.peerCertificates[0].publicKey.asymmetricKeyType, 'rsa');
  assert.equal(ec.peerCertificates[0].publicKey.asymmetricKeyType, 'ec');
  clearContextCache();
  assert.equal(activeHandles().sslCtx, start.sslCtx);
});

test('the cache is bounded; an evicted context stays alive for the engines that use it', T, () => {
  clearContextCache();
  const start = activeHandles();
  const size = defaults.bio.contextCacheSize;
  const first = new TlsEngine({ servername: 'localhost', ca: pki.ca, ALPNProtocols: ['p0'] });
  const engines = [first];
  for (let i = 1; i < size + 8; i++) engines.push(new TlsEngine({ servername: 'localhost', ca: pki.ca, ALPNProtocols: [`p${i}`] }));
  assert.equal(activeHandles().contexts - start.contexts, size, 'at most contextCacheSize cached contexts');
  assert.equal(activeHandles().sslCtx - start.sslCtx, size + 8, 'evicted contexts live on in their engines');
  // The first context was evicted; its engine still handshakes.
  const server = new TlsEngine({ isServer: true, ...pki.ec, ALPNProtocols: ['p0'] });
  handshake(first, server);
  assert.equal(first.info().alpnProtocol, 'p0');
  server.close();
  for (const e of engines) e.close();
  clearContextCache();
  assert.equal(activeHandles().sslCtx, start.sslCtx, 'closing the engines freed the evicted contexts');
});

test('a verifying client needs servername or checkServerIdentity: false', T, () => {
  assert.throws(() => new TlsEngine({ ca: pki.ca }), (e) => e instanceof ConfigError && e.code === 'ERR_MISSING_OPTION' && e.option === 'servername');
  assert.throws(() => new TlsEngine(), (e) => e instanceof ConfigError && e.code === 'ERR_MISSING_OPTION');
  assert.throws(() => new TlsEngine({ ca: pki.ca, checkServerIdentity: true }), (e) => e.code === 'ERR_MISSING_OPTION');
  // Explicit opt-outs construct.
  new TlsEngine({ ca: pki.ca, checkServerIdentity: false }).close();
  new TlsEngine({ rejectUnauthorized: false }).close();
  new TlsEngine({ psk: { identity: 'id', key: '00112233445566778899aabbccddeeff' } }).close();
  new TlsEngine({ isServer: true, ...pki.ec }).close();
  clearContextCache();
});

test('servername is verified: a host name against DNS SANs, an IP against IP SANs', T, () => {
  assert.equal(connectOnce({ servername: 'localhost', ca: pki.ca }).authorized, true);
  assert.equal(connectOnce({ servername: '127.0.0.1', ca: pki.ca }).authorized, true);
  assert.throws(() => connectOnce({ servername: 'wrong.example', ca: pki.ca }), (e) => e instanceof CertificateError && e.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.throws(() => connectOnce({ servername: '10.9.8.7', ca: pki.ca }), (e) => e instanceof CertificateError && e.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  // checkServerIdentity: false skips the name only: a leaf for another name passes, an untrusted chain does not.
  assert.equal(connectOnce({ ca: pki.ca, checkServerIdentity: false }, pki.other).authorized, true);
  assert.throws(() => connectOnce({ ca: pki.ca, checkServerIdentity: false }, pki.self), (e) => e instanceof CertificateError && e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
  clearContextCache();
});

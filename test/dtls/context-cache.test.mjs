// connect() shares one native client context between connections made with
// identical options, and never across different trust anchors, identities or
// PSK settings: the sharing is visible in activeHandles().contexts, and a
// connection that must fail (wrong CA, missing identity, wrong key) still
// fails after a succeeding one warmed the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, listen, activeHandles, clearContextCache } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();
const T = { timeout: 30_000 };

async function echoServer(options) {
  const server = await listen({ host: '127.0.0.1', handshakeTimeout: 3000, ...options });
  server.on('connection', async (s) => {
    try {
      for await (const m of s) await s.send(m);
    } catch {
      // peer failed
    }
  });
  return server;
}

async function roundTrip(port, options) {
  const c = await connect('127.0.0.1', port, { handshakeTimeout: 3000, ...options });
  try {
    await c.send('ping');
    assert.equal(String(await c.receive()), 'ping');
  } finally {
    await c.close();
  }
}

const contexts = () => activeHandles().contexts;

test('identical options share one native context; equal material given as a Buffer too', T, async () => {
  clearContextCache();
  const start = contexts();
  const server = await echoServer(pki.ec);
  const port = server.address().port;
  const base = contexts();
  await roundTrip(port, { ca: pki.ca });
  assert.equal(contexts(), base + 1);
  for (let i = 0; i < 10; i++) await roundTrip(port, { ca: i % 2 ? pki.ca : Buffer.from(pki.ca), signal: AbortSignal.timeout(10_000), mtu: 1200 + i });
  for (let i = 0; i < 5; i++) await Promise.all([roundTrip(port, { ca: [pki.ca] }), roundTrip(port, { ca: pki.ca })]);
  assert.equal(contexts(), base + 1);
  await server.close();
  assert.equal(clearContextCache(), 1);
  assert.equal(contexts(), start);
});

test('a different trust anchor is a different context, and still fails verification', T, async () => {
  clearContextCache();
  const start = contexts();
  const server = await echoServer(pki.ec);
  const port = server.address().port;
  const base = contexts();
  await roundTrip(port, { ca: pki.ca });
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.self.cert, handshakeTimeout: 3000 }), (e) => e.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' || e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(contexts(), base + 2);
  // Still verifies against the right one afterwards.
  await roundTrip(port, { ca: pki.ca });
  assert.equal(contexts(), base + 2);
  await server.close();
  clearContextCache();
  assert.equal(contexts(), start);
});

test('a client identity is a different context; without it a server that requires one still refuses', T, async () => {
  clearContextCache();
  const start = contexts();
  const server = await echoServer({ ...pki.ec, requestCert: 'require', ca: pki.ca });
  const port = server.address().port;
  const base = contexts();
  await roundTrip(port, { ca: pki.ca, ...pki.client });
  assert.equal(contexts(), base + 1);
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.ca, handshakeTimeout: 3000 }), (e) => typeof e.code === 'string' && e.code !== 'ERR_ASSERTION');
  assert.equal(contexts(), base + 2);
  // Another identity (the server's own leaf, also under the CA) is a third context.
  await roundTrip(port, { ca: pki.ca, ...pki.rsa });
  assert.equal(contexts(), base + 3);
  await roundTrip(port, { ca: pki.ca, ...pki.client });
  assert.equal(contexts(), base + 3);
  await server.close();
  clearContextCache();
  assert.equal(contexts(), start);
});

test('PSK identity and key are part of the key: a wrong key fails after the right one succeeded', T, async () => {
  clearContextCache();
  const start = contexts();
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);
  const server = await echoServer({ pskKeys: { one: k1, two: k2 } });
  const port = server.address().port;
  const base = contexts();
  await roundTrip(port, { psk: { identity: 'one', key: k1 } });
  await roundTrip(port, { psk: { identity: 'one', key: k1.toString('hex') } });
  assert.equal(contexts(), base + 1);
  await assert.rejects(connect('127.0.0.1', port, { psk: { identity: 'one', key: k2 }, handshakeTimeout: 3000 }), (e) => ['AlertError', 'TlsError', 'DtlsError'].includes(e.name));
  assert.equal(contexts(), base + 2);
  await roundTrip(port, { psk: { identity: 'two', key: k2 } });
  assert.equal(contexts(), base + 3);
  // PSK with a CA (verification on) is another context again.
  await roundTrip(port, { psk: { identity: 'one', key: k1 }, ca: pki.ca });
  assert.equal(contexts(), base + 4);
  await server.close();
  clearContextCache();
  assert.equal(contexts(), start);
});

test('the cache is bounded: many distinct option sets keep at most 16 contexts alive', T, async () => {
  clearContextCache();
  const start = contexts();
  const keys = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`id${i}`, Buffer.alloc(16, i + 1)]));
  const server = await echoServer({ pskKeys: keys });
  const port = server.address().port;
  const base = contexts();
  let peak = 0;
  for (let i = 0; i < 40; i++) {
    await roundTrip(port, { psk: { identity: `id${i}`, key: keys[`id${i}`] } });
    peak = Math.max(peak, contexts() - base);
  }
  assert.equal(peak, 16);
  // The most recently used survive: reusing one adds nothing.
  await roundTrip(port, { psk: { identity: 'id39', key: keys.id39 } });
  assert.equal(contexts() - base, 16);
  await server.close();
  assert.equal(clearContextCache(), 16);
  assert.equal(contexts(), start);
});

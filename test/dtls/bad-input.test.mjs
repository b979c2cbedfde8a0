// Hostile datagrams: random bytes, truncated records, records of the wrong
// epoch, oversized handshake fragments, replays and a ClientHello flood.
// Nothing crashes, nothing allocates without bound, the association keeps
// working, and a peer that misbehaves never affects the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect, listen, upgrade, activeHandles, DtlsState } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';
import { prng } from '../helpers/lossy-relay.mjs';

const pki = dtlsPki();

function record(type, epoch, seq, payload, claimedLength = payload.length) {
  const h = Buffer.alloc(13);
  h[0] = type;
  h[1] = 0xfe;
  h[2] = 0xfd;
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(claimedLength & 0xffff, 11);
  return Buffer.concat([h, payload]);
}

/** A client association over a socket the test also holds, so it can inject datagrams from the client's own address. */
async function tappedClient(port) {
  const u = createSocket('udp4');
  await new Promise((r) => u.bind(0, '127.0.0.1', r));
  await new Promise((r) => u.connect(port, '127.0.0.1', r));
  const sentByClient = [];
  const send = u.send.bind(u);
  u.send = (d, ...rest) => {
    sentByClient.push(Buffer.from(d));
    return send(d, ...rest);
  };
  const socket = await upgrade(u, { ca: pki.ca, servername: 'localhost' });
  const inject = (d) => new Promise((r) => send(d, r));
  return { socket, inject, sentByClient };
}

test('garbage, truncated, wrong-epoch, oversized and replayed datagrams are discarded; the association survives', { timeout: 20_000 }, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  const port = server.address().port;
  const peerP = server.accept();
  const { socket, inject, sentByClient } = await tappedClient(port);
  const peer = await peerP;
  const got = [];
  peer.on('message', (m) => got.push(String(m)));
  await socket.send('first');
  const appRecord = sentByClient.at(-1);
  const rand = prng(99);
  const hostile = [];
  for (let i = 0; i < 200; i++) hostile.push(randomBytes(1 + Math.floor(rand() * 1400)));
  hostile.push(record(23, 1, 999, Buffer.alloc(10), 100)); // truncated: claims 100 bytes
  hostile.push(appRecord.subarray(0, appRecord.length - 7)); // a real record cut short
  hostile.push(record(23, 7, 5, randomBytes(40))); // wrong epoch
  hostile.push(record(23, 0, 5, randomBytes(40))); // application data in epoch 0
  // Handshake fragment claiming a 16 MB message, epoch 0 and 1.
  const frag = Buffer.alloc(12 + 200);
  frag[0] = 1;
  frag.writeUIntBE(0xffffff, 1, 3);
  frag.writeUInt16BE(3, 4);
  frag.writeUIntBE(0, 6, 3);
  frag.writeUIntBE(0xffffff, 9, 3);
  hostile.push(record(22, 0, 77, frag), record(22, 1, 78, frag));
  hostile.push(appRecord, appRecord, appRecord); // replays
  for (const [i, d] of hostile.entries()) {
    await inject(d);
    // Pace the burst: the loopback receive buffer holds about a hundred datagrams.
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20));
  await socket.send('second');
  const deadline = Date.now() + 3000;
  while (!got.includes('second') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, ['first', 'second'], 'replays discarded, nothing else delivered');
  assert.equal(peer.state, DtlsState.Open);
  assert.equal(socket.state, DtlsState.Open);
  await peer.send('still fine');
  assert.equal(String(await socket.receive()), 'still fine');
  await socket.close();
  await server.close();
});

test('a ClientHello flood and random datagrams from many addresses: no peers, bounded native objects, others unaffected', { timeout: 20_000 }, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec, maxPeers: 8 });
  const port = server.address().port;
  const good = await connect('127.0.0.1', port, { ca: pki.ca });
  const start = activeHandles();
  const attackers = await Promise.all(
    Array.from({ length: 40 }, async () => {
      const s = createSocket('udp4');
      await new Promise((r) => s.bind(0, '127.0.0.1', r));
      return s;
    }),
  );
  // Fake ClientHellos: right record header, random body; plus pure noise.
  const rand = prng(5);
  for (let round = 0; round < 25; round++) {
    await Promise.all(
      attackers.map((a) => {
        const body = randomBytes(60 + Math.floor(rand() * 400));
        body[0] = 1; // ClientHello
        const d = round % 2 ? record(22, 0, round, body) : randomBytes(100);
        return new Promise((r) => a.send(d, port, '127.0.0.1', r));
      }),
    );
    await new Promise((r) => setImmediate(r));
  }
  // The legitimate association keeps working throughout.
  const peer = server.peers()[0];
  await good.send('hello');
  assert.equal(String(await peer.receive()), 'hello');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.peerCount, 1);
  const now = activeHandles();
  assert.ok(now.ssl - start.ssl <= 1, `SSL objects grew: ${JSON.stringify({ start, now })}`);
  assert.ok(server.stats().droppedDatagrams > 0);
  for (const a of attackers) a.close();
  await good.close();
  await server.close();
});

test('a peer whose handshake goes wrong fails alone', { timeout: 20_000 }, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec, requestCert: 'require', ca: pki.ca });
  const port = server.address().port;
  const errors = [];
  server.on('peerError', (e) => errors.push(e.code));
  const ok = await connect('127.0.0.1', port, { ca: pki.ca, ...pki.client });
  const bad = await Promise.allSettled(Array.from({ length: 5 }, () => connect('127.0.0.1', port, { ca: pki.ca, handshakeTimeout: 3000 })));
  assert.ok(bad.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_JSEC_TLS_ALERT'));
  await ok.send('x');
  const [peer] = server.peers();
  assert.equal(String(await peer.receive()), 'x');
  assert.equal(server.peerCount, 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors.length, 5);
  await ok.close();
  await server.close();
});

test('a hostile server (garbage, truncated and malformed handshake replies) gives the client a typed error, never a crash', { timeout: 20_000 }, async () => {
  const { JsecError } = await import('jsec/errors');
  const rand = prng(3);
  const replies = [
    () => randomBytes(1 + Math.floor(rand() * 1200)),
    () => record(22, 0, 1, randomBytes(30), 400), // truncated handshake record
    () => {
      // HelloVerifyRequest claiming a 255-byte cookie but carrying 3 bytes.
      const body = Buffer.from([3, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 6, 0xfe, 0xfd, 255, 1, 2, 3]);
      return record(22, 0, 0, body);
    },
    () => {
      // A ServerHello fragment claiming a 16 MB message.
      const frag = Buffer.alloc(12 + 100);
      frag[0] = 2;
      frag.writeUIntBE(0xffffff, 1, 3);
      frag.writeUIntBE(0xffffff, 9, 3);
      return record(22, 0, 2, frag);
    },
  ];
  for (const reply of replies) {
    const hostile = createSocket('udp4');
    await new Promise((r) => hostile.bind(0, '127.0.0.1', r));
    hostile.on('message', (_d, rinfo) => {
      for (let i = 0; i < 3; i++) hostile.send(reply(), rinfo.port, rinfo.address);
    });
    const err = await connect('127.0.0.1', hostile.address().port, { ca: pki.ca, retransmitInitial: 20, retransmitRetries: 2, handshakeTimeout: 2000 }).then(
      () => assert.fail('must not connect'),
      (e) => e,
    );
    assert.ok(err instanceof JsecError, String(err));
    assert.ok(['ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT', 'ERR_JSEC_DTLS', 'ERR_JSEC_TLS_ALERT', 'ERR_JSEC_TLS_PROTOCOL_VERSION'].includes(err.code), err.code);
    hostile.close();
  }
});

test('a late duplicate of the ClientHello never replaces the live association', { timeout: 20_000 }, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  const port = server.address().port;
  const peerP = server.accept();
  const { socket, inject, sentByClient } = await tappedClient(port);
  const peer = await peerP;
  const hellos = sentByClient.filter((d) => d[0] === 22 && d[3] === 0 && d[4] === 0 && d[13] === 1);
  assert.equal(hellos.length, 2, 'a ClientHello and its cookie-bearing retry');
  for (const h of hellos) await inject(h);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(peer.state, DtlsState.Open);
  assert.equal(server.peerCount, 1);
  await socket.send('still the same association');
  assert.equal(String(await peer.receive()), 'still the same association');
  await socket.close();
  await server.close();
});

test('a `ca` without a certificate is a typed error even where nothing is verified against it (server without requestCert, bio server engine)', { timeout: 10_000 }, async () => {
  const { TlsEngine } = await import('jsec/bio');
  for (const ca of ['not a pem', [pki.ca, 'junk']]) {
    await assert.rejects(listen({ host: '127.0.0.1', ...pki.ec, ca }), (err) => err.code === 'ERR_INVALID_ARG_VALUE' && err.option === 'ca');
    assert.throws(() => new TlsEngine({ isServer: true, ...pki.ec, ca }), (err) => err.code === 'ERR_INVALID_ARG_VALUE' && err.option === 'ca');
  }
  // A good one is accepted and loaded.
  const server = await listen({ host: '127.0.0.1', ...pki.ec, ca: pki.ca });
  await server.close();
});

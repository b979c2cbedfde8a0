// The stateless cookie exchange: ClientHellos without a valid cookie for
// their own address never allocate a peer, a cookie is bound to the address
// it was issued to, and rotated-out secrets stop verifying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, listen, activeHandles } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';
import { startLossyRelay } from '../helpers/lossy-relay.mjs';

const pki = dtlsPki();

/** A manual timer source: nothing fires unless the test fires it. */
function manualTimers() {
  const pending = new Map();
  let next = 1;
  return {
    pending,
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
    fire(ms) {
      for (const [id, t] of [...pending]) {
        if (t.ms === ms) {
          pending.delete(id);
          t.fn();
        }
      }
    },
  };
}

/** Records the client's first and second ClientHello through a relay. */
async function captureHellos(serverPort) {
  const hellos = [];
  const relay = await startLossyRelay({
    targetPort: serverPort,
    mutate(dir, d) {
      // Handshake records of epoch 0 carrying a ClientHello (msg type 1).
      if (dir === 'up' && d[0] === 22 && d[3] === 0 && d[4] === 0 && d[13] === 1) hellos.push(Buffer.from(d));
      return d;
    },
  });
  const c = await connect('127.0.0.1', relay.port, { ca: pki.ca });
  await c.close();
  await new Promise((r) => setTimeout(r, 30)); // let close_notify through
  await relay.close();
  return hellos;
}

async function sockets(n) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const s = createSocket('udp4');
      await new Promise((r) => s.bind(0, '127.0.0.1', r));
      return s;
    }),
  );
}

test('a ClientHello burst from many source ports allocates zero peers', { timeout: 15_000 }, async () => {
  const timers = manualTimers();
  const server = await listen({ host: '127.0.0.1', ...pki.ec, timers, cookieSecretRotation: 12_345 });
  const port = server.address().port;
  const [hello, helloWithCookie] = await captureHellos(port);
  assert.ok(hello && helloWithCookie, 'captured both ClientHellos');
  assert.equal(server.peerCount, 0, 'the capturing client closed');
  const before = server.stats();
  const handlesBefore = activeHandles();
  const senders = await sockets(100);
  let replies = 0;
  for (const s of senders) s.on('message', () => replies++);
  // 100 source ports x 10 cookie-less ClientHellos, plus the cookie-bearing one
  // replayed from addresses it was not issued to.
  let expected = 0;
  for (let round = 0; round < 10; round++) {
    await Promise.all(senders.map((s) => new Promise((r) => s.send(round === 9 ? helloWithCookie : hello, port, '127.0.0.1', r))));
    expected += senders.length;
    // Pace the rounds so the loopback socket buffers do not overflow.
    const deadline = Date.now() + 1000;
    while (replies < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20));
  // Loopback may still drop a few under load; every ClientHello the server saw got a HelloVerifyRequest.
  assert.ok(replies >= 900, `replies ${replies}`);
  assert.equal(server.peerCount, 0);
  const after = server.stats();
  assert.equal(after.helloVerifyRequests - before.helloVerifyRequests, replies);
  assert.equal(after.cookiesVerified, before.cookiesVerified);
  // No SSL object per ClientHello: at most the server's one scratch engine.
  assert.ok(activeHandles().ssl - handlesBefore.ssl <= 1, JSON.stringify(activeHandles()));
  for (const s of senders) s.close();
  await server.close();
});

test('cookies are bound to the address and expire after two secret rotations', { timeout: 15_000 }, async () => {
  const timers = manualTimers();
  const server = await listen({ host: '127.0.0.1', ...pki.ec, timers, cookieSecretRotation: 12_345 });
  const port = server.address().port;
  const [replayer] = await sockets(1);
  // A relay with a fixed upstream port so the cookie-bearing hello can be replayed from that very address.
  const hellos = [];
  const relay = await startLossyRelay({
    targetPort: port,
    mutate(dir, d) {
      if (dir === 'up' && d[0] === 22 && d[13] === 1) hellos.push(Buffer.from(d));
      return d;
    },
  });
  const c = await connect('127.0.0.1', relay.port, { ca: pki.ca, timers: { setTimeout, clearTimeout } });
  assert.equal(server.stats().cookiesVerified, 1);
  await c.close();
  await relay.close();
  const peers = server.peerCount;
  // The same cookie from another port: HelloVerifyRequest, no peer.
  await new Promise((r) => replayer.send(hellos[1], port, '127.0.0.1', r));
  await new Promise((r) => replayer.once('message', r));
  assert.equal(server.stats().cookiesVerified, 1);
  assert.equal(server.peerCount, peers);
  // Rotation keeps the previous secret; a second rotation retires it. A fresh
  // connect after two rotations still works (new cookie).
  timers.fire(12_345);
  timers.fire(12_345);
  const c2 = await connect('127.0.0.1', port, { ca: pki.ca });
  assert.equal(server.stats().cookiesVerified, 2);
  await c2.close();
  replayer.close();
  await server.close();
});

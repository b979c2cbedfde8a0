// Through a seeded lossy relay (20% loss both ways, plus duplication,
// reordering and delay) handshakes complete by retransmission, and
// application messages arrive intact or not at all: the relay's duplicates
// are discarded by DTLS replay protection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, listen } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';
import { startLossyRelay } from '../helpers/lossy-relay.mjs';

const pki = dtlsPki();
const fast = { retransmitInitial: 30, retransmitMax: 400, retransmitRetries: 12, handshakeTimeout: 15_000 };

function message(client, i) {
  const body = Buffer.alloc(200 + ((client * 31 + i * 17) % 700), `${client}:${i}:`);
  const digest = createHash('sha256').update(body).digest().subarray(0, 8);
  return Buffer.concat([digest, body]);
}

function intact(m) {
  return createHash('sha256').update(m.subarray(8)).digest().subarray(0, 8).equals(m.subarray(0, 8));
}

for (const seed of [7, 1234]) {
  test(`20% loss both ways (seed ${seed}): handshakes complete, messages intact or absent, no replays`, { timeout: 40_000 }, async () => {
    const server = await listen({ host: '127.0.0.1', ...pki.ec, ...fast });
    const received = new Map();
    server.on('connection', async (s) => {
      for await (const m of s) {
        const key = `${s.remotePort}`;
        if (!received.has(key)) received.set(key, []);
        received.get(key).push(m);
      }
    });
    const relay = await startLossyRelay({ targetPort: server.address().port, seed, drop: 0.2, duplicate: 0.1, reorder: 0.1, delayMax: 4 });
    const clients = [];
    for (let c = 0; c < 4; c++) clients.push(await connect('127.0.0.1', relay.port, { ca: pki.ca, ...fast }));
    const totalRetransmits = clients.reduce((n, c) => n + c.info().retransmits, 0);
    const sent = clients.map(() => []);
    for (let i = 0; i < 40; i++) {
      for (const [c, client] of clients.entries()) {
        const m = message(c, i);
        sent[c].push(m.toString('hex'));
        await client.send(m);
      }
      // Pace the senders: the point is the relay's loss, not socket-buffer overflow.
      if (i % 4 === 3) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 300));
    let delivered = 0;
    for (const list of received.values()) {
      const seen = new Set();
      for (const m of list) {
        assert.ok(intact(m), 'a message arrived corrupted');
        const hex = m.toString('hex');
        assert.ok(!seen.has(hex), 'a replayed datagram was delivered twice');
        seen.add(hex);
        assert.ok(sent.some((s) => s.includes(hex)), 'a message nobody sent arrived');
      }
      delivered += list.length;
    }
    const s = relay.stats;
    // The relay really did drop and duplicate in both directions.
    assert.ok(s.up.dropped > 0 && s.down.dropped > 0 && s.up.duplicated > 0, JSON.stringify(s));
    // About 80% of 160 messages get through (fewer on a loaded machine); far fewer would mean an association broke.
    assert.ok(delivered > 60 && delivered < 160, `delivered ${delivered}`);
    assert.equal(received.size, clients.length, 'every association delivered messages');
    // Handshake flights were lost and resent (retransmission counts are per association).
    assert.ok(totalRetransmits > 0, 'some handshake flight was lost and retransmitted');
    if (process.env.JSEC_DEBUG_LOSSY) console.log({ seed, totalRetransmits, delivered, stats: s });
    // No datagram in either direction exceeded the MTU.
    assert.ok(s.up.largest <= 1200 && s.down.largest <= 1200, JSON.stringify(s));
    for (const c of clients) await c.close();
    await relay.close();
    await server.close();
  });
}

test('retransmission recovers a fully lost first flight', { timeout: 20_000 }, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.rsa, ...fast });
  let dropFirst = 2;
  const relay = await startLossyRelay({
    targetPort: server.address().port,
    mutate: (dir, d) => (dir === 'up' && dropFirst-- > 0 ? null : d),
  });
  const c = await connect('127.0.0.1', relay.port, { ca: pki.ca, ...fast });
  assert.ok(c.info().retransmits >= 2, `retransmits ${c.info().retransmits}`);
  assert.ok(c.stats().retransmits >= 2);
  await c.close();
  await relay.close();
  await server.close();
});

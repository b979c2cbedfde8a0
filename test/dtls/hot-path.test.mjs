// The established association's hot path: one native call per datagram each
// way, datagrams sealed straight into a send slab and messages read straight
// into a receive slab. Proves that kept messages are never overwritten by later
// traffic, that post() keeps every check of send(), and (on the engine itself)
// that a datagram holding several records, or one read with too little room,
// yields whole messages in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, listen } from 'jsec/dtls';
import { ConfigError, DtlsError, StateError } from 'jsec/errors';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

// The engine's receive()/send() are internal: reached through the built binding.
const { native } = await import('../../dist/native/loader.js');

const pki = dtlsPki();
const T = { timeout: 15_000 };

function pattern(i, size) {
  const b = Buffer.alloc(size, i & 0xff);
  b.writeUInt32BE(i, 0);
  return b;
}

test('post(): windows of messages echo back intact; every kept message keeps its bytes', T, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  server.on('connection', (peer) => peer.on('message', (m) => peer.post(m)));
  const client = await connect('127.0.0.1', server.address().port, { ca: pki.ca });
  const size = client.info().maxMessageSize;
  const kept = [];
  let wake;
  client.on('message', (m) => {
    kept.push(m);
    wake?.();
  });
  const total = 600;
  const window = 20;
  for (let sent = 0; sent < total; ) {
    for (let k = 0; k < window; k++, sent++) client.post(pattern(sent, sent % 2 ? size : 4 + (sent % 97)));
    const deadline = Date.now() + 5_000;
    while (kept.length < sent && Date.now() < deadline) await new Promise((r) => (wake = r));
  }
  assert.equal(kept.length, total, 'loopback lost nothing in windows of 20');
  // Later traffic wrote elsewhere: the first messages are still what arrived.
  const seen = new Set();
  for (const m of kept) {
    const i = m.readUInt32BE(0);
    assert.deepEqual(m, pattern(i, i % 2 ? size : 4 + (i % 97)));
    seen.add(i);
  }
  assert.equal(seen.size, total);
  const stats = client.stats();
  assert.equal(stats.messagesSent, total);
  assert.equal(stats.messagesReceived, total);
  assert.ok(stats.largestDatagramSent <= 1200);
  await client.close();
  await server.close();
});

test('post(): the checks of send() throw synchronously and nothing is sent', T, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  const client = await connect('127.0.0.1', server.address().port, { ca: pki.ca });
  const before = client.stats().datagramsSent;
  const max = client.info().maxMessageSize;
  assert.throws(() => client.post(Buffer.alloc(max + 1)), (e) => e instanceof DtlsError && e.code === 'ERR_JSEC_DTLS_MESSAGE_TOO_LARGE' && e.max === max);
  assert.throws(() => client.post(42), (e) => e instanceof ConfigError && e.code === 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => client.post(''), (e) => e instanceof ConfigError && e.code === 'ERR_INVALID_ARG_VALUE');
  assert.equal(client.stats().datagramsSent, before);
  client.post(Buffer.alloc(max));
  assert.equal(client.stats().datagramsSent, before + 1);
  await client.close();
  assert.throws(() => client.post('x'), (e) => e instanceof StateError && e.code === 'ERR_JSEC_CLOSED');
  await server.close();
});

/** Two DTLS engines (PSK, no cookie exchange) established in memory. */
function enginePair() {
  const n = native();
  const key = Buffer.alloc(16, 7);
  const suite = 'PSK-AES128-GCM-SHA256';
  const sctx = new n.EngineContext({ dtls: true, server: true, verify: 0, rejectUnauthorized: true, pskTable: [{ identity: 'id', key }], ciphers: suite });
  const cctx = new n.EngineContext({ dtls: true, server: false, verify: 0, rejectUnauthorized: true, pskIdentity: 'id', pskKey: key, ciphers: suite });
  const server = new n.Engine(sctx, { server: true, mtu: 1200, maxQueued: 64 });
  const client = new n.Engine(cctx, { server: false, mtu: 1200 });
  sctx.close();
  cctx.close();
  for (let i = 0; i < 10 && !(client.state === 'established' && server.state === 'established'); i++) {
    client.handshake();
    for (const d of client.output()) server.feed(d);
    server.handshake();
    for (const d of server.output()) client.feed(d);
  }
  assert.equal(client.state, 'established');
  assert.equal(server.state, 'established');
  return { client, server };
}

function seal(engine, message) {
  const out = Buffer.alloc(1200);
  const r = engine.send(message, out, 0);
  assert.equal(r % 2, 0, 'one datagram, none queued');
  return out.subarray(0, r / 2);
}

test('engine: a datagram of several records gives each message whole; too little room asks again', T, () => {
  const { client, server } = enginePair();
  const status = new Int32Array(2 + 64);
  const messages = [Buffer.from('first'), Buffer.alloc(500, 2), Buffer.from('third')];
  const datagram = Buffer.concat(messages.map((m) => seal(client, m)));
  // Room for nothing: no message is split; the datagram stays queued.
  const small = Buffer.alloc(64);
  assert.equal(server.receive(datagram, small, 0, status), 0);
  assert.equal(status[0] & 1, 1, 'call again');
  assert.ok(status[1] >= datagram.length, 'the room the next read needs');
  // Asked again with the room it names (at an offset, as in a slab): every
  // message whole and in order, however many calls that takes.
  const got = [];
  for (let calls = 0; calls < 10; calls++) {
    const need = Math.max(status[1], 1);
    const room = Buffer.alloc(100 + need);
    const count = server.receive(null, room, 100, status);
    for (let i = 0, at = 100; i < count; at += status[2 + i], i++) got.push(Buffer.from(room.subarray(at, at + status[2 + i])));
    if ((status[0] & 1) === 0) break;
  }
  assert.deepEqual(got, messages);
  const room = Buffer.alloc(2048);
  // A replayed datagram is consumed without a message.
  assert.equal(server.receive(datagram, room, 0, status), 0);
  assert.equal(status[0], 0);
  // close_notify is reported, with no output queued.
  client.shutdown();
  const [notify] = client.output();
  assert.equal(server.receive(notify, room, 0, status), 0);
  assert.equal(status[0] & 4, 4);
  client.close();
  server.close();
});

test('engine: the send slab target is used once; a datagram that does not fit is queued, not truncated', T, () => {
  const { client, server } = enginePair();
  const tiny = Buffer.alloc(10);
  const r = client.send(Buffer.alloc(300, 1), tiny, 0);
  assert.equal(r, 1, 'nothing written at the target, one datagram queued');
  const [queued] = client.output();
  assert.ok(queued.length > 300);
  const status = new Int32Array(2 + 64);
  const out = Buffer.alloc(2048);
  assert.equal(server.receive(queued, out, 0, status), 1);
  assert.deepEqual(out.subarray(0, status[2]), Buffer.alloc(300, 1));
  client.close();
  server.close();
});

// jsec/dtls over loopback: handshakes (RSA, ECDSA, PSK, mTLS), verification
// errors as jsec/tls names them, messages both ways, MTU enforcement,
// close_notify, resumption, exporter, ALPN, IPv6 and DNS, server styles
// (accept, iteration, 'connection', recvFrom/sendTo), limits, upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, listen, upgrade, DtlsSocket, DtlsState, DtlsServer, hasSrtp } from 'jsec/dtls';
import { CertificateError, ConfigError, DtlsError, StateError, AlertError } from 'jsec/errors';
import { dtlsPki, expiredLeaf } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();
const T = { timeout: 10_000 };

async function echoServer(options = {}) {
  const server = await listen({ host: '127.0.0.1', ...pki.ec, ...options });
  server.on('connection', async (s) => {
    try {
      for await (const m of s) await s.send(Buffer.concat([Buffer.from('echo:'), m]));
    } catch {
      // peer failed
    }
  });
  return server;
}

test('ECDSA and RSA: connect, verify, echo, info, close_notify reaches the server', T, async () => {
  for (const material of [pki.ec, pki.rsa]) {
    const server = await listen({ host: '127.0.0.1', ...material });
    const accepted = server.accept();
    const client = await connect('127.0.0.1', server.address().port, { ca: pki.ca });
    assert.ok(client instanceof DtlsSocket);
    assert.equal(client.state, DtlsState.Open);
    const peer = await accepted;
    const info = client.info();
    assert.equal(info.protocol, 'DTLSv1.2');
    assert.equal(info.authorized, true);
    assert.equal(info.role, 'client');
    assert.match(info.cipher.name, material === pki.ec ? /ECDSA/ : /RSA/);
    assert.equal(info.peerCertificates[0].subject, 'CN=localhost');
    assert.equal(info.mtu, 1200);
    assert.ok(info.maxMessageSize > 1100 && info.maxMessageSize < 1200);
    assert.equal(peer.info().role, 'server');
    await client.send('ping');
    assert.equal(String(await peer.receive()), 'ping');
    await peer.send(Buffer.from('pong'));
    assert.equal(String(await client.receive()), 'pong');
    assert.deepEqual(client.exportKeyingMaterial(32, 'EXTRACTOR-test'), peer.exportKeyingMaterial(32, 'EXTRACTOR-test'));
    const closed = once(peer, 'close');
    await client.close();
    assert.equal(client.state, DtlsState.Closed);
    await closed;
    assert.equal(peer.state, DtlsState.Closed);
    assert.equal(await peer.receive(), undefined);
    await assert.rejects(client.send('x'), (e) => e instanceof StateError && e.code === 'ERR_JSEC_CLOSED');
    assert.equal(server.peerCount, 0);
    await server.close();
  }
});

test('a message larger than the MTU allows is a typed error, never truncated; smaller MTU shrinks the limit', T, async () => {
  const server = await echoServer({ mtu: 600 });
  const client = await connect('127.0.0.1', server.address().port, { ca: pki.ca, mtu: 500 });
  const max = client.info().maxMessageSize;
  assert.ok(max < 500 && max > 400, `max ${max}`);
  await assert.rejects(client.send(Buffer.alloc(max + 1)), (e) => e instanceof DtlsError && e.code === 'ERR_JSEC_DTLS_MESSAGE_TOO_LARGE' && e.max === max);
  const big = Buffer.alloc(max - 5, 7);
  await client.send(big);
  const back = await client.receive();
  assert.equal(back.length, max);
  assert.ok(client.stats().largestDatagramSent <= 500);
  await assert.rejects(client.send(''), (e) => e instanceof ConfigError);
  await assert.rejects(client.send(42), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
  await client.close();
  await server.close();
});

test('verification: untrusted CA, wrong name, expired, self-signed give Node codes', T, async () => {
  const server = await echoServer();
  const port = server.address().port;
  await assert.rejects(connect('127.0.0.1', port), (e) => e instanceof CertificateError && e.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.ca, servername: 'other.test' }), (e) => e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && e.depth === 0);
  await server.close();
  const expired = await echoServer(expiredLeaf());
  await assert.rejects(connect('127.0.0.1', expired.address().port, { ca: pki.ca }), (e) => e instanceof CertificateError && e.code === 'CERT_HAS_EXPIRED');
  await expired.close();
  const self = await echoServer(pki.self);
  await assert.rejects(connect('127.0.0.1', self.address().port), (e) => e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
  // Explicitly dangerous: verification off connects, and info() says why it is not authorized.
  const c = await connect('127.0.0.1', self.address().port, { rejectUnauthorized: false });
  assert.equal(c.info().authorized, false);
  assert.equal(c.info().authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  await c.close();
  await self.close();
});

test('mTLS: a required client certificate is checked; missing or untrusted ones fail on both sides', T, async () => {
  const server = await echoServer({ requestCert: 'require', ca: pki.ca });
  const port = server.address().port;
  const peerErrors = [];
  server.on('peerError', (e) => peerErrors.push(e.code));
  const accepted = new Promise((r) => server.once('connection', r));
  const ok = await connect('localhost', port, { ca: pki.ca, ...pki.client });
  const peer = await accepted;
  assert.equal(peer.info().authorized, true);
  assert.equal(peer.info().peerCertificates[0].subject, 'CN=jsec test client');
  await ok.send('hi');
  assert.equal(String(await ok.receive()), 'echo:hi');
  await ok.close();
  await assert.rejects(connect('localhost', port, { ca: pki.ca, handshakeTimeout: 3000 }), (e) => e instanceof AlertError && e.code === 'ERR_JSEC_TLS_ALERT' && e.direction === 'received');
  await assert.rejects(connect('localhost', port, { ca: pki.ca, ...pki.self, handshakeTimeout: 3000 }), (e) => e.code === 'ERR_JSEC_TLS_ALERT');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(peerErrors.includes('ERR_JSEC_NO_PEER_CERTIFICATE'), String(peerErrors));
  assert.ok(peerErrors.some((c) => c === 'DEPTH_ZERO_SELF_SIGNED_CERT'), String(peerErrors));
  await server.close();
});

test('PSK: identity and key; a wrong key fails; info() reports the identity', T, async () => {
  const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const server = await echoServer({ cert: undefined, key: undefined, pskKeys: { device1: key, device2: 'ffee' }, pskHint: 'jsec' });
  const accepted = new Promise((r) => server.once('connection', r));
  const c = await connect('127.0.0.1', server.address().port, { psk: { identity: 'device1', key: key.toString('hex') } });
  assert.match(c.info().cipher.name, /PSK/);
  assert.equal(c.info().authorized, true);
  assert.deepEqual(c.info().peerCertificates, []);
  const peer = await accepted;
  assert.equal(peer.info().pskIdentity, 'device1');
  assert.equal(peer.info().authorized, true);
  await c.send('psk');
  assert.equal(String(await c.receive()), 'echo:psk');
  await c.close();
  await assert.rejects(connect('127.0.0.1', server.address().port, { psk: { identity: 'device1', key: 'abcd' }, handshakeTimeout: 3000 }), (e) => e.name === 'AlertError' || e.name === 'TlsError' || e.name === 'DtlsError');
  await server.close();
});

test('ALPN, session resumption and the resumed flag', T, async () => {
  const server = await echoServer({ ALPNProtocols: ['coap', 'x'] });
  const port = server.address().port;
  const first = await connect('127.0.0.1', port, { ca: pki.ca, ALPNProtocols: ['x'] });
  assert.equal(first.info().alpnProtocol, 'x');
  assert.equal(first.info().resumed, false);
  const session = first.getSession();
  assert.ok(Buffer.isBuffer(session) && session.length > 0);
  await first.close();
  const second = await connect('127.0.0.1', port, { ca: pki.ca, session });
  assert.equal(second.info().resumed, true);
  assert.equal(second.info().alpnProtocol, false);
  await second.close();
  // No ALPN overlap: the server refuses (no_application_protocol, RFC 7301).
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.ca, ALPNProtocols: ['h3'], handshakeTimeout: 3000 }), (e) => e.code === 'ERR_JSEC_TLS_ALERT' && e.alert === 120);
  // A garbage session is ignored: a full handshake follows.
  const third = await connect('127.0.0.1', port, { ca: pki.ca, session: Buffer.from('garbage') });
  assert.equal(third.info().resumed, false);
  await third.close();
  await server.close();
});

test('IPv6 and DNS names; async iteration of accepted peers', T, async () => {
  const server = await listen({ host: '::1', ...pki.ec });
  const port = server.address().port;
  const it = server[Symbol.asyncIterator]();
  const c6 = await connect('::1', port, { ca: pki.ca });
  assert.equal(c6.remoteFamily, 'IPv6');
  const p1 = (await it.next()).value;
  assert.equal(p1.remoteAddress, '::1');
  await c6.close();
  await server.close();
  assert.equal((await it.next()).done, true);

  // Dual stack (the default bind): IPv4 peers appear v4-mapped, sendTo takes either spelling.
  const dual = await listen({ ...pki.ec });
  dual.recvFrom().then((d) => dual.sendTo('127.0.0.1', d.port, `to ${d.data}`));
  const v4 = await connect('127.0.0.1', dual.address().port, { ca: pki.ca });
  await v4.send('v4');
  assert.equal(String(await v4.receive()), 'to v4');
  await v4.close();
  await dual.close();

  const s4 = await listen({ host: '127.0.0.1', ...pki.ec });
  const byName = await connect('localhost', s4.address().port, { ca: pki.ca, family: 4 });
  assert.equal(byName.info().servername, 'localhost');
  assert.equal(byName.remoteAddress, '127.0.0.1');
  await byName.close();
  await s4.close();
});

test('one-loop server: recvFrom / sendTo; unknown peers are typed errors', T, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  const port = server.address().port;
  const clients = await Promise.all([0, 1, 2].map(() => connect('127.0.0.1', port, { ca: pki.ca })));
  await Promise.all(clients.map((c, i) => c.send(`from ${i}`)));
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const d = await server.recvFrom();
    seen.add(String(d.data));
    await server.sendTo(d.address, d.port, `reply ${d.data}`);
  }
  assert.deepEqual([...seen].sort(), ['from 0', 'from 1', 'from 2']);
  for (const [i, c] of clients.entries()) assert.equal(String(await c.receive()), `reply from ${i}`);
  await assert.rejects(server.sendTo('127.0.0.1', 9, 'x'), (e) => e instanceof DtlsError && e.code === 'ERR_JSEC_DTLS_NO_PEER');
  assert.equal(server.peers().length, 3);
  // Closing the server sends close_notify to every peer.
  const closes = clients.map((c) => once(c, 'close'));
  await server.close();
  await Promise.all(closes);
  for (const c of clients) assert.equal(c.state, DtlsState.Closed);
  assert.equal(await server.recvFrom(), undefined);
});

test('limits: maxPeers ignores further ClientHellos; idle peers are forgotten', T, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec, maxPeers: 1, idleTimeout: 200 });
  const port = server.address().port;
  const a = await connect('127.0.0.1', port, { ca: pki.ca });
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.ca, retransmitInitial: 20, retransmitRetries: 2 }), (e) => e.code === 'ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT');
  assert.ok(server.stats().droppedPeerLimit >= 1);
  const gone = once(a, 'close');
  const [reason] = await gone; // the server idles out and sends close_notify
  assert.equal(reason, undefined);
  assert.equal(server.peerCount, 0);
  const b = await connect('127.0.0.1', port, { ca: pki.ca });
  await b.close();
  await server.close();
});

test('handshake timeout: retransmits a bounded number of times against a silent peer, then a typed error', T, async () => {
  const silent = createSocket('udp4');
  await new Promise((r) => silent.bind(0, '127.0.0.1', r));
  const seen = [];
  silent.on('message', (d) => seen.push(d.length));
  const delays = [];
  const timers = {
    setTimeout(fn, ms) {
      delays.push(ms);
      return setTimeout(fn, ms);
    },
    clearTimeout: (h) => clearTimeout(h),
  };
  await assert.rejects(
    connect('127.0.0.1', silent.address().port, { ca: pki.ca, retransmitInitial: 40, retransmitMax: 100, retransmitRetries: 3, timers }),
    (e) => e instanceof DtlsError && e.code === 'ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT' && e.retransmits === 3,
  );
  // One ClientHello plus three retransmissions, no more.
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(seen.length, 4);
  // The timers asked for follow the doubling schedule capped at retransmitMax (handshake timer 30000 first).
  const retransmitDelays = delays.filter((d) => d !== 30_000);
  assert.ok(retransmitDelays.length >= 4);
  assert.ok(retransmitDelays[0] <= 40 && retransmitDelays[0] >= 20, String(retransmitDelays));
  assert.ok(retransmitDelays[1] <= 80 && retransmitDelays[1] > 40, String(retransmitDelays));
  assert.ok(retransmitDelays.slice(2).every((d) => d <= 100), String(retransmitDelays));
  // The overall handshake timeout also applies.
  await assert.rejects(connect('127.0.0.1', silent.address().port, { ca: pki.ca, handshakeTimeout: 100 }), (e) => e.code === 'ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT' && e.timeout === 100);
  silent.close();
});

test('a closed port fails fast with ECONNREFUSED (ICMP port unreachable)', T, async () => {
  const probe = createSocket('udp4');
  await new Promise((r) => probe.bind(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  // Only the ICMP path yields ECONNREFUSED (a timeout would be ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT).
  await assert.rejects(connect('127.0.0.1', port, { ca: pki.ca }), (e) => e.code === 'ECONNREFUSED' && e.name === 'TlsError');
});

test('signal aborts a connect; bad arguments are config errors', T, async () => {
  const silent = createSocket('udp4');
  await new Promise((r) => silent.bind(0, '127.0.0.1', r));
  const ac = new AbortController();
  const p = connect('127.0.0.1', silent.address().port, { ca: pki.ca, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, (e) => e.code === 'ABORT_ERR');
  await assert.rejects(connect('127.0.0.1', 1, { signal: AbortSignal.abort() }), (e) => e.code === 'ABORT_ERR');
  silent.close();
  await assert.rejects(connect('127.0.0.1', 0), (e) => e instanceof ConfigError && e.code === 'ERR_OUT_OF_RANGE');
  await assert.rejects(connect('', 1), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
  await assert.rejects(connect('127.0.0.1', 5684, { mtu: 10 }), (e) => e.code === 'ERR_OUT_OF_RANGE');
  await assert.rejects(connect('127.0.0.1', 5684, { timers: {} }), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
  await assert.rejects(connect('127.0.0.1', 5684, { retransmitIntial: 10 }), (e) => e.code === 'ERR_JSEC_UNKNOWN_OPTION' && e.suggestion === 'retransmitInitial');
  await assert.rejects(listen({}), (e) => e.code === 'ERR_MISSING_OPTION');
  await assert.rejects(listen({ cert: pki.ec.cert, key: pki.rsa.key }), (e) => e instanceof ConfigError);
  await assert.rejects(connect('no-such-host.invalid', 5684, { ca: pki.ca }), (e) => e.code === 'ERR_JSEC_TLS_CONNECT');
  assert.throws(() => new DtlsSocket(), (e) => e.code === 'ERR_JSEC_INVALID_STATE');
  assert.throws(() => new DtlsServer(), (e) => e.code === 'ERR_JSEC_INVALID_STATE');
});

test('upgrade(): DTLS over existing connected UDP sockets, in both roles', T, async () => {
  const a = createSocket('udp4');
  const b = createSocket('udp4');
  await Promise.all([new Promise((r) => a.bind(0, '127.0.0.1', r)), new Promise((r) => b.bind(0, '127.0.0.1', r))]);
  await Promise.all([new Promise((r) => a.connect(b.address().port, '127.0.0.1', r)), new Promise((r) => b.connect(a.address().port, '127.0.0.1', r))]);
  const [srv, cli] = await Promise.all([upgrade(a, { isServer: true, ...pki.ec }), upgrade(b, { ca: pki.ca, servername: 'localhost' })]);
  assert.equal(srv.info().role, 'server');
  assert.equal(cli.info().authorized, true);
  await cli.send('over upgrade');
  assert.equal(String(await srv.receive()), 'over upgrade');
  await srv.send('back');
  assert.equal(String(await cli.receive()), 'back');
  await cli.close();
  await once(srv, 'close');
  const unconnected = createSocket('udp4');
  await assert.rejects(upgrade(unconnected, {}), (e) => e.code === 'ERR_JSEC_INVALID_STATE');
  unconnected.close();
  await assert.rejects(upgrade({}, {}), (e) => e.code === 'ERR_INVALID_ARG_TYPE');
});

test('DTLS-SRTP profile negotiation where the running OpenSSL exports use_srtp', { ...T, skip: !hasSrtp() && 'no SRTP in this OpenSSL' }, async () => {
  const server = await echoServer({ srtpProfiles: ['SRTP_AEAD_AES_128_GCM', 'SRTP_AES128_CM_SHA1_80'] });
  const c = await connect('127.0.0.1', server.address().port, { ca: pki.ca, srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] });
  assert.equal(c.info().srtpProfile, 'SRTP_AES128_CM_SHA1_80');
  // WebRTC derives SRTP keys from the exporter with this label.
  assert.equal(c.exportKeyingMaterial(60, 'EXTRACTOR-dtls_srtp').length, 60);
  await c.close();
  await server.close();
  await assert.rejects(connect('127.0.0.1', 1, { srtpProfiles: ['NOT_A_PROFILE'] }), (e) => e instanceof ConfigError);
});

test('RFC 6347 4.2.8: a new ClientHello from the address of an established peer starts a new association', T, async () => {
  const server = await listen({ host: '127.0.0.1', ...pki.ec });
  const port = server.address().port;
  const first = server.accept();
  const u1 = createSocket('udp4');
  await new Promise((r) => u1.bind(0, '127.0.0.1', r));
  const localPort = u1.address().port;
  await new Promise((r) => u1.connect(port, '127.0.0.1', r));
  const c1 = await upgrade(u1, { ca: pki.ca, servername: 'localhost' });
  const old = await first;
  // The client "reboots": its socket vanishes without close_notify and a new one binds the same port.
  u1.close();
  c1[Symbol.dispose]();
  const oldClosed = once(old, 'close');
  const u2 = createSocket('udp4');
  await new Promise((r) => u2.bind(localPort, '127.0.0.1', r));
  await new Promise((r) => u2.connect(port, '127.0.0.1', r));
  const second = server.accept();
  const c2 = await upgrade(u2, { ca: pki.ca, servername: 'localhost' });
  const fresh = await second;
  await oldClosed;
  assert.equal(old.state, DtlsState.Closed);
  assert.equal(server.peerCount, 1);
  await c2.send('new association');
  assert.equal(String(await fresh.receive()), 'new association');
  await c2.close();
  await server.close();
});

test('timers and clock are injectable: handshake and idle timeouts fire from the injected source, no waiting', T, async () => {
  let clock = 0;
  const pending = new Map();
  let nextId = 1;
  const timers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { fn, ms, at: clock + ms });
      return id;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
  };
  const advance = (ms) => {
    clock += ms;
    for (const [id, t] of [...pending]) {
      if (t.at <= clock) {
        pending.delete(id);
        t.fn();
      }
    }
  };
  // Handshake timeout against a silent peer, fired by advancing the fake clock.
  const silent = createSocket('udp4');
  await new Promise((r) => silent.bind(0, '127.0.0.1', r));
  const p = connect('127.0.0.1', silent.address().port, { ca: pki.ca, timers, now: () => clock, handshakeTimeout: 7000 });
  await new Promise((r) => setTimeout(r, 20)); // let connect() reach the handshake
  assert.ok([...pending.values()].some((t) => t.ms === 7000), 'the handshake timer was scheduled on the injected source');
  advance(7000);
  await assert.rejects(p, (e) => e.code === 'ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT' && e.timeout === 7000);
  silent.close();

  // A server peer idles out when the injected clock says so.
  pending.clear();
  const server = await listen({ host: '127.0.0.1', ...pki.ec, timers, now: () => clock, idleTimeout: 5000 });
  const accepted = server.accept();
  const c = await connect('127.0.0.1', server.address().port, { ca: pki.ca });
  const peer = await accepted;
  const closed = once(peer, 'close');
  const clientClosed = once(c, 'close');
  advance(4000);
  assert.equal(peer.state, DtlsState.Open, 'not idle yet');
  advance(2000);
  const [reason] = await closed;
  assert.equal(reason.code, 'ERR_JSEC_DTLS_IDLE_TIMEOUT');
  await clientClosed; // the server's close_notify reached the client
  assert.equal(server.peerCount, 0);
  await server.close();
});

// The client session cache backs off from a server that never resumes: after
// two offered sessions in a row were refused it stops offering (and storing)
// for defaults.tlsAdvanced.resumeBackoff connections, doubling per further
// miss. The server sees each ClientHello before node:tls does and counts the
// ones that offer a session (a pre_shared_key extension in TLS 1.3, a session
// ID in TLS 1.2 without TLS 1.3 enabled); it never resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { constants } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { connect } from 'jsec/tls';
const { defaults } = await import('../../dist/config/defaults.js');
import { pki } from './_util.mjs';

/** Whether a complete ClientHello record offers a session. */
function offersSession(record) {
  let at = 5 + 4 + 2 + 32; // record header, handshake header, version, random
  const sessionId = record[at];
  at += 1 + sessionId;
  at += 2 + record.readUInt16BE(at); // cipher suites
  at += 1 + record[at]; // compression methods
  const end = at + 2 + record.readUInt16BE(at);
  at += 2;
  const types = [];
  while (at + 4 <= end) {
    types.push(record.readUInt16BE(at));
    at += 4 + record.readUInt16BE(at + 2);
  }
  return types.includes(41) || (sessionId > 0 && !types.includes(43));
}

/**
 * A node:tls server (`resume` false: tickets and session IDs it never finds)
 * behind a listener that counts the ClientHellos offering a session.
 */
async function countingServer(version, resume) {
  const offers = [];
  const options = { ...pki.leaves.ecdsa, minVersion: version, maxVersion: version, ...(resume ? {} : { secureOptions: constants.SSL_OP_NO_TICKET }) };
  const server = tls.createServer(options, (s) => {
    s.on('error', () => {});
    s.end('x');
  });
  server.on('tlsClientError', () => {});
  const front = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 5 || buf.length < 5 + buf.readUInt16BE(3)) return;
      socket.off('data', onData);
      socket.pause();
      offers.push(offersSession(buf));
      socket.unshift(buf);
      server.emit('connection', socket);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  return { close: () => front.close(), offered: () => offers.filter(Boolean).length, port: front.address().port };
}

/** Offers expected in `n` connections, by the documented rule. */
function expectedOffers(n, base) {
  let offers = 0;
  let misses = 0;
  let skip = 0;
  let stored = false;
  for (let i = 0; i < n; i++) {
    if (skip > 0) {
      skip -= 1;
      continue;
    }
    if (stored) {
      offers += 1;
      misses += 1;
      if (misses >= 2) skip = base * 2 ** Math.min(6, misses - 2);
    }
    stored = true;
  }
  return offers;
}

for (const version of ['TLSv1.2', 'TLSv1.3']) {
  test(`${version}: a server that never resumes is offered sessions twice, then only once per back-off period`, { timeout: 60_000 }, async () => {
    const { close, offered, port } = await countingServer(version, false);
    const ca = pki.ca;
    // A policy of its own gives this test a fresh context (and cache).
    const security = { minVersion: version, maxVersion: version, sessionTimeout: 299 };
    const n = 40;
    let resumed = 0;
    for (let i = 0; i < n; i++) {
      const s = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca, security });
      assert.equal(s.getProtocol(), version);
      if (s.isSessionReused()) resumed += 1;
      // Wait for the server's data (TLS 1.3 tickets arrive before it) and the end.
      s.resume();
      await once(s, 'end');
      s.destroy();
    }
    close();
    const base = defaults.tlsAdvanced.resumeBackoff;
    assert.equal(resumed, 0);
    assert.ok(base > 0);
    assert.equal(offered(), expectedOffers(n, base));
    // Without the back-off every connection after the first would offer one.
    assert.ok(offered() < n / 4, `offers: ${offered()}`);
  });
}

for (const version of ['TLSv1.2', 'TLSv1.3']) {
  test(`${version}: a resuming server is offered a session whenever the cache has one (the back-off never starts)`, { timeout: 60_000 }, async () => {
    const { close, offered, port } = await countingServer(version, true);
    const security = { minVersion: version, maxVersion: version, sessionTimeout: 298 };
    let resumed = 0;
    const n = 24;
    for (let i = 0; i < n; i++) {
      const s = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, security });
      if (s.isSessionReused()) resumed += 1;
      s.resume();
      await once(s, 'end');
      s.destroy();
    }
    close();
    // Every offer resumed; TLS 1.2 sessions are reusable (all but the first
    // resume); node:tls servers send no new TLS 1.3 tickets on resumption, so
    // the two tickets of each full handshake serve the next two connections.
    assert.equal(offered(), resumed);
    assert.equal(resumed, version === 'TLSv1.2' ? n - 1 : (2 * n) / 3);
  });
}

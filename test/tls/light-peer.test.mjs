// jsec's client asks Node for the leaf alone for its host check (Node's own
// check would decode the whole chain on every handshake) and keeps the
// verified chain once per server certificate. What a user sees must not
// change: the socket's own getPeerCertificate(true), a custom
// checkServerIdentity, info().peerCertificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import tls from 'node:tls';
import { connect, info } from 'jsec/tls';
import { echoServer, pki, rejectionOf } from './_util.mjs';

const T = { timeout: 30_000 };

function detailedDepth(cert) {
  let n = 0;
  for (let c = cert; c && c.raw; c = c.issuerCertificate === c ? undefined : c.issuerCertificate) n += 1;
  return n;
}

test('after connect the socket has Node\'s own getPeerCertificate: the detailed chain is intact', T, async () => {
  const server = await echoServer();
  const s = await connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: pki.ca });
  assert.equal(Object.prototype.hasOwnProperty.call(s, 'getPeerCertificate'), false);
  assert.equal(s.getPeerCertificate, tls.TLSSocket.prototype.getPeerCertificate);
  const detailed = s.getPeerCertificate(true);
  assert.equal(detailed.subject.CN, 'localhost');
  const chain = info(s).peerCertificates;
  assert.equal(detailedDepth(detailed), chain.length);
  assert.ok(chain.length >= 2);
  s.destroy();
  await server.close();
});

test('info().peerCertificates is the verified chain on every connection to a server (the chain memo gives the same one)', T, async () => {
  const server = await echoServer();
  const port = server.address().port;
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const s = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, security: { sessionCacheSize: 0 } });
    seen.push(info(s).peerCertificates.map((c) => c.fingerprint256));
    s.end();
    await once(s, 'close');
  }
  await server.close();
  assert.ok(seen[0].length >= 2);
  assert.deepEqual(seen[1], seen[0]);
  assert.deepEqual(seen[2], seen[0]);
  // The chain ends at the trust anchor given as `ca`.
  assert.equal(seen[0].at(-1), new (await import('node:crypto')).X509Certificate(pki.ca).fingerprint256);
});

test('a custom checkServerIdentity still receives Node\'s detailed certificate; a mismatch is still refused', T, async () => {
  const server = await echoServer();
  const port = server.address().port;
  let depth = 0;
  const s = await connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: pki.ca,
    checkServerIdentity: (host, cert) => {
      depth = detailedDepth(cert);
      return tls.checkServerIdentity(host, cert);
    },
  });
  assert.ok(depth >= 2, `depth ${depth}`);
  s.destroy();
  const err = await rejectionOf(connect({ host: '127.0.0.1', port, servername: 'wrong.example', ca: pki.ca }));
  assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.ok(err.chain.length >= 2);
  await server.close();
});

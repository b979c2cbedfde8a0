// A session the caller kept and passes back as `session`: on resumption Node
// has no peer chain, and info() reports the server certificate the session
// carries (the leaf the first handshake verified).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, info } from 'jsec/tls';
import { echoServer, pki } from './_util.mjs';

for (const version of ['TLSv1.2', 'TLSv1.3']) {
  test(`${version}: info().peerCertificates of a connection resumed from an explicit session holds the server's leaf`, { timeout: 30_000 }, async () => {
    const server = await echoServer({ security: { minVersion: version, maxVersion: version } });
    const { port } = server.address();
    const options = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, security: { minVersion: version, maxVersion: version, sessionCacheSize: 0 } };
    const first = await connect(options);
    first.write('a');
    await once(first, 'data');
    const session = first.getSession();
    const leaf = info(first).peerCertificates[0];
    first.destroy();
    assert.ok(session && leaf);
    const again = await connect({ ...options, session });
    const i = info(again);
    assert.equal(i.resumed, true);
    assert.equal(i.peerCertificates.length, 1);
    assert.equal(i.peerCertificates[0].fingerprint256, leaf.fingerprint256);
    again.destroy();
    await server.close();
  });
}

test('a garbage explicit session is a full handshake with the full chain', { timeout: 30_000 }, async () => {
  const server = await echoServer();
  const { port } = server.address();
  const s = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, session: Buffer.from('3082000102010102', 'hex') });
  const i = info(s);
  assert.equal(i.resumed, false);
  assert.ok(i.peerCertificates.length >= 2);
  s.destroy();
  await server.close();
});

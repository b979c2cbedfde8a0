// Mutual TLS on every server path (listen, createContext + listen, server
// upgrade) with PEM and PKCS#12 client identities on every client path
// (connect, upgrade); missing and untrusted client certificates are typed
// errors on both sides. Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createContext, info, listen, upgrade } from 'jsec/tls';
import { dial, errorsAtLeast, MATRIX, only, pki, portOf, rejectionOf, roundTrip, server, tcpPair } from './_util.mjs';

const T = { timeout: 20_000 };
const CLIENT_SIDE = ['ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE', 'ERR_JSEC_TLS_ALERT'];

/**
 * A refused client: TLS 1.2 fails the connect with a typed error; with
 * TLS 1.3 the client's handshake completes before the server decides, so it
 * either fails or gets a socket that ends without a byte.
 */
async function refused(promise) {
  let s;
  try {
    s = await promise;
  } catch (err) {
    assert.ok(CLIENT_SIDE.includes(err.code), err.code);
    return err.code;
  }
  s.on('error', () => {});
  const chunks = [];
  for await (const c of s) chunks.push(c);
  assert.equal(chunks.length, 0);
  return 'ended';
}

describe('mTLS matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: required client certificate: accepted, missing, untrusted`, T, async () => {
      const srv = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca });
      const peers = [];
      srv.on('secureConnection', (s) => peers.push(info(s)));
      const ok = await dial(srv, { cert: pki.client.cert, key: pki.client.key });
      await roundTrip(ok);
      assert.equal(peers[0].authorized, true);
      assert.equal(peers[0].peerCertificates[0].subject, 'CN=jsec client');
      assert.equal(peers[0].protocol, c.version);
      // PKCS#12 with passphrase.
      const p12 = await dial(srv, { pfx: pki.clientPfx, passphrase: 's3cret' });
      await roundTrip(p12);
      assert.equal(peers[1].peerCertificates[0].subject, 'CN=jsec client');
      // Negative: no certificate, and one from a root the server does not trust.
      await refused(dial(srv, {}));
      await refused(dial(srv, { cert: pki.strangerClient.cert, key: pki.strangerClient.key }));
      await errorsAtLeast(srv, 2);
      assert.deepEqual(srv.errors.map((e) => e.code).sort(), ['ERR_JSEC_NO_PEER_CERTIFICATE', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'].sort());
      assert.equal(peers.length, 2);
      await srv.close();
    });
  }
});

describe('mTLS on every path', () => {
  test('createContext (server trust anchors) + listen, requestCert optional', T, async () => {
    const ctx = createContext({ role: 'server', cert: pki.leaves['P-256'].cert + pki.root.cert, key: pki.leaves['P-256'].key, ca: pki.ca });
    const srv = await listen({ host: '127.0.0.1', port: 0, context: ctx, requestCert: true, rejectUnauthorized: false });
    const peers = [];
    srv.on('secureConnection', (s) => {
      peers.push(info(s));
      s.pipe(s);
    });
    await roundTrip(await dial(srv, { cert: pki.client.cert, key: pki.client.key }));
    await roundTrip(await dial(srv));
    assert.deepEqual(peers.map((p) => p.authorized), [true, false]);
    assert.equal(peers[1].peerCertificates.length, 0);
    await srv.close();
  });

  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    test(`${version}: upgrade, both roles, client certificate as PKCS#12`, T, async () => {
      const [raw, serverRaw] = await tcpPair();
      const leaf = pki.leaves['P-256'];
      const [srvSock, cliSock] = await Promise.all([
        upgrade(serverRaw, { isServer: true, cert: leaf.cert + pki.root.cert, key: leaf.key, ca: pki.ca, requestCert: true }),
        upgrade(raw, { host: 'localhost', ca: pki.ca, pfx: pki.clientPfx, passphrase: 's3cret', security: only(version) }),
      ]);
      assert.equal(info(srvSock).peerCertificates[0].subject, 'CN=jsec client');
      assert.equal(info(cliSock).protocol, version);
      cliSock.destroy();
      srvSock.destroy();
      // Negative: a server-role upgrade that requires a certificate refuses a client without one.
      const [raw2, serverRaw2] = await tcpPair();
      const both = await Promise.allSettled([
        upgrade(serverRaw2, { isServer: true, cert: leaf.cert + pki.root.cert, key: leaf.key, ca: pki.ca, requestCert: true }),
        upgrade(raw2, { host: 'localhost', ca: pki.ca, security: only(version) }),
      ]);
      assert.equal(both[0].status, 'rejected');
      assert.equal(both[0].reason.code, 'ERR_JSEC_NO_PEER_CERTIFICATE');
      if (both[1].status === 'rejected') assert.ok(CLIENT_SIDE.includes(both[1].reason.code), both[1].reason.code);
      else await refused(Promise.resolve(both[1].value));
    });
  }

  test('a wrong PKCS#12 passphrase is a typed ConfigError', async () => {
    const err = await rejectionOf(dial(1, { pfx: pki.clientPfx, passphrase: 'wrong' }));
    assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
    assert.ok(['passphrase', 'pfx', 'cert'].includes(err.option), err.option);
  });
});
void portOf;

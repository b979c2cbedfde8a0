// TLS 1.2 renegotiation: refused by default in both directions; with
// security.renegotiation 'server-initiated' a jsec server renegotiates with a
// jsec client that allows it (to ask for a client certificate mid-connection);
// client-initiated renegotiation is refused in every mode (Node client and
// openssl s_client 'R'); TLS 1.3 has no renegotiation.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { describe, test } from 'node:test';
import { connect, createContext, info, listen } from 'jsec/tls';
import { pki, portOf, rejectionOf, run } from './_util.mjs';

const T = { timeout: 20_000 };
const TLS12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
const ALLOW = { ...TLS12, renegotiation: 'server-initiated' };

/** A jsec server (ca set for client certificates, none requested at first) and one connected jsec client. */
async function pair(serverSecurity, clientSecurity, clientOptions = { cert: pki.client.cert, key: pki.client.key }) {
  const leaf = pki.leaves['P-256'];
  const srv = await listen({ host: '127.0.0.1', port: 0, cert: leaf.cert + pki.root.cert, key: leaf.key, ca: pki.ca, security: serverSecurity });
  const accepted = srv.accept();
  const client = await connect('127.0.0.1', portOf(srv), { ca: pki.ca, servername: 'localhost', sessionStore: false, security: clientSecurity, ...clientOptions });
  const socket = await accepted;
  const events = { server: [], client: [] };
  socket.on('error', (e) => events.server.push(e.code));
  client.on('error', (e) => events.client.push(e.code));
  return { srv, socket, client, events };
}

/** Server-initiated renegotiation asking for a client certificate; resolves with the callback's error code or 'ok'. */
function askForCertificate(socket) {
  return new Promise((resolve) => {
    const started = socket.renegotiate({ requestCert: true, rejectUnauthorized: true }, (err) => resolve(err ? err.code : 'ok'));
    // A failed start reports through the callback too; a refusal by the
    // peer ends the connection instead.
    if (started) {
      socket.once('error', (e) => resolve(e.code));
      socket.once('close', () => resolve('closed'));
    }
  });
}

/** Echo round trip over an established pair. */
async function echo(client, socket) {
  socket.once('data', (d) => socket.write(d));
  client.write('after');
  const [d] = await once(client, 'data');
  assert.equal(String(d), 'after');
}

describe('TLS 1.2 renegotiation', () => {
  test("default 'never': a server-initiated renegotiation fails, the connection keeps working", T, async () => {
    const { srv, socket, client } = await pair(TLS12, TLS12);
    assert.equal(await askForCertificate(socket), 'ERR_SSL_NO_RENEGOTIATION');
    assert.equal(socket.getPeerX509Certificate(), undefined);
    await echo(client, socket);
    client.destroy();
    await srv.close();
  });

  test("'server-initiated' on both sides: the server gets a client certificate mid-connection", T, async () => {
    const { srv, socket, client, events } = await pair(ALLOW, ALLOW);
    assert.equal(info(socket).peerCertificates.length, 0, 'no certificate before the renegotiation');
    let handshakes = 0;
    socket.on('secure', () => handshakes++);
    assert.equal(await askForCertificate(socket), 'ok');
    assert.equal(handshakes, 1, 'a second handshake happened');
    assert.equal(socket.authorized, true);
    assert.equal(socket.getPeerX509Certificate().subject, 'CN=jsec client');
    await echo(client, socket);
    assert.deepEqual(events, { server: [], client: [] });
    client.destroy();
    await srv.close();
  });

  test("'server-initiated' server, 'never' client: the client refuses", T, async () => {
    const { srv, socket, client, events } = await pair(ALLOW, TLS12);
    client.resume();
    assert.equal(await askForCertificate(socket), 'ERR_SSL_NO_RENEGOTIATION');
    assert.equal(socket.getPeerX509Certificate(), undefined);
    client.destroy();
    await srv.close();
  });

  for (const security of [TLS12, ALLOW]) {
    const mode = security.renegotiation ?? 'never';
    test(`'${mode}' server: a renegotiation started by a Node client is refused`, T, async () => {
      const leaf = pki.leaves['P-256'];
      const srv = await listen({ host: '127.0.0.1', port: 0, cert: leaf.cert + pki.root.cert, key: leaf.key, security });
      const accepted = srv.accept();
      const client = tls.connect({ port: portOf(srv), host: '127.0.0.1', servername: 'localhost', ca: pki.ca, ...TLS12 });
      const clientErrors = [];
      client.on('error', (e) => clientErrors.push(e.code));
      await once(client, 'secureConnect');
      const socket = await accepted;
      const serverErrors = [];
      socket.on('error', (e) => serverErrors.push(e.code));
      let handshakes = 0;
      socket.on('secure', () => handshakes++);
      socket.resume();
      let renegotiated = false;
      client.renegotiate({}, (err) => (renegotiated = !err));
      // The refusal ends in a client error ('never') or a close ('server-initiated').
      await new Promise((resolve) => {
        client.once('error', resolve);
        client.once('close', resolve);
      });
      assert.equal(renegotiated, false);
      if (mode === 'never') {
        // OpenSSL ignores the ClientHello (no_renegotiation); the client gives up.
        assert.ok(clientErrors.includes('ERR_SSL_NO_RENEGOTIATION'), clientErrors.join());
      } else {
        // Refused when the client's handshake starts, before it completes.
        assert.deepEqual(serverErrors, ['ERR_TLS_RENEGOTIATION_DISABLED']);
        assert.equal(handshakes, 0, 'the server completed no second handshake');
      }
      client.destroy();
      await srv.close();
    });

    test(`'${mode}' server: openssl s_client 'R' is refused`, T, async () => {
      const leaf = pki.leaves['P-256'];
      const srv = await listen({ host: '127.0.0.1', port: 0, cert: leaf.cert + pki.root.cert, key: leaf.key, security });
      const serverErrors = [];
      let handshakes = 0;
      srv.on('secureConnection', (s) => {
        s.on('error', (e) => serverErrors.push(e.code));
        s.on('secure', () => handshakes++);
        s.resume();
      });
      writeFileSync(join(pki.dir, 'root.pem'), pki.root.cert);
      const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${portOf(srv)}`, '-servername', 'localhost', '-CAfile', join(pki.dir, 'root.pem'), '-tls1_2'], { input: 'R\n', keepOpen: 1500, ms: 8000 });
      assert.match(r.out, /RENEGOTIATING/);
      if (mode === 'never') {
        assert.match(r.out, /no renegotiation/i);
      } else {
        assert.deepEqual(serverErrors, ['ERR_TLS_RENEGOTIATION_DISABLED']);
        assert.equal(handshakes, 0, 'the server completed no second handshake');
      }
      await srv.close();
    });
  }

  test('TLS 1.3 has no renegotiation, whatever the setting', T, async () => {
    const tls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', renegotiation: 'server-initiated' };
    const { srv, socket, client } = await pair(tls13, tls13);
    assert.equal(info(socket).protocol, 'TLSv1.3');
    const code = await askForCertificate(socket);
    assert.notEqual(code, 'ok');
    assert.equal(socket.getPeerX509Certificate(), undefined);
    client.destroy();
    await srv.close();
  });

  test('the option is validated and part of the context identity', async () => {
    const err = await rejectionOf(connect('127.0.0.1', 1, { security: { renegotiation: 'always' } }));
    assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
    assert.notEqual(createContext({ security: ALLOW }).id, createContext({ security: TLS12 }).id);
    assert.equal(createContext({ security: TLS12 }).security.renegotiation, 'never');
  });
});

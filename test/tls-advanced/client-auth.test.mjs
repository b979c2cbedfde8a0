// Server-side client checks (pins, verifyPeer) on listen, createContext +
// listen and server upgrade, full and resumed handshakes; a client refused
// for a missing certificate gets the typed alert on connect and upgrade
// (jsec and openssl s_server). Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connect, createContext, info, listen, spkiPin, upgrade } from 'jsec/tls';
import { AlertError, CertificateError, ConfigError } from 'jsec/errors';
import { dial, errorsAtLeast, freePort, MATRIX, only, pki, portOf, rejectionOf, roundTrip, server, tcpPair, VERSIONS, waitPort } from './_util.mjs';

const T = { timeout: 20_000 };
const client = () => ({ cert: pki.client.cert, key: pki.client.key });
/** The alert a refused client without a certificate receives. */
const NO_CERT_ALERT = { 'TLSv1.2': [40, 'handshake_failure'], 'TLSv1.3': [116, 'certificate_required'] };

/**
 * Waits for a refused client to end: TLS 1.2 (and a TLS 1.3 client whose
 * certificate the server checks after the handshake) may resolve connect
 * before the server drops the connection; a client that closed at once could
 * keep its last handshake flight from reaching the server.
 */
async function dropped(promise) {
  let s;
  try {
    s = await promise;
  } catch (err) {
    return err.code;
  }
  s.on('error', () => {});
  s.resume();
  if (!s.closed) await once(s, 'close');
  return 'closed';
}


describe('server pins and verifyPeer', () => {
  for (const c of MATRIX) {
    test(`${c.name}: pins on the leaf or the root pass, a wrong pin refuses that client only`, T, async () => {
      for (const pin of [spkiPin(pki.client.cert), spkiPin(pki.root.cert)]) {
        const srv = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca, pins: [pin] });
        await roundTrip(await dial(srv, { ...client(), sessionStore: false }));
        assert.equal(srv.errors.length, 0);
        await srv.close();
      }
      const srv = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca, pins: [spkiPin(pki.other.cert)] });
      let secure = 0;
      srv.on('secureConnection', () => secure++);
      assert.ok(['closed', 'ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE'].includes(await dropped(dial(srv, { ...client(), sessionStore: false }))));
      const [err] = await errorsAtLeast(srv, 1);
      assert.ok(err instanceof CertificateError);
      assert.equal(err.code, 'ERR_JSEC_TLS_PIN_MISMATCH');
      assert.equal(err.peerCertificate.subject, 'CN=jsec client');
      assert.ok(err.chainPins.includes(spkiPin(pki.client.cert)));
      assert.equal(secure, 0, 'a refused client never reaches secureConnection');
      await srv.close();
    });

    test(`${c.name}: verifyPeer runs after the pins, on full and resumed handshakes; throw or false refuses`, T, async () => {
      const calls = [];
      let refuseResumed = false;
      const verifyPeer = async (chain, i) => {
        calls.push({ subject: chain[0]?.subject, resumed: i.resumed, authorized: i.authorized, role: i.role, chain: chain.length });
        if (refuseResumed && i.resumed) throw new Error('no resumption for you');
      };
      const srv = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca, pins: [spkiPin(pki.root.cert)], verifyPeer });
      const ctx = createContext({ ca: pki.ca, ...client(), security: only(c.version) });
      await roundTrip(await dial(srv, { context: ctx }));
      await roundTrip(await dial(srv, { context: ctx }));
      assert.deepEqual(calls.map((x) => x.resumed), [false, true]);
      // On resumption the chain comes back through the server's trust store, so a root pin still matches.
      assert.ok(calls.every((x) => x.subject === 'CN=jsec client' && x.authorized && x.role === 'server' && x.chain === 2), JSON.stringify(calls));
      // The hook really runs on resumption: refusing resumed clients refuses the next one.
      refuseResumed = true;
      await dropped(dial(srv, { context: ctx }));
      const [err] = await errorsAtLeast(srv, 1);
      assert.equal(err.code, 'ERR_JSEC_TLS_VERIFY_PEER');
      assert.equal(err.cause.message, 'no resumption for you');
      assert.equal(calls.at(-1).resumed, true);
      await srv.close();

      // Returning false refuses too; a pin failure stops before the hook.
      const calls2 = [];
      const falsy = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca, verifyPeer: () => (calls2.push(1), false) });
      await dropped(dial(falsy, { ...client(), sessionStore: false }));
      assert.equal((await errorsAtLeast(falsy, 1))[0].code, 'ERR_JSEC_TLS_VERIFY_PEER');
      await falsy.close();
      let ran = false;
      const pinned = await server(c.keyType, c.version, { requestCert: true, ca: pki.ca, pins: [spkiPin(pki.other.cert)], verifyPeer: () => (ran = true) });
      await dropped(dial(pinned, { ...client(), sessionStore: false }));
      assert.equal((await errorsAtLeast(pinned, 1))[0].code, 'ERR_JSEC_TLS_PIN_MISMATCH');
      assert.equal(ran, false);
      // The server keeps serving others.
      await pinned.close();
    });
  }

  test('a refused client does not stop the server: the next good client is served', T, async () => {
    let n = 0;
    const srv = await server('P-256', 'TLSv1.3', { requestCert: true, ca: pki.ca, verifyPeer: () => { if (n++ === 0) throw new Error('first one out'); } });
    await dropped(dial(srv, { ...client(), sessionStore: false }));
    await errorsAtLeast(srv, 1);
    await roundTrip(await dial(srv, { ...client(), sessionStore: false }));
    assert.equal(srv.errors.length, 1);
    await srv.close();
  });

  test('optional client authentication: verifyPeer sees an empty chain and decides', T, async () => {
    const seen = [];
    const srv = await server('P-256', 'TLSv1.3', { requestCert: true, rejectUnauthorized: false, ca: pki.ca, verifyPeer: (chain, i) => { seen.push([chain.length, i.authorized]); if (chain.length === 0) throw new Error('anonymous'); } });
    await roundTrip(await dial(srv, { ...client(), sessionStore: false }));
    await dropped(dial(srv, { sessionStore: false }));
    assert.equal((await errorsAtLeast(srv, 1))[0].code, 'ERR_JSEC_TLS_VERIFY_PEER');
    assert.deepEqual(seen, [[2, true], [0, false]]);
    await srv.close();
  });

  test('createContext + listen and server upgrade take pins and verifyPeer', T, async () => {
    const leaf = pki.leaves['P-256'];
    const ctx = createContext({ role: 'server', cert: leaf.cert + pki.root.cert, key: leaf.key, ca: pki.ca });
    const srv = await listen({ host: '127.0.0.1', port: 0, context: ctx, requestCert: true, pins: [spkiPin(pki.other.cert)] });
    const errors = [];
    srv.on('handshakeError', (e) => errors.push(e));
    await dropped(dial(srv, { ...client(), sessionStore: false }));
    while (errors.length < 1) await once(srv, 'handshakeError');
    assert.equal(errors[0].code, 'ERR_JSEC_TLS_PIN_MISMATCH');
    await srv.close();

    for (const version of VERSIONS) {
      const [raw, serverRaw] = await tcpPair();
      const hook = [];
      const [srvSock, cliSock] = await Promise.all([
        upgrade(serverRaw, { isServer: true, context: ctx, requestCert: true, pins: [spkiPin(pki.root.cert)], verifyPeer: (chain) => hook.push(chain[0].subject) }),
        upgrade(raw, { host: 'localhost', ca: pki.ca, ...client(), security: only(version), pins: [spkiPin(pki.root.cert)] }),
      ]);
      assert.deepEqual(hook, ['CN=jsec client']);
      assert.equal(info(cliSock).protocol, version);
      srvSock.destroy();
      cliSock.destroy();
      const [raw2, serverRaw2] = await tcpPair();
      const both = await Promise.allSettled([
        upgrade(serverRaw2, { isServer: true, context: ctx, requestCert: true, verifyPeer: () => Promise.reject(new Error('no')) }),
        upgrade(raw2, { host: 'localhost', ca: pki.ca, ...client(), security: only(version) }),
      ]);
      assert.equal(both[0].status, 'rejected');
      assert.equal(both[0].reason.code, 'ERR_JSEC_TLS_VERIFY_PEER');
      if (both[1].status === 'fulfilled') both[1].value.destroy();
    }
  });

  test('pins need a required, verified client certificate; malformed pins are refused', async () => {
    const leaf = pki.leaves['P-256'];
    const base = { host: '127.0.0.1', port: 0, cert: leaf.cert, key: leaf.key, ca: pki.ca };
    const pins = [spkiPin(pki.client.cert)];
    for (const [opts, code] of [
      [{ pins }, 'ERR_JSEC_CONFLICTING_OPTIONS'],
      [{ pins, requestCert: true, rejectUnauthorized: false }, 'ERR_JSEC_CONFLICTING_OPTIONS'],
      [{ pins: ['sha256/short'], requestCert: true }, 'ERR_INVALID_ARG_VALUE'],
      [{ pins: [], requestCert: true }, 'ERR_INVALID_ARG_VALUE'],
      [{ verifyPeer: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    ]) {
      const err = await rejectionOf(listen({ ...base, ...opts }));
      assert.ok(err instanceof ConfigError, err.code);
      assert.equal(err.code, code);
    }
  });
});

describe('a refused client certificate reaches the client as a typed alert', () => {
  for (const version of VERSIONS) {
    const [alert, alertName] = NO_CERT_ALERT[version];

    test(`${version}: connect and client upgrade without a certificate reject with ${alertName} (${alert})`, T, async () => {
      const srv = await server('P-256', version, { requestCert: true, ca: pki.ca });
      const err = await rejectionOf(dial(srv, { sessionStore: false }));
      assert.ok(err instanceof AlertError, err.code);
      assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
      assert.equal(err.alert, alert);
      assert.equal(err.alertName, alertName);
      assert.equal(err.direction, 'received');
      assert.equal((await errorsAtLeast(srv, 1))[0].code, 'ERR_JSEC_NO_PEER_CERTIFICATE');
      // Client-role upgrade, same answer.
      const raw = net.connect(portOf(srv), '127.0.0.1');
      await once(raw, 'connect');
      const up = await rejectionOf(upgrade(raw, { host: 'localhost', ca: pki.ca, security: only(version) }));
      assert.equal(up.code, 'ERR_JSEC_TLS_ALERT');
      assert.equal(up.alert, alert);
      // Optional client authentication still lets a client without a certificate in.
      const optional = await server('P-256', version, { requestCert: true, rejectUnauthorized: false, ca: pki.ca });
      await roundTrip(await dial(optional, { sessionStore: false }));
      await optional.close();
      await srv.close();
    });

    test(`${version}: against openssl s_server -Verify (client certificate required)`, T, async () => {
      const leaf = pki.leaves['P-256'];
      writeFileSync(join(pki.dir, 'srv.pem'), leaf.cert);
      writeFileSync(join(pki.dir, 'srv.key'), leaf.key);
      writeFileSync(join(pki.dir, 'root.pem'), pki.root.cert);
      const port = await freePort();
      const flag = version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2';
      const p = spawn('openssl', ['s_server', '-accept', String(port), '-4', '-cert', join(pki.dir, 'srv.pem'), '-key', join(pki.dir, 'srv.key'), '-CAfile', join(pki.dir, 'root.pem'), '-Verify', '2', '-verify_return_error', flag, '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        await waitPort(port);
        const err = await rejectionOf(connect('127.0.0.1', port, { ca: pki.ca, servername: 'localhost', sessionStore: false, security: only(version) }));
        assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
        assert.equal(err.alert, alert);
        // A certificate from a CA the server does not trust: unknown_ca (48),
        // which a TLS 1.3 client only sees because it waits for the server's
        // first record after being asked for a certificate.
        const stranger = await rejectionOf(connect('127.0.0.1', port, { ca: pki.ca, servername: 'localhost', sessionStore: false, security: only(version), cert: pki.strangerClient.cert, key: pki.strangerClient.key }));
        assert.equal(stranger.code, 'ERR_JSEC_TLS_ALERT');
        assert.equal(stranger.alert, 48);
      } finally {
        p.kill();
      }
    });
  }

  test('TLS 1.3: a client that presents a certificate to a server that did not ask does not wait for a ticket', T, async () => {
    // openssl s_server sends no ticket with -num_tickets 0 and the client
    // sends nothing: a client that waited for the first ticket would run
    // into its 300 ms handshake timeout (the wait is up to 1 s).
    const leaf = pki.leaves['P-256'];
    writeFileSync(join(pki.dir, 'srv.pem'), leaf.cert);
    writeFileSync(join(pki.dir, 'srv.key'), leaf.key);
    const port = await freePort();
    const p = spawn('openssl', ['s_server', '-accept', String(port), '-4', '-cert', join(pki.dir, 'srv.pem'), '-key', join(pki.dir, 'srv.key'), '-tls1_3', '-num_tickets', '0', '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await waitPort(port);
      const s = await connect('127.0.0.1', port, { ca: pki.ca, servername: 'localhost', ...client(), sessionStore: false, handshakeTimeout: 300 });
      assert.equal(info(s).protocol, 'TLSv1.3');
      s.destroy();
    } finally {
      p.kill();
    }
  });
});

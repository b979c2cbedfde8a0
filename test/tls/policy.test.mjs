import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { ConfigError } from 'jsec/errors';
import { connect, createContext, info, listen } from 'jsec/tls';
import { echoServer, pki, rejectionOf } from './_util.mjs';

const T = { timeout: 10_000 };

/** Connects to a jsec echo server made with `serverOptions`, returns both sides' facts. */
async function negotiate(serverOptions, clientOptions) {
  const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa, ...serverOptions });
  try {
    const accepted = server.accept();
    const client = await connect('localhost', server.address().port, { ca: pki.ca, ...clientOptions });
    const peer = await accepted;
    const result = { client: info(client), server: info(peer), sigalgs: peer.getSharedSigalgs() };
    client.destroy();
    peer.destroy();
    return result;
  } finally {
    await server.close();
  }
}

async function roundTrip(socket) {
  socket.write('x');
  await once(socket, 'data');
}

describe('security policy: every key is applied', () => {
  test('minVersion / maxVersion force the version, on either side', T, async () => {
    assert.equal((await negotiate({}, { security: { maxVersion: 'TLSv1.2' } })).client.protocol, 'TLSv1.2');
    assert.equal((await negotiate({ security: { maxVersion: 'TLSv1.2' } }, {})).client.protocol, 'TLSv1.2');
    assert.equal((await negotiate({}, { security: { minVersion: 'TLSv1.3' } })).client.protocol, 'TLSv1.3');
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa, security: { minVersion: 'TLSv1.3' } });
    server.on('handshakeError', () => {});
    const err = await rejectionOf(connect('localhost', server.address().port, { ca: pki.ca, security: { maxVersion: 'TLSv1.2' } }));
    assert.equal(err.code, 'ERR_JSEC_TLS_PROTOCOL_VERSION');
    await server.close();
  });

  test('ciphers force the TLS 1.2 suite (client and server)', T, async () => {
    const a = await negotiate({}, { security: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' } });
    assert.equal(a.client.cipher.name, 'ECDHE-ECDSA-CHACHA20-POLY1305');
    const b = await negotiate({ security: { ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' } }, { security: { maxVersion: 'TLSv1.2' } });
    assert.equal(b.server.cipher.name, 'ECDHE-ECDSA-AES256-GCM-SHA384');
    assert.equal(b.client.cipher.standardName, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
  });

  test('the default TLS 1.2 policy refuses non-ECDHE suites', T, async () => {
    const server = tls.createServer({ ...pki.leaves.rsa, maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const err = await rejectionOf(connect('localhost', server.address().port, { ca: pki.ca }));
    assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
    assert.equal(err.alertName, 'handshake_failure');
    server.close();
  });

  test('ciphersuites force the TLS 1.3 suite', T, async () => {
    for (const suite of ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']) {
      const r = await negotiate({}, { security: { ciphersuites: suite } });
      assert.equal(r.client.protocol, 'TLSv1.3');
      assert.equal(r.client.cipher.name, suite);
    }
    const s = await negotiate({ security: { ciphersuites: 'TLS_AES_256_GCM_SHA384' } }, {});
    assert.equal(s.server.cipher.name, 'TLS_AES_256_GCM_SHA384');
  });

  test('groups force the key exchange group', T, async () => {
    assert.equal((await negotiate({}, { security: { groups: 'P-384' } })).client.ephemeralKey.name, 'secp384r1');
    assert.equal((await negotiate({}, { security: { groups: 'X25519' } })).client.ephemeralKey.name, 'X25519');
    assert.equal((await negotiate({ security: { groups: 'P-256' } }, {})).client.ephemeralKey.name, 'prime256v1');
    // TLS 1.2 ties an ECDSA certificate's curve to the groups, so use RSA here.
    const r12 = await negotiate({ ...pki.leaves.rsa }, { security: { groups: 'P-521', maxVersion: 'TLSv1.2' } });
    assert.equal(r12.client.ephemeralKey.name, 'secp521r1');
  });

  test('sigalgs restrict the signature algorithms', T, async () => {
    const r = await negotiate({}, { security: { sigalgs: 'ECDSA+SHA256:RSA-PSS+SHA256' } });
    assert.deepEqual(r.sigalgs, ['ECDSA+SHA256', 'RSA-PSS+SHA256']);
    const d = await negotiate({}, {});
    assert.ok(d.sigalgs.length > 2 && d.sigalgs.includes('ECDSA+SHA384'));
    const s = await negotiate({ ...pki.leaves.rsa, security: { sigalgs: 'RSA-PSS+SHA384' } }, {});
    assert.deepEqual(s.sigalgs, ['RSA-PSS+SHA384']);
    const server = await listen({ host: '127.0.0.1', port: 0, ...pki.leaves.ecdsa });
    server.on('handshakeError', () => {});
    const err = await rejectionOf(connect('localhost', server.address().port, { ca: pki.ca, security: { sigalgs: 'RSA-PSS+SHA256' } }));
    assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
    assert.equal(err.alertName, 'handshake_failure');
    await server.close();
  });

  for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
    test(`sessionTickets and the server sessionCacheSize (${maxVersion})`, T, async () => {
      const resumedWith = async (serverSecurity) => {
        const server = await echoServer({ security: serverSecurity });
        const port = server.address().port;
        const security = { maxVersion, sessionTickets: serverSecurity.sessionTickets };
        const first = await connect('localhost', port, { ca: pki.ca, security });
        await roundTrip(first);
        const ticket = first.getTLSTicket();
        first.destroy();
        const second = await connect('localhost', port, { ca: pki.ca, security });
        const resumed = info(second).resumed;
        second.destroy();
        await server.close();
        return { resumed, ticket: ticket !== undefined && ticket.length > 0 };
      };
      // Tickets on: resumption needs no server-side store.
      assert.deepEqual(await resumedWith({ sessionTickets: true, sessionCacheSize: 0 }), { resumed: true, ticket: true });
      const stateful = await resumedWith({ sessionTickets: false, sessionCacheSize: 10 });
      if (maxVersion === 'TLSv1.2') {
        // Tickets off: resumption works through the server's session-ID store...
        assert.deepEqual(stateful, { resumed: true, ticket: false });
        // ...and not at all when that store is sized 0.
        assert.equal((await resumedWith({ sessionTickets: false, sessionCacheSize: 0 })).resumed, false);
      } else {
        // TLS 1.3 without tickets: Node's session hooks only see the legacy
        // session ID, so there is no resumption (documented).
        assert.equal(stateful.resumed, false);
      }
    });
  }

  test('sessionTimeout sets the ticket lifetime hint', T, async () => {
    const server = await echoServer({ security: { sessionTimeout: 120 } });
    const c = await connect('localhost', server.address().port, { ca: pki.ca, security: { sessionCacheSize: 0 } });
    await roundTrip(c);
    const der = c.getSession();
    c.destroy();
    await server.close();
    // SSL_SESSION_ASN1: tlsext_tick_lifetime_hint is [9] EXPLICIT INTEGER.
    const hint = (seconds) => Buffer.from([0xa9, 0x03, 0x02, 0x01, seconds]);
    assert.ok(der.includes(hint(120)), 'the ticket lifetime hint is 120 s');
    assert.ok(!der.includes(hint(300 & 0xff)));
    // Where the openssl CLI reads this OpenSSL's session format, it agrees.
    if (process.versions.openssl.startsWith('3.0.')) {
      const file = join(pki.dir, 'session.der');
      writeFileSync(file, der);
      const text = execFileSync('openssl', ['sess_id', '-inform', 'DER', '-in', file, '-text', '-noout'], { encoding: 'utf8' });
      assert.match(text, /ticket lifetime hint: 120 \(seconds\)/);
    }
  });

  test('the client session cache is bounded by sessionCacheSize (LRU)', T, async () => {
    const servers = await Promise.all([echoServer(), echoServer()]);
    const ctx = createContext({ ca: pki.ca, security: { sessionCacheSize: 1 } });
    const visit = async (server) => {
      const s = await connect('localhost', server.address().port, { context: ctx });
      await roundTrip(s);
      const resumed = info(s).resumed;
      s.destroy();
      return resumed;
    };
    assert.equal(await visit(servers[0]), false);
    assert.equal(await visit(servers[0]), true);
    assert.equal(await visit(servers[1]), false); // evicts server 0's session
    assert.equal(await visit(servers[0]), false);
    await Promise.all(servers.map((s) => s.close()));
  });

  test('renegotiation is refused', T, async () => {
    const serverErrors = [];
    const server = tls.createServer({ ...pki.leaves.ecdsa, maxVersion: 'TLSv1.2' }, (s) => {
      s.on('error', (e) => serverErrors.push(e.code));
      s.renegotiate({}, () => {});
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const c = await connect('localhost', server.address().port, { ca: pki.ca });
    try {
      // The server gives up with a fatal handshake_failure alert after the refusal.
      const clientError = await new Promise((resolve) => c.once('error', resolve));
      assert.match(clientError.code, /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_HANDSHAKE_FAILURE$/);
      assert.deepEqual(serverErrors, ['ERR_SSL_NO_RENEGOTIATION']);
    } finally {
      c.destroy();
      server.close();
    }
  });

  test('invalid policies are ConfigErrors at context creation', () => {
    const bad = [
      [{ ciphers: 'ECDHE-RSA-AES128-GCM-SHA265' }, 'security.ciphers', 'ECDHE-RSA-AES128-GCM-SHA256'],
      [{ ciphers: 'TLS_AES_128_GCM_SHA256' }, 'security.ciphers'],
      [{ ciphers: 'eNULL:!eNULL' }, 'security.ciphers'],
      [{ ciphersuites: 'TLS_AES_128_GCM_SHA257' }, 'security.ciphersuites', 'TLS_AES_128_GCM_SHA256'],
      [{ groups: 'P-999' }, 'security.groups'],
      [{ sigalgs: 'FOO+SHA256' }, 'security.sigalgs'],
      [{ minVersion: 'TLSv1.0' }, 'security.minVersion'],
      [{ ciphersuites: '' }, 'security.ciphersuites'],
    ];
    for (const [security, option, suggestion] of bad) {
      assert.throws(() => createContext({ security }), (e) => {
        assert.ok(e instanceof ConfigError, `${JSON.stringify(security)}: ${e}`);
        assert.equal(e.code, 'ERR_INVALID_ARG_VALUE', JSON.stringify(security));
        assert.equal(e.option, option, JSON.stringify(security));
        if (suggestion) assert.equal(e.suggestion, suggestion);
        return true;
      });
    }
    assert.throws(() => createContext({ security: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' } }), { code: 'ERR_JSEC_CONFLICTING_OPTIONS' });
    assert.throws(() => createContext({ security: { sessionTimeout: 0 } }), { code: 'ERR_OUT_OF_RANGE' });
    // Both halves may be narrowed to one version.
    assert.equal(createContext({ security: { minVersion: 'TLSv1.3', ciphers: '' } }).security.minVersion, 'TLSv1.3');
    assert.equal(createContext({ security: { maxVersion: 'TLSv1.2', ciphersuites: '' } }).security.maxVersion, 'TLSv1.2');
  });
});

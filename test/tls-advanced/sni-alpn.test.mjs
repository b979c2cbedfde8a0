// SNI (exact, wildcard, default, reject, async resolver seeing the ALPN
// offer, hostile input) and ALPN (server preference, no overlap: alert or
// proceed). Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { connect, info } from 'jsec/tls';
import { dial, errorsAtLeast, MATRIX, only, pki, portOf, rejectionOf, roundTrip, server } from './_util.mjs';

const T = { timeout: 20_000 };
const host = (name) => ({ cert: pki.sni[name].cert, key: pki.sni[name].key });

describe('SNI matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: exact and wildcard names select their certificate; others get the default`, T, async () => {
      const srv = await server(c.keyType, c.version, { sni: { hosts: { 'a.example': host('a.example'), '*.wild.example': host('x.wild.example') } } });
      const served = [];
      srv.on('secureConnection', (s) => served.push(info(s).servername));
      const a = await dial(srv, { servername: 'a.example' });
      assert.equal(info(a).peerCertificates[0].subject, 'CN=a.example');
      assert.equal(info(a).protocol, c.version);
      await roundTrip(a);
      const w = await dial(srv, { servername: 'x.wild.example' });
      assert.equal(info(w).peerCertificates[0].subject, 'CN=x.wild.example');
      await roundTrip(w);
      // Negative: the listener's own certificate when no entry matches; a wildcard covers one label only.
      const d = await dial(srv, { servername: 'localhost' });
      assert.equal(info(d).peerCertificates[0].subject, 'CN=localhost');
      assert.equal(info(d).peerCertificates[0].publicKey.asymmetricKeyType, c.keyType === 'RSA' ? 'rsa' : 'ec');
      await roundTrip(d);
      const deep = await rejectionOf(dial(srv, { servername: 'a.b.wild.example' }));
      assert.equal(deep.code, 'ERR_TLS_CERT_ALTNAME_INVALID', 'the default certificate does not match that name');
      // (With TLS 1.2 the server finishes before the client refuses, so it may also log that name.)
      assert.deepEqual(served.slice(0, 3), ['a.example', 'x.wild.example', 'localhost']);
      await srv.close();
    });
  }
});

describe('SNI policy and resolver', () => {
  test('unknownName reject: typed error on the server, failure on the client, server keeps serving', T, async () => {
    const srv = await server('P-256', 'TLSv1.3', { sni: { hosts: { 'a.example': host('a.example') }, unknownName: 'reject' } });
    const err = await rejectionOf(dial(srv, { servername: 'nobody.example' }));
    assert.ok(['ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE', 'ERR_JSEC_TLS_ALERT'].includes(err.code), err.code);
    await errorsAtLeast(srv, 1);
    assert.equal(srv.errors[0].code, 'ERR_JSEC_TLS_SNI_UNKNOWN_NAME');
    await roundTrip(await dial(srv, { servername: 'a.example' }));
    await srv.close();
  });

  test('async resolver sees the servername and the ALPN offer; a throwing resolver fails only that handshake', T, async () => {
    const seen = [];
    const srv = await server('P-256', 'TLSv1.2', {
      ALPNProtocols: ['h2', 'http/1.1'],
      sni: {
        resolve: async (hello) => {
          seen.push(hello);
          await new Promise((r) => setTimeout(r, 5));
          if (hello.servername === 'boom.example') throw new Error('resolver exploded');
          if (hello.servername === 'b.example') return host('b.example');
          return undefined;
        },
      },
    });
    const b = await dial(srv, { servername: 'b.example', ALPNProtocols: ['http/1.1', 'h2'] });
    assert.equal(info(b).peerCertificates[0].subject, 'CN=b.example');
    assert.equal(info(b).alpnProtocol, 'h2', 'server preference order');
    await roundTrip(b);
    assert.deepEqual(seen[0], { servername: 'b.example', alpnProtocols: ['http/1.1', 'h2'] });
    await rejectionOf(dial(srv, { servername: 'boom.example' }));
    await errorsAtLeast(srv, 1);
    assert.equal(srv.errors.at(-1).code, 'ERR_JSEC_TLS_SNI_RESOLVER');
    assert.equal(srv.errors.at(-1).cause.message, 'resolver exploded');
    const fallback = await dial(srv, { servername: 'localhost', ALPNProtocols: ['h2'] });
    assert.equal(info(fallback).peerCertificates[0].subject, 'CN=localhost');
    await roundTrip(fallback);
    await srv.close();
  });

  test('a 10 KiB server name and garbage hellos do not hurt the server', T, async () => {
    const srv = await server('P-256', 'TLSv1.3', { sni: { resolve: () => undefined } });
    const name = Buffer.alloc(10 * 1024, 'a');
    // A ClientHello with a 10 KiB SNI entry (hand-built: OpenSSL clients refuse to send one).
    const sniExt = Buffer.concat([Buffer.from([0, 0]), u16(name.length + 5), u16(name.length + 3), Buffer.from([0]), u16(name.length), name]);
    const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 1), Buffer.from([0]), u16(2), Buffer.from([0x13, 0x01]), Buffer.from([1, 0]), u16(sniExt.length), sniExt]);
    const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
    for (const payload of [Buffer.concat([Buffer.from([22, 3, 1]), u16(hs.length), hs]), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
      const sock = net.connect(portOf(srv), '127.0.0.1');
      sock.on('error', () => {});
      await once(sock, 'connect');
      // The server answers with an alert and closes: the connection ends on its side.
      sock.resume();
      sock.write(payload);
      await once(sock, 'close');
    }
    await errorsAtLeast(srv, 2);
    await roundTrip(await dial(srv));
    assert.ok(srv.errors.every((e) => typeof e.code === 'string'));
    await srv.close();
  });

  test('sni and SNICallback conflict; bad names are ConfigErrors', () => {
    assert.rejects(server('P-256', 'TLSv1.3', { sni: {}, SNICallback: () => {} }), { code: 'ERR_JSEC_CONFLICTING_OPTIONS' });
    assert.rejects(server('P-256', 'TLSv1.3', { sni: { hosts: { 'bad name!': host('a.example') } } }), { code: 'ERR_INVALID_ARG_VALUE' });
  });
});

function u16(n) {
  return Buffer.from([n >> 8, n & 255]);
}

describe('ALPN matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: server preference; no overlap sends no_application_protocol; proceed when configured`, T, async () => {
      const srv = await server(c.keyType, c.version, { ALPNProtocols: ['h2', 'http/1.1'] });
      const s = await dial(srv, { ALPNProtocols: ['http/1.1', 'h2'] });
      assert.equal(info(s).alpnProtocol, 'h2');
      await roundTrip(s);
      const err = await rejectionOf(dial(srv, { ALPNProtocols: ['spdy/1'] }));
      assert.equal(err.code, 'ERR_JSEC_TLS_ALERT');
      assert.equal(err.alertName, 'no_application_protocol');
      await errorsAtLeast(srv, 1);
      assert.equal(srv.errors.at(-1).code, 'ERR_JSEC_TLS_NO_APPLICATION_PROTOCOL');
      await srv.close();

      const lax = await server(c.keyType, c.version, { ALPNProtocols: ['h2'], alpnNoOverlap: 'proceed' });
      const p = await dial(lax, { ALPNProtocols: ['spdy/1'] });
      assert.equal(info(p).alpnProtocol, false);
      await roundTrip(p);
      const q = await dial(lax, { ALPNProtocols: ['spdy/1', 'h2'] });
      assert.equal(info(q).alpnProtocol, 'h2', 'the policy only applies without overlap');
      await roundTrip(q);
      await lax.close();
    });
  }
});
void connect;
void only;

// CRL fetching, pins, the verifyPeer hook (order, resumption), key logging,
// renegotiation refusal (openssl s_client 'R') and hot reload.
// Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { clearCrlCache, createContext, info, spkiPin } from 'jsec/tls';
import { dial, MATRIX, only, pki, portOf, rejectionOf, resetResponder, roundTrip, run, server } from './_util.mjs';

const T = { timeout: 20_000 };
afterEach(() => {
  resetResponder(pki);
  clearCrlCache();
});
const crl = (extra = {}) => ({ revocation: { crl: 'fetch', timeout: 300, ...extra }, sessionStore: false });

describe('CRL, pins and verifyPeer matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: CRL good, cached, revoked`, T, async () => {
      const srv = await server(c.keyType, c.version);
      const s = await dial(srv, crl());
      assert.equal(info(s).revocation.status, 'good');
      await roundTrip(s);
      await roundTrip(await dial(srv, crl()));
      assert.equal(pki.state.crlHits, 1, 'cached until nextUpdate');
      clearCrlCache();
      pki.state.revoked.add(pki.serialOf(pki.leaves[c.keyType]));
      const err = await rejectionOf(dial(srv, crl()));
      assert.equal(err.code, 'CERT_REVOKED');
      assert.equal(err.source, 'crl');
      await srv.close();
    });

    test(`${c.name}: pins add a check; verifyPeer runs last, also on resumption`, T, async () => {
      const srv = await server(c.keyType, c.version);
      const leafPin = spkiPin(pki.leaves[c.keyType].cert);
      await roundTrip(await dial(srv, { pins: [leafPin], sessionStore: false }));
      await roundTrip(await dial(srv, { pins: [spkiPin(pki.root.cert)], sessionStore: false }));
      const err = await rejectionOf(dial(srv, { pins: [spkiPin(pki.other.cert)], sessionStore: false }));
      assert.equal(err.code, 'ERR_JSEC_TLS_PIN_MISMATCH');
      const calls = [];
      const ctx = createContext({ ca: pki.ca, security: only(c.version) });
      const verifyPeer = async (chain, i) => {
        calls.push({ subject: chain[0].subject, resumed: i.resumed });
        if (chain[0].subject !== 'CN=localhost') throw new Error('not ours');
      };
      await roundTrip(await dial(srv, { context: ctx, verifyPeer }));
      await roundTrip(await dial(srv, { context: ctx, verifyPeer }));
      assert.deepEqual(calls.map((x) => x.resumed), [false, true]);
      assert.ok(calls.every((x) => x.subject === 'CN=localhost'));
      const refused = await rejectionOf(dial(srv, { sessionStore: false, verifyPeer: () => Promise.reject(new Error('nope')) }));
      assert.equal(refused.code, 'ERR_JSEC_TLS_VERIFY_PEER');
      assert.equal(refused.cause.message, 'nope');
      // Order: a pin failure stops before verifyPeer runs.
      let ran = false;
      await rejectionOf(dial(srv, { sessionStore: false, pins: [spkiPin(pki.other.cert)], verifyPeer: () => (ran = true) }));
      assert.equal(ran, false);
      await srv.close();
    });
  }
});

describe('CRL failures', () => {
  for (const mode of ['hang', 'garbage', 'down', 'wrong-issuer']) {
    test(`a CRL server that is ${mode}: hard fail by default, soft fail when allowed`, T, async () => {
      pki.state.crl = mode;
      const srv = await server('P-256', 'TLSv1.3');
      const err = await rejectionOf(dial(srv, crl()));
      assert.ok(['ERR_JSEC_CRL_FETCH', 'ERR_JSEC_CRL_INVALID'].includes(err.code), err.code);
      const s = await dial(srv, crl({ onFailure: 'allow' }));
      assert.equal(info(s).revocation.status, 'unavailable');
      await roundTrip(s);
      await srv.close();
    });
  }
});

describe('operations', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    test(`${version}: dangerouslyLogKeys writes NSS key log lines on both sides; nothing without it`, T, async () => {
      const serverLines = [];
      const clientLines = [];
      const srv = await server('P-256', version, { dangerouslyLogKeys: (l) => serverLines.push(String(l)) });
      await roundTrip(await dial(srv, { dangerouslyLogKeys: (l) => clientLines.push(String(l)), sessionStore: false }));
      const label = version === 'TLSv1.3' ? /^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+\n$/ : /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/;
      assert.ok(clientLines.some((l) => label.test(l)), clientLines.join(''));
      assert.ok(serverLines.some((l) => label.test(l)));
      const before = clientLines.length + serverLines.length;
      await roundTrip(await dial(srv, { sessionStore: false }));
      assert.ok(serverLines.length > before - clientLines.length, 'the server logs every connection');
      await srv.close();
    });
  }

  test('client-initiated renegotiation is refused (openssl s_client R)', T, async () => {
    const srv = await server('P-256', 'TLSv1.2');
    writeFileSync(join(pki.dir, 'root.pem'), pki.root.cert);
    const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${portOf(srv)}`, '-servername', 'localhost', '-CAfile', join(pki.dir, 'root.pem'), '-tls1_2'], { input: 'R\n', keepOpen: 1500, ms: 8000 });
    assert.match(r.out, /RENEGOTIATING/);
    assert.match(r.out, /no renegotiation|alert|handshake failure/i);
    await roundTrip(await dial(srv));
    await srv.close();
  });

  test('hot reload: live connections survive, new handshakes get the new certificate', T, async () => {
    const srv = await server('P-256', 'TLSv1.3');
    const live = await dial(srv, { sessionStore: false });
    assert.equal(info(live).peerCertificates[0].publicKey.asymmetricKeyType, 'ec');
    srv.reload({ cert: pki.leaves.RSA.cert + pki.root.cert, key: pki.leaves.RSA.key });
    const fresh = await dial(srv, { sessionStore: false });
    assert.equal(info(fresh).peerCertificates[0].publicKey.asymmetricKeyType, 'rsa');
    await roundTrip(fresh);
    await roundTrip(live);
    assert.throws(() => srv.reload({ cert: 'garbage', key: 'garbage' }), { code: 'ERR_INVALID_ARG_VALUE' });
    const still = await dial(srv, { sessionStore: false });
    assert.equal(info(still).peerCertificates[0].publicKey.asymmetricKeyType, 'rsa');
    await roundTrip(still);
    await srv.close();
    assert.throws(() => srv.reload({ cert: pki.leaves.RSA.cert, key: pki.leaves.RSA.key }), { code: 'ERR_JSEC_INVALID_STATE' });
  });
});

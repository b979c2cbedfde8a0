// OCSP stapling: servers with ocsp 'auto' and a static staple, clients with
// 'require' | 'prefer' | 'off'; revoked, must-staple, bad responders; the
// stapler's refresh and outage behaviour on an injected clock; interop with
// openssl s_client -status and s_server -status_file.
// Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { info, OcspStapler } from 'jsec/tls';
import { buildOcspRequest, fetchOcsp } from 'jsec/ocsp';
import { dial, freePort, MATRIX, pki, portOf, rejectionOf, resetResponder, roundTrip, run, server, waitPort } from './_util.mjs';

const T = { timeout: 20_000 };
afterEach(() => resetResponder(pki));

const fresh = { sessionStore: false };

describe('OCSP stapling matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: ocsp 'auto' staples a verified response; negative: 'off' staples nothing`, T, async () => {
      const srv = await server(c.keyType, c.version, { ocsp: 'auto' });
      const s = await dial(srv, { ocsp: 'require', ...fresh });
      assert.equal(info(s).ocsp.status, 'good');
      assert.equal(info(s).protocol, c.version);
      assert.ok(info(s).ocsp.nextUpdate > new Date());
      await roundTrip(s);
      await srv.close();
      const off = await server(c.keyType, c.version);
      const p = await dial(off, fresh);
      assert.equal(info(p).ocsp.status, 'none');
      await roundTrip(p);
      const err = await rejectionOf(dial(off, { ocsp: 'require', ...fresh }));
      assert.equal(err.code, 'ERR_JSEC_TLS_OCSP_MISSING');
      await off.close();
    });

    test(`${c.name}: a revoked staple fails the client with CERT_REVOKED`, T, async () => {
      pki.state.ocsp = 'revoked';
      const srv = await server(c.keyType, c.version, { ocsp: 'auto' });
      const err = await rejectionOf(dial(srv, fresh));
      assert.equal(err.code, 'CERT_REVOKED');
      assert.equal(err.source, 'ocsp');
      await srv.close();
    });
  }
});

describe('OCSP client and server policies', () => {
  test('must-staple without a staple fails even with ocsp prefer; with a staple it passes', T, async () => {
    const leaf = pki.mustStaple;
    const plain = await server('P-256', 'TLSv1.3', { cert: leaf.cert + pki.root.cert, key: leaf.key });
    const err = await rejectionOf(dial(plain, fresh));
    assert.equal(err.code, 'ERR_JSEC_TLS_OCSP_MISSING');
    assert.equal(err.mustStaple, true);
    await plain.close();
    const stapled = await server('P-256', 'TLSv1.3', { cert: leaf.cert + pki.root.cert, key: leaf.key, ocsp: 'auto' });
    const s = await dial(stapled, fresh);
    assert.equal(info(s).ocsp.mustStaple, true);
    assert.equal(info(s).ocsp.status, 'good');
    await roundTrip(s);
    await stapled.close();
  });

  test('a static staple is served; an unverifiable one is refused at listen', T, async () => {
    const leaf = pki.leaves['P-256'];
    const request = buildOcspRequest({ issuer: pki.root.cert, certificate: leaf.cert, nonce: false });
    const der = await fetchOcsp(`${pki.base}/ocsp`, request);
    const srv = await server('P-256', 'TLSv1.2', { ocsp: der });
    const s = await dial(srv, { ocsp: 'require', ...fresh });
    assert.equal(info(s).ocsp.status, 'good');
    await roundTrip(s);
    await srv.close();
    // The RSA leaf's response is for another certificate: never stapled.
    const other = await server('RSA', 'TLSv1.2', { ocsp: der });
    const e = await rejectionOf(dial(other, { ocsp: 'require', ...fresh }));
    assert.equal(e.code, 'ERR_JSEC_TLS_OCSP_MISSING');
    await other.close();
  });

  for (const [mode, label] of [['hang', 'hangs'], ['garbage', 'returns garbage'], ['wrong-cert', 'answers for another certificate'], ['down', 'is down']]) {
    test(`a responder that ${label}: no staple, the server keeps serving`, T, async () => {
      pki.state.ocsp = mode;
      const srv = await server('P-256', 'TLSv1.3', { ocsp: { timeout: 300 } });
      const s = await dial(srv, fresh);
      assert.equal(info(s).ocsp.status, 'none');
      await roundTrip(s);
      assert.equal(srv.errors.length, 0);
      await srv.close();
    });
  }

  test('stapler: refresh before nextUpdate, last good response through an outage, nothing after expiry', async () => {
    let now = Date.now();
    pki.state.now = () => now;
    pki.state.validity = 3_600_000;
    const leaf = pki.leaves['P-256'];
    const st = new OcspStapler({ certificate: leaf.cert, issuer: pki.root.cert, now: () => now, timeout: 300 });
    assert.equal(st.state, 'empty');
    const first = await st.staple();
    assert.ok(first);
    assert.equal(st.state, 'fresh');
    assert.equal(pki.state.ocspHits, 1);
    now += 40 * 60_000; // past half of the 61-minute window
    assert.equal(st.state, 'due');
    pki.state.ocsp = 'down';
    assert.ok(await st.staple(), 'still served while due');
    await st.refresh();
    assert.equal(st.lastError.code, 'ERR_JSEC_OCSP_HTTP');
    assert.deepEqual(await st.staple(), first, 'the last good response through the outage');
    pki.state.ocsp = 'good';
    await st.refresh();
    assert.equal(st.lastError, undefined);
    assert.notDeepEqual(await st.staple(), first, 'refreshed');
    pki.state.ocsp = 'down';
    now += 2 * 3_600_000; // beyond nextUpdate with the responder still down
    await st.refresh();
    assert.equal(st.state, 'expired');
    assert.equal(await st.staple(), undefined, 'an expired response is never stapled');
    st.close();
    assert.equal(st.state, 'closed');
  });
});

describe('OCSP interop with the openssl CLI', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    const flag = version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2';
    test(`${version}: openssl s_client -status sees the jsec staple`, T, async () => {
      const srv = await server('P-256', version, { ocsp: 'auto' });
      writeFileSync(join(pki.dir, 'root.pem'), pki.root.cert);
      const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${portOf(srv)}`, '-servername', 'localhost', '-CAfile', join(pki.dir, 'root.pem'), flag, '-status'], { input: '', ms: 8000 });
      assert.match(r.out, /OCSP Response Status: successful/);
      assert.match(r.out, /Cert Status: good/);
      await srv.close();
    });

    test(`${version}: jsec client verifies the staple of openssl s_server -status_file`, T, async () => {
      const leaf = pki.leaves['P-256'];
      const request = buildOcspRequest({ issuer: pki.root.cert, certificate: leaf.cert, nonce: false });
      writeFileSync(join(pki.dir, 'staple.der'), await fetchOcsp(`${pki.base}/ocsp`, request));
      writeFileSync(join(pki.dir, 'srv.pem'), leaf.cert + pki.root.cert);
      writeFileSync(join(pki.dir, 'srv.key'), leaf.key);
      const port = await freePort();
      const p = spawn('openssl', ['s_server', '-accept', String(port), '-4', '-cert', join(pki.dir, 'srv.pem'), '-key', join(pki.dir, 'srv.key'), flag, '-status_file', join(pki.dir, 'staple.der'), '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        await waitPort(port);
        const s = await dial(port, { ocsp: 'require', ...fresh });
        assert.equal(info(s).ocsp.status, 'good');
        s.destroy();
      } finally {
        p.kill();
      }
    });
  }
});

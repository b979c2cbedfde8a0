// OCSP over HTTP: fetchOcsp (GET/POST, timeouts, size limits, cancellation),
// the jsec responder answering `openssl ocsp -url`, and the jsec client
// asking an `openssl ocsp -index -port` responder.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { buildOcspRequest, checkOcsp, fetchOcsp, parseOcspResponse, startOcspResponder, verifyOcspResponse } from 'jsec/ocsp';
import { CertificateAuthority } from 'jsec/ca';
import { JsecError, StateError } from 'jsec/errors';
import { freePort, indexLine, startOpensslResponder } from '../helpers/openssl.mjs';
import { smallPki, tempDir, tempFile } from '../helpers/test-pki.mjs';
import { writeFileSync } from 'node:fs';

const run = promisify(execFile);
let pki;

before(async () => {
  pki = await smallPki();
});
after(async () => {
  await pki?.close();
});

/** A throwaway HTTP server with a handler; returns { url, requests, close }. */
async function server(handler) {
  const requests = [];
  const s = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      handler(req, res);
    });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${s.address().port}/ocsp`,
    requests,
    close: () => new Promise((r) => (s.closeAllConnections(), s.close(r))),
  };
}

/** `openssl ocsp` as a client (async: the responder may live in this process). */
async function opensslClient(args) {
  try {
    const { stdout, stderr } = await run('openssl', ['ocsp', ...args], { timeout: 15_000 });
    return { status: 0, out: stdout + stderr, stdout };
  } catch (err) {
    return { status: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}`, stdout: err.stdout ?? '' };
  }
}

describe('fetchOcsp', () => {
  test('small requests go by GET (RFC 5019), large ones by POST; the body comes back', { timeout: 10_000 }, async () => {
    const reply = Buffer.from('3003 0a0101', 'hex');
    const s = await server((req, res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(reply));
    const small = buildOcspRequest({ issuer: pki.inter.certificate, certificate: pki.server.certificate });
    assert.deepEqual(await fetchOcsp(s.url, small), reply);
    assert.equal(s.requests[0].method, 'GET');
    assert.equal(Buffer.from(decodeURIComponent(s.requests[0].url.slice('/ocsp/'.length)), 'base64').toString('hex'), small.der.toString('hex'));
    const big = buildOcspRequest({ issuer: pki.inter.certificate, serialNumber: Array.from({ length: 6 }, (_, i) => `${i + 1}`) });
    assert.ok(big.der.toString('base64').length > 255);
    await fetchOcsp(s.url, big);
    assert.equal(s.requests[1].method, 'POST');
    assert.equal(s.requests[1].headers['content-type'], 'application/ocsp-request');
    assert.deepEqual(s.requests[1].body, big.der);
    await fetchOcsp(s.url, small, { method: 'POST' });
    assert.equal(s.requests[2].method, 'POST');
    await s.close();
  });

  test('timeouts, size limits, HTTP errors, content type, aborts, refused connections', { timeout: 15_000 }, async () => {
    const req = buildOcspRequest({ issuer: pki.inter.certificate, certificate: pki.server.certificate });
    const code = (c) => (e) => e instanceof JsecError && e.code === c;
    const hang = await server(() => {});
    await assert.rejects(fetchOcsp(hang.url, req, { timeout: 150 }), (e) => code('ERR_JSEC_OCSP_TIMEOUT')(e) && e.timeout === 150);
    const ac = new AbortController();
    const p = fetchOcsp(hang.url, req, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e) => e instanceof StateError && e.code === 'ABORT_ERR');
    await assert.rejects(fetchOcsp(hang.url, req, { signal: AbortSignal.abort() }), { code: 'ABORT_ERR' });
    await hang.close();

    const huge = await server((q, res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(200_000)));
    await assert.rejects(fetchOcsp(huge.url, req), code('ERR_JSEC_OCSP_TOO_LARGE'));
    await assert.rejects(fetchOcsp(huge.url, req, { maxSize: 1000 }), (e) => e.code === 'ERR_JSEC_OCSP_TOO_LARGE' && e.maxSize === 1000);
    await huge.close();
    const chunked = await server((q, res) => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      const t = setInterval(() => res.write(Buffer.alloc(10_000)), 1);
      res.on('close', () => clearInterval(t));
    });
    await assert.rejects(fetchOcsp(chunked.url, req, { maxSize: 50_000 }), code('ERR_JSEC_OCSP_TOO_LARGE'));
    await chunked.close();

    const err500 = await server((q, res) => res.writeHead(500).end('oops'));
    await assert.rejects(fetchOcsp(err500.url, req), (e) => code('ERR_JSEC_OCSP_HTTP')(e) && e.statusCode === 500);
    await err500.close();
    const html = await server((q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    await assert.rejects(fetchOcsp(html.url, req), code('ERR_JSEC_OCSP_HTTP'));
    await html.close();
    const port = await freePort();
    await assert.rejects(fetchOcsp(`http://127.0.0.1:${port}/`, req), code('ERR_JSEC_OCSP_HTTP'));

    await assert.rejects(async () => fetchOcsp('https://ocsp.example/', req), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(async () => fetchOcsp('not a url', req), { code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(async () => fetchOcsp('http://127.0.0.1/', req, { timeout: 0 }), { code: 'ERR_OUT_OF_RANGE' });
    await assert.rejects(async () => fetchOcsp('http://127.0.0.1/', 'req'), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('the jsec responder', () => {
  test('answers GET and POST from live CA records; checkOcsp follows the AIA URL', { timeout: 15_000 }, async () => {
    const ca = await CertificateAuthority.createRoot({ commonName: 'Responder CA' });
    const responder = await ca.ocspResponder();
    assert.match(responder.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    ca.setPublication({ ocsp: [responder.url] });
    const leaf = await ca.issue('server', { commonName: 'live.test' });
    assert.deepEqual(leaf.certificate.authorityInfoAccess.ocsp, [responder.url]);
    const seen = [];
    const onRequest = (m) => seen.push(m);
    subscribe('jsec:ocsp:request', onRequest);
    try {
      const first = await checkOcsp({ certificate: leaf.certificate, issuer: ca.certificate, requireNonce: true });
      assert.equal(first.status, 'good');
      assert.equal(first.url, responder.url);
      ca.revoke(leaf.certificate.serialNumber, 'keyCompromise');
      const second = await checkOcsp({ certificate: leaf.certificate, issuer: ca.certificate, method: 'POST' });
      assert.equal(second.status, 'revoked');
      assert.equal(second.revocationReason, 'keyCompromise');
      assert.deepEqual(seen.map((m) => m.statuses[0]), ['good', 'revoked']);
    } finally {
      unsubscribe('jsec:ocsp:request', onRequest);
    }
    // A GET without a nonce gets RFC 5019 caching headers.
    const req = buildOcspRequest({ issuer: ca.certificate, certificate: leaf.certificate, nonce: false });
    const res = await fetch(`${responder.url}${encodeURIComponent(req.der.toString('base64'))}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control'), /max-age=\d+/);
    assert.ok(res.headers.get('etag'));
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(verifyOcspResponse(body, { issuer: ca.certificate, request: req }).status, 'revoked');
    await ca.close();
    assert.equal(responder.state, 'closed');
  });

  test('hostile requests: garbage, oversized, wrong method, foreign issuer', { timeout: 10_000 }, async () => {
    const responder = await pki.inter.ocspResponder();
    const post = (body) => fetch(responder.url, { method: 'POST', body, headers: { 'content-type': 'application/ocsp-request' } });
    const garbage = await post(Buffer.from('not der'));
    assert.equal(garbage.status, 200);
    assert.equal(parseOcspResponse(Buffer.from(await garbage.arrayBuffer())).responseStatus, 'malformedRequest');
    const tooBig = await post(Buffer.alloc(20_000));
    assert.equal(tooBig.status, 413);
    assert.equal((await fetch(responder.url, { method: 'PUT', body: 'x' })).status, 405);
    const getGarbage = await fetch(`${responder.url}%%%`);
    assert.equal(parseOcspResponse(Buffer.from(await getGarbage.arrayBuffer())).responseStatus, 'malformedRequest');
    const foreign = buildOcspRequest({ issuer: pki.root.certificate, certificate: pki.inter.certificate });
    const f = parseOcspResponse(await fetchOcsp(responder.url, foreign));
    assert.equal(f.responseStatus, 'unauthorized');
    await responder.close();
    await responder.close();
  });

  test('a delegated signer; a failing lookup becomes internalError; listen errors are typed', { timeout: 10_000 }, async () => {
    const responder = await pki.inter.ocspResponder({ signer: { certificate: pki.responder.certificate, key: pki.responder.privateKey } });
    const v = await checkOcsp({ certificate: pki.server.certificate, issuer: pki.inter.certificate, url: responder.url });
    assert.equal(v.status, 'good');
    assert.equal(v.signedByIssuer, false);
    const failing = await startOcspResponder({
      issuer: pki.inter.certificate,
      signer: { certificate: pki.inter.certificate, key: pki.inter.export().key },
      lookup: async () => {
        throw new Error('database down');
      },
    });
    const req = buildOcspRequest({ issuer: pki.inter.certificate, certificate: pki.server.certificate });
    assert.equal(parseOcspResponse(await fetchOcsp(failing.url, req)).responseStatus, 'internalError');
    await assert.rejects(
      startOcspResponder({ issuer: pki.inter.certificate, signer: { certificate: pki.inter.certificate, key: pki.inter.export().key }, lookup: () => ({ status: 'good' }), port: failing.address.port }),
      (e) => e instanceof JsecError && e.code === 'ERR_JSEC_OCSP_LISTEN',
    );
    await failing.close();
    await responder.close();
  });

  test('openssl ocsp -url asks the jsec responder and verifies the answers', { timeout: 20_000 }, async () => {
    const responder = await pki.inter.ocspResponder();
    const revoked = await pki.inter.issue('client', { commonName: 'to-revoke' });
    pki.inter.revoke(revoked.certificate.serialNumber, 'superseded');
    const common = ['-url', responder.url, '-issuer', tempFile(pki.inter.certificate.pem), '-CAfile', tempFile(pki.root.certificate.pem)];
    const good = await opensslClient([...common, '-cert', tempFile(pki.server.cert)]);
    assert.match(good.out, /Response verify OK/, good.out);
    assert.match(good.stdout, /: good/);
    const bad = await opensslClient([...common, '-cert', tempFile(revoked.cert)]);
    assert.match(bad.out, /Response verify OK/, bad.out);
    assert.match(bad.stdout, /: revoked[\s\S]*Reason: superseded/);
    // openssl sends a nonce; the responder echoed it (openssl would print "Nonce Verify error" otherwise).
    assert.doesNotMatch(good.out + bad.out, /Nonce/);
    // And an unknown serial.
    const unknown = await opensslClient([...common, '-serial', '0x0BADC0DE']);
    assert.match(unknown.stdout, /: unknown/);
    await responder.close();
  });
});

describe('the jsec client against openssl ocsp as responder', () => {
  let responder;
  let revokedCert;
  before(async () => {
    revokedCert = (await pki.inter.issue('client', { commonName: 'revoked-by-openssl' })).certificate;
    const index = `${tempDir()}/ocsp-index-${process.pid}.txt`;
    writeFileSync(index, indexLine(pki.server.certificate) + indexLine(revokedCert, { time: new Date(Date.UTC(2026, 2, 3, 4, 5, 6)), reason: 'keyCompromise' }));
    responder = await startOpensslResponder({
      index,
      caFile: tempFile(pki.inter.certificate.pem),
      rsigner: tempFile(pki.responder.cert),
      rkey: tempFile(pki.responder.key),
      issuer: pki.inter.certificate,
      probeSerial: pki.server.certificate.serialNumber,
    });
  });
  after(async () => {
    await responder?.stop();
  });

  test('good, revoked (time, reason) and unknown, with nonce echo, over POST and GET', { timeout: 20_000 }, async () => {
    const good = await checkOcsp({ certificate: pki.server.certificate, issuer: pki.inter.certificate, url: responder.url, requireNonce: true, method: 'POST' });
    assert.equal(good.status, 'good');
    assert.equal(good.signedByIssuer, false);
    assert.ok(good.nextUpdate.getTime() > good.thisUpdate.getTime());
    const bad = await checkOcsp({ certificate: revokedCert, issuer: pki.inter.certificate, url: responder.url, requireNonce: true });
    assert.equal(bad.status, 'revoked');
    assert.equal(bad.revocationReason, 'keyCompromise');
    assert.equal(bad.revocationTime.getTime(), Date.UTC(2026, 2, 3, 4, 5, 6));
    const req = buildOcspRequest({ issuer: pki.inter.certificate, serialNumber: '0BADC0DE' });
    const unknown = verifyOcspResponse(await fetchOcsp(responder.url, req), { issuer: pki.inter.certificate, request: req, requireNonce: true });
    assert.equal(unknown.status, 'unknown');
  });

  test('a response checked against the wrong issuer or a stale clock fails', { timeout: 20_000 }, async () => {
    await assert.rejects(checkOcsp({ certificate: pki.server.certificate, issuer: pki.root.certificate, url: responder.url }), (e) => e instanceof JsecError);
    await assert.rejects(
      checkOcsp({ certificate: pki.server.certificate, issuer: pki.inter.certificate, url: responder.url, now: Date.now() + 3_600_000 }),
      (e) => e.code === 'ERR_JSEC_OCSP_STALE',
    );
  });
});

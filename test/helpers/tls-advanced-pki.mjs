// The PKI of the jsec/tls advanced-feature tests, made with jsec/cert and
// jsec/ocsp: a root CA, server leaves of each key type whose AIA names an
// OCSP responder and whose CRL distribution point names a CRL on one local
// HTTP server, a must-staple leaf, a client certificate (also as PKCS#12),
// and SNI leaves. The HTTP server's behaviour is switchable per test
// (good / revoked / hang / garbage / wrong certificate / down).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, generateSelfSigned, createCrl } from 'jsec/cert';
import { buildOcspRequest, OcspSigner, parseOcspRequest } from 'jsec/ocsp';

export const KEY_TYPES = Object.freeze({ RSA: 'rsa-2048', 'P-256': 'ec-p256' });
export const VERSIONS = Object.freeze(['TLSv1.2', 'TLSv1.3']);

async function build() {
  const dir = mkdtempSync(join(tmpdir(), 'jsec-tlsadv-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // The responder: modes decide each answer; counters let tests see fetches.
  const state = { ocsp: 'good', crl: 'good', ocspHits: 0, crlHits: 0, revoked: new Set(), validity: 3_600_000, now: () => Date.now() };
  const http = createServer();
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  http.unref();
  const base = `http://127.0.0.1:${http.address().port}`;

  const root = await generateSelfSigned({ commonName: 'jsec Advanced Test Root', ca: true, keyType: 'ec-p256', days: 3650 });
  const issuer = { certificate: root.cert, key: root.key };
  const other = await generateSelfSigned({ commonName: 'jsec Other Root', ca: true, keyType: 'ec-p256', days: 3650 });
  const leafOpts = { san: ['DNS:localhost', 'IP:127.0.0.1'], ocsp: [`${base}/ocsp`], crlDistributionPoints: [`${base}/crl`] };
  const leaves = {};
  for (const [label, keyType] of Object.entries(KEY_TYPES)) {
    leaves[label] = await generate({ ...leafOpts, commonName: 'localhost', keyType, issuer });
  }
  const mustStaple = await generate({ ...leafOpts, commonName: 'localhost', keyType: 'ec-p256', mustStaple: true, issuer });
  const noAia = await generate({ san: ['DNS:localhost', 'IP:127.0.0.1'], commonName: 'localhost', keyType: 'ec-p256', issuer });
  const client = await generate({ commonName: 'jsec client', san: ['DNS:client.test'], keyType: 'ec-p256', extendedKeyUsage: ['clientAuth'], issuer });
  const strangerClient = await generate({ commonName: 'stranger', san: ['DNS:client.test'], keyType: 'ec-p256', extendedKeyUsage: ['clientAuth'], issuer: { certificate: other.cert, key: other.key } });
  const sni = {};
  for (const name of ['a.example', 'b.example', 'x.wild.example', 'fallback.example']) {
    sni[name] = await generate({ commonName: name, san: [`DNS:${name}`], keyType: 'ec-p256', issuer });
  }
  // The client certificate as PKCS#12 (openssl CLI, as users get them).
  writeFileSync(join(dir, 'c.pem'), client.cert);
  writeFileSync(join(dir, 'k.pem'), client.key);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'c.pem'), '-inkey', join(dir, 'k.pem'), '-passout', 'pass:s3cret', '-out', join(dir, 'c.p12')]);
  const clientPfx = readFileSync(join(dir, 'c.p12'));

  const signer = new OcspSigner({ certificate: root.cert, key: root.key });
  const serialOf = (c) => c.certificate.serialNumber;

  http.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url.startsWith('/crl')) {
        state.crlHits++;
        if (state.crl === 'hang') return;
        if (state.crl === 'down') return res.writeHead(503).end();
        if (state.crl === 'garbage') return res.writeHead(200).end('not a crl');
        const now = new Date(state.now());
        const crl = createCrl({
          issuer: state.crl === 'wrong-issuer' ? { certificate: other.cert, key: other.key } : issuer,
          thisUpdate: new Date(now.getTime() - 60_000),
          nextUpdate: new Date(now.getTime() + 86_400_000),
          crlNumber: BigInt(state.crlHits),
          entries: [...state.revoked].map((serial) => ({ serial, date: new Date(now.getTime() - 120_000), reason: 'keyCompromise' })),
        });
        return res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl.raw);
      }
      state.ocspHits++;
      if (state.ocsp === 'hang') return;
      if (state.ocsp === 'down') return res.writeHead(503).end();
      if (state.ocsp === 'garbage') return res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end('garbage, not DER');
      let der = Buffer.concat(chunks);
      if (req.method === 'GET') der = Buffer.from(decodeURIComponent(req.url.slice('/ocsp/'.length)), 'base64');
      const request = parseOcspRequest(der);
      let certId = request.certIds[0];
      // A correctly signed answer about another certificate (the client must not accept it).
      if (state.ocsp === 'wrong-cert') certId = buildOcspRequest({ issuer: root.cert, certificate: leaves.RSA.cert, nonce: false }).certIds[0];
      const revoked = state.ocsp === 'revoked' || state.revoked.has(certId.serialNumber);
      const now = state.now();
      const body = signer.sign({
        responses: [{ certId, status: revoked ? 'revoked' : 'good', ...(revoked ? { revocationTime: now - 120_000, revocationReason: 'keyCompromise' } : {}), thisUpdate: now - 60_000, nextUpdate: now + state.validity }],
        now: () => now,
      });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body);
    });
  });

  return Object.freeze({ dir, base, state, http, root, other, leaves, mustStaple, noAia, client, clientPfx, strangerClient, sni, serialOf, signer, ca: root.cert });
}

let cached;
/** The advanced-feature PKI, generated once per process. */
export function getAdvancedPki() {
  cached ??= build();
  return cached;
}

/** Resets the responder to its healthy defaults. */
export function resetResponder(pki) {
  Object.assign(pki.state, { ocsp: 'good', crl: 'good', ocspHits: 0, crlHits: 0, validity: 3_600_000, now: () => Date.now() });
  pki.state.revoked.clear();
}

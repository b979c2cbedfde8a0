#!/usr/bin/env node
// OCSP benchmark (not a test): responses created and signed per second with
// jsec/ocsp and jsec/ca, verifications per second, and HTTP round trips per
// second against the jsec responder; in the same run the peer `openssl ocsp`,
// both as a process per response (-index -reqin -respout) and as an HTTP
// responder (-index -port) asked by the same jsec client. Public API only.
//
//   node scripts/bench-ocsp.mjs [--seconds 2] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from 'jsec/ca';
import { buildOcspRequest, fetchOcsp, OcspSigner, parseOcspResponse, verifyOcspResponse } from 'jsec/ocsp';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 2;
const json = args.includes('--json');

async function measure(name, fn, { budget = seconds, min = 3 } = {}) {
  for (let i = 0; i < 3; i++) await fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(budget * 1e9));
  while (n < min || process.hrtime.bigint() < limit) {
    await fn();
    n++;
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { name, iterations: n, perSecond: (n * 1e9) / ns, msEach: ns / n / 1e6 };
}

const results = [];
const add = (r) => {
  results.push(r);
  if (!json) console.log(`${r.name.padEnd(62)} ${r.perSecond.toFixed(1).padStart(10)}/s ${r.msEach.toFixed(3).padStart(9)} ms  (n=${r.iterations})`);
  return r;
};

if (!json) console.log(`jsec OCSP benchmark on ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, OpenSSL ${process.versions.openssl}, one thread\n`);

const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-ocsp-'));
const cleanup = [];
try {
  const sign = {};
  for (const keyType of ['ec-p256', 'ed25519', 'rsa-2048']) {
    const ca = await CertificateAuthority.createRoot({ commonName: `Bench ${keyType}`, keyType });
    const leaf = await ca.issue('server', { commonName: 'bench.example.test' });
    const request = buildOcspRequest({ issuer: ca.certificate, certificate: leaf.certificate });
    const signer = new OcspSigner({ certificate: ca.certificate, key: ca.export().key });
    const entry = [{ certId: request.certIds[0], status: 'good' }];
    sign[keyType] = add(await measure(`jsec OcspSigner.sign, ${keyType} CA, 1 status + nonce`, () => signer.sign({ responses: entry, request })));
    if (keyType === 'ec-p256') {
      add(await measure('jsec ca.ocspResponse (parse request, look up, sign), P-256', () => ca.ocspResponse(request.der)));
      const der = signer.sign({ responses: entry, request });
      add(await measure('jsec verifyOcspResponse (signature, responder, CertID, nonce)', () => verifyOcspResponse(der, { issuer: ca.certificate, certificate: leaf.certificate, request })));
      add(await measure('jsec parseOcspResponse', () => parseOcspResponse(der)));
    }
    signer.close();
    cleanup.push(() => ca.close());
  }

  // Peers: openssl ocsp, same kind of key (P-256 CA), as a process per response and as an HTTP server.
  const ca = await CertificateAuthority.createRoot({ commonName: 'Bench peer CA' });
  cleanup.push(() => ca.close());
  const leaf = await ca.issue('server', { commonName: 'peer.example.test' });
  const state = ca.export();
  const caPem = join(dir, 'ca.pem');
  const keyPem = join(dir, 'ca.key');
  const index = join(dir, 'index.txt');
  writeFileSync(caPem, state.certificate);
  writeFileSync(keyPem, state.key);
  const t = (d) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(index, `V\t${t(leaf.certificate.notAfter)}\t\t${leaf.certificate.serialNumber}\tunknown\t/CN=peer.example.test\n`);
  const request = buildOcspRequest({ issuer: ca.certificate, certificate: leaf.certificate });
  const reqPath = join(dir, 'req.der');
  writeFileSync(reqPath, request.der);
  const ossl = add(
    await measure(
      'peer: openssl ocsp -index -reqin -respout (a process each)',
      () => {
        const r = spawnSync('openssl', ['ocsp', '-index', index, '-rsigner', caPem, '-rkey', keyPem, '-CA', caPem, '-reqin', reqPath, '-respout', join(dir, 'resp.der'), '-nmin', '60']);
        if (r.status !== 0) throw new Error(r.stderr.toString());
      },
      { min: 10 },
    ),
  );

  const responder = await ca.ocspResponder();
  const jsecHttp = add(await measure('jsec responder over HTTP (fetchOcsp POST, sequential)', () => fetchOcsp(responder.url, request, { method: 'POST' })));
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn('openssl', ['ocsp', '-index', index, '-port', String(port), '-rsigner', caPem, '-rkey', keyPem, '-CA', caPem, '-nmin', '60'], { stdio: 'ignore' });
  cleanup.push(() => proc.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      await fetchOcsp(url, request, { method: 'POST', timeout: 1000 });
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const osslHttp = add(await measure('peer: openssl ocsp -port over HTTP (same client)', () => fetchOcsp(url, request, { method: 'POST' })));

  const ratios = {
    signVsOpensslProcess: sign['ec-p256'].perSecond / ossl.perSecond,
    httpVsOpensslResponder: jsecHttp.perSecond / osslHttp.perSecond,
  };
  if (json) console.log(JSON.stringify({ node: process.version, openssl: process.versions.openssl, results, ratios }, null, 2));
  else {
    console.log(`\nratio jsec sign (P-256) / openssl ocsp process: ${ratios.signVsOpensslProcess.toFixed(1)}x`);
    console.log(`ratio jsec responder / openssl ocsp responder over HTTP: ${ratios.httpVsOpensslResponder.toFixed(2)}x`);
  }
} finally {
  for (const f of cleanup.reverse()) await f();
  rmSync(dir, { recursive: true, force: true });
}

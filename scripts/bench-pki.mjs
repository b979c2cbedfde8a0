#!/usr/bin/env node
// PKI benchmark (not a test): certificates, chain verifications and OCSP
// responses per second with jsec/cert, jsec/ca and jsec/ocsp, and in the same
// run the peers: `openssl req -x509` as a process per certificate and the npm
// package `selfsigned`. Uses the public API only. Prints a table and the
// ratios; --json prints JSON.
//
//   node scripts/bench-pki.mjs [--seconds 2] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { generateSelfSigned, generateSelfSignedSync, generateSync, verifyChain, TrustStore } from 'jsec/cert';
import { CertificateAuthority } from 'jsec/ca';
import { buildOcspRequest, OcspSigner, verifyOcspResponse } from 'jsec/ocsp';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 2;
const json = args.includes('--json');

async function measure(name, fn, { budget = seconds, min = 3, max = Infinity } = {}) {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(budget * 1e9));
  while ((n < min || process.hrtime.bigint() < limit) && n < max) {
    await fn();
    n++;
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { name, iterations: n, perSecond: (n * 1e9) / ns, msEach: ns / n / 1e6 };
}

const results = [];
const add = (r) => {
  results.push(r);
  if (!json) console.log(`${r.name.padEnd(58)} ${r.perSecond.toFixed(1).padStart(10)}/s ${r.msEach.toFixed(3).padStart(9)} ms  (n=${r.iterations})`);
};

if (!json) console.log(`jsec PKI benchmark on ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, OpenSSL ${process.versions.openssl}, one thread\n`);

// jsec: new key + self-signed certificate, synchronously (one core).
add(await measure('jsec generateSelfSignedSync ECDSA P-256 (new key)', () => generateSelfSignedSync()));
add(await measure('jsec generateSelfSigned (async) ECDSA P-256 (new key)', () => generateSelfSigned()));
add(await measure('jsec generateSelfSignedSync RSA-2048 (new key)', () => generateSelfSignedSync({ keyType: 'rsa-2048' }), { budget: seconds * 2 }));
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
add(await measure('jsec generateSelfSignedSync RSA-2048 (existing key)', () => generateSelfSignedSync({ key: rsaKey })));
add(await measure('jsec generateSelfSignedSync Ed25519 (new key)', () => generateSelfSignedSync({ keyType: 'ed25519' })));

// Chain verification: root → intermediate → leaf, with host name and purpose.
const root = generateSelfSignedSync({ commonName: 'Bench Root', ca: true });
const inter = generateSync({ commonName: 'Bench Intermediate', ca: true, issuer: { certificate: root.certificate, key: root.privateKey } });
const leaf = generateSync({ commonName: 'bench.example.test', issuer: { certificate: inter.certificate, key: inter.privateKey } });
const store = new TrustStore([root.certificate]);
const vopts = { trustAnchors: store, intermediates: [inter.certificate], hostname: 'bench.example.test', purpose: 'server' };
if (!verifyChain(leaf.certificate, vopts).valid) throw new Error('bench chain does not verify');
add(await measure('jsec verifyChain 3-level, TrustStore, host + purpose', () => verifyChain(leaf.certificate, vopts)));
add(await measure('jsec verifyChain 3-level, anchors as PEM each call', () => verifyChain(leaf.cert, { trustAnchors: [root.cert], intermediates: [inter.cert] })));

// OCSP responses: a CA answering a request from its records (parse, look up, sign), and signing alone.
// (scripts/bench-ocsp.mjs has more, with openssl ocsp as the peer.)
const ocspCa = await CertificateAuthority.createRoot({ commonName: 'Bench OCSP CA' });
const ocspLeaf = await ocspCa.issue('server', { commonName: 'ocsp.example.test' });
const ocspRequest = buildOcspRequest({ issuer: ocspCa.certificate, certificate: ocspLeaf.certificate });
const ocspSigner = new OcspSigner({ certificate: ocspCa.certificate, key: ocspCa.export().key });
const ocspEntry = [{ certId: ocspRequest.certIds[0], status: 'good' }];
if (verifyOcspResponse(await ocspCa.ocspResponse(ocspRequest.der), { issuer: ocspCa.certificate, request: ocspRequest }).status !== 'good') throw new Error('bench OCSP response does not verify');
add(await measure('jsec OCSP response, P-256 CA (parse request, look up, sign)', () => ocspCa.ocspResponse(ocspRequest.der)));
add(await measure('jsec OCSP response, P-256 CA (OcspSigner.sign only)', () => ocspSigner.sign({ responses: ocspEntry, request: ocspRequest })));
ocspSigner.close();
await ocspCa.close();

// Peer: openssl req -x509, one process per certificate.
const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-pki-'));
const opensslArgs = (key) => ['req', '-x509', '-newkey', ...key, '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=localhost', '-days', '365', '-addext', 'subjectAltName=DNS:localhost'];
const runOpenssl = (key) => {
  const r = spawnSync('openssl', opensslArgs(key), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl failed');
};
add(await measure('openssl req -x509 ECDSA P-256 (process per cert)', () => runOpenssl(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), { max: 400 }));
add(await measure('openssl req -x509 RSA-2048 (process per cert)', () => runOpenssl(['rsa:2048']), { budget: seconds * 2, max: 200 }));
rmSync(dir, { recursive: true, force: true });

// Peer: npm selfsigned (pure JavaScript X.509 on WebCrypto keys).
let selfsigned;
try {
  selfsigned = (await import('selfsigned')).default;
} catch {
  if (!json) console.log('(selfsigned not installed: npm i -D selfsigned)');
}
if (selfsigned) {
  add(await measure('npm selfsigned ECDSA P-256', () => selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' })));
  add(await measure('npm selfsigned RSA-2048', () => selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' }), { budget: seconds * 2 }));
}

const by = (name) => results.find((r) => r.name.startsWith(name));
const ratio = (a, b) => (by(a) && by(b) ? by(a).perSecond / by(b).perSecond : undefined);
const ratios = {
  'jsec vs openssl req -x509, ECDSA P-256': ratio('jsec generateSelfSignedSync ECDSA', 'openssl req -x509 ECDSA'),
  'jsec vs openssl req -x509, RSA-2048': ratio('jsec generateSelfSignedSync RSA-2048 (new key)', 'openssl req -x509 RSA'),
  'jsec vs selfsigned, ECDSA P-256': ratio('jsec generateSelfSignedSync ECDSA', 'npm selfsigned ECDSA'),
  'jsec vs selfsigned, RSA-2048': ratio('jsec generateSelfSignedSync RSA-2048 (new key)', 'npm selfsigned RSA'),
  'jsec async vs sync, ECDSA P-256': ratio('jsec generateSelfSigned (async)', 'jsec generateSelfSignedSync ECDSA'),
};
const goal = { target: 3000, ecdsaP256PerSecond: by('jsec generateSelfSignedSync ECDSA').perSecond };
goal.met = goal.ecdsaP256PerSecond >= goal.target;

if (json) {
  console.log(JSON.stringify({ node: process.version, openssl: process.versions.openssl, results, ratios, goal }, null, 2));
} else {
  console.log('\nratios (higher = jsec faster):');
  for (const [k, v] of Object.entries(ratios)) if (v !== undefined) console.log(`  ${k.padEnd(44)} ${v.toFixed(1)}x`);
  console.log(`\ngoal: >= ${goal.target} ECDSA P-256 self-signed certificates/s on one core: ${goal.ecdsaP256PerSecond.toFixed(0)}/s ${goal.met ? 'MET' : 'NOT MET'}`);
}

// Helpers for the jsec/ca and jsec/ocsp tests: a small PKI made with jsec/ca,
// a seeded random source, a free loopback port, and an `openssl ocsp`
// responder process that is waited for (bounded) and killed afterwards.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { CertificateAuthority } from 'jsec/ca';
import { buildOcspRequest, fetchOcsp, parseOcspResponse } from 'jsec/ocsp';

/** A deterministic random source (SHA-256 in counter mode over a seed). */
export function seededRandom(seed = 'jsec') {
  let counter = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      off += block.copy(out, off);
    }
    return out;
  };
}

/** A controllable clock: `clock.now()` returns the current fake time, `clock.set(ms)` / `clock.advance(ms)` move it. */
export function fakeClock(start = Date.now()) {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms), advance: (ms) => (t += ms) };
}

/** Root → intermediate, a server and a client certificate, and a delegated OCSP signer of the intermediate. */
export async function smallPki(options = {}) {
  const root = await CertificateAuthority.createRoot({ commonName: 'Test Root', ...options });
  const inter = await root.createIntermediate({ commonName: 'Test Intermediate' });
  const server = await inter.issue('server', { commonName: 'server.test', san: ['DNS:server.test', 'IP:127.0.0.1'] });
  const client = await inter.issue('client', { commonName: 'client.test' });
  const responder = await inter.issueOcspSigner();
  return { root, inter, server, client, responder, close: async () => Promise.all([root.close(), inter.close()]) };
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `openssl ocsp` as a responder on a free port and waits until it
 * answers (polling with a real request, at most ~10 s). Returns { url, stop }.
 */
export async function startOpensslResponder({ index, caFile, rsigner, rkey, issuer, probeSerial, extra = [] }) {
  const port = await freePort();
  const proc = spawn('openssl', ['ocsp', '-index', index, '-port', String(port), '-rsigner', rsigner, '-rkey', rkey, '-CA', caFile, '-nmin', '5', ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}/`;
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`openssl ocsp exited: ${stderr}`);
    try {
      const req = buildOcspRequest({ issuer, serialNumber: probeSerial, nonce: false });
      const der = await fetchOcsp(url, req, { timeout: 1000, method: 'POST' });
      parseOcspResponse(der);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`openssl ocsp did not become ready: ${err.message}; ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, stop, proc };
}

/** The line of an `openssl ca` index.txt for a certificate (V: valid, R: revoked). */
export function indexLine(certificate, revoked) {
  const t = (d) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const status = revoked ? 'R' : 'V';
  const rev = revoked ? `${t(revoked.time)}${revoked.reason ? `,${revoked.reason}` : ''}` : '';
  return `${status}\t${t(certificate.notAfter)}\t${rev}\t${certificate.serialNumber}\tunknown\t/CN=${certificate.commonName}\n`;
}

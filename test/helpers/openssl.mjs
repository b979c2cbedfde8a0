// Running the openssl CLI from tests: the independent oracle that
// cross-checks what jsec makes (certificates, CRLs, OCSP messages, CMS, keys).
// Files for it come from tempFile() / TestPki#files() in test-pki.mjs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { buildOcspRequest, fetchOcsp, parseOcspResponse } from 'jsec/ocsp';

/** Runs openssl synchronously and never throws on a non-zero exit: `{ status, stdout, stderr, out }` (text). */
export function openssl(args, input) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** Runs openssl and returns stdout as a Buffer (for DER output); throws on a non-zero exit. */
export function opensslBinary(args, input) {
  const r = spawnSync('openssl', args, { input, timeout: 20_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Runs openssl with `execFileSync` options (`input`, `cwd`, ...); returns stdout as a Buffer, throws on a non-zero exit. */
export function opensslExec(args, options = {}) {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000, ...options });
}

/** The errors `openssl verify` printed, as [code, depth] pairs, in order. */
export function verifyErrors(output) {
  return [...output.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close), for tools that need a port number up front. */
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
 * answers (polling with a real request, at most ~10 s). Returns { url, port, stop, proc }.
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

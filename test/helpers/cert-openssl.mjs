// Helpers for the jsec/cert interop tests: run the openssl CLI on files in a
// per-process temporary directory (removed at exit).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir;
let counter = 0;

/** The temporary directory for this process. */
export function tmp() {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'jsec-cert-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

/** Writes `content` (string or Buffer) to a fresh file and returns its path. */
export function file(content, ext = 'pem') {
  const p = join(tmp(), `f${++counter}.${ext}`);
  writeFileSync(p, content);
  return p;
}

/** Runs openssl synchronously: { status, stdout, stderr }. */
export function openssl(args, input) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** Runs openssl and returns stdout as a Buffer (for DER output). */
export function opensslBinary(args, input) {
  const r = spawnSync('openssl', args, { input, timeout: 20_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The errors `openssl verify` printed, as [code, depth] pairs, in order. */
export function verifyErrors(output) {
  return [...output.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

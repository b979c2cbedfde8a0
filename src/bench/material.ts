/**
 * The server certificate for a run (TEMPORARY: openssl CLI until jsec/cert lands).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyType } from './options.js';
import type { Material } from './settings.js';

/** Generates a self-signed certificate for localhost / 127.0.0.1 / ::1. */
export async function makeMaterial(keyType: KeyType): Promise<Material> {
  const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-cert-'));
  try {
    const alg = keyType === 'rsa2048' ? ['-newkey', 'rsa:2048'] : keyType === 'ed25519' ? ['-newkey', 'ed25519'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8'), servername: 'localhost' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

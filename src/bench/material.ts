/**
 * The server certificate for a run: a self-signed certificate generated in
 * memory with jsec/cert, shared by every TLS arm (jsec and node:tls alike).
 *
 * @module
 */
import { generateSelfSigned } from '../cert/index.js';
import type { KeyType } from './options.js';
import type { Material } from './settings.js';

/** Generates a self-signed certificate for localhost, 127.0.0.1 and ::1. */
export async function makeMaterial(keyType: KeyType): Promise<Material> {
  const g = await generateSelfSigned({ commonName: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'], keyType, days: 2 });
  return { cert: g.cert, key: g.key, servername: 'localhost' };
}

// The DTLS / bio tests' view of the test PKI (test-pki.mjs): one CA that
// signs the leaves directly (short chains keep handshakes in few datagrams),
// RSA and ECDSA server certificates for localhost / 127.0.0.1 / ::1, a client
// certificate, a leaf for another name, an expired leaf and a self-signed
// leaf. PEM strings, and the same as files (`path(name)`) for the openssl and
// GnuTLS tools: ca.crt, rsa.crt/.key, ec.*, client.*, other.*, self.*.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testPki } from './test-pki.mjs';

let cached;

const FILES = { ca: 'root', rsa: 'direct-rsa', ec: 'direct-p256', client: 'direct-client', other: 'direct-other', self: 'self-signed' };

/** Paths and PEM texts of the test PKI. */
export function dtlsPki() {
  if (cached) return cached;
  const pki = testPki();
  const dir = join(tempDir(), 'dtls');
  mkdirSync(dir, { recursive: true });
  const ids = {};
  for (const [file, name] of Object.entries(FILES)) {
    const id = (ids[file] = pki.identitySync(name));
    writeFileSync(join(dir, `${file}.crt`), id.pem);
    writeFileSync(join(dir, `${file}.key`), id.key);
  }
  const pair = (id) => ({ cert: id.pem, key: id.key });
  cached = Object.freeze({
    dir,
    path: (f) => join(dir, f),
    ca: ids.ca.pem,
    rsa: pair(ids.rsa),
    ec: pair(ids.ec),
    client: pair(ids.client),
    other: pair(ids.other),
    self: pair(ids.self),
  });
  return cached;
}

/** An expired leaf for localhost under the test CA (`cert` carries the intermediate). */
export function expiredLeaf() {
  const { cert, key } = testPki().identitySync('expired');
  return { cert, key };
}

// The crypto tests' view of the test PKI (test-pki.mjs): a root CA, an
// intermediate, and RSA / EC / Ed25519 leaves with S/MIME usage, as PEM and
// as files in a temp directory for the openssl CLI. Also small wrappers to
// run openssl with files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslExec } from './openssl.mjs';
import { testPki } from './test-pki.mjs';

/** Runs openssl (execFileSync options); returns stdout as a Buffer, throws on failure. */
export function openssl(args, options = {}) {
  return opensslExec(args, options);
}

/** A temp dir with helpers; call cleanup() when done. */
export function tempDir(prefix = 'jsec-crypto-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, data) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    },
    read: (name) => readFileSync(join(dir, name)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const LEAVES = { rsa: 'smime-rsa', ec: 'smime-ec', ed25519: 'smime-ed25519', server: 'smime-server' };

/**
 * Root -> intermediate -> S/MIME leaves (RSA, EC, Ed25519) and a server leaf,
 * from the test PKI (made with jsec once per process), written to a fresh
 * temp dir. Returns PEM strings and file paths.
 */
export function makePki() {
  const pki = testPki();
  const t = tempDir();
  const put = (file, id) => {
    t.write(`${file}.crt`, id.pem);
    t.write(`${file}.key`, id.key);
    return { cert: id.pem, key: id.key, certPath: t.path(`${file}.crt`), keyPath: t.path(`${file}.key`) };
  };
  const ca = (file, name) => {
    const { cert, key, certPath } = put(file, pki.identitySync(name));
    return { cert, key, certPath };
  };
  const leaves = {};
  for (const [file, name] of Object.entries(LEAVES)) {
    const { key, cert, keyPath, certPath } = put(file, pki.identitySync(name));
    leaves[file] = { key, cert, keyPath, certPath };
  }
  return { t, root: ca('root', 'smime-root'), int: ca('int', 'smime-intermediate'), ...leaves, cleanup: t.cleanup };
}

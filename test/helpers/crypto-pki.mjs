// A throwaway PKI for the crypto tests, made with the openssl CLI in a temp
// directory: a root CA, an intermediate, and RSA / EC / Ed25519 leaves with
// S/MIME usage. Also small wrappers to run openssl with files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args, options = {}) {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
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

const EXT = `[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment, keyAgreement
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
`;

function genKey(t, name, type) {
  const args =
    type === 'rsa' ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : type === 'ed25519' ? ['genpkey', '-algorithm', 'ED25519'] : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl([...args, '-out', t.path(name)]);
  return t.path(name);
}

function issue(t, { name, key, subject, caName, ext, days = 30 }) {
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', t.path(`${name}.csr`)]);
  const a = ['x509', '-req', '-in', t.path(`${name}.csr`), '-CA', t.path(`${caName}.crt`), '-CAkey', t.path(`${caName}.key`), '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', String(days), '-extfile', t.path('ext.cnf'), '-extensions', ext, '-out', t.path(`${name}.crt`)];
  openssl(a);
}

/**
 * Builds root -> intermediate -> leaves. Returns PEM strings and file paths.
 */
export function makePki() {
  const t = tempDir();
  t.write('ext.cnf', EXT);
  genKey(t, 'root.key', 'ec');
  openssl(['req', '-x509', '-new', '-key', t.path('root.key'), '-subj', '/CN=jsec test root', '-days', '30', '-config', t.path('ext.cnf'), '-extensions', 'ca', '-out', t.path('root.crt')].concat(['-set_serial', '1']));
  genKey(t, 'int.key', 'ec');
  issue(t, { name: 'int', key: t.path('int.key'), subject: '/CN=jsec test intermediate', caName: 'root', ext: 'ca' });
  const leaves = {};
  for (const type of ['rsa', 'ec', 'ed25519']) {
    genKey(t, `${type}.key`, type);
    issue(t, { name: type, key: t.path(`${type}.key`), subject: `/CN=jsec ${type} leaf`, caName: 'int', ext: 'leaf' });
    leaves[type] = { key: t.read(`${type}.key`).toString(), cert: t.read(`${type}.crt`).toString(), keyPath: t.path(`${type}.key`), certPath: t.path(`${type}.crt`) };
  }
  genKey(t, 'server.key', 'ec');
  issue(t, { name: 'server', key: t.path('server.key'), subject: '/CN=jsec server leaf', caName: 'int', ext: 'server' });
  leaves.server = { key: t.read('server.key').toString(), cert: t.read('server.crt').toString(), keyPath: t.path('server.key'), certPath: t.path('server.crt') };
  return {
    t,
    root: { cert: t.read('root.crt').toString(), key: t.read('root.key').toString(), certPath: t.path('root.crt') },
    int: { cert: t.read('int.crt').toString(), key: t.read('int.key').toString(), certPath: t.path('int.crt') },
    ...leaves,
    cleanup: t.cleanup,
  };
}

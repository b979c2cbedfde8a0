// The conformance, matrix and interop suites' view of the test PKI
// (test-pki.mjs, made with jsec; files in its per-process temporary directory).
//
//   root (P-256) -> intermediate (P-256) -> server leaves  rsa | p256 | ed25519
//                                        -> client leaves  rsa | p256 | ed25519
//                                        -> misissued      expired | wrongHost
//   other root (never trusted) -> intermediate -> untrusted leaf
//   self-signed leaf (no CA at all)
//
// Every leaf names localhost, 127.0.0.1 and ::1 (except wrongHost); the
// misissued leaves carry serverAuth and clientAuth so they serve both roles.
// Server chains are leaf + intermediate; the root is what peers trust (`ca`).
// Identities carry PEM (`cert` = chain, `key`) and files: `certFile` (chain),
// `keyFile`, `leafFile` and `chainFile` (the certificates after the leaf).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_TYPES as TYPES, testPki } from './test-pki.mjs';

/** The key types of the matrix. */
export const KEY_TYPES = TYPES;

let pending;

/**
 * The test PKI (generated once per process). Every PEM is also on disk (the
 * `*File` fields) for the openssl and GnuTLS command-line tools.
 */
export function getMatrixPki() {
  pending ??= generate();
  return pending;
}

async function generate() {
  const pki = testPki();
  const types = Object.keys(KEY_TYPES);
  const ids = await pki.identities('root', 'intermediate', 'other-root', 'other-intermediate', 'expired', 'wrong-host', 'untrusted', 'self-signed',
    ...types.flatMap((t) => [`server-${t}`, `client-${t}`]));

  const identity = (id) => {
    const files = pki.files(id);
    return Object.freeze({ cert: id.cert, key: id.key, ...files });
  };
  // The untrusted leaf with its (untrusted) root in the chain, and alone.
  const variant = (id, alias, chain) => {
    const { keyFile, leafFile } = pki.files(id);
    const certFile = join(pki.dir, 'pki', `${alias}.chain.pem`);
    writeFileSync(certFile, id.pem + chain);
    const chainFile = chain ? join(pki.dir, 'pki', `${alias}.extra.pem`) : undefined;
    if (chainFile) writeFileSync(chainFile, chain);
    return Object.freeze({ cert: id.pem + chain, key: id.key, certFile, keyFile, leafFile, chainFile });
  };
  const byType = (role) => Object.freeze(Object.fromEntries(types.map((t) => [t, identity(ids[`${role}-${t}`])])));

  return Object.freeze({
    dir: pki.dir,
    ca: ids.root.pem,
    caFile: pki.files(ids.root).leafFile,
    intermediate: ids.intermediate.pem,
    otherRoot: ids['other-root'].pem,
    server: byType('server'),
    client: byType('client'),
    misissued: Object.freeze({
      expired: identity(ids.expired),
      wrongHost: identity(ids['wrong-host']),
      untrusted: identity(ids.untrusted),
      untrustedWithRoot: variant(ids.untrusted, 'untrusted-with-root', ids.untrusted.chainPem + ids['other-root'].pem),
      untrustedLeafOnly: variant(ids.untrusted, 'untrusted-leaf', ''),
      selfSigned: identity(ids['self-signed']),
    }),
  });
}

// The PKI of the conformance, matrix and interop suites, generated at test time
// with the openssl CLI into a private temporary directory (removed at exit).
//
//   root (P-256) -> intermediate (P-256) -> server leaves  rsa | p256 | ed25519
//                                        -> client leaves  rsa | p256 | ed25519
//                                        -> misissued      expired | wrongHost
//   other root (never trusted) -> intermediate -> untrusted leaf
//   self-signed leaf (no CA at all)
//
// Every leaf names localhost, 127.0.0.1 and ::1 (except wrongHost). Server
// chains are leaf + intermediate; the root is what peers trust (`ca`).
// Identities carry PEM (`cert` = chain, `key`) and files: `certFile` (chain),
// `keyFile`, `leafFile` and `chainFile` (the certificates after the leaf).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The key types of the matrix, with the openssl genpkey arguments for each. */
export const KEY_TYPES = Object.freeze({
  rsa: { label: 'RSA-2048', asymmetricKeyType: 'rsa', genpkey: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] },
  p256: { label: 'ECDSA P-256', asymmetricKeyType: 'ec', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] },
  ed25519: { label: 'Ed25519', asymmetricKeyType: 'ed25519', genpkey: ['-algorithm', 'ED25519'] },
});

const SAN_OK = 'DNS:localhost,IP:127.0.0.1,IP:::1';

const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'];
const leafExt = (san, eku) => [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  `extendedKeyUsage=${eku}`,
  `subjectAltName=${san}`,
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
];

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
  const dir = mkdtempSync(join(tmpdir(), 'jsec-matrix-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = (name) => join(dir, name);

  const genkey = async (name, type) => {
    await run('openssl', ['genpkey', ...KEY_TYPES[type].genpkey, '-out', file(`${name}.key`)]);
    return file(`${name}.key`);
  };
  const extfile = (name, lines) => {
    writeFileSync(file(`${name}.ext`), `[v3]\n${lines.join('\n')}\n`);
    return file(`${name}.ext`);
  };
  const selfSigned = async (name, type, cn, ext) => {
    await genkey(name, type);
    await run('openssl', ['req', '-new', '-x509', '-key', file(`${name}.key`), '-subj', `/CN=${cn}`, '-days', '3650',
      '-config', extfile(`${name}-req`, [...ext, '[req]', 'distinguished_name=dn', '[dn]']), '-extensions', 'v3',
      '-out', file(`${name}.pem`)]);
  };
  const issue = async (name, type, cn, issuer, ext, dates) => {
    await genkey(name, type);
    await run('openssl', ['req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`)]);
    if (dates) {
      // `openssl x509` of OpenSSL 3.0 cannot set a start date; `openssl ca` can.
      writeFileSync(file(`${name}.db`), '');
      writeFileSync(file(`${name}.cnf`), [
        '[ca]', 'default_ca=d', '[d]', `database=${file(`${name}.db`)}`, `new_certs_dir=${dir}`,
        `serial=${file(`${name}.serial`)}`, 'default_md=sha256', 'policy=p', 'unique_subject=no', '[p]', 'commonName=supplied', '',
      ].join('\n'));
      writeFileSync(file(`${name}.serial`), '1000\n');
      await run('openssl', ['ca', '-batch', '-notext', '-config', file(`${name}.cnf`), '-cert', file(`${issuer}.pem`),
        '-keyfile', file(`${issuer}.key`), '-in', file(`${name}.csr`), '-out', file(`${name}.pem`),
        '-startdate', dates[0], '-enddate', dates[1], '-extfile', extfile(name, ext), '-extensions', 'v3']);
    } else {
      await run('openssl', ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.pem`), '-CAkey', file(`${issuer}.key`),
        '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '30', '-sha256', '-extfile', extfile(name, ext), '-extensions', 'v3', '-out', file(`${name}.pem`)]);
    }
  };

  await Promise.all([
    selfSigned('root', 'p256', 'jsec test root', CA_EXT),
    selfSigned('other-root', 'p256', 'jsec untrusted root', CA_EXT),
    selfSigned('self-signed', 'p256', 'localhost', [`subjectAltName=${SAN_OK}`, 'basicConstraints=critical,CA:FALSE']),
  ]);
  await Promise.all([
    issue('intermediate', 'p256', 'jsec test intermediate', 'root', [...CA_EXT, 'authorityKeyIdentifier=keyid']),
    issue('other-intermediate', 'p256', 'jsec untrusted intermediate', 'other-root', [...CA_EXT, 'authorityKeyIdentifier=keyid']),
  ]);
  const types = Object.keys(KEY_TYPES);
  await Promise.all([
    ...types.map((t) => issue(`server-${t}`, t, 'localhost', 'intermediate', leafExt(SAN_OK, 'serverAuth'))),
    ...types.map((t) => issue(`client-${t}`, t, `client-${t}`, 'intermediate', leafExt('DNS:client.test', 'clientAuth'))),
    // Misissued leaves serve both roles (misissued servers and misissued clients).
    issue('expired', 'p256', 'localhost', 'intermediate', leafExt(SAN_OK, 'serverAuth,clientAuth'), ['20200101000000Z', '20200201000000Z']),
    issue('wrong-host', 'p256', 'wrong.example', 'intermediate', leafExt('DNS:wrong.example', 'serverAuth,clientAuth')),
    issue('untrusted', 'p256', 'localhost', 'other-intermediate', leafExt(SAN_OK, 'serverAuth,clientAuth')),
  ]);

  const pem = (name) => readFileSync(file(`${name}.pem`), 'latin1');
  const intermediate = pem('intermediate');
  const identity = (name, chain = [intermediate], alias = name) => {
    const cert = [pem(name), ...chain].join('');
    const certFile = file(`${alias}.chain.pem`);
    writeFileSync(certFile, cert);
    // For tools that take the leaf and the rest of the chain separately.
    const chainFile = chain.length > 0 ? file(`${alias}.extra.pem`) : undefined;
    if (chainFile) writeFileSync(chainFile, chain.join(''));
    return Object.freeze({
      cert,
      key: readFileSync(file(`${name}.key`), 'latin1'),
      certFile,
      keyFile: file(`${name}.key`),
      leafFile: file(`${name}.pem`),
      chainFile,
    });
  };
  const byType = (role) => Object.freeze(Object.fromEntries(types.map((t) => [t, identity(`${role}-${t}`)])));

  return Object.freeze({
    dir,
    ca: pem('root'),
    caFile: file('root.pem'),
    intermediate,
    otherRoot: pem('other-root'),
    server: byType('server'),
    client: byType('client'),
    misissued: Object.freeze({
      expired: identity('expired'),
      wrongHost: identity('wrong-host'),
      // Chain without its (untrusted) root, with it, and the bare leaf.
      untrusted: identity('untrusted', [pem('other-intermediate')]),
      untrustedWithRoot: identity('untrusted', [pem('other-intermediate'), pem('other-root')], 'untrusted-with-root'),
      untrustedLeafOnly: identity('untrusted', [], 'untrusted-leaf'),
      selfSigned: identity('self-signed', []),
    }),
  });
}

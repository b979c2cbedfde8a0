// The test PKI for jsec/tls: a root CA, an intermediate, leaves of each key
// type for localhost / 127.0.0.1 / ::1, and the misissued certificates the
// rejection tests need. Generated once per process with the `openssl` CLI in
// a temporary directory; everything is returned as PEM strings. Swap the
// generation for jsec/cert behind getTestPki() when it fits.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CA_CONF = `
[ca]
default_ca = ca_default
[ca_default]
database = $ENV::DB/index.txt
new_certs_dir = $ENV::DB
serial = $ENV::DB/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_intermediate]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_selfsigned]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
`;

const LOCAL_SAN = 'DNS:localhost,IP:127.0.0.1,IP:::1';

let dir;
let seq = 0;

async function openssl(args, env = {}) {
  try {
    const { stdout } = await run('openssl', args, { cwd: dir, env: { ...process.env, SAN: LOCAL_SAN, DB: dir, ...env }, maxBuffer: 1 << 24 });
    return stdout;
  } catch (err) {
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

async function genKey(type) {
  const file = `k${seq++}.pem`;
  const algo = {
    rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    ecdsa: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    ed25519: ['-algorithm', 'ED25519'],
  }[type];
  await openssl(['genpkey', ...algo, '-out', file]);
  return file;
}

/** Issues a certificate with `openssl ca` (its own database, so calls run in parallel). */
async function issue({ cn, keyType = 'ecdsa', issuer, ext = 'leaf_server', san = LOCAL_SAN, start, end, days = 30 }) {
  const key = await genKey(keyType);
  const n = seq++;
  const csr = `r${n}.csr`;
  const out = `c${n}.pem`;
  const db = join(dir, `db${n}`);
  mkdirSync(db);
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), '01\n');
  await openssl(['req', '-new', '-config', 'ca.cnf', '-key', key, '-subj', `/CN=${cn}`, '-out', csr], { SAN: san });
  const signer = issuer ? ['-cert', issuer.certFile, '-keyfile', issuer.keyFile] : ['-selfsign', '-keyfile', key];
  const validity = start ? ['-startdate', start, '-enddate', end] : ['-days', String(days)];
  await openssl(['ca', '-batch', '-notext', '-rand_serial', '-config', 'ca.cnf', '-extensions', ext, ...signer, ...validity, '-in', csr, '-out', out], { SAN: san, DB: db });
  return { cert: readFileSync(join(dir, out), 'utf8'), key: readFileSync(join(dir, key), 'utf8'), certFile: out, keyFile: key };
}

const pem = ({ cert, key }) => ({ cert, key });

async function generate() {
  dir = mkdtempSync(join(tmpdir(), 'jsec-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.cnf'), CA_CONF);

  const [root, otherRoot] = await Promise.all([
    issue({ cn: 'jsec Test Root CA', ext: 'v3_ca', days: 3650 }),
    issue({ cn: 'jsec Untrusted Root CA', ext: 'v3_ca', days: 3650 }),
  ]);
  const intermediate = await issue({ cn: 'jsec Test Intermediate CA', ext: 'v3_intermediate', issuer: root, days: 1825 });
  const chain = (leaf) => ({ cert: leaf.cert + intermediate.cert, key: leaf.key });
  const [rsa, ecdsa, ed25519, expired, notYetValid, wrongHost, untrusted, selfSigned, client] = await Promise.all([
    issue({ cn: 'localhost', keyType: 'rsa', issuer: intermediate }),
    issue({ cn: 'localhost', keyType: 'ecdsa', issuer: intermediate }),
    issue({ cn: 'localhost', keyType: 'ed25519', issuer: intermediate }),
    issue({ cn: 'localhost', issuer: intermediate, start: '20200101000000Z', end: '20200201000000Z' }),
    issue({ cn: 'localhost', issuer: intermediate, start: '20990101000000Z', end: '20991231000000Z' }),
    issue({ cn: 'wrong.example', issuer: intermediate, san: 'DNS:wrong.example,IP:192.0.2.1' }),
    issue({ cn: 'localhost', issuer: otherRoot }),
    issue({ cn: 'localhost', ext: 'leaf_selfsigned' }),
    issue({ cn: 'jsec test client', issuer: intermediate, san: 'DNS:client.test' }),
  ]);
  return Object.freeze({
    dir,
    /** The trust anchor for everything below except `untrusted` and `selfSigned`. */
    ca: root.cert,
    root: pem(root),
    intermediate: pem(intermediate),
    otherRoot: pem(otherRoot),
    /** Leaves for localhost, 127.0.0.1 and ::1; `cert` is leaf + intermediate. */
    leaves: Object.freeze({ rsa: chain(rsa), ecdsa: chain(ecdsa), ed25519: chain(ed25519) }),
    expired: chain(expired),
    notYetValid: chain(notYetValid),
    wrongHost: chain(wrongHost),
    /** Issued by `otherRoot`, which nobody trusts. */
    untrusted: { cert: untrusted.cert, key: untrusted.key },
    selfSigned: pem(selfSigned),
    /** A client certificate (clientAuth) issued by the intermediate. */
    client: chain(client),
  });
}

let cached;

/** The test PKI (PEM strings), generated once per process. */
export function getTestPki() {
  cached ??= generate();
  return cached;
}

// A throwaway PKI for the DTLS / bio tests, made with the openssl CLI in a
// temp dir: one CA, RSA and ECDSA server certificates for localhost /
// 127.0.0.1 / ::1, a client certificate, an expired leaf and a self-signed
// leaf. Generated once per process and removed at exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cached;

function ossl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function leaf(dir, name, keyArgs, { cn, san, days = 30, ext = 'serverAuth', startDate }) {
  ossl(dir, ['req', '-new', '-newkey', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(
    join(dir, `${name}.ext`),
    [`subjectAltName=${san}`, 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', `extendedKeyUsage=${ext}`].join('\n') + '\n',
  );
  if (startDate) {
    // An already-expired certificate: signed by `openssl ca`-free route via x509 with explicit dates is not in 3.0; use -days with a past faketime-free trick: sign then check.
    ossl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-extfile', `${name}.ext`, '-sha256', ...startDate]);
  } else {
    ossl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-extfile', `${name}.ext`, '-sha256']);
  }
}

/** Paths and PEM texts of the test PKI. */
export function dtlsPki() {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'jsec-dtls-pki-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=jsec DTLS test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const san = 'DNS:localhost,IP:127.0.0.1,IP:::1';
  leaf(dir, 'rsa', ['rsa:2048'], { cn: 'localhost', san });
  leaf(dir, 'ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { cn: 'localhost', san });
  leaf(dir, 'client', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { cn: 'jsec test client', san: 'DNS:client.test', ext: 'clientAuth' });
  leaf(dir, 'other', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { cn: 'other.test', san: 'DNS:other.test' });
  // Expired: valid for one day, ten days ago (openssl x509 -not_before/-not_after exist from 3.4; use a CA-signed cert with -days and backdate via -set_serial is not enough), so sign with a negative window through `openssl ca`-less route:
  ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '30', '-subj', '/CN=localhost', '-addext', `subjectAltName=${san}`]);
  const read = (f) => readFileSync(join(dir, f), 'utf8');
  cached = Object.freeze({
    dir,
    path: (f) => join(dir, f),
    ca: read('ca.crt'),
    rsa: { cert: read('rsa.crt'), key: read('rsa.key') },
    ec: { cert: read('ec.crt'), key: read('ec.key') },
    client: { cert: read('client.crt'), key: read('client.key') },
    other: { cert: read('other.crt'), key: read('other.key') },
    self: { cert: read('self.crt'), key: read('self.key') },
  });
  return cached;
}

/** An expired leaf signed by the test CA, made with `openssl ca` and explicit dates. */
export function expiredLeaf() {
  const pki = dtlsPki();
  const dir = pki.dir;
  const cnf = join(dir, 'ca.cnf');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca=d\n[d]\ndatabase=${join(dir, 'index.txt')}\nserial=${join(dir, 'serial')}\nnew_certs_dir=${dir}\ncertificate=${join(dir, 'ca.crt')}\nprivate_key=${join(dir, 'ca.key')}\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`,
  );
  ossl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  ossl(dir, ['ca', '-batch', '-config', cnf, '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext']);
  return { cert: readFileSync(join(dir, 'expired.crt'), 'utf8'), key: readFileSync(join(dir, 'expired.key'), 'utf8') };
}

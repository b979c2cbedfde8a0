// The jsec/tls tests' view of the test PKI (test-pki.mjs): a root CA, an
// intermediate, leaves of each key type for localhost / 127.0.0.1 / ::1, and
// the misissued certificates the rejection tests need, as PEM strings.
import { testPki } from './test-pki.mjs';

const pem = ({ pem: cert, key }) => ({ cert, key });
const chain = ({ cert, key }) => ({ cert, key });

async function generate() {
  const pki = testPki();
  const ids = await pki.identities('root', 'intermediate', 'other-root', 'server-rsa', 'server-p256', 'server-ed25519',
    'expired', 'not-yet-valid', 'wrong-host', 'untrusted-direct', 'self-signed', 'client');
  return Object.freeze({
    /** A per-process temporary directory tests may write to (created on first use). */
    get dir() {
      return pki.dir;
    },
    /** The trust anchor for everything below except `untrusted` and `selfSigned`. */
    ca: ids.root.pem,
    root: pem(ids.root),
    intermediate: pem(ids.intermediate),
    otherRoot: pem(ids['other-root']),
    /** Leaves for localhost, 127.0.0.1 and ::1; `cert` is leaf + intermediate. */
    leaves: Object.freeze({ rsa: chain(ids['server-rsa']), ecdsa: chain(ids['server-p256']), ed25519: chain(ids['server-ed25519']) }),
    expired: chain(ids.expired),
    notYetValid: chain(ids['not-yet-valid']),
    wrongHost: chain(ids['wrong-host']),
    /** Issued by `otherRoot` itself, which nobody trusts. */
    untrusted: pem(ids['untrusted-direct']),
    selfSigned: pem(ids['self-signed']),
    /** A client certificate (clientAuth) issued by the intermediate. */
    client: chain(ids.client),
  });
}

let cached;

/** The test PKI (PEM strings), generated once per process. */
export function getTestPki() {
  cached ??= generate();
  return cached;
}

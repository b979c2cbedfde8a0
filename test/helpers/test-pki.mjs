// The test PKI: every certificate the tests need, made with jsec itself
// (jsec/cert, jsec/ca, jsec/crypto) and cross-checked with the openssl CLI in
// test/cert/test-pki-crosscheck.test.mjs.
//
//   root ─┬─ intermediate ─┬─ server-rsa | server-p256 | server-ed25519   localhost, 127.0.0.1, ::1
//         │                ├─ client (jsec test client) | client-rsa | client-p256 | client-ed25519
//         │                └─ expired | not-yet-valid | wrong-host        misissued on purpose
//         └─ direct-rsa | direct-p256 | direct-client | direct-other      leaves signed by the root itself
//   other-root ─┬─ other-intermediate ── untrusted                        nobody trusts other-root
//               └─ untrusted-direct
//   self-signed                                                           a CA:FALSE localhost leaf
//   smime-root ── smime-intermediate ── smime-rsa | smime-ec | smime-ed25519   S/MIME (emailProtection)
//                                    └─ smime-server                     for the crypto (CMS, PKCS#12) tests
//
// Everything is generated lazily, once per process and per name (a test file
// pays only for what it uses; RSA keys are the expensive part), with
// deterministic names and serials. Validity is relative to the PKI's clock
// (`now`, fixed when the PKI is created): `expired` ended 30 days before it,
// `not-yet-valid` starts 30 days after it, so no test ever waits. PEM files for
// command-line tools go to one per-process temporary directory, removed at exit.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrl, generate, generateSelfSigned, generateSelfSignedSync, generateSync } from 'jsec/cert';
import { CertificateAuthority } from 'jsec/ca';
import { createPkcs12 } from 'jsec/crypto';

const DAY = 86_400_000;

/** The key types the tests use, by their short name, with jsec's keyType and node's asymmetricKeyType. */
export const KEY_TYPES = Object.freeze({
  rsa: Object.freeze({ keyType: 'rsa-2048', label: 'RSA-2048', asymmetricKeyType: 'rsa' }),
  p256: Object.freeze({ keyType: 'ec-p256', label: 'ECDSA P-256', asymmetricKeyType: 'ec' }),
  ed25519: Object.freeze({ keyType: 'ed25519', label: 'Ed25519', asymmetricKeyType: 'ed25519' }),
});

/** The SANs of every localhost leaf. */
export const LOCAL_SAN = Object.freeze(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);

/** A deterministic random source (SHA-256 in counter mode over a seed). */
export function seededRandom(seed = 'jsec') {
  let counter = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      off += block.copy(out, off);
    }
    return out;
  };
}

/** A controllable clock: `clock.now()` returns the current fake time, `clock.set(ms)` / `clock.advance(ms)` move it. */
export function fakeClock(start = Date.now()) {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms), advance: (ms) => (t += ms) };
}

// ---------------------------------------------------------------------------
// Temporary files (one directory per process)

let dir;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/**
 * The per-process temporary directory (created on first use, removed at exit).
 * A process killed by a signal cannot clean up, so the directories of dead
 * processes (the pid is in the name) are removed when a new one is made.
 */
export function tempDir() {
  if (!dir) {
    for (const name of readdirSync(tmpdir())) {
      const pid = /^jsec-test-(\d+)-/.exec(name)?.[1];
      if (pid && !alive(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
    dir = mkdtempSync(join(tmpdir(), `jsec-test-${process.pid}-`));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

let fileCounter = 0;

/** Writes `content` (string or Buffer) to a new file in the temporary directory; returns its path. `name` picks the file name. */
export function tempFile(content, ext = 'pem', name = undefined) {
  const path = join(tempDir(), name ?? `f${++fileCounter}.${ext}`);
  writeFileSync(path, content);
  return path;
}

// ---------------------------------------------------------------------------
// The catalogue

const leafSpec = (issuer, keyType, commonName, san, extendedKeyUsage, extra = {}) => ({ issuer, keyType, commonName, san, extendedKeyUsage, ...extra });
const server = (issuer, keyType) => leafSpec(issuer, keyType, 'localhost', LOCAL_SAN, ['serverAuth', 'clientAuth']);

/** What the PKI knows how to make, by name. Specs: see {@link TestPki#define}. */
const CATALOGUE = {
  root: { ca: true, commonName: 'jsec Test Root CA' },
  intermediate: { ca: true, pathLength: 0, issuer: 'root', commonName: 'jsec Test Intermediate CA' },
  'other-root': { ca: true, commonName: 'jsec Untrusted Root CA' },
  'other-intermediate': { ca: true, pathLength: 0, issuer: 'other-root', commonName: 'jsec Untrusted Intermediate CA' },
  ...Object.fromEntries(Object.entries(KEY_TYPES).flatMap(([t, { keyType }]) => [
    [`server-${t}`, server('intermediate', keyType)],
    [`client-${t}`, leafSpec('intermediate', keyType, `client-${t}`, ['DNS:client.test'], ['clientAuth'])],
  ])),
  client: leafSpec('intermediate', 'ec-p256', 'jsec test client', ['DNS:client.test'], ['clientAuth']),
  expired: { ...server('intermediate', 'ec-p256'), validity: 'expired' },
  'not-yet-valid': { ...server('intermediate', 'ec-p256'), validity: 'notYetValid' },
  'wrong-host': leafSpec('intermediate', 'ec-p256', 'wrong.example', ['DNS:wrong.example', 'IP:192.0.2.1'], ['serverAuth', 'clientAuth']),
  'direct-rsa': server('root', 'rsa-2048'),
  'direct-p256': server('root', 'ec-p256'),
  'direct-client': leafSpec('root', 'ec-p256', 'jsec test client', ['DNS:client.test'], ['clientAuth']),
  'direct-other': leafSpec('root', 'ec-p256', 'other.test', ['DNS:other.test'], ['serverAuth']),
  untrusted: server('other-intermediate', 'ec-p256'),
  'untrusted-direct': server('other-root', 'ec-p256'),
  'self-signed': server(null, 'ec-p256'),
  'smime-root': { ca: true, commonName: 'jsec test root' },
  'smime-intermediate': { ca: true, issuer: 'smime-root', commonName: 'jsec test intermediate' },
  ...Object.fromEntries(['rsa', 'ec', 'ed25519'].map((t) => [`smime-${t}`,
    leafSpec('smime-intermediate', { rsa: 'rsa-2048', ec: 'ec-p256', ed25519: 'ed25519' }[t], `jsec ${t} leaf`, [], ['emailProtection'], { keyUsage: ['digitalSignature', 'keyEncipherment', 'keyAgreement'] })])),
  'smime-server': leafSpec('smime-intermediate', 'ec-p256', 'jsec server leaf', [], ['serverAuth'], { keyUsage: ['digitalSignature'] }),
};

const SPEC_KEYS = new Set(['issuer', 'ca', 'pathLength', 'keyType', 'commonName', 'san', 'extendedKeyUsage', 'keyUsage', 'validity', 'mustStaple', 'ocsp', 'crlDistributionPoints']);

/**
 * A test PKI: a catalogue of named certificates made on demand with jsec/cert.
 * `identity(name)` (async, keys made on the thread pool) and `identitySync(name)`
 * share one cache.
 */
export class TestPki {
  #specs = new Map(Object.entries(CATALOGUE));
  #done = new Map();
  #pending = new Map();
  #seed;

  /** @param {{ now?: number | Date, seed?: string }} [options] `now`: the clock every validity is relative to (default: the current time). */
  constructor({ now = Date.now(), seed = 'jsec test pki' } = {}) {
    /** The PKI's clock, in ms. */
    this.now = +now;
    this.#seed = seed;
  }

  /** The per-process temporary directory. */
  get dir() {
    return tempDir();
  }

  /**
   * Adds a named certificate. `spec`: `issuer` (a name, or null/absent for
   * self-signed), `ca`, `pathLength`, `keyType` (jsec's, default ec-p256),
   * `commonName`, `san`, `extendedKeyUsage`, `keyUsage`, `validity` ('valid',
   * 'expired', 'notYetValid'), `mustStaple`, `ocsp`, `crlDistributionPoints`.
   * Redefining a name with a different spec throws.
   */
  define(name, spec) {
    for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k)) throw new TypeError(`test PKI: unknown spec field ${k}`);
    const old = this.#specs.get(name);
    if (old && JSON.stringify(old) !== JSON.stringify(spec)) throw new Error(`test PKI: ${name} is already defined differently`);
    this.#specs.set(name, spec);
    return this;
  }

  /** The names this PKI can make. */
  get names() {
    return [...this.#specs.keys()];
  }

  #spec(name) {
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`test PKI: no certificate named ${name}`);
    return spec;
  }

  #options(name, spec) {
    const validity = spec.validity ?? 'valid';
    const [from, to] = spec.ca ? [-365 * DAY, 3650 * DAY] : { valid: [-DAY, 30 * DAY], expired: [-60 * DAY, -30 * DAY], notYetValid: [30 * DAY, 60 * DAY] }[validity];
    return {
      commonName: spec.commonName ?? name,
      keyType: spec.keyType ?? 'ec-p256',
      ...(spec.ca ? { ca: true } : { san: spec.san ?? [], extendedKeyUsage: spec.extendedKeyUsage ?? [] }),
      ...(spec.pathLength !== undefined ? { pathLength: spec.pathLength } : {}),
      ...(spec.keyUsage ? { keyUsage: spec.keyUsage } : {}),
      ...(spec.mustStaple ? { mustStaple: true } : {}),
      ...(spec.ocsp ? { ocsp: spec.ocsp } : {}),
      ...(spec.crlDistributionPoints ? { crlDistributionPoints: spec.crlDistributionPoints } : {}),
      notBefore: new Date(this.now + from),
      notAfter: new Date(this.now + to),
      random: seededRandom(`${this.#seed}:${name}`),
    };
  }

  #finish(name, spec, made, issuer) {
    if (this.#done.has(name)) return this.#done.get(name);
    // What a peer sends: the certificate and the intermediates above it, never the self-signed root.
    const above = issuer ? [issuer.certificate, ...issuer.intermediates].filter((c) => !c.isSelfIssued) : [];
    const identity = Object.freeze({
      name,
      certificate: made.certificate,
      privateKey: made.privateKey,
      /** PKCS#8 PEM. */
      key: made.key,
      /** This certificate alone (PEM). */
      pem: made.cert,
      /** The intermediates above it (PEM, '' when none). */
      chainPem: above.map((c) => c.pem).join(''),
      /** What a TLS peer sends: certificate + intermediates (PEM). */
      cert: made.cert + above.map((c) => c.pem).join(''),
      intermediates: Object.freeze(above),
      issuer: spec.issuer ?? null,
      root: issuer ? issuer.root : name,
    });
    this.#done.set(name, identity);
    return identity;
  }

  /** The named certificate and key (async; generated once). */
  async identity(name) {
    if (this.#done.has(name)) return this.#done.get(name);
    if (!this.#pending.has(name)) {
      const spec = this.#spec(name);
      this.#pending.set(name, (async () => {
        const issuer = spec.issuer ? await this.identity(spec.issuer) : null;
        const options = this.#options(name, spec);
        const made = issuer ? await generate({ ...options, issuer: { certificate: issuer.certificate, key: issuer.privateKey } }) : await generateSelfSigned(options);
        return this.#finish(name, spec, made, issuer);
      })());
    }
    return this.#pending.get(name);
  }

  /** The named certificate and key, made synchronously (for synchronous callers). */
  identitySync(name) {
    if (this.#done.has(name)) return this.#done.get(name);
    const spec = this.#spec(name);
    const issuer = spec.issuer ? this.identitySync(spec.issuer) : null;
    const options = this.#options(name, spec);
    const made = issuer ? generateSync({ ...options, issuer: { certificate: issuer.certificate, key: issuer.privateKey } }) : generateSelfSignedSync(options);
    return this.#finish(name, spec, made, issuer);
  }

  /** Several identities at once, generated in parallel: `{ [name]: identity }`. */
  async identities(...names) {
    const list = await Promise.all(names.map((n) => this.identity(n)));
    return Object.fromEntries(names.map((n, i) => [n, list[i]]));
  }

  /**
   * The PEM files of an identity in the temporary directory, for command-line
   * tools: `keyFile`, `leafFile` (the certificate alone), `certFile`
   * (certificate + intermediates), `chainFile` (the intermediates; undefined
   * when there are none). Names are deterministic: `<name>.key`, `<name>.pem`,
   * `<name>.chain.pem`, `<name>.extra.pem`. `identity` may be a name or an
   * identity; synchronous for an identity already made.
   */
  files(identity) {
    const id = typeof identity === 'string' ? this.identitySync(identity) : identity;
    const sub = join(tempDir(), 'pki');
    mkdirSync(sub, { recursive: true });
    const put = (file, content) => {
      const path = join(sub, file);
      writeFileSync(path, content);
      return path;
    };
    return Object.freeze({
      keyFile: put(`${id.name}.key`, id.key),
      leafFile: put(`${id.name}.pem`, id.pem),
      certFile: put(`${id.name}.chain.pem`, id.cert),
      chainFile: id.chainPem ? put(`${id.name}.extra.pem`, id.chainPem) : undefined,
    });
  }

  /**
   * A CRL of a CA in the catalogue revoking the named certificates
   * (`keyCompromise`, a day before the clock), valid from a day before the
   * clock for `days` (negative: a CRL that is already stale).
   */
  async crl(caName, revoked = [], { days = 7, crlNumber = 1n } = {}) {
    const ca = await this.identity(caName);
    const entries = await Promise.all(revoked.map(async (n) => ({ serial: (await this.identity(n)).certificate.serialNumber, date: new Date(this.now - DAY), reason: 'keyCompromise' })));
    const thisUpdate = new Date(this.now - DAY + (days < 0 ? days * DAY : 0));
    return createCrl({ issuer: { certificate: ca.certificate, key: ca.privateKey }, thisUpdate, nextUpdate: new Date(this.now + days * DAY), crlNumber, entries });
  }

  /** An identity as PKCS#12 (key, certificate and intermediates), made with jsec/crypto. */
  async pkcs12(name, password, options = {}) {
    const id = await this.identity(name);
    return createPkcs12({ key: id.privateKey, certificate: id.pem, chain: id.intermediates.map((c) => c.pem), password, ...options });
  }

  /** A jsec/ca CertificateAuthority over a CA of the catalogue, on this PKI's clock (for CRLs, OCSP, issuing more). */
  async authority(caName, options = {}) {
    const ca = await this.identity(caName);
    return CertificateAuthority.load({ certificate: ca.certificate, key: ca.privateKey, chain: ca.intermediates, now: () => this.now, random: seededRandom(`${this.#seed}:ca:${caName}`), ...options });
  }
}

let shared;

/** The process's test PKI (one per process, clock fixed at its creation). */
export function testPki() {
  shared ??= new TestPki();
  return shared;
}

/**
 * A small jsec/ca hierarchy for CA and OCSP tests: root → intermediate, a
 * server and a client certificate, and a delegated OCSP signer of the
 * intermediate. Fresh on every call (these tests revoke and count serials);
 * `options` go to `createRoot` (e.g. `now`, `random`).
 */
export async function smallPki(options = {}) {
  const root = await CertificateAuthority.createRoot({ commonName: 'Test Root', ...options });
  const inter = await root.createIntermediate({ commonName: 'Test Intermediate' });
  const server = await inter.issue('server', { commonName: 'server.test', san: ['DNS:server.test', 'IP:127.0.0.1'] });
  const client = await inter.issue('client', { commonName: 'client.test' });
  const responder = await inter.issueOcspSigner();
  return { root, inter, server, client, responder, close: async () => Promise.all([root.close(), inter.close()]) };
}

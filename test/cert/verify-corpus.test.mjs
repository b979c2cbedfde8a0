// verifyChain agrees with `openssl verify` (same flags) on a generated corpus
// of chain scenarios. Every certificate and CRL is made with jsec itself at a
// fixed point in time (T0); time-dependent cases shift notBefore/notAfter and
// the validation time, never the wall clock.
//
// Agreement means: the same verdict, and the errors openssl prints are a
// prefix of jsec's list (same codes, same depths, same order). openssl's CLI
// callback stops at the first error it does not know how to continue past;
// jsec records every error and continues, so it may report more.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { generateSelfSignedSync, generateSync, verifyChain, buildChain, createCrl, Certificate, TrustStore } from 'jsec/cert';
import { openssl, verifyErrors } from '../helpers/openssl.mjs';
import { tempFile } from '../helpers/test-pki.mjs';

const T0 = new Date('2031-03-01T00:00:00Z');
const DAY = 86400_000;
const at = (days) => new Date(T0.getTime() + days * DAY);

const keys = {};
const key = (name, type = 'ec') => (keys[name] ??= type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey : generateKeyPairSync(type, type === 'rsa' ? { modulusLength: 2048 } : {}).privateKey);

const validity = { notBefore: at(-30), notAfter: at(365) };

function root(name = 'Root', opts = {}) {
  const r = generateSelfSignedSync({ subject: { O: 'jsec corpus', CN: name }, ca: true, key: key(opts.keyName ?? name, opts.keyAlg), ...validity, ...opts.cert });
  return { cert: r.certificate, key: r.privateKey };
}

function issue(parent, name, opts = {}) {
  const r = generateSync({
    subject: { O: 'jsec corpus', CN: name },
    key: key(opts.keyName ?? name, opts.keyAlg),
    issuer: { certificate: parent.cert, key: parent.key },
    ...validity,
    ...opts.cert,
  });
  return { cert: r.certificate, key: r.privateKey };
}

const LEAF_SAN = ['www.example.test', '*.wild.example.test', 'IP:192.0.2.1', 'IP:2001:db8::1', 'email:ops@example.test'];

/** A standard chain of `levels` certificates (1 = self-signed leaf): returns leaf-first list. */
function chain(levels, overrides = {}) {
  const r = root('Root', { cert: overrides[levels - 1] });
  const list = [r];
  for (let d = levels - 2; d >= 1; d--) list.unshift(issue(list[0], `Inter${d}`, { cert: { ca: true, ...overrides[d] } }));
  if (levels > 1) list.unshift(issue(list[0], 'leaf', { cert: { san: LEAF_SAN, ...overrides[0] } }));
  return list;
}

function crl(issuerNode, revoked = [], opts = {}) {
  return createCrl({
    issuer: { certificate: issuerNode.cert, key: issuerNode.key },
    thisUpdate: opts.thisUpdate ?? at(-1),
    nextUpdate: opts.nextUpdate ?? at(30),
    crlNumber: 1n,
    entries: revoked.map((c) => ({ serial: c.cert.serialNumber, date: at(-1), reason: 'keyCompromise' })),
  });
}

function tamper(cert) {
  const der = cert.raw;
  der[der.length - 1] ^= 0x01;
  return Certificate.from(der);
}

/** GeneralNames with one dNSName, DER (short lengths only). */
function dnsSanDer(name) {
  const ia5 = Buffer.concat([Buffer.from([0x82, name.length]), Buffer.from(name, 'ascii')]);
  return Buffer.concat([Buffer.from([0x30, ia5.length]), ia5]);
}

const UNKNOWN_CRIT = [{ oid: '1.3.6.1.4.1.55555.1.1', critical: true, value: Buffer.from([0x05, 0x00]) }];
const UNKNOWN_NONCRIT = [{ oid: '1.3.6.1.4.1.55555.1.2', critical: false, value: Buffer.from([0x05, 0x00]) }];

/** Each scenario: { name, leaf, intermediates, anchors, opts, expect, differs? (why jsec's verdict is not openssl's) } */
function scenarios() {
  const out = [];
  const add = (name, s) => out.push({ name, ...s });
  const std = (levels, overrides, extra = {}) => {
    const c = chain(levels, overrides);
    return { leaf: c[0].cert, intermediates: c.slice(1, -1).map((n) => n.cert), anchors: [c.at(-1).cert], nodes: c, opts: { time: T0 }, ...extra };
  };

  add('valid 3-level', { ...std(3), expect: true });
  add('valid 2-level', { ...std(2), expect: true });
  add('valid 4-level', { ...std(4), expect: true });
  add('valid self-signed trusted leaf', (() => { const c = chain(1); return { leaf: c[0].cert, intermediates: [], anchors: [c[0].cert], opts: { time: T0 }, expect: true }; })());

  for (const levels of [2, 3, 4]) {
    for (let depth = 0; depth < levels; depth++) {
      add(`expired at depth ${depth} of ${levels}`, { ...std(levels, { [depth]: { notBefore: at(-400), notAfter: at(-1) } }), expect: false });
      add(`not yet valid at depth ${depth} of ${levels}`, { ...std(levels, { [depth]: { notBefore: at(1), notAfter: at(400) } }), expect: false });
    }
  }
  add('validation time after everything expired', { ...std(3), opts: { time: at(1000) }, expect: false });
  add('validation time before everything', { ...std(3), opts: { time: at(-100) }, expect: false });

  add('purpose server, leaf EKU serverAuth', { ...std(3, { 0: { extendedKeyUsage: ['serverAuth'] } }), opts: { time: T0, purpose: 'server' }, expect: true });
  add('purpose server, leaf EKU clientAuth only', { ...std(3, { 0: { extendedKeyUsage: ['clientAuth'] } }), opts: { time: T0, purpose: 'server' }, expect: false });
  add('purpose client, leaf EKU serverAuth only', { ...std(3, { 0: { extendedKeyUsage: ['serverAuth'] } }), opts: { time: T0, purpose: 'client' }, expect: false });
  add('purpose client, leaf EKU clientAuth', { ...std(3, { 0: { extendedKeyUsage: ['clientAuth'] } }), opts: { time: T0, purpose: 'client' }, expect: true });
  add('purpose server, leaf without EKU', { ...std(3, { 0: { extendedKeyUsage: [] } }), opts: { time: T0, purpose: 'server' }, expect: true });
  add('purpose email, leaf EKU serverAuth', { ...std(3), opts: { time: T0, purpose: 'email' }, expect: false });
  add('purpose email, leaf EKU emailProtection', { ...std(3, { 0: { extendedKeyUsage: ['emailProtection'] } }), opts: { time: T0, purpose: 'email' }, expect: true });
  add('purpose timeStamping, leaf EKU serverAuth', { ...std(3), opts: { time: T0, purpose: 'timeStamping' }, expect: false });
  // RFC 3161 2.3: a time-stamping EKU is alone and critical (jsec's default for it; OpenSSL's purpose checks both).
  add('purpose timeStamping, leaf EKU timeStamping (critical by default)', { ...std(3, { 0: { extendedKeyUsage: ['timeStamping'] } }), opts: { time: T0, purpose: 'timeStamping' }, expect: true });
  add('purpose timeStamping, leaf EKU timeStamping not critical', { ...std(3, { 0: { extendedKeyUsage: ['timeStamping'], extendedKeyUsageCritical: false } }), opts: { time: T0, purpose: 'timeStamping' }, expect: false });
  add('purpose timeStamping, leaf EKU timeStamping + serverAuth', { ...std(3, { 0: { extendedKeyUsage: ['timeStamping', 'serverAuth'], extendedKeyUsageCritical: true } }), opts: { time: T0, purpose: 'timeStamping' }, expect: false });
  const ocspHelper = 'OpenSSL\'s ocsphelper purpose judges only the CA certificates and leaves the leaf to OCSP_basic_verify; jsec\'s ocspSigning also requires the leaf EKU OCSPSigning (RFC 6960 4.2.2.2)';
  add('purpose ocspSigning, leaf EKU serverAuth', { ...std(3), opts: { time: T0, purpose: 'ocspSigning' }, expect: false, differs: ocspHelper });
  add('purpose ocspSigning, EKU OCSPSigning but keyUsage keyAgreement only', { ...std(3, { 0: { extendedKeyUsage: ['OCSPSigning'], keyUsage: ['keyAgreement'] } }), opts: { time: T0, purpose: 'ocspSigning' }, expect: false, differs: ocspHelper });
  add('purpose ocspSigning, leaf without EKU', { ...std(3, { 0: { extendedKeyUsage: [] } }), opts: { time: T0, purpose: 'ocspSigning' }, expect: false, differs: ocspHelper });
  add('purpose any', { ...std(3), opts: { time: T0, purpose: 'any' }, expect: true });
  add('purpose ocspSigning', { ...std(3, { 0: { extendedKeyUsage: ['OCSPSigning'] } }), opts: { time: T0, purpose: 'ocspSigning' }, expect: true });
  add('purpose server, intermediate EKU clientAuth only', { ...std(3, { 1: { extendedKeyUsage: ['clientAuth'] } }), opts: { time: T0, purpose: 'server' }, expect: false });
  add('purpose server, leaf keyUsage keyAgreement only (RSA-less)', { ...std(3, { 0: { keyUsage: ['keyAgreement'] } }), opts: { time: T0, purpose: 'server' }, expect: true });
  add('purpose server, leaf keyUsage nonRepudiation only', { ...std(3, { 0: { keyUsage: ['nonRepudiation'] } }), opts: { time: T0, purpose: 'server' }, expect: false });

  add('root pathLength 0 above an intermediate', { ...std(3, { 2: { pathLength: 0 } }), expect: false });
  add('intermediate pathLength 0 above another intermediate', { ...std(4, { 2: { pathLength: 0 } }), expect: false });
  add('intermediate pathLength 1 above another intermediate', { ...std(4, { 2: { pathLength: 1 } }), expect: true });
  add('root pathLength 1 with two intermediates', { ...std(4, { 3: { pathLength: 1 } }), expect: false });
  add('CA:FALSE intermediate', { ...std(3, { 1: { ca: false } }), expect: false });
  add('intermediate without keyCertSign', { ...std(3, { 1: { keyUsage: ['digitalSignature'] } }), expect: false });
  add('intermediate without keyUsage extension', { ...std(3, { 1: { keyUsage: [] } }), expect: true });

  add('hostname exact match', { ...std(3), opts: { time: T0, hostname: 'www.example.test' }, expect: true });
  add('hostname match is case-insensitive', { ...std(3), opts: { time: T0, hostname: 'WWW.Example.TEST' }, expect: true });
  add('hostname mismatch', { ...std(3), opts: { time: T0, hostname: 'evil.example.test' }, expect: false });
  add('hostname wildcard match', { ...std(3), opts: { time: T0, hostname: 'a.wild.example.test' }, expect: true });
  add('hostname wildcard does not span two labels', { ...std(3), opts: { time: T0, hostname: 'a.b.wild.example.test' }, expect: false });
  add('hostname wildcard does not match the bare domain', { ...std(3), opts: { time: T0, hostname: 'wild.example.test' }, expect: false });
  add('hostname is not matched against the CN when SANs exist', { ...std(3), opts: { time: T0, hostname: 'leaf' }, expect: false });
  // jsec itself never writes a partial wildcard; the SAN is written raw to see how each verifier treats one.
  const partial = [{ oid: '2.5.29.17', value: dnsSanDer('f*.partial.example.test') }];
  add('hostname partial wildcard f* (deliberate difference)', { ...std(3, { 0: { san: [], extensions: partial } }), opts: { time: T0, hostname: 'foo.partial.example.test' }, expect: false, differs: 'jsec checks host names with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (as browsers do, RFC 6125 6.4.3); openssl verify -verify_hostname accepts f*.example' });
  add('hostname partial wildcard, exact-label name', { ...std(3, { 0: { san: [], extensions: partial } }), opts: { time: T0, hostname: 'bar.partial.example.test' }, expect: false });
  add('IPv4 match', { ...std(3), opts: { time: T0, ip: '192.0.2.1' }, expect: true });
  add('IPv4 mismatch', { ...std(3), opts: { time: T0, ip: '192.0.2.2' }, expect: false });
  add('IPv6 match', { ...std(3), opts: { time: T0, ip: '2001:db8:0::1' }, expect: true });
  add('IPv6 mismatch', { ...std(3), opts: { time: T0, ip: '2001:db8::2' }, expect: false });
  add('IP given as a hostname does not match the DNS SANs', { ...std(3), opts: { time: T0, hostname: '192.0.2.1' }, expect: false });
  add('email match', { ...std(3), opts: { time: T0, email: 'ops@example.test' }, expect: true });
  add('email mismatch', { ...std(3), opts: { time: T0, email: 'dev@example.test' }, expect: false });

  {
    const s = std(3);
    add('leaf revoked, crl check leaf', { ...s, crls: [crl(s.nodes[1], [s.nodes[0]])], opts: { time: T0, crlCheck: 'leaf' }, expect: false });
    add('leaf revoked, no crl check', { ...s, crls: [crl(s.nodes[1], [s.nodes[0]])], opts: { time: T0, crlCheck: 'none' }, expect: true });
    add('intermediate revoked, crl check chain', { ...s, crls: [crl(s.nodes[1]), crl(s.nodes[2], [s.nodes[1]])], opts: { time: T0, crlCheck: 'chain' }, expect: false });
    add('intermediate revoked, crl check leaf only', { ...s, crls: [crl(s.nodes[1]), crl(s.nodes[2], [s.nodes[1]])], opts: { time: T0, crlCheck: 'leaf' }, expect: true });
    add('crl check chain, nothing revoked', { ...s, crls: [crl(s.nodes[1]), crl(s.nodes[2])], opts: { time: T0, crlCheck: 'chain' }, expect: true });
    add('crl check chain, root CRL missing', { ...s, crls: [crl(s.nodes[1])], opts: { time: T0, crlCheck: 'chain' }, expect: false });
    add('crl check, no CRL at all', { ...s, crls: [], opts: { time: T0, crlCheck: 'leaf' }, expect: false });
    add('crl expired', { ...s, crls: [crl(s.nodes[1], [], { thisUpdate: at(-20), nextUpdate: at(-10) })], opts: { time: T0, crlCheck: 'leaf' }, expect: false });
    add('crl not yet valid', { ...s, crls: [crl(s.nodes[1], [], { thisUpdate: at(5), nextUpdate: at(30) })], opts: { time: T0, crlCheck: 'leaf' }, expect: false });
    const impostor = root('Inter1', { keyName: 'impostor' }); // same name as the real intermediate, different key
    add('crl signed by an impostor with the issuer name', { ...s, crls: [crl(impostor, [])], opts: { time: T0, crlCheck: 'leaf' }, expect: false });
    add('revoked sibling does not affect the leaf', { ...s, crls: [crl(s.nodes[1], [issue(s.nodes[1], 'sibling')])], opts: { time: T0, crlCheck: 'leaf' }, expect: true });

    add('missing intermediate', { ...s, intermediates: [], expect: false });
    add('untrusted root only among intermediates', { ...s, intermediates: [s.nodes[1].cert, s.nodes[2].cert], anchors: [root('Other').cert], expect: false });
    add('self-signed leaf, not trusted', (() => { const c = chain(1); return { leaf: c[0].cert, intermediates: [], anchors: [root('Other').cert], opts: { time: T0 }, expect: false }; })());
    add('leaf signature broken', { ...s, leaf: tamper(s.leaf), expect: false });
    add('intermediate signature broken', { ...s, intermediates: [tamper(s.intermediates[0])], expect: false });
    add('leaf issued by an impostor of the intermediate', { ...s, leaf: issue(impostor, 'leaf', { cert: { san: LEAF_SAN } }).cert, expect: false });
    add('partial chain: intermediate as anchor, allowed', { ...s, intermediates: [], anchors: [s.nodes[1].cert], opts: { time: T0, partialChain: true }, expect: true });
    add('partial chain: intermediate as anchor, not allowed', { ...s, intermediates: [], anchors: [s.nodes[1].cert], opts: { time: T0 }, expect: false });
    add('partial chain: leaf itself as anchor', { ...s, intermediates: [], anchors: [s.leaf], opts: { time: T0, partialChain: true }, expect: true });
    add('depth limit 0 with one intermediate', { ...s, opts: { time: T0, maxDepth: 0 }, expect: false });
    add('depth limit 1 with one intermediate', { ...s, opts: { time: T0, maxDepth: 1 }, expect: true });
    add('strict mode, jsec defaults conform', { ...s, opts: { time: T0, strict: true }, expect: true });
    add('several problems at once', { ...s, opts: { time: at(1000), hostname: 'evil.example.test', purpose: 'client' }, expect: false });
  }
  add('depth limit 1 with two intermediates', { ...std(4), opts: { time: T0, maxDepth: 1 }, expect: false });
  add('strict mode, CA without keyUsage', { ...std(3, { 1: { keyUsage: [] } }), opts: { time: T0, strict: true }, expect: false });
  add('unknown critical extension on the leaf', { ...std(3, { 0: { extensions: UNKNOWN_CRIT } }), expect: false });
  add('unknown critical extension on the intermediate', { ...std(3, { 1: { extensions: UNKNOWN_CRIT } }), expect: false });
  add('unknown non-critical extension', { ...std(3, { 0: { extensions: UNKNOWN_NONCRIT } }), expect: true });
  add('must-staple leaf', { ...std(3, { 0: { mustStaple: true } }), expect: true });
  add('RSA root, Ed25519 intermediate, P-256 leaf', (() => {
    const r = root('RsaRoot', { keyAlg: 'rsa' });
    const i = issue(r, 'EdInter', { keyAlg: 'ed25519', cert: { ca: true } });
    const l = issue(i, 'leaf2', { cert: { san: ['mixed.example.test'] } });
    return { leaf: l.cert, intermediates: [i.cert], anchors: [r.cert], opts: { time: T0, hostname: 'mixed.example.test', purpose: 'server' }, expect: true };
  })());
  add('Ed448 root and leaf', (() => {
    const r = root('Ed448Root', { keyAlg: 'ed448' });
    const l = issue(r, 'ed448leaf', { keyAlg: 'ed448', cert: { san: ['ed448.example.test'] } });
    return { leaf: l.cert, intermediates: [], anchors: [r.cert], opts: { time: T0 }, expect: true };
  })());
  return out;
}

function opensslArgs(s, paths) {
  const args = ['verify', '-CAfile', paths.anchors];
  if (paths.untrusted) args.push('-untrusted', paths.untrusted);
  const o = s.opts;
  if (o.time) args.push('-attime', String(Math.floor(o.time.getTime() / 1000)));
  if (o.purpose) args.push('-purpose', { server: 'sslserver', client: 'sslclient', email: 'smimesign', timeStamping: 'timestampsign', ocspSigning: 'ocsphelper', any: 'any' }[o.purpose]);
  if (o.hostname) args.push('-verify_hostname', o.hostname);
  if (o.ip) args.push('-verify_ip', o.ip);
  if (o.email) args.push('-verify_email', o.email);
  if (paths.crls) args.push('-CRLfile', paths.crls);
  if (o.crlCheck === 'leaf') args.push('-crl_check');
  if (o.crlCheck === 'chain') args.push('-crl_check_all');
  if (o.partialChain) args.push('-partial_chain');
  if (o.strict) args.push('-x509_strict');
  if (o.maxDepth !== undefined) args.push('-verify_depth', String(o.maxDepth));
  args.push(paths.leaf);
  return args;
}

describe('verifyChain agrees with openssl verify', () => {
  let list;
  before(() => {
    list = scenarios();
  });

  test('the corpus has at least 60 scenarios and both verdicts', () => {
    assert.ok(list.length >= 60, `only ${list.length} scenarios`);
    assert.ok(list.some((s) => s.expect) && list.some((s) => !s.expect));
  });

  test('every scenario', { timeout: 120_000 }, () => {
    const codesSeen = new Set();
    for (const s of list) {
      const paths = {
        leaf: tempFile(s.leaf.pem),
        anchors: tempFile(s.anchors.map((c) => c.pem).join('')),
        untrusted: s.intermediates.length ? tempFile(s.intermediates.map((c) => c.pem).join('')) : undefined,
        crls: s.crls?.length ? tempFile(s.crls.map((c) => c.pem).join('')) : undefined,
      };
      const o = openssl(opensslArgs(s, paths));
      const sslErrors = verifyErrors(o.out);
      const sslValid = o.status === 0 && sslErrors.length === 0;

      const opts = { ...s.opts, trustAnchors: s.anchors, intermediates: s.intermediates };
      if (s.crls) opts.crls = s.crls;
      const r = verifyChain(s.leaf, opts);
      const ours = r.errors.map((e) => [e.verifyCode, e.depth]);
      r.errors.forEach((e) => codesSeen.add(e.code));

      const ctx = `${s.name}\nopenssl: ${JSON.stringify(sslErrors)} (${o.status})\njsec: ${JSON.stringify(r.errors.map((e) => [e.code, e.depth]))}\n${o.out}`;
      // Where jsec deliberately differs, the scenario says why and openssl gives the other verdict.
      if (s.differs) assert.equal(r.valid, !sslValid, `expected a deliberate difference (${s.differs}): ${ctx}`);
      else assert.equal(r.valid, sslValid, `verdict differs: ${ctx}`);
      assert.equal(r.valid, s.expect, `unexpected verdict: ${ctx}`);
      assert.deepEqual(ours.slice(0, sslErrors.length), sslErrors, `errors differ: ${ctx}`);
      if (!r.valid) assert.ok(r.errors.length > 0, ctx);
      if (r.valid) {
        // A valid chain runs from the leaf to one of the anchors.
        assert.ok(r.chain[0].equals(s.leaf), ctx);
        assert.ok(s.anchors.some((a) => a.equals(r.chain.at(-1))), ctx);
      }
      for (const e of r.errors) {
        assert.equal(typeof e.code, 'string');
        assert.ok(e.depth >= 0);
      }
    }
    // The corpus exercises the conditions it claims to.
    for (const code of ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'INVALID_CA', 'HOSTNAME_MISMATCH', 'IP_ADDRESS_MISMATCH', 'EMAIL_MISMATCH', 'CERT_REVOKED', 'UNABLE_TO_GET_CRL', 'CRL_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'UNHANDLED_CRITICAL_EXTENSION', 'CERT_CHAIN_TOO_LONG', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
      assert.ok(codesSeen.has(code), `no scenario produced ${code}: ${[...codesSeen].join(', ')}`);
    }
  });
});

describe('verifyChain details', () => {
  const c = chain(3);
  const [leaf, inter, rootNode] = c;

  test('several errors are reported, in OpenSSL order', () => {
    const r = verifyChain(leaf.cert, { trustAnchors: [rootNode.cert], intermediates: [inter.cert], time: at(1000), hostname: 'nope.test' });
    assert.equal(r.valid, false);
    const codes = r.errors.map((e) => e.code);
    assert.ok(codes.includes('HOSTNAME_MISMATCH'));
    assert.equal(codes.filter((x) => x === 'CERT_HAS_EXPIRED').length, 3);
    const expiredDepths = r.errors.filter((e) => e.code === 'CERT_HAS_EXPIRED').map((e) => e.depth).sort();
    assert.deepEqual(expiredDepths, [0, 1, 2]);
    for (const e of r.errors.filter((x) => x.code === 'CERT_HAS_EXPIRED')) assert.ok(e.certificate.equals(c[e.depth].cert));
    assert.equal(typeof r.errors[0].message, 'string');
  });

  test('chain elements are the given Certificate objects', () => {
    const r = verifyChain(leaf.cert, { trustAnchors: [rootNode.cert], intermediates: [inter.cert], time: T0 });
    assert.equal(r.valid, true);
    assert.equal(r.chain[0], leaf.cert);
    assert.equal(r.chain[1], inter.cert);
    assert.equal(r.chain[2], rootNode.cert);
    assert.ok(Object.isFrozen(r) && Object.isFrozen(r.chain) && Object.isFrozen(r.errors));
  });

  test('default trust anchors are Node\'s root store', () => {
    const r = verifyChain(leaf.cert, { intermediates: [inter.cert], time: T0 });
    assert.equal(r.valid, false);
    assert.ok(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT'].includes(r.errors[0].code));
  });

  test('a TrustStore is reusable and closable', () => {
    const store = new TrustStore([rootNode.cert.pem]);
    assert.equal(store.size, 1);
    for (let i = 0; i < 3; i++) assert.equal(verifyChain(leaf.cert, { trustAnchors: store, intermediates: [inter.cert], time: T0 }).valid, true);
    store.close();
    assert.equal(store.state, 'closed');
    assert.throws(() => verifyChain(leaf.cert, { trustAnchors: store, time: T0 }), { code: 'ERR_JSEC_CLOSED' });
    store.close();
  });

  test('PEM bundles are accepted for intermediates and anchors', () => {
    const r = verifyChain(leaf.cert.pem, { trustAnchors: rootNode.cert.pem, intermediates: inter.cert.pem + leaf.cert.pem, time: T0 });
    assert.equal(r.valid, true);
  });

  test('buildChain finds the path or returns null', () => {
    const path = buildChain(leaf.cert, [inter.cert, chain(2)[1].cert], [rootNode.cert]);
    assert.deepEqual(path.map((x) => x.commonName), ['leaf', 'Inter1', 'Root']);
    assert.equal(buildChain(leaf.cert, [], [rootNode.cert]), null);
    assert.equal(buildChain(leaf.cert, [inter.cert], [root('Elsewhere').cert]), null);
  });

  test('bad arguments throw typed errors; invalid chains do not', () => {
    assert.throws(() => verifyChain(42), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => verifyChain(leaf.cert, { purpose: 'serverr' }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => verifyChain(leaf.cert, { hostnme: 'x' }), { code: 'ERR_JSEC_UNKNOWN_OPTION' });
    assert.throws(() => verifyChain(leaf.cert, { time: 5 }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => verifyChain(leaf.cert, { trustAnchors: ['not a cert'] }), { code: 'ERR_JSEC_PEM_PARSE' });
    assert.throws(() => verifyChain(leaf.cert, { ip: 'not-an-ip' }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.doesNotThrow(() => verifyChain(leaf.cert, { trustAnchors: [] }));
  });

  test('codeSigning purpose checks the leaf EKU (also where OpenSSL has no code-signing purpose)', () => {
    const cs = issue(inter, 'signer', { cert: { extendedKeyUsage: ['codeSigning'], san: [] } });
    const ok = verifyChain(cs.cert, { trustAnchors: [rootNode.cert], intermediates: [inter.cert], time: T0, purpose: 'codeSigning' });
    assert.equal(ok.valid, true, JSON.stringify(ok.errors));
    const bad = verifyChain(leaf.cert, { trustAnchors: [rootNode.cert], intermediates: [inter.cert], time: T0, purpose: 'codeSigning' });
    assert.equal(bad.valid, false);
    assert.ok(bad.errors.some((e) => e.code === 'INVALID_PURPOSE' && e.depth === 0));
  });
});

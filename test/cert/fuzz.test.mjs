// Seeded fuzzing of every jsec/cert parser: certificates (PEM and DER), PEM
// bundles, CSRs and CRLs get garbage, truncated, oversized and mutated input
// (bit flips and byte splices of valid DER). Each input must yield a parse or
// a typed JsecError with a parser code; never a crash, a hang or another
// error. After a warm-up round, another identical round must not grow memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Certificate, Csr, Crl, createCrl, generateCsrSync, generateSelfSignedSync, generateSync } from 'jsec/cert';
import { isJsecError } from 'jsec';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc');

const PER_PARSER = 10_000;
const ALLOWED = new Set(['ERR_JSEC_CERT_PARSE', 'ERR_JSEC_PEM_PARSE', 'ERR_JSEC_CSR_PARSE', 'ERR_JSEC_CRL_PARSE', 'ERR_INVALID_ARG_VALUE', 'ERR_OUT_OF_RANGE']);

// xorshift128+ with a fixed seed: the same inputs every run.
function rng(seed) {
  let a = seed >>> 0 || 1;
  let b = (seed * 2654435761) >>> 0 || 2;
  return () => {
    let t = a ^ (a << 11);
    a = b;
    b = (b ^ (b >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    return b / 4294967296;
  };
}

function seeds() {
  const root = generateSelfSignedSync({ commonName: 'Fuzz Root', ca: true, keyType: 'ed25519' });
  const certs = [
    root.certificate,
    generateSync({
      subject: { C: 'US', O: 'Fuzz', CN: 'f.example.test' },
      san: ['f.example.test', 'IP:10.0.0.1', 'IP:::1', 'email:f@example.test', 'URI:https://f.example.test/'],
      ocsp: ['http://o.test/'],
      caIssuers: ['http://c.test/c.crt'],
      crlDistributionPoints: ['http://c.test/c.crl'],
      policies: ['1.2.3'],
      mustStaple: true,
      extensions: [{ oid: '1.3.6.1.4.1.55555.1', value: Buffer.from([5, 0]) }],
      issuer: { certificate: root.cert, key: root.key },
    }).certificate,
    generateSelfSignedSync({ keyType: 'rsa-2048', commonName: 'rsa.test' }).certificate,
    generateSelfSignedSync({ keyType: 'ec-p384', commonName: 'Jane' }).certificate,
  ];
  const csrs = [generateCsrSync({ commonName: 'csr.test', san: ['csr.test', 'IP:10.1.1.1'], extendedKeyUsage: ['serverAuth'], ca: false }).csr, generateCsrSync({ subject: { O: 'x', CN: 'y' }, keyType: 'ed448' }).csr];
  const crls = [
    createCrl({ issuer: { certificate: root.cert, key: root.key }, nextUpdate: new Date(Date.now() + 86400_000), crlNumber: 9n, entries: [{ serial: 5n, date: new Date(), reason: 'keyCompromise', invalidityDate: new Date() }, { serial: 'ABCD', date: new Date() }] }),
    createCrl({ issuer: { certificate: root.cert, key: root.key }, nextUpdate: new Date(Date.now() + 86400_000), crlNumber: 1n }),
  ];
  return { certs, csrs, crls };
}

function mutate(r, der, others) {
  const b = Buffer.from(der);
  const kind = Math.floor(r() * 6);
  if (kind === 0) {
    // bit flips
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    return b;
  }
  if (kind === 1) return b.subarray(0, Math.floor(r() * b.length)); // truncated
  if (kind === 2) {
    // splice in a chunk of another valid input
    const o = others[Math.floor(r() * others.length)];
    const from = Math.floor(r() * o.length);
    const chunk = o.subarray(from, from + Math.floor(r() * 200));
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), chunk, b.subarray(at + Math.floor(r() * 50))]);
  }
  if (kind === 3) {
    // length fields made huge or inconsistent
    const at = Math.floor(r() * Math.min(b.length, 40));
    b[at] = [0x84, 0xff, 0x80, 0x00, 0x83][Math.floor(r() * 5)];
    return b;
  }
  if (kind === 4) {
    // duplicated region (oversized nested content)
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at, at + 300), b.subarray(at)]);
  }
  // random bytes behind a SEQUENCE header
  const len = Math.floor(r() * 3000);
  const g = Buffer.alloc(len + 4);
  for (let i = 0; i < g.length; i++) g[i] = Math.floor(r() * 256);
  g[0] = 0x30;
  g[1] = 0x82;
  g.writeUInt16BE(len, 2);
  return g;
}

function garbage(r) {
  const len = Math.floor(r() * 2000);
  const g = Buffer.alloc(len);
  for (let i = 0; i < len; i++) g[i] = Math.floor(r() * 256);
  return r() < 0.5 ? g : g.toString('latin1');
}

function pemOf(label, der) {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}

function pemMutate(r, pem) {
  const k = Math.floor(r() * 5);
  if (k === 0) return pem.slice(0, Math.floor(r() * pem.length));
  if (k === 1) {
    const i = Math.floor(r() * pem.length);
    return pem.slice(0, i) + String.fromCharCode(Math.floor(r() * 128)) + pem.slice(i + 1);
  }
  if (k === 2) return pem.replace('-----END', '-----FIN');
  if (k === 3) return pem.replace(/\n/g, r() < 0.5 ? '\r\n' : '');
  return pem.replace('BEGIN ', 'BEGIN X');
}

/** Inputs for one parser: a mix of every kind, deterministic. */
function inputs(seed, valid, label, others) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < PER_PARSER; i++) {
    const v = valid[i % valid.length];
    const m = i % 10;
    if (m === 0) out.push(garbage(r));
    else if (m <= 5) out.push(mutate(r, v, others));
    else if (m <= 7) out.push(pemOf(label, mutate(r, v, others)));
    else if (m === 8) out.push(pemMutate(r, pemOf(label, v)));
    else out.push(i % 3 === 0 ? v : pemOf(label, v));
  }
  // Oversized and odd inputs.
  out.push(Buffer.alloc(17 * 1024 * 1024, 0x30), `-----BEGIN ${label}-----\n${'A'.repeat(2_000_000)}\n-----END ${label}-----\n`, '', Buffer.alloc(0), Buffer.from([0x30]), Buffer.from([0x30, 0x80, 0, 0]));
  return out;
}

function exercise(parsed) {
  // Touch every decoded field so lazily decoded data is checked too.
  for (const p of Array.isArray(parsed) ? parsed : [parsed]) JSON.stringify(p.toJSON());
}

function run(parse, list, stats) {
  for (const input of list) {
    try {
      exercise(parse(input));
      stats.ok++;
    } catch (e) {
      if (!isJsecError(e) || !ALLOWED.has(e.code)) {
        assert.fail(`unexpected error ${e?.code ?? e?.name}: ${e?.message} for input ${Buffer.from(input).subarray(0, 64).toString('hex')}`);
      }
      stats.errors[e.code] = (stats.errors[e.code] ?? 0) + 1;
    }
  }
}

// Node-API finalizers (which free the native objects) run on a later turn of
// the event loop, not inside gc(): settle them before reading RSS.
async function settledRss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise(setImmediate);
  }
  return process.memoryUsage().rss;
}

test('every parser survives 10,000 hostile inputs, three times, without growing after the first', { timeout: 120_000 }, async () => {
  const { certs, csrs, crls } = seeds();
  const certDer = certs.map((c) => c.raw);
  const csrDer = csrs.map((c) => c.raw);
  const crlDer = crls.map((c) => c.raw);
  const all = [...certDer, ...csrDer, ...crlDer];
  const bundles = (() => {
    const r = rng(99);
    const out = [];
    for (let i = 0; i < PER_PARSER; i++) {
      const n = 1 + Math.floor(r() * 4);
      let s = '';
      for (let j = 0; j < n; j++) {
        const der = certDer[Math.floor(r() * certDer.length)];
        const pem = pemOf('CERTIFICATE', r() < 0.5 ? der : mutate(r, der, all));
        s += r() < 0.3 ? pemMutate(r, pem) : pem;
        if (r() < 0.2) s += 'noise between blocks\n';
        if (r() < 0.1) s += pemOf('PRIVATE KEY', Buffer.from('not a key'));
      }
      out.push(r() < 0.5 ? s : Buffer.from(s));
    }
    return out;
  })();
  const parsers = [
    ['certificate', (x) => Certificate.from(x), inputs(1, certDer, 'CERTIFICATE', all)],
    ['PEM bundle', (x) => Certificate.fromPem(x), bundles],
    ['CSR', (x) => Csr.from(x), inputs(2, csrDer, 'CERTIFICATE REQUEST', all)],
    ['CRL', (x) => Crl.from(x), inputs(3, crlDer, 'X509 CRL', all)],
  ];
  const started = Date.now();
  const report = {};
  let rssAfterFirst = 0;
  // Round 0 warms up (the heap and the allocator settle at their working
  // size, which differs between Node lines); rounds 1 and 2 must not grow.
  for (let round = 0; round < 3; round++) {
    for (const [name, parse, list] of parsers) {
      const stats = { ok: 0, errors: {} };
      run(parse, list, stats);
      if (round === 0) report[name] = stats;
      // Both verdicts occur: the fuzzer reaches the parser and the valid path.
      assert.ok(stats.ok > 0 && Object.keys(stats.errors).length > 0, `${name}: ${JSON.stringify(stats)}`);
      assert.ok(list.length >= PER_PARSER);
    }
    if (round === 1) rssAfterFirst = await settledRss();
  }
  const growth = (await settledRss()) - rssAfterFirst;
  // A leak of even a few hundred bytes per input would show as tens of MB here.
  assert.ok(growth < 48 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB in the third round`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`fuzz: ${JSON.stringify(report)} in ${seconds.toFixed(1)} s, third-round RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
});

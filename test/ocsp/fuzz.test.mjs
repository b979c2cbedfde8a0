// Seeded fuzzing of the OCSP request and response parsers (and of response
// verification): garbage, truncated, oversized and mutated valid DER. Every
// input either parses or yields a typed error; nothing crashes; memory stays
// bounded across a second identical round (no leak per input).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildOcspRequest, createOcspErrorResponse, OcspSigner, parseOcspRequest, parseOcspResponse, verifyOcspResponse } from 'jsec/ocsp';
import { JsecError } from 'jsec/errors';
import { smallPki } from '../helpers/test-pki.mjs';
import { seeded } from '../helpers/prng.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const N = 10_000;
const PARSE_CODES = new Set(['ERR_JSEC_OCSP_PARSE', 'ERR_JSEC_OCSP_TOO_LARGE']);

const prng = seeded;

/** The i-th fuzz input derived from the corpus. */
function input(r, corpus, i) {
  const base = corpus[r.int(corpus.length)];
  switch (i % 6) {
    case 0: {
      // Garbage, sometimes dressed as a SEQUENCE with a plausible or absurd length.
      const g = r.bytes(r.int(600));
      if (g.length > 2 && r.next() < 0.5) {
        g[0] = 0x30;
        g[1] = r.next() < 0.5 ? Math.min(127, g.length - 2) : 0x80 | (1 + r.int(4));
      }
      return g;
    }
    case 1:
      return base.subarray(0, r.int(base.length));
    case 2: {
      const m = Buffer.from(base);
      for (let k = 1 + r.int(4); k > 0; k--) m[r.int(m.length)] = r.int(256);
      return m;
    }
    case 3: {
      // Length fields: the byte after a constructed tag becomes something else.
      const m = Buffer.from(base);
      const positions = [];
      for (let p = 0; p < m.length - 1; p++) if (m[p] === 0x30 || m[p] === 0x04 || (m[p] & 0xe0) === 0xa0) positions.push(p + 1);
      const p = positions[r.int(positions.length)] ?? 1;
      const choices = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, m[p] + 1, m[p] - 1];
      m[p] = choices[r.int(choices.length)] & 0xff;
      return m;
    }
    case 4: {
      // Insert or delete a run of bytes.
      const at = r.int(base.length);
      return r.next() < 0.5 ? Buffer.concat([base.subarray(0, at), r.bytes(1 + r.int(16)), base.subarray(at)]) : Buffer.concat([base.subarray(0, at), base.subarray(Math.min(base.length, at + 1 + r.int(16)))]);
    }
    default:
      // Valid, valid plus trailing bytes, and now and then oversized.
      if (i % 2500 === 5) return Buffer.alloc(1_048_577, 0x30);
      return r.next() < 0.5 ? base : Buffer.concat([base, r.bytes(1 + r.int(8))]);
  }
}

function run(parse, corpus, seed, onResult, count = N) {
  const r = prng(seed);
  const seen = { ok: 0, errors: new Map() };
  for (let i = 0; i < count; i++) {
    const data = input(r, corpus, i);
    try {
      const v = parse(data);
      assert.equal(typeof v, 'object');
      seen.ok++;
      onResult?.(v, data);
    } catch (err) {
      if (!(err instanceof JsecError) || !PARSE_CODES.has(err.code)) {
        throw new Error(`input ${i} (${data.subarray(0, 64).toString('hex')}): unexpected ${err?.name} ${err?.code}: ${err?.message}`);
      }
      seen.errors.set(err.code, (seen.errors.get(err.code) ?? 0) + 1);
    }
  }
  return seen;
}

let pki;
let requests;
let responses;
before(async () => {
  pki = await smallPki();
  const issuer = pki.inter.certificate;
  requests = [
    buildOcspRequest({ issuer, certificate: pki.server.certificate }).der,
    buildOcspRequest({ issuer, certificate: [pki.server.certificate, pki.client.certificate], hash: 'sha256', nonce: false }).der,
    buildOcspRequest({ issuer, serialNumber: ['01', '7F00FF'], nonce: Buffer.from('n') }).der,
  ];
  const caSigner = new OcspSigner({ certificate: issuer, key: pki.inter.export().key });
  const delegated = new OcspSigner({ certificate: pki.responder.certificate, key: pki.responder.privateKey, chain: [issuer], responderId: 'name' });
  const req = buildOcspRequest({ issuer, certificate: pki.server.certificate });
  const ids = req.certIds;
  responses = [
    caSigner.sign({ responses: [{ certId: ids[0], status: 'good' }], request: req }),
    caSigner.sign({ responses: [{ certId: ids[0], status: 'revoked', revocationTime: Date.now() - 1000, revocationReason: 'keyCompromise' }] }),
    delegated.sign({ responses: [{ certId: ids[0], status: 'unknown', nextUpdate: null }], request: req }),
    createOcspErrorResponse('tryLater'),
  ];
  caSigner.close();
  delegated.close();
});
after(async () => pki?.close());

test(`${N} fuzzed OCSP requests: parsed or ERR_JSEC_OCSP_PARSE / _TOO_LARGE`, { timeout: 60_000 }, () => {
  const seen = run(parseOcspRequest, requests, 0x5eed01);
  assert.ok(seen.ok > 500, `only ${seen.ok} parsed`);
  assert.ok(seen.errors.get('ERR_JSEC_OCSP_PARSE') > 3000);
  assert.ok(seen.errors.get('ERR_JSEC_OCSP_TOO_LARGE') >= 1);
});

test(`${N} fuzzed OCSP responses: parsed or typed errors; parsed ones verify or fail with typed errors`, { timeout: 60_000 }, () => {
  const verifyCodes = new Map();
  let verified = 0;
  let n = 0;
  const seen = run(parseOcspResponse, responses, 0x5eed02, (parsed, data) => {
    // Verification of (every third) input that parsed must also end in a result or a typed error.
    if (n++ % 3 !== 0) return;
    try {
      verifyOcspResponse(data, { issuer: pki.inter.certificate, certificate: pki.server.certificate });
      verified++;
    } catch (err) {
      assert.ok(err instanceof JsecError, `verify threw ${err}`);
      verifyCodes.set(err.code, (verifyCodes.get(err.code) ?? 0) + 1);
    }
    void parsed;
  });
  assert.ok(seen.ok > 500, `only ${seen.ok} parsed`);
  assert.ok(seen.errors.get('ERR_JSEC_OCSP_PARSE') > 3000);
  assert.ok(verified > 0);
  assert.ok(verifyCodes.size >= 2, [...verifyCodes.keys()].join());
});

test('memory stays bounded: a second identical round grows RSS by less than 32 MiB', { timeout: 60_000 }, () => {
  const round = () => {
    run(parseOcspResponse, responses, 0x5eed03, undefined, N / 2);
    run(parseOcspRequest, requests, 0x5eed04, undefined, N / 2);
  };
  round();
  gc();
  const before = process.memoryUsage().rss;
  round();
  gc();
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 32 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
});

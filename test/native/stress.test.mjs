// Stress of every native family through the public API: each entry point is
// called in loops over valid, invalid and hostile inputs (garbage and
// truncated DER, closed objects used again, concurrent async calls), and
// resident memory must stay bounded: after warm-up rounds, further rounds of
// the same work may grow RSS by less than a fixed bound. Also regression
// tests for native defects: the PEM passphrase prompt on the controlling
// terminal (the >2 GiB input regressions are in big-inputs.test.mjs).
// Deterministic: a seeded PRNG; JSEC_STRESS_SEED overrides it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { Certificate, TrustStore, verifyChain, verifySignature, generateSelfSignedSync, generateCsrSync, Csr, createCrl, Crl } from 'jsec/cert';
import * as c from 'jsec/crypto';
import { buildOcspRequest, parseOcspRequest, parseOcspResponse, OcspSigner, verifyOcspResponse, ocspCertId, createOcspErrorResponse } from 'jsec/ocsp';
import { MemoryBio, TlsEngine, activeHandles } from 'jsec/bio';
import { JsecError, isErrorCode } from 'jsec/errors';
import { smallPki } from '../helpers/test-pki.mjs';
import { seeded } from '../helpers/prng.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const SEED = Number(process.env.JSEC_STRESS_SEED ?? 0x6e617469);
const MiB = 1024 * 1024;

function prng(seed) {
  const { next, int, bytes } = seeded(seed);
  // A hostile variant of valid DER: truncated, bit-flipped, length-tampered or random.
  const hostile = (der) => {
    const b = Buffer.from(der);
    switch (int(5)) {
      case 0: return b.subarray(0, int(b.length));
      case 1: { for (let k = 0, n = 1 + int(4); k < n; k++) b[int(b.length)] ^= 1 << int(8); return b; }
      case 2: { const i = int(b.length - 1); b[i + 1] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff][int(6)]; return b; }
      case 3: return Buffer.concat([b, bytes(1 + int(8))]);
      default: return bytes(int(64));
    }
  };
  return { next, int, bytes, hostile };
}

// Node-API finalizers (the certificate handles' X509_free) run on a later
// turn of the event loop, not inside gc(): a loop that never yields keeps
// every handle alive. Measure after the queued finalizers ran.
const turn = () => new Promise(setImmediate);
async function rss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await turn();
  }
  return process.memoryUsage().rss;
}

/**
 * Runs `round` twice after two warm-up rounds; returns the RSS growth of the
 * measured rounds in MiB. Two warm-ups: the libuv pool threads that run the
 * async calls each grow their own malloc arena and OpenSSL thread state the
 * first times they run, more slowly on some Node lines (22) than others.
 */
async function growth(round) {
  await round();
  await round();
  const before = await rss();
  await round();
  await round();
  return (await rss() - before) / MiB;
}

/** The call either succeeds or throws a typed JsecError with a registered code; returns the code or 'ok'. */
function outcome(fn) {
  try {
    fn();
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof JsecError, `not a JsecError: ${err?.name}: ${err?.message}`);
    assert.ok(isErrorCode(err.code), `unregistered code ${err.code}`);
    return err.code;
  }
}

async function outcomeAsync(p) {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof JsecError, `not a JsecError: ${err?.name}: ${err?.message}`);
    assert.ok(isErrorCode(err.code), `unregistered code ${err.code}`);
    return err.code;
  }
}

function tally(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

let pki;
let material;
before(async () => {
  pki = await smallPki();
  const server = pki.server;
  const inter = pki.inter.export();
  material = {
    leafPem: server.cert,
    leafDer: Buffer.from(server.certificate.derView),
    interPem: inter.certificate,
    rootPem: pki.root.export().certificate,
    interKey: inter.key,
    serverKey: server.key,
  };
  assert.ok(Buffer.isBuffer(material.leafDer), 'leaf DER');
});
after(async () => pki?.close());

test('cert family (x509, store, csr, crl): parse, verify, build loops stay bounded; hostile DER gives typed errors', { timeout: 60_000 }, async (t) => {
  const r = prng(SEED);
  const codes = new Map();
  const round = async () => {
    for (let i = 0; i < 300; i++) {
      if (i % 50 === 0) await turn();
      const cert = Certificate.from(material.leafPem);
      assert.equal(typeof cert.subject, 'object');
      assert.equal(verifySignature(material.leafPem, material.interPem), true);
      tally(codes, outcome(() => Certificate.from(r.hostile(material.leafDer))));
      const store = new TrustStore([material.rootPem]);
      const res = verifyChain(material.leafPem, { intermediates: [material.interPem], trustAnchors: store, hostname: 'server.test' });
      assert.equal(res.valid, true);
      store.close();
      // A closed store is refused, not used.
      tally(codes, outcome(() => verifyChain(material.leafPem, { intermediates: [material.interPem], trustAnchors: store })));
    }
    for (let i = 0; i < 20; i++) {
      const g = generateSelfSignedSync({ commonName: `stress ${i}`, keyType: 'ec-p256' });
      assert.ok(g);
      const csr = generateCsrSync({ commonName: `csr ${i}`, keyType: 'ec-p256' });
      assert.ok(Csr.from(csr.der).subject);
      tally(codes, outcome(() => Csr.from(r.hostile(csr.der))));
      const crl = createCrl({ issuer: { certificate: material.interPem, key: material.interKey }, nextUpdate: new Date(Date.now() + 86_400_000), crlNumber: BigInt(i + 1), entries: [{ serial: BigInt(i + 1), date: new Date(0), reason: 'keyCompromise' }] });
      const again = Crl.from(Buffer.from(crl.derView));
      assert.equal(again.entries.length, 1);
      tally(codes, outcome(() => Crl.from(r.hostile(crl.derView))));
    }
  };
  const grew = await growth(round);
  t.diagnostic(`RSS growth over two rounds after warm-up: ${grew.toFixed(2)} MiB`);
  assert.ok(grew < 8, `RSS grew ${grew.toFixed(1)} MiB over two rounds`);
  assert.ok(codes.get('ERR_JSEC_CERT_PARSE') > 100, JSON.stringify([...codes]));
  assert.ok([...codes.keys()].some((k) => k !== 'ok' && k !== 'ERR_JSEC_CERT_PARSE'), 'the closed store was refused with a typed error');
});

test('crypto family (aead, cms, pkcs12, ec): loops bounded; closed keys refused; concurrent async calls settle', { timeout: 60_000 }, async (t) => {
  const r = prng(SEED + 1);
  const codes = new Map();
  const leaf = { certificate: pki.server.cert, privateKey: pki.server.key };
  const trusted = [material.rootPem];
  const purpose = 'any';
  const intermediates = [material.interPem];
  const round = async () => {
    for (let i = 0; i < 400; i++) {
      if (i % 50 === 0) await turn();
      for (const alg of c.AEAD_ALGORITHMS) {
        const info = c.cipherInfo(alg);
        const key = r.bytes(info.keyLength);
        const nonce = r.bytes(info.nonceLength);
        const pt = r.bytes(r.int(300));
        const s = c.encrypt(alg, key, nonce, pt, { aad: 'a' });
        assert.deepEqual(c.decrypt(alg, key, nonce, s.ciphertext, s.tag, { aad: 'a' }), pt);
        const bad = Buffer.from(s.tag);
        bad[0] ^= 1;
        tally(codes, outcome(() => c.decrypt(alg, key, nonce, s.ciphertext, bad, { aad: 'a' })));
        if (i % 20 === 0) {
          const k = c.createAeadKey(alg, key);
          const s2 = k.encrypt(nonce, pt);
          assert.deepEqual(k.decrypt(nonce, s2.ciphertext, s2.tag), pt);
          k.close();
          tally(codes, outcome(() => k.encrypt(nonce, pt)));
        }
      }
      const scalar = c.ecGenerateScalar('P-256');
      const p = c.ecPointMul('P-256', scalar);
      c.ecPointAdd('P-256', p, p);
      tally(codes, outcome(() => c.ecPointFromBytes('P-256', r.bytes(65))));
    }
    // CMS and PKCS#12: sync, hostile, and many async calls in flight at once.
    const data = r.bytes(1000);
    const signed = c.cmsSignSync(data, leaf);
    assert.deepEqual(Buffer.from(c.cmsVerifySync(signed, { trusted, intermediates, purpose }).content), data);
    const enveloped = c.cmsEncryptSync(data, [pki.server.cert]);
    assert.deepEqual(c.cmsDecryptSync(enveloped, { privateKey: pki.server.key, certificate: pki.server.cert }), data);
    const pfx = c.createPkcs12Sync({ key: pki.server.key, certificate: pki.server.cert, password: 'pw', iterations: 1, macIterations: 1 });
    for (let i = 0; i < 60; i++) {
      tally(codes, outcome(() => c.cmsVerifySync(r.hostile(signed), { trusted })));
      tally(codes, outcome(() => c.parsePkcs12Sync(r.hostile(pfx), 'pw')));
      tally(codes, outcome(() => c.parsePkcs12Sync(pfx, 'wrong')));
    }
    const pending = [];
    for (let i = 0; i < 40; i++) {
      pending.push(outcomeAsync(c.cmsSign(data, leaf)));
      pending.push(outcomeAsync(c.cmsVerify(r.hostile(signed), { trusted })));
      pending.push(outcomeAsync(c.cmsDecrypt(enveloped, { privateKey: pki.server.key, certificate: pki.server.cert })));
      pending.push(outcomeAsync(c.parsePkcs12(i % 2 ? pfx : r.hostile(pfx), 'pw')));
    }
    for (const code of await Promise.all(pending)) tally(codes, code);
  };
  const grew = await growth(round);
  t.diagnostic(`RSS growth over two rounds after warm-up: ${grew.toFixed(2)} MiB`);
  assert.ok(grew < 8, `RSS grew ${grew.toFixed(1)} MiB over two rounds`);
  assert.ok(codes.get('ok') > 100, JSON.stringify([...codes]));
  assert.ok(codes.get('ERR_JSEC_CRYPTO_AUTH_FAILED') >= 3 * 400 * c.AEAD_ALGORITHMS.length, 'every tampered tag was refused');
  assert.ok(codes.get('ERR_JSEC_CLOSED') >= 3 * 20 * c.AEAD_ALGORITHMS.length, 'every closed AeadKey was refused');
  assert.ok(codes.get('ERR_JSEC_CRYPTO_BAD_PASSWORD') >= 3 * 60, JSON.stringify([...codes]));
});

test('ocsp family: cert ids, requests, signer (closed too), responses and verification stay bounded', { timeout: 60_000 }, async (t) => {
  const r = prng(SEED + 2);
  const codes = new Map();
  const issuer = pki.inter.certificate;
  const round = async () => {
    for (let i = 0; i < 300; i++) {
      if (i % 50 === 0) await turn();
      ocspCertId({ issuer, certificate: pki.server.certificate });
      const req = buildOcspRequest({ issuer, certificate: pki.server.certificate });
      assert.equal(parseOcspRequest(req.der).certIds.length, 1);
      tally(codes, outcome(() => parseOcspRequest(r.hostile(req.der))));
      if (i % 10 === 0) {
        const signer = new OcspSigner({ certificate: issuer, key: pki.inter.export().key });
        const resp = signer.sign({ responses: [{ certId: req.certIds[0], status: 'good' }], request: req });
        signer.close();
        tally(codes, outcome(() => signer.sign({ responses: [{ certId: req.certIds[0], status: 'good' }] })));
        assert.equal(parseOcspResponse(resp).responses.length, 1);
        tally(codes, outcome(() => verifyOcspResponse(resp, { issuer, certificate: pki.server.certificate })));
        tally(codes, outcome(() => verifyOcspResponse(r.hostile(resp), { issuer, certificate: pki.server.certificate })));
      }
      tally(codes, outcome(() => parseOcspResponse(r.hostile(createOcspErrorResponse('tryLater')))));
    }
  };
  const grew = await growth(round);
  t.diagnostic(`RSS growth over two rounds after warm-up: ${grew.toFixed(2)} MiB`);
  assert.ok(grew < 8, `RSS grew ${grew.toFixed(1)} MiB over two rounds`);
  assert.ok(codes.get('ERR_JSEC_OCSP_PARSE') > 100, JSON.stringify([...codes]));
  // A closed signer is a state error (the TypeScript object refuses before native code).
  assert.ok(codes.get('ERR_JSEC_INVALID_STATE') >= 3 * 30, JSON.stringify([...codes]));
});

test('bio family (engine, memory bio): in-memory TLS pairs, use after close, handle counts and RSS return', { timeout: 60_000 }, async (t) => {
  const r = prng(SEED + 3);
  const codes = new Map();
  const start = activeHandles();
  const round = async () => {
    for (let i = 0; i < 60; i++) {
      await turn();
      const client = new TlsEngine({ servername: 'server.test', ca: material.rootPem });
      const server = new TlsEngine({ isServer: true, cert: `${pki.server.cert}${material.interPem}`, key: pki.server.key });
      for (let k = 0; k < 10 && !(client.handshake() && server.handshake()); k++) {
        const a = client.takeCiphertext();
        if (a.length) server.putCiphertext(a);
        server.handshake();
        const b = server.takeCiphertext();
        if (b.length) client.putCiphertext(b);
      }
      assert.equal(client.state, 'open');
      if (i === 0) {
        // Every byte view is a context: a DataView once failed with an untyped "Invalid argument".
        const ctx = Buffer.from([1, 2, 3]);
        const want = client.exportKeyingMaterial(16, 'EXPORTER-stress', ctx);
        assert.deepEqual(client.exportKeyingMaterial(16, 'EXPORTER-stress', new DataView(ctx.buffer, ctx.byteOffset, 3)), want);
        assert.deepEqual(server.exportKeyingMaterial(16, 'EXPORTER-stress', new Uint8Array(ctx)), want);
        assert.notDeepEqual(client.exportKeyingMaterial(16, 'EXPORTER-stress'), want);
      }
      const msg = r.bytes(1 + r.int(20000));
      client.write(msg);
      server.putCiphertext(client.takeCiphertext());
      const got = [];
      for (let chunk = server.read(); chunk; chunk = server.read()) got.push(chunk);
      assert.deepEqual(Buffer.concat(got), msg);
      // Garbage into a live engine fails it with a typed error; closed engines refuse work.
      if (i % 2) {
        server.putCiphertext(r.bytes(64));
        tally(codes, outcome(() => server.read()));
      }
      client.close();
      server[Symbol.dispose]();
      tally(codes, outcome(() => client.write('x')));
      tally(codes, outcome(() => server.putCiphertext(Buffer.from('x'))));
      const m = new MemoryBio();
      m.write(r.bytes(4096));
      assert.equal(m.read(1000).length, 1000);
      assert.equal(m.pending, 3096);
      m.close();
      tally(codes, outcome(() => m.write('x')));
    }
  };
  const grew = await growth(round);
  t.diagnostic(`RSS growth over two rounds after warm-up: ${grew.toFixed(2)} MiB`);
  const end = activeHandles();
  assert.equal(end.engines, start.engines);
  assert.equal(end.memoryBios, start.memoryBios);
  assert.equal(end.ssl, start.ssl);
  assert.ok(grew < 8, `RSS grew ${grew.toFixed(1)} MiB over two rounds`);
  assert.ok(codes.get('ERR_JSEC_CLOSED') >= 3 * 60 * 2, JSON.stringify([...codes]));
  assert.ok(codes.size >= 2, 'garbage into a live engine failed it with a typed TLS error');
});

test('objects left open in worker threads are freed at environment teardown (OpenSSL counts and RSS return)', { timeout: 60_000 }, async (t) => {
  const runWorker = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL('./teardown-worker.mjs', import.meta.url), { workerData: { count: 50, ca: material.rootPem } });
      let made = 0;
      w.on('message', (n) => {
        made = n;
      });
      w.on('error', reject);
      w.on('exit', (code) => (code === 0 ? resolve(made) : reject(new Error(`worker exit ${code}`))));
    });
  assert.equal(await runWorker(), 250);
  const start = activeHandles();
  const round = async () => {
    for (let i = 0; i < 4; i++) await runWorker();
  };
  const grew = await growth(round);
  t.diagnostic(`RSS growth over two rounds of 4 workers: ${grew.toFixed(2)} MiB`);
  const end = activeHandles();
  assert.equal(end.ssl, start.ssl, 'every SSL of the workers was freed');
  assert.equal(end.sslCtx, start.sslCtx, 'every SSL_CTX of the workers was freed');
  assert.ok(grew < 16, `RSS grew ${grew.toFixed(1)} MiB over two rounds`);
});

test('a CA or certificate PEM with an encryption header fails at once, without a passphrase prompt on the terminal', { timeout: 30_000, skip: existsSync('/usr/bin/script') ? false : 'no script(1) for a pseudo-terminal' }, () => {
  const lines = pki.server.cert.trim().split('\n');
  const encrypted = [lines[0], 'Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF', '', ...lines.slice(1)].join('\n');
  const code = 'import("jsec/bio").then(({ TlsEngine }) => { for (const o of [{ servername: "server.test", ca: process.env.JSEC_PEM }, { isServer: true, cert: process.env.JSEC_PEM, key: process.env.JSEC_KEY }]) { try { new TlsEngine(o); console.log("constructed"); } catch (e) { console.log("code=" + e.code); } } })';
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  const env = { ...process.env, JSEC_PEM: encrypted, JSEC_KEY: pki.server.key };
  // script(1) gives the child a controlling terminal, where OpenSSL's default callback would prompt.
  const res = spawnSync('script', ['-qec', `'${process.execPath}' --input-type=module -e '${code}'`, '/dev/null'], { cwd, env, input: '', encoding: 'utf8', timeout: 20_000 });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  assert.doesNotMatch(res.stdout, /pass phrase/i);
  assert.equal((res.stdout.match(/code=ERR_INVALID_ARG_VALUE/g) ?? []).length, 2, res.stdout);
});

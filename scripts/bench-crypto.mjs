#!/usr/bin/env node
// jsec/crypto benchmark (not a test): AEAD throughput per algorithm at one
// message size against `openssl speed -evp` (streaming, one context) and
// `openssl speed -aead -evp` (per-message init, like jsec's one-shot calls),
// and sign/verify operations per second against `openssl speed`, measured
// in the same run and reported as ratios. Rates are per CPU-second of user
// time on both sides (what `openssl speed` reports); each round measures
// jsec and openssl back to back and the ratios are medians of the per-round
// ratios, so a busy machine skews both sides alike.
//
//   node scripts/bench-crypto.mjs [--seconds 1] [--rounds 3] [--bytes 16384] [--json]
import { execFileSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as c from 'jsec/crypto';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    bytes: { type: 'string', default: '16384' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const bytes = Number(values.bytes);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Calls f in batches for `seconds` of wall time; returns calls per user-CPU-second. */
function rate(f, batch = 50) {
  for (let i = 0; i < batch * 4; i++) f();
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) f();
    n += batch;
  }
  const user = process.cpuUsage(cpu0).user / 1e6;
  return n / user;
}

function opensslSpeed(args) {
  const out = execFileSync('openssl', ['speed', '-mr', '-seconds', String(Math.max(1, Math.round(seconds))), ...args], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return out.split('\n').filter((l) => l.startsWith('+F'));
}

// The per-message floor: scripts/bench/aead-per-message.c makes, in C and on
// the OpenSSL that `openssl speed` runs on, the calls jsec's keyed path makes
// per message. Built here when a C compiler and OpenSSL's headers are
// present; the column is left out otherwise.
function buildFloor() {
  try {
    const exe = join(mkdtempSync(join(tmpdir(), 'jsec-bench-')), 'aead-per-message');
    const src = new URL('./bench/aead-per-message.c', import.meta.url).pathname;
    execFileSync('cc', ['-O2', '-o', exe, src, '-lcrypto'], { stdio: 'ignore' });
    return exe;
  } catch {
    return null;
  }
}
const FLOOR = buildFloor();
const FLOOR_CIPHER = { 'aes-128-gcm': 'AES-128-GCM', 'aes-256-gcm': 'AES-256-GCM', 'chacha20-poly1305': 'ChaCha20-Poly1305', 'aes-128-ccm': 'AES-128-CCM', 'aes-256-ccm': 'AES-256-CCM' };
const floorRate = (alg) => Number(execFileSync(FLOOR, [FLOOR_CIPHER[alg], String(bytes), String(seconds)]).toString());

const OSSL_CIPHER = { 'aes-128-gcm': 'aes-128-gcm', 'aes-256-gcm': 'aes-256-gcm', 'chacha20-poly1305': 'chacha20-poly1305', 'aes-128-ccm': 'aes-128-ccm', 'aes-256-ccm': 'aes-256-ccm' };

function aeadCase(alg) {
  const info = c.cipherInfo(alg);
  const key = c.randomBytes(info.keyLength);
  const nonce = c.generateNonce(alg);
  const pt = c.randomBytes(bytes);
  const aad = Buffer.alloc(13, 1);
  const keyed = c.createAeadKey(alg, key);
  const out = Buffer.allocUnsafe(bytes + 16);
  const jsec = () => keyed.encryptInto(nonce, pt, out, { aad });
  const keyedAlloc = () => keyed.encrypt(nonce, pt, { aad });
  const oneShot = () => c.encrypt(alg, key, nonce, pt, { aad });
  const viaNode = () => {
    const ci = nodeCrypto.createCipheriv(alg, key, nonce, { authTagLength: 16 });
    ci.setAAD(aad, { plaintextLength: pt.length });
    ci.update(pt);
    ci.final();
    ci.getAuthTag();
  };
  const r = { jsec: [], keyedAlloc: [], oneShot: [], node: [], openssl: [], opensslAead: [], floor: [] };
  for (let i = 0; i < rounds; i++) {
    r.jsec.push(rate(jsec) * bytes);
    if (FLOOR) r.floor.push(floorRate(alg));
    r.keyedAlloc.push(rate(keyedAlloc) * bytes);
    r.oneShot.push(rate(oneShot) * bytes);
    r.node.push(rate(viaNode) * bytes);
    const parse = (lines) => Number(lines.at(-1).split(':').at(-1));
    r.openssl.push(parse(opensslSpeed(['-evp', OSSL_CIPHER[alg], '-bytes', String(bytes)])));
    r.opensslAead.push(parse(opensslSpeed(['-aead', '-evp', OSSL_CIPHER[alg], '-bytes', String(bytes)])));
  }
  keyed.close();
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
  // Ratios are medians of per-round ratios: each round measures both sides
  // back to back, so a load spike moves numerator and denominator together.
  const pr = (a, b) => median(r[a].map((x, i) => x / r[b][i]));
  return { algorithm: alg, bytes, jsecMBps: m.jsec / 1e6, jsecAllocMBps: m.keyedAlloc / 1e6, allocRatio: pr('keyedAlloc', 'openssl'), jsecOneShotMBps: m.oneShot / 1e6, oneShotRatio: pr('oneShot', 'openssl'), nodeCipherivMBps: m.node / 1e6, opensslMBps: m.openssl / 1e6, opensslAeadMBps: m.opensslAead / 1e6, ratio: pr('jsec', 'openssl'), ratioAead: pr('jsec', 'opensslAead'), nodeRatio: pr('node', 'openssl'), ...(FLOOR ? { floorMBps: m.floor / 1e6, floorRatio: pr('floor', 'openssl'), jsecFloorRatio: pr('jsec', 'floor') } : {}) };
}

const SIGN_CASES = [
  { name: 'ed25519', gen: ['ed25519', {}], speed: ['ed25519'], pick: (l) => l.find((x) => x.includes(':Ed25519:')), cols: [4, 5] },
  { name: 'ecdsa P-256 (sha256)', gen: ['ec', { curve: 'P-256' }], speed: ['ecdsap256'], pick: (l) => l.find((x) => x.startsWith('+F4:')), cols: [3, 4] },
  { name: 'ecdsa P-384 (sha384)', gen: ['ec', { curve: 'P-384' }], speed: ['ecdsap384'], pick: (l) => l.find((x) => x.startsWith('+F4:')), cols: [3, 4] },
  { name: 'rsa 2048 pkcs1 (sha256)', gen: ['rsa', { modulusLength: 2048 }], speed: ['rsa2048'], pick: (l) => l.find((x) => x.startsWith('+F2:')), cols: [3, 4] },
];

function signCase(k) {
  const { privateKey, publicKey } = c.generateKeySync(...k.gen);
  const msg = c.randomBytes(32);
  const sig = c.sign(privateKey, msg);
  const r = { sign: [], verify: [], oSign: [], oVerify: [] };
  for (let i = 0; i < rounds; i++) {
    r.sign.push(rate(() => c.sign(privateKey, msg), 10));
    r.verify.push(rate(() => c.verify(publicKey, msg, sig), 10));
    const f = k.pick(opensslSpeed(k.speed)).split(':');
    r.oSign.push(Number(f[k.cols[0]]));
    r.oVerify.push(Number(f[k.cols[1]]));
  }
  const m = Object.fromEntries(Object.entries(r).map(([x, v]) => [x, median(v)]));
  const pr = (a, b) => median(r[a].map((x, i) => x / r[b][i]));
  return { operation: k.name, jsecSignPerSec: m.sign, opensslSignPerSec: m.oSign, signRatio: pr('sign', 'oSign'), jsecVerifyPerSec: m.verify, opensslVerifyPerSec: m.oVerify, verifyRatio: pr('verify', 'oVerify') };
}

const only = values.only ? new RegExp(values.only) : null;
const aead = Object.keys(OSSL_CIPHER).filter((a) => !only || only.test(a)).map(aeadCase);
const signatures = SIGN_CASES.filter((k) => !only || only.test(k.name)).map(signCase);
const result = {
  node: process.version,
  openssl: process.versions.openssl,
  opensslCli: execFileSync('openssl', ['version']).toString().trim(),
  seconds,
  rounds,
  aead,
  signatures,
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (x, d = 0) => x.toFixed(d).padStart(9);
  console.log(`jsec/crypto benchmark — node ${result.node} (OpenSSL ${result.openssl}), ${result.opensslCli}; median of ${rounds} interleaved rounds of ${seconds}s; rates per user-CPU-second; ratios = median of per-round ratios`);
  console.log(`\nAEAD encrypt, ${bytes}-byte messages (MB/s)`);
  console.log('jsec = AeadKey.encryptInto (keyed, caller-owned output), alloc = AeadKey.encrypt, one-shot = encrypt(), node-civ = node:crypto createCipheriv;');
  console.log('openssl = openssl speed -evp, o-aead = openssl speed -aead -evp; ratios against openssl speed -evp');
  if (FLOOR) console.log('c = the same per-message OpenSSL calls as jsec, from C (scripts/bench/aead-per-message.c); jsec/c = jsec against it');
  console.log(`algorithm            jsec     alloc  one-shot  node-civ   openssl    o-aead${FLOOR ? '         c' : ''}     ratio ratio-aead alloc one-shot  node${FLOOR ? '     c  jsec/c' : ''}`);
  const g = (x) => x.toFixed(2).padStart(6);
  for (const a of aead) console.log(`${a.algorithm.padEnd(18)}${f(a.jsecMBps)}${f(a.jsecAllocMBps)}${f(a.jsecOneShotMBps)}${f(a.nodeCipherivMBps)}${f(a.opensslMBps)}${f(a.opensslAeadMBps)}${FLOOR ? f(a.floorMBps) : ''}${f(a.ratio, 2)}${g(a.ratioAead).padStart(11)}${g(a.allocRatio)}${g(a.oneShotRatio).padStart(9)}${g(a.nodeRatio)}${FLOOR ? g(a.floorRatio) + g(a.jsecFloorRatio).padStart(8) : ''}`);
  console.log('\nsign / verify (operations per second)');
  console.log('operation                  jsec-sign  openssl  ratio  jsec-verify  openssl  ratio');
  for (const s of signatures) console.log(`${s.operation.padEnd(24)}${f(s.jsecSignPerSec)}${f(s.opensslSignPerSec)}${f(s.signRatio, 2).padStart(7)}${f(s.jsecVerifyPerSec).padStart(13)}${f(s.opensslVerifyPerSec)}${f(s.verifyRatio, 2).padStart(7)}`);
}

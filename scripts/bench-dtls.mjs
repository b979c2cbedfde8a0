#!/usr/bin/env node
// DTLS benchmark (not a test): echo of MTU-sized datagrams with N peers,
// datagrams/s and MB/s, against raw node:dgram in the same run, plus
// handshake latency percentiles (jsec server, and openssl s_server where
// the CLI exists). The servers run in a worker thread so client and server
// do not share one event loop.
//
//   node scripts/bench-dtls.mjs [--peers 4] [--duration 3] [--rounds 6] [--window 32] [--handshakes 200] [--json]
//                               [--node-dtls-client DIR]   (a prefix where `npm install --prefix DIR node-dtls-client@1` ran:
//                                                          adds PSK handshakes and ping-pong with that client against a jsec server)
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { connect, listen } from 'jsec/dtls';

const MTU = 1200;

if (!isMainThread) {
  // --- server side (worker) ---
  const { kind, cert, key } = workerData;
  if (kind === 'raw') {
    const s = createSocket('udp4');
    s.on('message', (m, r) => s.send(m, r.port, r.address));
    s.bind(0, '127.0.0.1', () => parentPort.postMessage({ port: s.address().port }));
    parentPort.on('message', (m) => m === 'stop' && s.close(() => process.exit(0)));
  } else {
    const server = await listen({ host: '127.0.0.1', cert, key, maxPeers: 4096 });
    server.on('connection', (peer) => peer.on('message', (m) => peer.send(m).catch(() => {})));
    parentPort.postMessage({ port: server.address().port });
    parentPort.on('message', async (m) => {
      if (m === 'stop') {
        await server.close();
        process.exit(0);
      }
    });
  }
} else {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '4' },
      duration: { type: 'string', default: '3' },
      window: { type: 'string', default: '32' },
      handshakes: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '6' },
      'node-dtls-client': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const peers = Number(values.peers);
  const duration = Number(values.duration) * 1000;
  const windowSize = Number(values.window);
  const handshakes = Number(values.handshakes);

  const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');

  const startServer = (kind) =>
    new Promise((resolve) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { kind, cert, key } });
      w.once('message', ({ port }) => resolve({ port, stop: () => new Promise((r) => { w.once('exit', r); w.postMessage('stop'); }) }));
    });

  /**
   * Closed-loop echo: each peer keeps `window` datagrams in flight; lost ones
   * are refilled. `setup` connects the peers once; `measure(ms)` runs one round.
   */
  async function echoRig(makePeer, payloadSize) {
    const conns = await Promise.all(Array.from({ length: peers }, makePeer));
    let echoed = 0;
    let stalls = 0;
    let running = false;
    const states = conns.map((c) => ({ c, inflight: 0, last: performance.now() }));
    const payload = Buffer.alloc(payloadSize, 0x61);
    const pump = (st) => {
      while (running && st.inflight < windowSize) {
        st.inflight++;
        st.c.send(payload);
      }
    };
    for (const st of states) {
      st.c.onMessage(() => {
        echoed++;
        st.inflight--;
        st.last = performance.now();
        pump(st);
      });
    }
    return {
      stalls: 0,
      async measure(ms) {
        echoed = 0;
        stalls = 0;
        running = true;
        const refill = setInterval(() => {
          for (const st of states) if (performance.now() - st.last > 50) {
            stalls++;
            st.inflight = 0;
            pump(st);
          }
        }, 25);
        const t0 = performance.now();
        for (const st of states) {
          st.inflight = 0;
          st.last = t0;
          pump(st);
        }
        await new Promise((r) => setTimeout(r, ms));
        const n = echoed;
        this.stalls += stalls;
        const secs = (performance.now() - t0) / 1000;
        running = false;
        clearInterval(refill);
        await new Promise((r) => setTimeout(r, 100)); // drain in-flight echoes
        return n / secs;
      },
      async close() {
        for (const c of conns) await c.close();
      },
    };
  }

  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };

  // --- echo: raw UDP and DTLS side by side, alternating rounds so that
  // background load hits both alike; the ratio is the median of the rounds.
  const raw = await startServer('raw');
  const dtls = await startServer('dtls');
  const rawRig = await echoRig(async () => {
    const s = createSocket('udp4');
    await new Promise((r) => s.bind(0, '127.0.0.1', r));
    await new Promise((r) => s.connect(raw.port, '127.0.0.1', r));
    return { send: (b) => s.send(b), onMessage: (f) => s.on('message', f), close: () => new Promise((r) => s.close(r)) };
  }, MTU);
  let maxMessage = 0;
  const dtlsRig = await echoRig(async () => {
    const c = await connect('127.0.0.1', dtls.port, { ca: cert });
    maxMessage = c.info().maxMessageSize;
    return { send: (b) => c.send(b.subarray(0, maxMessage)).catch(() => {}), onMessage: (f) => c.on('message', f), close: () => c.close() };
  }, MTU);
  const rounds = Number(values.rounds);
  const rawRates = [];
  const dtlsRates = [];
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const a = await rawRig.measure(duration / rounds);
    const b = await dtlsRig.measure(duration / rounds);
    rawRates.push(a);
    dtlsRates.push(b);
    ratios.push(b / a);
  }
  await rawRig.close();
  await dtlsRig.close();
  await raw.stop();
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const rawResult = { datagramsPerSecond: median(rawRates), mbPerSecond: (median(rawRates) * MTU) / 1e6 };
  const dtlsResult = { datagramsPerSecond: median(dtlsRates), mbPerSecond: (median(dtlsRates) * maxMessage) / 1e6 };

  // --- handshake latency: jsec <-> jsec ---
  const lat = [];
  let failedHandshakes = 0;
  for (let i = 0; i < handshakes; i++) {
    const t = performance.now();
    try {
      const c = await connect('127.0.0.1', dtls.port, { ca: cert, handshakeTimeout: 5000 });
      lat.push(performance.now() - t);
      await c.close();
    } catch {
      failedHandshakes++;
    }
  }
  await dtls.stop();

  // --- handshake latency: jsec client <-> openssl s_server ---
  let osslLat;
  if (spawnSync('sh', ['-c', 'command -v openssl']).status === 0) {
    const probe = createSocket('udp4');
    await new Promise((r) => probe.bind(0, '127.0.0.1', r));
    const port = probe.address().port;
    await new Promise((r) => probe.close(r));
    const srv = spawn('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem'), '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise((r) => setTimeout(r, 300));
    osslLat = [];
    const n = Math.min(handshakes, 100);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      try {
        const c = await connect('127.0.0.1', port, { ca: cert, handshakeTimeout: 5000 });
        osslLat.push(performance.now() - t);
        await c.close();
      } catch {
        failedHandshakes++;
      }
      await new Promise((r) => setTimeout(r, 2)); // s_server serves one client at a time
    }
    srv.kill('SIGKILL');
  }
  // --- node-dtls-client (PSK) against a jsec server, next to a jsec PSK client ---
  let ndc;
  if (values['node-dtls-client']) {
    const { createRequire } = await import('node:module');
    const { dtls: ndcDtls } = createRequire(join(values['node-dtls-client'], 'x.js'))('node-dtls-client');
    const pskKey = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const server = await listen({ host: '127.0.0.1', pskKeys: { bench: pskKey } });
    server.on('connection', (peer) => peer.on('message', (m) => peer.send(m).catch(() => {})));
    const port = server.address().port;
    const n = Math.min(handshakes, 100);
    const ndcLat = [];
    const jsecPskLat = [];
    const pingPong = async (send, on, count) => {
      let got = 0;
      const t = performance.now();
      await new Promise((resolve) => {
        on(() => (++got === count ? resolve() : send()));
        send();
      });
      return count / ((performance.now() - t) / 1000);
    };
    let ndcRate = 0;
    let jsecRate = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const sock = ndcDtls.createSocket({ type: 'udp4', address: '127.0.0.1', port, psk: { bench: pskKey }, timeout: 5000 });
      await new Promise((resolve, reject) => sock.once('connected', resolve).once('error', reject));
      ndcLat.push(performance.now() - t);
      if (i === n - 1) {
        const payload = Buffer.alloc(1000, 0x62);
        ndcRate = await pingPong(() => sock.send(payload), (f) => sock.on('message', f), 2000);
      }
      sock.close();
    }
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const c = await connect('127.0.0.1', port, { psk: { identity: 'bench', key: pskKey }, ciphers: 'PSK-AES128-GCM-SHA256' });
      jsecPskLat.push(performance.now() - t);
      if (i === n - 1) {
        const payload = Buffer.alloc(1000, 0x62);
        jsecRate = await pingPong(() => c.send(payload).catch(() => {}), (f) => c.on('message', f), 2000);
      }
      await c.close();
    }
    await server.close();
    const q = (xs) => ({ n: xs.length, p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2), p99: +pct(xs, 99).toFixed(2) });
    ndc = { nodeDtlsClient: { handshakeMs: q(ndcLat), pingPongPerSecond: Math.round(ndcRate) }, jsecPsk: { handshakeMs: q(jsecPskLat), pingPongPerSecond: Math.round(jsecRate) } };
  }
  rmSync(dir, { recursive: true, force: true });

  const result = {
    node: process.version,
    openssl: process.versions.openssl,
    peers,
    window: windowSize,
    durationSeconds: duration / 1000,
    datagramBytes: MTU,
    dtlsMessageBytes: maxMessage,
    rawUdp: { datagramsPerSecond: Math.round(rawResult.datagramsPerSecond), mbPerSecond: +rawResult.mbPerSecond.toFixed(1) },
    dtls: { datagramsPerSecond: Math.round(dtlsResult.datagramsPerSecond), mbPerSecond: +dtlsResult.mbPerSecond.toFixed(1) },
    ratioDatagrams: +median(ratios).toFixed(2),
    ratioPerRound: ratios.map((x) => +x.toFixed(2)),
    lossStalls: { raw: rawRig.stalls, dtls: dtlsRig.stalls },
    pskPeers: ndc,
    failedHandshakes,
    handshakeMs: { n: lat.length, p50: +pct(lat, 50).toFixed(2), p95: +pct(lat, 95).toFixed(2), p99: +pct(lat, 99).toFixed(2) },
    handshakeMsVsOpensslServer: osslLat && { n: osslLat.length, p50: +pct(osslLat, 50).toFixed(2), p95: +pct(osslLat, 95).toFixed(2), p99: +pct(osslLat, 99).toFixed(2) },
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`DTLS echo benchmark: ${peers} peers, window ${windowSize}, ${duration / 1000} s, node ${process.version}, OpenSSL ${process.versions.openssl}`);
    console.log(`  raw node:dgram  ${result.rawUdp.datagramsPerSecond.toString().padStart(8)} datagrams/s  ${result.rawUdp.mbPerSecond} MB/s  (${MTU}-byte datagrams)`);
    console.log(`  jsec DTLS 1.2   ${result.dtls.datagramsPerSecond.toString().padStart(8)} datagrams/s  ${result.dtls.mbPerSecond} MB/s  (${maxMessage}-byte messages in ${MTU}-byte datagrams)`);
    console.log(`  ratio DTLS/raw  ${result.ratioDatagrams}x datagrams/s (median of ${rounds} alternating rounds: ${result.ratioPerRound.join(', ')})`);
    console.log(`  handshake (jsec client -> jsec server)      p50 ${result.handshakeMs.p50} ms  p95 ${result.handshakeMs.p95} ms  p99 ${result.handshakeMs.p99} ms  (n=${lat.length})`);
    console.log(`  loss stalls (window refilled after 50 ms without an echo): raw ${result.lossStalls.raw}, DTLS ${result.lossStalls.dtls}`);
    if (failedHandshakes) console.log(`  failed handshakes: ${failedHandshakes}`);
    if (osslLat) {
      const o = result.handshakeMsVsOpensslServer;
      console.log(`  handshake (jsec client -> openssl s_server) p50 ${o.p50} ms  p95 ${o.p95} ms  p99 ${o.p99} ms  (n=${o.n})`);
    }
    if (ndc) {
      const a = ndc.jsecPsk;
      const b = ndc.nodeDtlsClient;
      console.log(`  PSK handshake (jsec client -> jsec server)        p50 ${a.handshakeMs.p50} ms  p95 ${a.handshakeMs.p95} ms  (n=${a.handshakeMs.n}); ping-pong ${a.pingPongPerSecond}/s`);
      console.log(`  PSK handshake (node-dtls-client -> jsec server)  p50 ${b.handshakeMs.p50} ms  p95 ${b.handshakeMs.p95} ms  (n=${b.handshakeMs.n}); ping-pong ${b.pingPongPerSecond}/s`);
    }
  }
  process.exit(0);
}

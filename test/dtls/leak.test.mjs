// Native objects are freed on every path: a thousand associations (most
// closed cleanly, some failing verification, some abandoned mid-handshake)
// leave the process's SSL, SSL_CTX and datagram BIO counts where they began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, listen, activeHandles, clearContextCache } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();

test('a thousand sessions opened and closed: native handle counts return to the start', { timeout: 60_000 }, async () => {
  const start = activeHandles();
  const server = await listen({ host: '127.0.0.1', ...pki.ec, handshakeTimeout: 2000 });
  const port = server.address().port;
  const silent = createSocket('udp4');
  await new Promise((r) => silent.bind(0, '127.0.0.1', r));
  let ok = 0;
  let failed = 0;
  const one = async (i) => {
    if (i % 50 === 7) {
      // Verification failure: the client's engine is freed on the error path.
      await connect('127.0.0.1', port, { handshakeTimeout: 2000 }).then(
        () => assert.fail('should not verify'),
        (e) => assert.equal(e.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'),
      );
      failed++;
      return;
    }
    if (i % 100 === 13) {
      // Abandoned mid-handshake by an abort.
      await connect('127.0.0.1', silent.address().port, { ca: pki.ca, signal: AbortSignal.timeout(5) }).then(
        () => assert.fail('should not connect'),
        (e) => assert.ok(['ABORT_ERR', 'ERR_JSEC_CLOSED'].includes(e.code), e.code),
      );
      failed++;
      return;
    }
    const c = await connect('127.0.0.1', port, { ca: pki.ca });
    await c.send('x');
    await c.close();
    ok++;
  };
  for (let i = 0; i < 1000; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => one(i + k)));
  assert.equal(ok + failed, 1000);
  // Server peers close when the client's close_notify arrives.
  for (let i = 0; i < 200 && server.peerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.peerCount, 0);
  await server.close();
  silent.close();
  // Client contexts are shared between connects with identical options: two option sets here
  // (default roots; pki.ca), whatever the signal or timeouts.
  assert.equal(activeHandles().contexts - start.contexts, 2, JSON.stringify(activeHandles()));
  assert.equal(clearContextCache(), 2);
  const end = activeHandles();
  assert.deepEqual(end, start);
});

test('objects never closed are freed when their environment (a worker) exits', { timeout: 20_000 }, async () => {
  const { Worker } = await import('node:worker_threads');
  const start = activeHandles();
  const code = `
    import { parentPort } from 'node:worker_threads';
    import { listen, connect, activeHandles } from 'jsec/dtls';
    import { MemoryBio, TlsEngine } from 'jsec/bio';
    const pki = ${JSON.stringify({ ca: pki.ca, ...pki.ec })};
    const server = await listen({ host: '127.0.0.1', cert: pki.cert, key: pki.key });
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await connect('127.0.0.1', server.address().port, { ca: pki.ca }));
    const engines = Array.from({ length: 20 }, () => new TlsEngine({ servername: 'localhost', ca: pki.ca }));
    const bios = Array.from({ length: 20 }, () => new MemoryBio());
    globalThis.keep = { server, clients, engines, bios };
    parentPort.postMessage(activeHandles());
  `;
  const w = new Worker(code, { eval: true, type: 'module' });
  const inWorker = await new Promise((resolve, reject) => w.once('message', resolve).once('error', reject));
  assert.ok(inWorker.engines >= 30, JSON.stringify(inWorker));
  assert.ok(activeHandles().ssl >= start.ssl + 30);
  await w.terminate();
  // Environment teardown released every SSL, SSL_CTX and datagram BIO the worker held.
  const end = activeHandles();
  assert.equal(end.ssl, start.ssl);
  assert.equal(end.sslCtx, start.sslCtx);
  assert.equal(end.datagramBios, start.datagramBios);
});

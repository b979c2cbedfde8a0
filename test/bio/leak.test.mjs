// Leak check in a process of its own (no node:tls objects around): thousands
// of engines and BIOs made and closed leave the native counts where they began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBio, TlsEngine, activeHandles } from 'jsec/bio';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();

test('TlsEngine and MemoryBio: thousands closed, handle counts return to the start', { timeout: 20_000 }, () => {
  const start = activeHandles();
  for (let i = 0; i < 2000; i++) {
    const e = new TlsEngine({ servername: 'localhost', ca: pki.ca });
    e.handshake();
    e.takeCiphertext();
    if (i % 2) e.close();
    else e[Symbol.dispose]();
    const m = new MemoryBio();
    m.write('x');
    m.close();
  }
  const end = activeHandles();
  assert.equal(end.engines, start.engines);
  assert.equal(end.memoryBios, start.memoryBios);
  assert.equal(end.contexts, start.contexts);
  assert.equal(end.ssl, start.ssl);
  assert.equal(end.sslCtx, start.sslCtx);
});

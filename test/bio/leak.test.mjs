// Leak check in a process of its own (no node:tls objects around): thousands
// of engines and BIOs made and closed leave the native counts where they began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBio, TlsEngine, activeHandles, clearContextCache } from 'jsec/bio';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();

test('TlsEngine and MemoryBio: thousands closed, handle counts return to the start', { timeout: 20_000 }, () => {
  clearContextCache();
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
  // The engines shared one cached context; clearing the cache frees it.
  assert.equal(activeHandles().contexts, start.contexts + 1);
  assert.equal(clearContextCache(), 1);
  const end = activeHandles();
  assert.equal(end.engines, start.engines);
  assert.equal(end.memoryBios, start.memoryBios);
  assert.equal(end.contexts, start.contexts);
  assert.equal(end.ssl, start.ssl);
  assert.equal(end.sslCtx, start.sslCtx);
});

// Verification can only be turned off by name, and that warns once per process.
// (This file runs in its own process, so the first warning is ours.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import tls from 'node:tls';
import { connect, info, upgrade } from 'jsec/tls';
import net from 'node:net';
import { pki } from './_util.mjs';

test('dangerouslyDisableVerification connects to an untrusted peer and warns once', { timeout: 10_000 }, async () => {
  const warnings = [];
  process.on('warning', (w) => warnings.push(w));
  const server = tls.createServer({ ...pki.selfSigned }, (s) => s.end('hi'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  for (let i = 0; i < 3; i++) {
    const s = await connect('127.0.0.1', port, { dangerouslyDisableVerification: true, servername: 'not-the-name.example' });
    const i1 = info(s);
    assert.equal(i1.authorized, false);
    assert.equal(i1.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    s.destroy();
  }
  const raw = net.connect(port, '127.0.0.1');
  await once(raw, 'connect');
  const up = await upgrade(raw, { dangerouslyDisableVerification: true });
  assert.equal(info(up).authorized, false);
  up.destroy();
  await new Promise((r) => setImmediate(r));
  const ours = warnings.filter((w) => w.code === 'JSEC_DANGEROUS_NO_VERIFY');
  assert.equal(ours.length, 1);
  // Verification stays on by default for the very same peer.
  await assert.rejects(connect('127.0.0.1', port), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  server.close();
});

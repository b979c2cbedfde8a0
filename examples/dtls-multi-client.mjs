// One DTLS server, many clients at once: each peer is its own DtlsSocket,
// demultiplexed by address, after a stateless cookie exchange.
//
//   node examples/dtls-multi-client.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, listen } from 'jsec/dtls';

const dir = mkdtempSync(join(tmpdir(), 'jsec-example-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
const key = readFileSync(join(dir, 'key.pem'), 'utf8');
rmSync(dir, { recursive: true, force: true });

const server = await listen({ host: '127.0.0.1', cert, key, maxPeers: 64 });
const { port } = server.address();

// Accept loop: every established peer gets its own echo task.
(async () => {
  for await (const peer of server) {
    (async () => {
      for await (const m of peer) await peer.send(`${peer.remotePort} says ${m}`);
    })();
  }
})();

const N = 12;
const clients = await Promise.all(Array.from({ length: N }, () => connect('127.0.0.1', port, { ca: cert })));
console.log(`${clients.length} clients connected; server holds ${server.peerCount} peers`);
const replies = await Promise.all(
  clients.map(async (c, i) => {
    await c.send(`message ${i}`);
    return String(await c.receive());
  }),
);
for (const [i, r] of replies.entries()) {
  if (r !== `${clients[i].localPort} says message ${i}`) throw new Error(`wrong reply: ${r}`);
}
console.log(`every client got its own reply, e.g. "${replies[0]}"`);
console.log('server stats:', server.stats());
await Promise.all(clients.map((c) => c.close()));
await server.close();
console.log('done');

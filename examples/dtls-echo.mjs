// DTLS echo: a server and a client in one process, over loopback UDP.
// The server's certificate comes from a throwaway CA made with the openssl
// CLI; the client verifies it exactly as jsec/tls would.
//
//   node examples/dtls-echo.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, listen } from 'jsec/dtls';

// A self-signed certificate for localhost (the client trusts exactly it).
const dir = mkdtempSync(join(tmpdir(), 'jsec-example-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
const key = readFileSync(join(dir, 'key.pem'), 'utf8');
rmSync(dir, { recursive: true, force: true });

const server = await listen({ host: '127.0.0.1', port: 0, cert, key });
server.on('connection', async (peer) => {
  console.log(`server: ${peer.remoteAddress}:${peer.remotePort} connected (${peer.info().cipher.name})`);
  for await (const message of peer) await peer.send(`echo: ${message}`);
  console.log('server: peer closed');
});
const { port } = server.address();
console.log(`server: listening on udp 127.0.0.1:${port}`);

const client = await connect('localhost', port, { ca: cert });
const info = client.info();
console.log(`client: ${info.protocol} ${info.cipher.name}, authorized=${info.authorized}, max message ${info.maxMessageSize} bytes`);
for (const text of ['hello', 'over', 'DTLS']) {
  await client.send(text);
  const reply = String(await client.receive());
  console.log(`client: sent "${text}", got "${reply}"`);
  if (reply !== `echo: ${text}`) throw new Error('unexpected reply');
}
await client.close(); // sends close_notify
await new Promise((r) => setTimeout(r, 20));
await server.close();
console.log('done');

// TlsEngine over a custom transport: TLS 1.3 between two sans-IO engines
// whose only link is a MessageChannel carrying 64-byte frames, like a serial
// line or a message queue would. Shows KeyUpdate, which Node's own sockets
// cannot initiate, and that a client engine verifies the server's name: it
// needs `servername` (a sans-IO engine does not know whom it talks to).
//
//   node examples/bio-tls-engine.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { TlsEngine, TlsEngineState } from 'jsec/bio';

const dir = mkdtempSync(join(tmpdir(), 'jsec-example-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=device.local', '-addext', 'subjectAltName=DNS:device.local'], { stdio: 'ignore' });
const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
const key = readFileSync(join(dir, 'key.pem'), 'utf8');
rmSync(dir, { recursive: true, force: true });

const FRAME = 64;
let frames = 0;

/** Connects an engine to one end of the "line": outgoing bytes are cut into frames. */
function wire(name, engine, port, onMessage) {
  const flush = () => {
    const bytes = engine.takeCiphertext();
    for (let i = 0; i < bytes.length; i += FRAME) {
      frames++;
      port.postMessage(bytes.subarray(i, i + FRAME));
    }
  };
  port.on('message', (frame) => {
    engine.putCiphertext(frame);
    if (engine.handshake()) {
      for (let m = engine.read(); m !== null; m = engine.read()) onMessage(String(m));
    }
    flush();
  });
  return { flush, name };
}

// Without servername the client could verify the chain only: refused unless
// opted out explicitly with checkServerIdentity: false.
try {
  new TlsEngine({ ca: cert });
  throw new Error('a client engine without servername was accepted');
} catch (err) {
  if (err.code !== 'ERR_MISSING_OPTION') throw err;
  console.log(`client without servername: ${err.code} (${err.option})`);
}

const { port1, port2 } = new MessageChannel();
const server = new TlsEngine({ isServer: true, cert, key });
const client = new TlsEngine({ servername: 'device.local', ca: cert });

const serverSide = wire('server', server, port1, (m) => {
  console.log(`server got: ${m}`);
  server.write(`re: ${m}`);
  serverSide.flush();
});
let gotReply;
const clientSide = wire('client', client, port2, (m) => {
  console.log(`client got: ${m}`);
  gotReply?.(m);
});

client.handshake(); // ClientHello
clientSide.flush();
while (client.state !== TlsEngineState.Open) await new Promise((r) => setTimeout(r, 1));
const info = client.info();
console.log(`client: ${info.protocol} ${info.cipher.name}, authorized=${info.authorized}`);

async function roundTrip(text) {
  const reply = new Promise((r) => (gotReply = r));
  client.write(text);
  clientSide.flush();
  const got = await reply;
  if (got !== `re: ${text}`) throw new Error(`unexpected ${got}`);
}

await roundTrip('first message');
client.keyUpdate(true); // new client keys, and ask the server for new keys too
clientSide.flush();
console.log('client: sent KeyUpdate (update_requested)');
await roundTrip('after key update');
client.keyUpdate(false);
clientSide.flush();
await roundTrip('after a second key update');
console.log(`${frames} frames of at most ${FRAME} bytes crossed the line`);
client.shutdown();
clientSide.flush();
await new Promise((r) => setTimeout(r, 10));
console.log(`server state after close_notify: ${server.state}`);
client.close();
server.close();
port1.close();
port2.close();
console.log('done');

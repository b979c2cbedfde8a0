// A TLS echo server and a client in one process: listen(), iterate over the
// verified connections, connect() with verification against the server's own
// certificate, round-trip a message and print what was negotiated.
import { generateSelfSigned } from 'jsec/cert';
import { connect, info, listen } from 'jsec/tls';

/** The server's certificate: one small function, so it is easy to swap for a real one. */
async function makeCertificate() {
  const { cert, key } = await generateSelfSigned({ commonName: 'localhost', san: ['localhost', 'IP:127.0.0.1', 'IP:::1'], days: 1 });
  return { cert, key };
}

const { cert, key } = await makeCertificate();
const server = await listen({ host: '127.0.0.1', port: 0, cert, key, ALPNProtocols: ['echo'] });
const { port } = server.address();
console.log(`server listening on 127.0.0.1:${port}`);

// The server side: every verified connection echoes what it receives.
const serving = (async () => {
  for await (const socket of server) {
    const i = info(socket);
    console.log(`server: connection from ${i.remoteAddress}:${i.remotePort} (${i.protocol}, SNI ${i.servername})`);
    socket.pipe(socket);
  }
})();

// The client side: the server's certificate is the only trust anchor.
const socket = await connect('localhost', port, { ca: cert, ALPNProtocols: ['echo'] });
const i = info(socket);
console.log(`client: ${i.protocol} ${i.cipher.standardName}, ALPN ${i.alpnProtocol}, verified ${i.authorized}`);
console.log(`client: peer ${i.peerCertificates[0].subject}, handshake ${i.handshakeDuration.toFixed(1)} ms`);

socket.write('hello, TLS');
const reply = await new Promise((resolve) => socket.once('data', resolve));
console.log(`client: echoed ${JSON.stringify(String(reply))}`);
if (String(reply) !== 'hello, TLS') process.exit(1);
socket.end();
await new Promise((resolve) => socket.on('close', resolve));
await server.close();
await serving;
console.log('done');

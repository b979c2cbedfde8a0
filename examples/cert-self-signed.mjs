// Generate a self-signed certificate, print what is in it, check it with
// verifyChain (as a trust anchor of its own), and serve one TLS handshake
// with it on loopback to show node:tls accepts the PEM output as is.
import { once } from 'node:events';
import tls from 'node:tls';
import { generateSelfSigned, verifyChain } from 'jsec/cert';

const { certificate, cert, key } = await generateSelfSigned({
  commonName: 'localhost',
  san: ['localhost', 'IP:127.0.0.1', 'IP:::1'],
  days: 30,
});

console.log('subject     ', certificate.subject.text);
console.log('SANs        ', certificate.subjectAltNames.map((g) => `${g.type}:${g.value}`).join(', '));
console.log('key         ', certificate.publicKey);
console.log('serial      ', certificate.serialNumber);
console.log('valid       ', certificate.notBefore.toISOString(), '→', certificate.notAfter.toISOString());
console.log('sha256      ', certificate.fingerprint256);
console.log('CA?         ', certificate.isCa);

const check = verifyChain(certificate, { trustAnchors: [certificate], hostname: 'localhost', purpose: 'server' });
console.log('verifyChain ', check.valid ? 'valid' : check.errors.map((e) => e.code).join(', '));
if (!check.valid) process.exit(1);

// Untrusted, the same certificate is reported, not thrown.
const untrusted = verifyChain(certificate, { hostname: 'localhost' });
console.log('untrusted   ', untrusted.errors.map((e) => `${e.code}@${e.depth}`).join(', '));

const server = tls.createServer({ cert, key }, (socket) => socket.end('hello over TLS\n'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const socket = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost', ca: [cert] });
await once(socket, 'secureConnect');
console.log('handshake   ', socket.getProtocol(), 'authorized:', socket.authorized);
let reply = '';
for await (const chunk of socket) reply += chunk;
console.log('reply       ', reply.trim());
server.close();

// Bundle a key, its certificate and the CA chain into a PKCS#12 file with
// the modern defaults (AES-256-CBC + PBKDF2, HMAC-SHA-256), read it back, and
// load it into node:tls for one loopback handshake. A wrong password is a
// typed error.
import { once } from 'node:events';
import tls from 'node:tls';
import { generate, generateSelfSigned } from 'jsec/cert';
import { createPkcs12, parsePkcs12 } from 'jsec/crypto';

const ca = await generateSelfSigned({ commonName: 'Example Root', ca: true, days: 30 });
const leaf = await generate({ issuer: { certificate: ca.cert, key: ca.key }, commonName: 'localhost', days: 30 });

const pfx = await createPkcs12({
  key: leaf.key,
  certificate: leaf.cert,
  chain: [ca.cert],
  password: 'pfx password',
  friendlyName: 'example server',
});
console.log('pkcs12 file        %d bytes', pfx.length);

const parsed = await parsePkcs12(pfx, 'pfx password');
console.log('friendly name      %s', parsed.friendlyName);
console.log('certificate        %s (issuer %s)', parsed.certificate.subject, parsed.certificate.issuer);
console.log('chain              %s', parsed.chain.map((c) => c.subject).join(', '));
console.log('key matches cert   %s', parsed.certificate.checkPrivateKey(parsed.privateKey));

try {
  await parsePkcs12(pfx, 'wrong password');
  process.exit(1);
} catch (err) {
  console.log('wrong password  →  %s', err.code);
}

// node:tls loads the same file directly.
const server = tls.createServer({ pfx, passphrase: 'pfx password' }, (s) => s.end('served from a PKCS#12 file\n'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const socket = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost', ca: [ca.cert] });
await once(socket, 'secureConnect');
let reply = '';
for await (const chunk of socket) reply += chunk;
console.log('tls (authorized=%s) %s', socket.authorized, reply.trim());
server.close();

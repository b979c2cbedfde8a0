// Mutual TLS: a server that requires client certificates from its own CA,
// a client presenting one (PEM), and a client without one being refused.
import { generate, generateSelfSigned } from 'jsec/cert';
import { connect, info, listen } from 'jsec/tls';

const ca = await generateSelfSigned({ commonName: 'Example CA', ca: true });
const issuer = { certificate: ca.cert, key: ca.key };
const serverCert = await generate({ commonName: 'localhost', san: ['DNS:localhost'], issuer });
const clientCert = await generate({ commonName: 'alice', san: ['DNS:alice.example'], extendedKeyUsage: ['clientAuth'], issuer });

const server = await listen({ host: '127.0.0.1', port: 0, cert: serverCert.cert, key: serverCert.key, ca: ca.cert, requestCert: true });
server.on('secureConnection', (s) => s.end(`hello ${info(s).peerCertificates[0].subject}`));
server.on('handshakeError', (err) => console.log('server refused a client:', err.code));

const socket = await connect('127.0.0.1', server.address().port, { servername: 'localhost', ca: ca.cert, cert: clientCert.cert, key: clientCert.key });
for await (const chunk of socket) console.log('client got:', String(chunk));

try {
  // TLS 1.3: the client finishes first; the server's refusal ends the stream.
  const s = await connect('127.0.0.1', server.address().port, { servername: 'localhost', ca: ca.cert });
  let got = '';
  for await (const chunk of s) got += chunk;
  if (got) throw new Error('a client without a certificate was served');
  console.log('client without a certificate: connection ended by the server, no data');
} catch (err) {
  console.log('client without a certificate:', err.code);
}
await server.close();

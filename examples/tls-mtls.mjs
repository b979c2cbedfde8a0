// Mutual TLS: a server that requires client certificates from its own CA,
// pins that CA and admits only the clients its verifyPeer hook allows; a
// client presenting one (PEM), a client the hook refuses, and a client
// without a certificate (a typed alert since the server asked for one).
import { generate, generateSelfSigned } from 'jsec/cert';
import { connect, info, listen, spkiPin } from 'jsec/tls';

const ca = await generateSelfSigned({ commonName: 'Example CA', ca: true });
const issuer = { certificate: ca.cert, key: ca.key };
const serverCert = await generate({ commonName: 'localhost', san: ['DNS:localhost'], issuer });
const alice = await generate({ commonName: 'alice', san: ['DNS:alice.example'], extendedKeyUsage: ['clientAuth'], issuer });
const mallory = await generate({ commonName: 'mallory', san: ['DNS:mallory.example'], extendedKeyUsage: ['clientAuth'], issuer });

const server = await listen({
  host: '127.0.0.1',
  port: 0,
  cert: serverCert.cert,
  key: serverCert.key,
  ca: ca.cert,
  requestCert: true,
  // Checked after OpenSSL verified the chain: some certificate of it must have this key...
  pins: [spkiPin(ca.cert)],
  // ...and then the application decides (also on resumed handshakes).
  verifyPeer: (chain) => chain[0].subject === 'CN=alice',
});
server.on('secureConnection', (s) => s.end(`hello ${info(s).peerCertificates[0].subject}`));
server.on('handshakeError', (err) => console.log('server refused a client:', err.code));
const port = server.address().port;

const socket = await connect('127.0.0.1', port, { servername: 'localhost', ca: ca.cert, cert: alice.cert, key: alice.key });
for await (const chunk of socket) console.log('alice got:', String(chunk));

// The hook refuses mallory after the handshake: the server ends the connection, nothing is served.
try {
  const s = await connect('127.0.0.1', port, { servername: 'localhost', ca: ca.cert, cert: mallory.cert, key: mallory.key });
  let got = '';
  for await (const chunk of s) got += chunk;
  if (got) throw new Error('a refused client was served');
  console.log('mallory: connection ended by the server, no data');
} catch (err) {
  console.log('mallory:', err.code);
}

try {
  await connect('127.0.0.1', port, { servername: 'localhost', ca: ca.cert });
  throw new Error('a client without a certificate connected');
} catch (err) {
  if (err.code !== 'ERR_JSEC_TLS_ALERT') throw err;
  console.log('client without a certificate:', err.code, err.alertName);
}
await server.close();

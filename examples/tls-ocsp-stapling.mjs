// OCSP stapling: a CA with an OCSP responder (jsec/ocsp), a server that
// fetches, verifies, caches and staples its response (ocsp: 'auto'), and a
// client that requires a good staple.
import { generate, generateSelfSigned } from 'jsec/cert';
import { startOcspResponder } from 'jsec/ocsp';
import { connect, info, listen } from 'jsec/tls';

const ca = await generateSelfSigned({ commonName: 'Example CA', ca: true });
const responder = await startOcspResponder({ issuer: ca.cert, signer: { certificate: ca.cert, key: ca.key }, lookup: () => ({ status: 'good' }) });
const leaf = await generate({ commonName: 'localhost', san: ['DNS:localhost'], ocsp: [responder.url], issuer: { certificate: ca.cert, key: ca.key } });

// The chain includes the CA so the server knows the issuer to ask about.
const server = await listen({ host: '127.0.0.1', port: 0, cert: leaf.cert + ca.cert, key: leaf.key, ocsp: 'auto' });
server.on('secureConnection', (s) => s.end('stapled hello'));

const s = await connect('127.0.0.1', server.address().port, { servername: 'localhost', ca: ca.cert, ocsp: 'require' });
const { ocsp } = info(s);
console.log(`stapled OCSP status: ${ocsp.status}, valid until ${ocsp.nextUpdate?.toISOString()}`);
s.destroy();
await server.close();
await responder.close();
if (ocsp.status !== 'good') process.exit(1);

// SNI virtual hosting: one listener, a certificate per name (exact and
// wildcard), a default, and an async resolver for names decided at runtime.
import { generate, generateSelfSigned } from 'jsec/cert';
import { connect, info, listen } from 'jsec/tls';

const ca = await generateSelfSigned({ commonName: 'Example CA', ca: true });
const issuer = { certificate: ca.cert, key: ca.key };
const cert = async (name) => {
  const g = await generate({ commonName: name, san: [`DNS:${name}`], issuer });
  return { cert: g.cert, key: g.key };
};
const [dflt, api, wild, late] = await Promise.all([cert('localhost'), cert('api.example'), cert('x.apps.example'), cert('late.example')]);

const server = await listen({
  host: '127.0.0.1',
  port: 0,
  cert: dflt.cert,
  key: dflt.key,
  ALPNProtocols: ['h2', 'http/1.1'],
  sni: {
    hosts: { 'api.example': api, '*.apps.example': wild },
    resolve: async ({ servername, alpnProtocols }) => (servername === 'late.example' ? late : undefined),
  },
});
server.on('secureConnection', (s) => s.end('hello'));

for (const name of ['api.example', 'x.apps.example', 'late.example', 'localhost']) {
  const s = await connect('127.0.0.1', server.address().port, { servername: name, ca: ca.cert, ALPNProtocols: ['http/1.1'] });
  console.log(`${name} -> served ${info(s).peerCertificates[0].subject}, ALPN ${info(s).alpnProtocol}`);
  s.destroy();
}
await server.close();

// A two-level CA: a root, an intermediate under it, and a server and a client
// certificate issued by the intermediate, each verified with verifyChain.
import { CertificateAuthority } from 'jsec/ca';
import { verifyChain } from 'jsec/cert';

const root = await CertificateAuthority.createRoot({ commonName: 'Example Root CA' });
const intermediate = await root.createIntermediate({ commonName: 'Example Issuing CA' });

const server = await intermediate.issue('server', { commonName: 'app.example.test', san: ['DNS:app.example.test', 'IP:127.0.0.1'] });
const client = await intermediate.issue('client', { commonName: 'alice', san: ['email:alice@example.test'] });

for (const [what, issued, purpose, check] of [
  ['server', server, 'server', { hostname: 'app.example.test' }],
  ['client', client, 'client', { email: 'alice@example.test' }],
]) {
  const result = verifyChain(issued.certificate, {
    intermediates: [intermediate.certificate],
    trustAnchors: [root.certificate],
    purpose,
    ...check,
  });
  if (!result.valid) throw new Error(`${what} certificate did not verify: ${JSON.stringify(result.errors)}`);
  console.log(`${what}: ${issued.certificate.subject.text}, serial ${issued.certificate.serialNumber}, EKU ${issued.certificate.extendedKeyUsage.join(', ')}`);
  console.log(`  chain: ${result.chain.map((c) => c.subject.text).join(' <- ')}`);
}

// A server presents its certificate and the intermediate (not the root):
const serverChainPem = server.cert + intermediate.certificate.pem;
console.log(`server chain for TLS: ${serverChainPem.split('BEGIN CERTIFICATE').length - 1} certificates; root stays in the clients' trust store`);
console.log(`root issued ${root.issued.length} certificate(s), the intermediate ${intermediate.issued.length}`);

await intermediate.close();
await root.close();

// A small private PKI with jsec/cert: a root, an intermediate, a server
// certificate issued from a CSR, then a revocation. verifyChain reports the
// chain before and after the CRL, and what it finds on the wrong host name.
import { generateSelfSigned, generate, generateCsr, Csr, createCrl, verifyChain, TrustStore } from 'jsec/cert';

const root = await generateSelfSigned({ subject: { O: 'Example', CN: 'Example Root' }, ca: true, days: 3650 });
const inter = await generate({ subject: { O: 'Example', CN: 'Example Issuing CA' }, ca: true, pathLength: 0, issuer: { certificate: root.certificate, key: root.privateKey } });

// The server makes a key and a CSR; only the CSR travels to the CA.
const request = await generateCsr({ commonName: 'api.example.test', san: ['api.example.test', 'IP:192.0.2.80'] });
const csr = Csr.from(request.pem);
console.log('CSR         ', csr.subject.text, csr.subjectAltNames.map((g) => g.value).join(', '), 'signature valid:', csr.signatureValid);

const server = await generate({
  subject: csr.subject,
  san: csr.subjectAltNames.map((g) => ({ type: g.type, value: g.value })),
  publicKey: csr.publicKeyObject,
  extendedKeyUsage: ['serverAuth'],
  ocsp: ['http://ocsp.example.test/'],
  crlDistributionPoints: ['http://crl.example.test/issuing.crl'],
  issuer: { certificate: inter.certificate, key: inter.privateKey },
});
console.log('issued      ', server.certificate.toString(), 'by', server.certificate.issuer.text);

const anchors = new TrustStore([root.certificate]);
const base = { trustAnchors: anchors, intermediates: [inter.certificate], purpose: 'server' };
const ok = verifyChain(server.certificate, { ...base, hostname: 'api.example.test' });
console.log('verify      ', ok.valid, ok.chain.map((c) => c.commonName).join(' → '));
if (!ok.valid) process.exit(1);

const wrongHost = verifyChain(server.certificate, { ...base, hostname: 'www.example.test' });
console.log('wrong host  ', wrongHost.errors.map((e) => `${e.code}@${e.depth}`).join(', '));

const crl = createCrl({
  issuer: { certificate: inter.certificate, key: inter.privateKey },
  nextUpdate: new Date(Date.now() + 7 * 86400_000),
  crlNumber: 1n,
  entries: [{ serial: server.certificate.serialNumber, date: new Date(), reason: 'keyCompromise' }],
});
console.log('CRL         ', crl.crlNumber, crl.entries.map((e) => `${e.serialNumber} ${e.reason}`).join(', '), 'signed by issuer:', crl.verify(inter.certificate));
const revoked = verifyChain(server.certificate, { ...base, hostname: 'api.example.test', crls: [crl] });
console.log('after CRL   ', revoked.valid, revoked.errors.map((e) => `${e.code}@${e.depth}`).join(', '));
anchors.close();
if (revoked.valid || revoked.errors[0].code !== 'CERT_REVOKED') process.exit(1);

// Revocation with a CRL: issue two certificates, revoke one, publish a CRL
// (CRL number and authority key identifier), and check both certificates
// against it with verifyChain.
import { CertificateAuthority } from 'jsec/ca';
import { verifyChain } from 'jsec/cert';

const ca = await CertificateAuthority.createRoot({ commonName: 'Revoking CA' });
const keep = await ca.issue('server', { commonName: 'keep.example.test' });
const drop = await ca.issue('server', { commonName: 'drop.example.test' });

ca.revoke(drop.certificate.serialNumber, 'keyCompromise');
const crl = ca.crl({ nextUpdate: new Date(Date.now() + 24 * 3600 * 1000) });
console.log(`CRL #${crl.crlNumberBigInt} by ${crl.issuer.text}, AKI ${crl.authorityKeyIdentifier}, next update ${crl.nextUpdate.toISOString()}`);
for (const e of crl.entries) console.log(`  revoked ${e.serialNumber} (${e.reason}) at ${e.revocationDate.toISOString()}`);

for (const issued of [keep, drop]) {
  const r = verifyChain(issued.certificate, { trustAnchors: [ca.certificate], crls: [crl], crlCheck: 'leaf', purpose: 'server' });
  console.log(`${issued.certificate.commonName}: ${r.valid ? 'valid' : `invalid (${r.errors.map((e) => e.code).join(', ')})`}`);
  if (issued === keep && !r.valid) throw new Error('the kept certificate should verify');
  if (issued === drop && (r.valid || r.errors[0].code !== 'CERT_REVOKED')) throw new Error('the revoked certificate should fail with CERT_REVOKED');
}

// Every CRL gets the next number.
console.log(`next CRL number: ${ca.crl().crlNumberBigInt}`);
await ca.close();

// An OCSP responder backed by a CertificateAuthority: the CA publishes the
// responder URL in the certificates it issues; a client asks the responder
// (checkOcsp builds a request with a nonce, fetches it, verifies the answer);
// after a revocation the same question gets "revoked".
import { CertificateAuthority } from 'jsec/ca';
import { checkOcsp } from 'jsec/ocsp';

const ca = await CertificateAuthority.createRoot({ commonName: 'OCSP Example CA' });
// A delegated responder certificate (EKU OCSPSigning, id-pkix-ocsp-nocheck) signs the answers.
const signer = await ca.issueOcspSigner();
const responder = await ca.ocspResponder({ signer: { certificate: signer.certificate, key: signer.privateKey } });
ca.setPublication({ ocsp: [responder.url] });
console.log(`OCSP responder listening at ${responder.url}`);

const leaf = await ca.issue('server', { commonName: 'www.example.test' });
console.log(`issued ${leaf.certificate.serialNumber}; AIA OCSP ${leaf.certificate.authorityInfoAccess.ocsp[0]}`);

const before = await checkOcsp({ certificate: leaf.certificate, issuer: ca.certificate, requireNonce: true });
console.log(`status: ${before.status} (this update ${before.thisUpdate.toISOString()}, next ${before.nextUpdate.toISOString()}, signed by ${before.signedByIssuer ? 'the CA' : 'a delegated responder'})`);

ca.revoke(leaf.certificate.serialNumber, 'superseded');
const after = await checkOcsp({ certificate: leaf.certificate, issuer: ca.certificate, requireNonce: true });
console.log(`status after revocation: ${after.status} (${after.revocationReason} at ${after.revocationTime.toISOString()})`);
if (before.status !== 'good' || after.status !== 'revoked') throw new Error('unexpected OCSP status');

await ca.close(); // also closes the responder

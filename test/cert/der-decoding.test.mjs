// Every native DER parser (certificate, CRL, CSR, OCSP request and response,
// CMS, PKCS#12) decodes exactly one object: valid DER parses, and the same
// DER with a byte appended, cut short, or with a broken outer length is refused
// with the family's own error code, never parsed as something shorter.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateAuthority } from 'jsec/ca';
import { Certificate, Crl, Csr, generateCsrSync } from 'jsec/cert';
import { buildOcspRequest, parseOcspRequest, createOcspErrorResponse, parseOcspResponse } from 'jsec/ocsp';
import { cmsCertsOnly, cmsInfo, createPkcs12Sync, parsePkcs12Sync } from 'jsec/crypto';
import { JsecError } from 'jsec/errors';

let ca;
let leaf;
before(async () => {
  ca = await CertificateAuthority.createRoot({ commonName: 'DER Decoding Root' });
  leaf = await ca.issue('server', { commonName: 'der.test' });
});
after(async () => {
  await ca?.close();
});

// [family, valid DER, parse, error code]
const families = () => [
  ['certificate', leaf.certificate.raw, (d) => Certificate.from(d), 'ERR_JSEC_CERT_PARSE'],
  ['CRL', ca.crl().raw, (d) => Crl.from(d), 'ERR_JSEC_CRL_PARSE'],
  ['CSR', generateCsrSync({ commonName: 'der.test' }).der, (d) => Csr.from(d), 'ERR_JSEC_CSR_PARSE'],
  ['OCSP request', buildOcspRequest({ certificate: leaf.cert, issuer: ca.certificate.pem }).der, (d) => parseOcspRequest(d), 'ERR_JSEC_OCSP_PARSE'],
  ['OCSP response', createOcspErrorResponse('internalError'), (d) => parseOcspResponse(d), 'ERR_JSEC_OCSP_PARSE'],
  ['CMS', Buffer.from(cmsCertsOnly([leaf.cert], { format: 'der' })), (d) => cmsInfo(d), 'ERR_JSEC_CRYPTO_INVALID_CMS'],
  ['PKCS#12', createPkcs12Sync({ key: leaf.key, certificate: leaf.cert, password: 'pw' }), (d) => parsePkcs12Sync(d, 'pw'), 'ERR_JSEC_CRYPTO_INVALID_PKCS12'],
];

describe('native DER decoding', () => {
  test('valid DER parses; trailing, truncated and mis-sized DER is the family error', () => {
    for (const [family, der, parse, code] of families()) {
      assert.doesNotThrow(() => parse(der), family);
      const refused = (e) => e instanceof JsecError && e.code === code;
      assert.throws(() => parse(Buffer.concat([der, Buffer.from([0x00])])), refused, `${family}: trailing byte`);
      assert.throws(() => parse(Buffer.concat([der, der])), refused, `${family}: two objects`);
      assert.throws(() => parse(der.subarray(0, der.length - 1)), refused, `${family}: truncated`);
      const badLength = Buffer.from(der);
      badLength[1] = 0x85; // a five-byte length that the bytes cannot hold
      assert.throws(() => parse(badLength), refused, `${family}: broken outer length`);
    }
  });
});

/**
 * The registry of every error code jsec can raise. Codes are permanent: once
 * published, a code keeps its meaning and its family. Where Node.js already
 * names a condition (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...)
 * jsec reuses Node's code so that code written for `node:tls` keeps working.
 *
 * `docs/errors.md` is generated from this table (`npm run docs`).
 *
 * @module
 */

/** The error families, one class each (see `errors/index.ts`). */
export type ErrorFamily = 'jsec' | 'config' | 'state' | 'tls' | 'alert' | 'certificate' | 'dtls' | 'openssl';

/** One registry entry. */
export interface ErrorSpec {
  /** The family, which decides the error's class. */
  readonly family: ErrorFamily;
  /** One line: what the condition means. */
  readonly description: string;
  /** True where the code is Node's own (or OpenSSL's verify code as Node spells it). */
  readonly node?: boolean;
}

const spec = (family: ErrorFamily, description: string, node = false): ErrorSpec =>
  Object.freeze(node ? { family, description, node } : { family, description });

/**
 * Every code, by family. Add new codes here (and nowhere else); the
 * table-driven test in `test/unit/errors.test.mjs` covers each entry.
 */
export const registry = Object.freeze({
  // --- jsec (no narrower family) -----------------------------------------
  ERR_JSEC_NATIVE_LOAD: spec('jsec', 'The native addon could not be found or loaded; the error lists what to do.'),
  ERR_JSEC_INTERNAL: spec('jsec', 'An internal invariant failed; please report it.'),
  ERR_JSEC_CA_STORE: spec('jsec', 'The CA state file could not be read or written (`cause`); a failed write leaves the previous state intact.'),
  ERR_JSEC_OCSP_HTTP: spec('jsec', 'The OCSP HTTP exchange failed: connection error, non-200 status or wrong content type (`statusCode`, `cause`).'),
  ERR_JSEC_OCSP_TIMEOUT: spec('jsec', 'The OCSP HTTP exchange did not complete within its timeout (`timeout`).'),
  ERR_JSEC_OCSP_TOO_LARGE: spec('jsec', 'An OCSP message is larger than the allowed maximum size (`maxSize`).'),
  ERR_JSEC_OCSP_LISTEN: spec('jsec', 'The OCSP responder could not listen on the requested address (`cause` holds the system error).'),

  // --- config / arguments --------------------------------------------------
  ERR_INVALID_ARG_TYPE: spec('config', 'An argument or option has the wrong type.', true),
  ERR_INVALID_ARG_VALUE: spec('config', 'An argument or option has a value that is not allowed.', true),
  ERR_OUT_OF_RANGE: spec('config', 'A numeric argument or option is outside its allowed range.', true),
  ERR_MISSING_OPTION: spec('config', 'A required option is missing.', true),
  ERR_JSEC_UNKNOWN_OPTION: spec('config', 'An option name is not recognised; `suggestion` names the closest valid one.'),
  ERR_JSEC_CONFLICTING_OPTIONS: spec('config', 'Two options cannot be used together.'),
  ERR_JSEC_UNSUPPORTED: spec('config', 'The running Node.js or OpenSSL does not support the requested feature.'),
  // jsec/ca
  ERR_JSEC_CA_NOT_A_CA: spec('config', 'The certificate cannot act as a CA (no basicConstraints CA:TRUE, or a key usage without keyCertSign).'),
  ERR_JSEC_CA_PATH_LENGTH: spec('config', 'The path length constraint of the CA does not allow a further intermediate CA below it.'),
  ERR_JSEC_CA_VALIDITY: spec('config', 'The requested validity is empty or extends beyond the validity of the issuing CA.'),
  ERR_JSEC_CA_SERIAL_REUSE: spec('config', 'The serial was already used by this CA (or is the serial of the CA itself); serials never repeat for an issuer.'),
  ERR_JSEC_CA_UNKNOWN_SERIAL: spec('config', 'The serial was not issued by this CA.'),
  ERR_JSEC_CA_ALREADY_REVOKED: spec('config', 'The certificate is already revoked; only a certificateHold can change to another reason or be lifted.'),
  ERR_JSEC_CA_NOT_ON_HOLD: spec('config', 'removeFromCRL was asked for a certificate that is not on hold.'),
  ERR_JSEC_CA_STATE: spec('config', 'An exported CA state is malformed or of an unsupported version.'),
  ERR_JSEC_CA_PASSPHRASE: spec('config', 'The CA key in the state is encrypted and the passphrase is missing or wrong.'),
  // jsec/crypto: bad arguments
  ERR_MISSING_PASSPHRASE: spec('config', 'The key is encrypted and no passphrase was given.', true),
  ERR_JSEC_CRYPTO_WRONG_KEY_TYPE: spec('config', 'The key is of the wrong type for the operation (for example an X25519 key for signing, a public key where a private key is needed); `expected`, `actual`.'),
  ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH: spec('config', 'A symmetric key has the wrong length for the algorithm (`expected`, `actual`).'),
  ERR_JSEC_CRYPTO_INVALID_NONCE_LENGTH: spec('config', 'A nonce or IV has the wrong length for the algorithm (`expected`, `actual`).'),
  ERR_JSEC_CRYPTO_INVALID_TAG_LENGTH: spec('config', 'An authentication tag has a length the algorithm does not allow (`expected`, `actual`).'),
  ERR_JSEC_CRYPTO_INVALID_POINT: spec('config', 'The bytes are not a valid point on the curve (wrong length, wrong prefix, not on the curve).'),
  ERR_JSEC_CRYPTO_POINT_AT_INFINITY: spec('config', 'The point at infinity was given or produced where a finite point is required.'),
  ERR_JSEC_CRYPTO_INVALID_SCALAR: spec('config', 'An EC scalar is not in [1, n-1] or has the wrong length for the curve.'),
  ERR_JSEC_CRYPTO_INVALID_ENCODING: spec('config', 'Text is not valid strict base64 / base64url / PEM (bad character, bad padding, non-canonical trailing bits).'),
  ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG: spec('config', 'The plaintext is longer than RSA encryption with this key and padding allows (`max`).'),
  ERR_JSEC_CRYPTO_KEY_MISMATCH: spec('config', 'A private key does not belong to the certificate it is used with.'),

  // --- state -------------------------------------------------------------
  ERR_JSEC_INVALID_STATE: spec('state', 'The operation is not allowed in the object\'s current state (`state`, `operation`).'),
  ERR_JSEC_CLOSED: spec('state', 'The object was closed; it can no longer be used.'),
  ABORT_ERR: spec('state', 'The operation was aborted through its AbortSignal.', true),

  // --- tls -----------------------------------------------------------------
  ERR_TLS_HANDSHAKE_TIMEOUT: spec('tls', 'The TLS handshake did not finish within the handshake timeout.', true),
  ECONNREFUSED: spec('tls', 'The peer refused the connection.', true),
  ECONNRESET: spec('tls', 'The peer reset the connection.', true),
  ERR_JSEC_TLS_CONNECT: spec('tls', 'The transport could not be connected (DNS, routing, socket errors); `cause` holds the system error.'),
  ERR_JSEC_TLS_HANDSHAKE: spec('tls', 'The TLS handshake failed for a reason that has no more specific code; `cause` holds the OpenSSL error.'),
  ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE: spec('tls', 'The peer closed the connection before the handshake completed.'),
  ERR_JSEC_TLS_PROTOCOL_VERSION: spec('tls', 'The peers share no protocol version allowed by the policy.'),
  ERR_JSEC_TLS_NO_SHARED_CIPHER: spec('tls', 'The peers share no cipher suite (or group or signature algorithm) allowed by the policy.'),
  ERR_JSEC_TLS_BAD_RECORD: spec('tls', 'The peer sent bytes that are not a valid TLS record (garbage, wrong protocol).'),
  ERR_JSEC_TLS_PEER_TOO_LARGE: spec('tls', 'The peer sent a handshake message larger than allowed (for example an oversized certificate chain).'),
  ERR_JSEC_TLS_LISTEN: spec('tls', 'The server could not start listening (address in use, permission, bad path); `cause` holds the system error.'),
  ERR_JSEC_TLS_QUEUE_FULL: spec('tls', 'A verified connection was dropped because the accept queue was full (nobody called `accept()` fast enough).'),
  ERR_TLS_RENEGOTIATION_DISABLED: spec('tls', 'The peer started a TLS renegotiation this side refuses (every client-initiated one; any with `security.renegotiation: \'never\'`).', true),
  // jsec/tls advanced features
  ERR_JSEC_TLS_SNI_UNKNOWN_NAME: spec('tls', 'The client asked for a server name the server does not serve and the SNI policy is `unknownName: \'reject\'` (`servername`).'),
  ERR_JSEC_TLS_SNI_RESOLVER: spec('tls', 'The SNI resolver hook threw, rejected or returned unusable material (`servername`, `cause`); that handshake fails, the server keeps serving.'),
  ERR_JSEC_TLS_NO_APPLICATION_PROTOCOL: spec('tls', 'The client offered ALPN protocols and none is supported; the server sent the no_application_protocol alert (RFC 7301).'),
  ERR_JSEC_CRL_FETCH: spec('tls', 'A CRL distribution point could not be fetched (connection, HTTP status, timeout, size limit; `url`, `reason`, `cause`).'),

  // --- alert -----------------------------------------------------------------
  ERR_JSEC_TLS_ALERT: spec('alert', 'The peer sent a fatal TLS alert (`alert` number, `alertName`, `direction`).'),

  // --- certificate / verification ----------------------------------------
  ERR_TLS_CERT_ALTNAME_INVALID: spec('certificate', 'The peer certificate does not match the expected host name or IP address.', true),
  CERT_HAS_EXPIRED: spec('certificate', 'A certificate in the chain has expired.', true),
  CERT_NOT_YET_VALID: spec('certificate', 'A certificate in the chain is not valid yet.', true),
  DEPTH_ZERO_SELF_SIGNED_CERT: spec('certificate', 'The peer presented a self-signed certificate that is not trusted.', true),
  SELF_SIGNED_CERT_IN_CHAIN: spec('certificate', 'The chain ends in a self-signed root that is not trusted.', true),
  UNABLE_TO_GET_ISSUER_CERT: spec('certificate', 'The issuer of a certificate could not be found.', true),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: spec('certificate', 'The issuer certificate of a looked-up certificate could not be found locally (untrusted root).', true),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: spec('certificate', 'No trusted issuer of the leaf was found.', true),
  CERT_SIGNATURE_FAILURE: spec('certificate', 'A certificate signature does not verify.', true),
  CERT_REVOKED: spec('certificate', 'A certificate in the chain is revoked.', true),
  CERT_UNTRUSTED: spec('certificate', 'The root certificate is not marked trusted for this purpose.', true),
  CERT_REJECTED: spec('certificate', 'The root certificate is marked to reject this purpose.', true),
  INVALID_CA: spec('certificate', 'A CA certificate is invalid (not a CA, or unusable for signing).', true),
  INVALID_PURPOSE: spec('certificate', 'A certificate cannot be used for the requested purpose.', true),
  PATH_LENGTH_EXCEEDED: spec('certificate', 'The basic-constraints path length was exceeded.', true),
  CERT_CHAIN_TOO_LONG: spec('certificate', 'The chain is longer than the maximum verification depth.', true),
  ERR_JSEC_CERT_VERIFY: spec('certificate', 'Certificate verification failed for a reason without a more specific code (`verifyCode`, `verifyError`).'),
  ERR_JSEC_NO_PEER_CERTIFICATE: spec('certificate', 'The peer presented no certificate where one is required.'),
  ERR_JSEC_TLS_OCSP_MISSING: spec('certificate', 'No OCSP response was stapled although `ocsp: \'require\'` was asked for or the certificate is must-staple (`mustStaple`).'),
  ERR_JSEC_TLS_OCSP_UNKNOWN: spec('certificate', 'The stapled OCSP response says the status is unknown and `ocsp: \'require\'` was asked for.'),
  ERR_JSEC_TLS_PIN_MISMATCH: spec('certificate', 'No certificate of the verified chain matches a pinned public key (`pins`, `chainPins`).'),
  ERR_JSEC_TLS_VERIFY_PEER: spec('certificate', 'The verifyPeer hook rejected the peer (`cause` is what it threw).'),
  ERR_JSEC_CRL_INVALID: spec('certificate', 'A fetched CRL does not parse, is not signed by the issuer, or is past its nextUpdate (`url`, `reason`).'),
  // jsec/cert: parsing and building certificates, CSRs and CRLs
  ERR_JSEC_PEM_PARSE: spec('certificate', 'The text holds no PEM block of the expected kind, or a PEM block is corrupt (bad base64, missing end line).'),
  ERR_JSEC_CERT_PARSE: spec('certificate', 'The bytes are not a valid X.509 certificate (DER), or trailing bytes follow it.'),
  ERR_JSEC_CSR_PARSE: spec('certificate', 'The bytes are not a valid PKCS#10 certificate signing request.'),
  ERR_JSEC_CRL_PARSE: spec('certificate', 'The bytes are not a valid X.509 certificate revocation list.'),
  ERR_JSEC_CERT_BUILD: spec('certificate', 'A certificate, CSR or CRL could not be built or signed (`opensslErrors` says why).'),
  ERR_JSEC_CERT_KEY_INVALID: spec('certificate', 'A key given for a certificate, CSR or CRL cannot be decoded or is not usable (wrong kind, public where private is needed).'),
  ERR_JSEC_CERT_KEY_MISMATCH: spec('certificate', 'The private key does not belong to the certificate it is used with.'),
  // jsec/ocsp: parsing and verifying OCSP messages
  ERR_JSEC_OCSP_PARSE: spec('certificate', 'The bytes are not a valid DER OCSP request or response, or trailing bytes follow it.'),
  ERR_JSEC_OCSP_RESPONSE_STATUS: spec('certificate', 'The OCSP responder answered with an unsuccessful status (`responseStatus`: malformedRequest, internalError, tryLater, sigRequired, unauthorized).'),
  ERR_JSEC_OCSP_SIGNATURE: spec('certificate', 'The OCSP response signature does not verify, or its signer certificate is neither in the response nor among the given certificates.'),
  ERR_JSEC_OCSP_UNAUTHORIZED_RESPONDER: spec('certificate', 'The OCSP response was signed neither by the issuing CA nor by a valid certificate that CA issued for OCSP signing (EKU OCSPSigning).'),
  ERR_JSEC_OCSP_CERT_ID_MISMATCH: spec('certificate', 'The OCSP response holds no status for the certificate asked about (issuer hashes or serial differ).'),
  ERR_JSEC_OCSP_NONCE_MISMATCH: spec('certificate', 'The OCSP response does not echo the nonce of the request.'),
  ERR_JSEC_OCSP_STALE: spec('certificate', 'The OCSP response is past its nextUpdate (or older than maxAge when it has none), beyond the clock-skew tolerance.'),
  ERR_JSEC_OCSP_NOT_YET_VALID: spec('certificate', 'The thisUpdate of the OCSP response lies in the future beyond the clock-skew tolerance.'),
  // jsec/ca: requests a CA refuses
  ERR_JSEC_CA_CSR_SIGNATURE: spec('certificate', 'The self-signature of a certificate signing request does not verify.'),
  ERR_JSEC_CA_POLICY: spec('certificate', 'A certificate signing request asks for something the signing policy does not allow (`rule` names it: CA, SAN type or value, EKU, key usage).'),

  // --- dtls ----------------------------------------------------------------
  ERR_JSEC_DTLS: spec('dtls', 'A DTLS operation failed.'),
  ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT: spec('dtls', 'The DTLS handshake did not complete: retransmissions were exhausted or the handshake timeout expired (`retransmits`, `timeout`).'),
  ERR_JSEC_DTLS_MESSAGE_TOO_LARGE: spec('dtls', 'A DTLS message does not fit in one datagram under the configured MTU (`size`, `max`); nothing was sent.'),
  ERR_JSEC_DTLS_NO_PEER: spec('dtls', 'sendTo() named an address with no established DTLS peer (`address`, `port`).'),
  ERR_JSEC_DTLS_IDLE_TIMEOUT: spec('dtls', 'The DTLS association was closed because nothing arrived within the idle timeout.'),
  ERR_JSEC_DTLS_PEER_CLOSED: spec('dtls', 'The DTLS peer closed the association (close_notify) while an operation was waiting.'),

  // --- openssl ---------------------------------------------------------------
  ERR_JSEC_OPENSSL: spec('openssl', 'An OpenSSL call failed; `opensslErrors` holds the drained error queue.'),
  // jsec/crypto: operation failures
  ERR_JSEC_CRYPTO_AUTH_FAILED: spec('openssl', 'AEAD decryption failed: the tag does not match the key, nonce, ciphertext and AAD. No plaintext is returned.'),
  ERR_JSEC_CRYPTO_DECRYPT_FAILED: spec('openssl', 'RSA or CMS decryption failed (wrong key or corrupt ciphertext); one code for every cause, so it is no padding oracle.'),
  ERR_JSEC_CRYPTO_BAD_PASSWORD: spec('openssl', 'The password is wrong (PKCS#12 MAC or encrypted private key).'),
  ERR_JSEC_CRYPTO_INVALID_KEY: spec('openssl', 'The key material could not be read (garbage PEM/DER/JWK, unknown algorithm).'),
  ERR_JSEC_CRYPTO_INVALID_CERTIFICATE: spec('openssl', 'A certificate given to a crypto function could not be read.'),
  ERR_JSEC_CRYPTO_INVALID_PKCS12: spec('openssl', 'The bytes are not a readable PKCS#12 file (corrupt, truncated, trailing bytes).'),
  ERR_JSEC_CRYPTO_INVALID_CMS: spec('openssl', 'The bytes are not a readable CMS / PKCS#7 structure, or not of the expected content type.'),
  ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID: spec('openssl', 'A CMS signature does not verify over the content (tampered content or signature).'),
  ERR_JSEC_CRYPTO_CMS_SIGNER_NOT_FOUND: spec('openssl', 'The CMS signer certificate is neither in the structure nor among the given intermediates.'),
  ERR_JSEC_CRYPTO_NOT_RECIPIENT: spec('openssl', 'The certificate is not among the recipients of the CMS EnvelopedData.'),
} satisfies Record<string, ErrorSpec>);

/** Every registered code. */
export type ErrorCode = keyof typeof registry;

/** Whether `code` is a registered jsec code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(registry, code);
}

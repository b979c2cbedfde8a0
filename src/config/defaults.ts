/**
 * Every default jsec applies, in one place, each with a one-line reason.
 * `docs/defaults.md` is generated from this file (`npm run docs`). Modules
 * read their defaults from {@link defaults}; nothing else hard-codes one.
 *
 * @module
 */

/** A default value with the reason it was chosen. */
export interface DefaultEntry<T = unknown> {
  readonly value: T;
  readonly reason: string;
}

const d = <T>(value: T, reason: string): DefaultEntry<T> => Object.freeze({ value, reason });

/** TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (forward secrecy, no CBC, no RSA key transport). */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** TLS 1.3 suites: all three AEAD suites that OpenSSL enables by default. */
export const TLS13_CIPHERSUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].join(':');

/** The table: module, then option name. */
export const DEFAULTS = Object.freeze({
  cert: Object.freeze({
    keyType: d('ec-p256' as const, 'ECDSA P-256: fast to generate and sign, 128-bit security, accepted by every TLS stack.'),
    digest: d('sha256' as const, 'SHA-256 signatures for RSA and ECDSA keys; SHA-1 is never used (Ed25519/Ed448 sign without a separate digest).'),
    serialBytes: d(16, 'Random 128-bit serials (top bit cleared: 127 bits), above the CA/Browser Forum minimum of 64 bits, so serials never repeat.'),
    validityDays: d(365, 'One year for leaf certificates (public CAs allow at most 398 days).'),
    clockSkew: d(300, 'notBefore is backdated five minutes (seconds) so a peer whose clock is slightly behind accepts a fresh certificate.'),
    selfSignedCa: d(false, 'A self-signed certificate is a CA:FALSE leaf unless ca: true is asked for: a leaf key that can sign other certificates is a needless risk.'),
    autoSan: d(true, 'When no SAN is given, the commonName becomes a DNS or IP SAN: TLS clients match only SANs (RFC 6125), never the CN.'),
    keyUsageCritical: d(true, 'RFC 5280 says keyUsage SHOULD be critical.'),
    verifyMaxDepth: d(100, "OpenSSL's default verification depth (certificates below the trust anchor)."),
    verifyPartialChain: d(false, 'A chain must end at a self-signed trust anchor unless partial chains are asked for.'),
    verifyStrict: d(false, "OpenSSL's X509_STRICT rejects real-world certificates with minor RFC 5280 slips; opt in."),
    verifyCrlCheck: d('leaf' as const, 'When CRLs are given, the leaf is checked (as openssl -crl_check); chain checks need every CA CRL.'),
    maxInputSize: d(16 * 1024 * 1024, 'Parsers refuse PEM/DER inputs above 16 MiB, so hostile input cannot exhaust memory (bytes).'),
  }),
  tls: Object.freeze({
    minVersion: d('TLSv1.2' as const, 'TLS 1.0 and 1.1 are deprecated (RFC 8996).'),
    maxVersion: d('TLSv1.3' as const, 'The newest version OpenSSL offers.'),
    ciphers: d(TLS12_CIPHERS, 'TLS 1.2: ECDHE + AEAD only, so every session has forward secrecy and no CBC padding oracles.'),
    ciphersuites: d(TLS13_CIPHERSUITES, 'TLS 1.3: every standard AEAD suite; all are forward secret.'),
    groups: d(undefined as string | undefined, "The running OpenSSL's list (it gains post-quantum hybrids on OpenSSL 3.5)."),
    sigalgs: d(undefined as string | undefined, "The running OpenSSL's list, which excludes SHA-1 at the default security level."),
    rejectUnauthorized: d(true, 'Verify the peer chain against the trust store; turning it off needs a dangerous option.'),
    checkHostname: d(true, 'A trusted certificate for another name is still an impostor.'),
    handshakeTimeout: d(30_000, 'An abandoned handshake must not hold a socket forever (milliseconds).'),
    sessionTickets: d(true, 'Resumption halves handshake cost; ticket keys rotate (see the session options).'),
    sessionTimeout: d(300, 'Five minutes bounds how long a stolen ticket or session is useful (seconds).'),
    sessionCacheSize: d(100, 'Enough for a client that talks to many servers; LRU beyond that.'),
    renegotiation: d('never' as 'never' | 'server-initiated', 'TLS 1.2 renegotiation is a DoS lever and unneeded with TLS 1.3 key updates; client-initiated renegotiation is refused in every mode.'),
    compression: d(false, 'TLS compression leaks plaintext (CRIME); OpenSSL disables it too.'),
    backlog: d(511, "The listen backlog Node's net uses by default."),
    allowHalfOpen: d(false, "As in net: ending the readable side ends the writable side."),
    contextCacheSize: d(64, 'Identical options reuse one SecureContext (building one costs about a third of a handshake); LRU beyond that.'),
    acceptQueue: d(128, 'Verified connections waiting for accept(); beyond that new ones are dropped rather than buffered without bound.'),
  }),
  tlsAdvanced: Object.freeze({
    resumeBackoff: d(16, 'After two offered sessions in a row were not resumed, the client cache skips this many connections to that server (doubling per further miss, up to 64 times) before offering again: a server that never resumes costs no work.'),
    sessionsPerKey: d(64, 'TLS 1.3 tickets are single use (two arrive per full handshake): 64 per server lets a pool of up to 64 parallel connections resume after its first wave; a session is about 1-2 KiB.'),
    ticketWait: d(1000, 'A TLS 1.3 client whose server asked for a certificate waits up to this long (ms) for the first ticket, which is when a server that refuses the client says so.'),
    ticketKeyPeriod: d(3_600_000, 'Server ticket keys rotate hourly (ms): a stolen key exposes at most about an hour of resumed sessions.'),
    ticketKeyGrace: d(3_600_000, 'A retired ticket key still decrypts for an hour (ms), far longer than the 300 s ticket lifetime, so rotation never forces full handshakes.'),
    clientOcsp: d('prefer' as const, 'Ask for a staple and verify it if sent (revoked fails; must-staple without a staple fails); servers that do not staple still connect.'),
    ocspRefreshFraction: d(0.5, 'A stapled response is refreshed halfway through its validity, leaving the other half to ride out a responder outage.'),
    ocspRetryInterval: d(60_000, 'After a failed OCSP fetch the stapler retries a minute later (ms), serving the last good response meanwhile.'),
    ocspFetchTimeout: d(5_000, 'A hanging OCSP responder must not hold a handshake (ms); the first handshake staples nothing rather than wait longer.'),
    crlTimeout: d(5_000, 'A hanging CRL server must not hold a connection for long (ms).'),
    crlMaxSize: d(4 * 1024 * 1024, 'Large public CRLs are a few MiB; anything bigger is refused rather than buffered (bytes).'),
    crlMaxAge: d(86_400_000, 'A CRL without nextUpdate is reused for one day (ms).'),
    crlCacheSize: d(32, 'CRLs kept (by URL) until their nextUpdate; LRU beyond that.'),
    maxClientHelloSize: d(65_536, 'A ClientHello read for SNI/ALPN decisions is at most 64 KiB (post-quantum key shares included); larger is handed to OpenSSL unparsed.'),
  }),
  crypto: Object.freeze({
    challengeLength: d(32, '256 bits: no birthday collision across any realistic number of challenges.'),
    rsaModulusLength: d(3072, 'NIST SP 800-57: 3072-bit RSA matches 128-bit security; 2048 is the floor jsec accepts.'),
    rsaPublicExponent: d(65537, 'The universal choice (F4); small exponents like 3 invite implementation pitfalls.'),
    rsaSignaturePadding: d('pkcs1' as const, "PKCS#1 v1.5 signatures are deterministic, unbroken and what every verifier accepts (RS256); ask for 'pss' for new protocols."),
    signatureHash: d('sha256' as const, 'SHA-256 for RSA and P-256/secp256k1 ECDSA; P-384 uses sha384 and P-521 sha512 to match the curve strength.'),
    pssSaltLength: d('digest' as const, 'A salt as long as the hash (RFC 8017 recommendation, TLS 1.3 and JOSE PS256 use it).'),
    dsaEncoding: d('der' as const, "ECDSA signatures as DER (X.509, CMS, TLS); 'ieee-p1363' (r||s) on request for JOSE/WebCrypto."),
    oaepHash: d('sha256' as const, 'SHA-1 OAEP is still secure but SHA-256 is what new protocols specify.'),
    tagLength: d(16, 'Full 128-bit AEAD tags; shorter tags weaken forgery resistance.'),
    ccmNonceLength: d(12, 'A 12-byte CCM nonce allows messages up to 16 MiB and matches the GCM nonce size.'),
    pbkdf2Iterations: d(600_000, 'OWASP 2023 guidance for PBKDF2-HMAC-SHA256.'),
    scryptCost: d(32_768, 'N = 2^15, r = 8, p = 1: the RFC 7914 interactive-login parameters scaled up; about 32 MiB and 100 ms.'),
    scryptMaxMemory: d(1024 ** 3, 'scrypt parameters needing more than 1 GiB (128 x N x r) are refused unless options.maxmem allows them: a slip in cost must not exhaust the machine.'),
    keyPassphraseCipher: d('aes-256-cbc' as const, 'PKCS#8 PBES2 with AES-256-CBC and PBKDF2-HMAC-SHA256, readable by every OpenSSL 1.x/3.x.'),
    pkcs12KeyEncryption: d('aes-256-cbc' as const, 'PBES2 (PBKDF2-HMAC-SHA256) with AES-256-CBC: what OpenSSL 3 writes; 3DES only with legacy: true.'),
    pkcs12CertEncryption: d('aes-256-cbc' as const, 'Certificates encrypted like the key, so a bag reveals no subject names; RC2-40 only with legacy: true.'),
    pkcs12MacHash: d('sha256' as const, 'An HMAC-SHA-256 integrity MAC; SHA-1 only with legacy: true.'),
    pkcs12Iterations: d(10_000, 'Key-derivation rounds for every bag and the MAC; above OpenSSL\'s 2048, still a few ms.'),
    cmsSignHash: d('sha256' as const, 'The CMS signer digest; SHA-1 is not accepted by current verifiers.'),
    cmsCipher: d('aes-256-cbc' as const, 'EnvelopedData with AES-256-CBC is what every CMS/S-MIME reader accepts; AES-GCM (AuthEnvelopedData, RFC 5083) on request.'),
    cmsRsaOaep: d(true, 'RSA recipients get RSAES-OAEP (SHA-256) key transport, not PKCS#1 v1.5 (Bleichenbacher).'),
  }),
  ca: Object.freeze({
    keyType: d('ec-p256' as const, 'P-256 ECDSA: 128-bit security, fast to sign and verify, accepted by every TLS stack.'),
    rootValidityDays: d(3650, 'Ten years: a root is replaced rarely and only by distributing a new anchor.'),
    intermediateValidityDays: d(1825, 'Five years: an intermediate is rotated without touching trust stores.'),
    intermediatePathLength: d(0, 'An intermediate issues end-entity certificates only unless more depth is asked for.'),
    validityDays: d(365, 'One year for end-entity certificates; short enough that keys rotate, long enough for private PKI.'),
    serialMode: d('random' as const, 'Random 128-bit serials (the size of defaults.cert.serialBytes) are unpredictable; a record of every serial used rules out repeats, the CA\'s own serial included.'),
    crlValidityDays: d(7, 'nextUpdate one week after thisUpdate: relying parties refetch weekly; publish sooner after a revocation.'),
    keyCipher: d('aes-256-cbc' as const, 'An exported CA key with a passphrase is PKCS#8 PBES2 (PBKDF2-HMAC-SHA256) with AES-256-CBC, readable by every OpenSSL 1.x/3.x.'),
    ocspSignerValidityDays: d(30, 'A delegated OCSP signer carries id-pkix-ocsp-nocheck, so nothing revokes it: keep its life short and rotate it.'),
  }),
  ocsp: Object.freeze({
    certIdHash: d('sha1' as const, 'RFC 5019 responders must support SHA-1 CertIDs and many support nothing else; the hash only names the issuer, it signs nothing.'),
    nonce: d(true, 'Requests carry a nonce so a replayed old response is detected (RFC 8954).'),
    nonceLength: d(32, 'RFC 8954: 32 octets; responders must accept 1 to 32.'),
    requireNonce: d(false, 'Cached and pre-produced responses (RFC 5019) carry no nonce; a nonce that is present must always match.'),
    clockSkew: d(300_000, 'Five minutes of tolerance for thisUpdate/nextUpdate between the responder clock and ours (milliseconds).'),
    maxAge: d(86_400_000, 'A response without nextUpdate is accepted for one day after its thisUpdate (milliseconds).'),
    timeout: d(10_000, 'An unresponsive OCSP server must not stall a connection for long (milliseconds).'),
    maxResponseSize: d(65_536, 'Real responses are 1 to 5 KiB even with a delegated signer certificate; bounds memory for hostile servers.'),
    maxGetRequestSize: d(255, 'RFC 5019 section 5: use GET when the base64 request is at most 255 bytes, POST otherwise.'),
    responseValidity: d(3_600_000, 'Responses are valid for one hour (nextUpdate = thisUpdate + 1 h): a revocation reaches every cache within the hour (milliseconds).'),
    responderId: d('key' as const, 'The responder is named by its key hash: compact and unaffected by name encodings (RFC 6960 4.2.1 allows either).'),
    includeCertificates: d(true, 'The signer certificate travels with the response, so a client that knows only the CA can check a delegated responder.'),
    signatureDigest: d('sha256' as const, 'SHA-256 response signatures (RFC 6960 moved away from SHA-1).'),
    maxRequestSize: d(16_384, 'OCSP requests are a few hundred bytes; the responder refuses larger bodies before reading them whole.'),
    maxParseSize: d(1_048_576, 'Parsers refuse inputs above 1 MiB outright, so hostile input cannot make them allocate without bound.'),
    host: d('127.0.0.1', 'The responder listens on loopback unless told otherwise.'),
  }),
  dtls: Object.freeze({
    minVersion: d('DTLSv1.2' as const, 'DTLS 1.0 is TLS 1.1-era cryptography; OpenSSL has no DTLS 1.3, so 1.2 is both floor and ceiling.'),
    maxVersion: d('DTLSv1.2' as const, 'The newest DTLS version OpenSSL offers.'),
    ciphers: d(
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
      'As for TLS 1.2: ECDHE + AEAD only.',
    ),
    pskCiphers: d(
      'ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256:PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305:ECDHE-PSK-AES128-CBC-SHA256',
      'With a PSK, AEAD suites first; ECDHE-PSK where the peer has it for forward secrecy; the CBC suite is the one many constrained devices (CoAP) speak.',
    ),
    rejectUnauthorized: d(true, 'Verify the peer chain against the trust store, exactly as jsec/tls does.'),
    checkHostname: d(true, 'A trusted certificate for another name is still an impostor.'),
    mtu: d(1200, 'The largest UDP payload jsec sends: fits the IPv6 minimum MTU (1280) minus headers, so no IP fragmentation on any path.'),
    retransmitInitial: d(1000, 'RFC 6347 section 4.2.4.1: start the retransmission timer at 1 second (milliseconds).'),
    retransmitMax: d(60_000, 'RFC 6347: double the timer on each retransmission up to 60 seconds (milliseconds).'),
    retransmitRetries: d(6, 'One flight is sent at most seven times (after 1+2+4+8+16+32 s) before the handshake fails; the handshake timeout usually ends it first.'),
    handshakeTimeout: d(30_000, 'An abandoned handshake must not hold a peer slot forever (milliseconds), as for TLS.'),
    idleTimeout: d(300_000, 'A server forgets a silent peer after five minutes (milliseconds); UDP has no FIN to tell it.'),
    maxPeers: d(1024, 'Bounds the memory one server spends on peers (tens of KiB each while handshaking); beyond it new ClientHellos are ignored.'),
    cookieSecretRotation: d(60_000, 'The HelloVerifyRequest cookie secret rotates every minute (the previous one stays valid), so a captured cookie expires (milliseconds).'),
    maxQueuedMessages: d(1024, 'Received messages nobody has read yet are bounded per socket; beyond that they are dropped, as UDP would drop them.'),
    maxQueuedDatagrams: d(64, 'Ciphertext datagrams queued inside one engine before it runs: a burst beyond this is dropped, as a full socket buffer drops it.'),
    sessionTimeout: d(300, 'Five minutes bounds how long a stolen session is useful (seconds).'),
    contextCacheSize: d(16, 'connect() with identical options reuses one client SSL_CTX (building one costs more than a PSK handshake); LRU beyond that.'),
  }),
  bio: Object.freeze({
    readSize: d(16_384, 'MemoryBio.read() without a size returns at most one TLS record worth of bytes.'),
    contextCacheSize: d(16, 'TlsEngines with identical options share one SSL_CTX (building one, with its CA store and key, costs more than the handshake); LRU beyond that.'),
  }),
});

type Values<T> = { readonly [K in keyof T]: T[K] extends DefaultEntry<infer V> ? V : Values<T[K]> };

function valuesOf<T extends object>(table: T): Values<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(table)) {
    out[k] = v && typeof v === 'object' && 'reason' in v ? (v as DefaultEntry).value : valuesOf(v as object);
  }
  return Object.freeze(out) as Values<T>;
}

/** The default values, by module (for example `defaults.tls.minVersion`). */
export const defaults = valuesOf(DEFAULTS);

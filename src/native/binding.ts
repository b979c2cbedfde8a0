/**
 * The typed declaration of the whole native surface. Only `src/` imports the
 * binding, and only through {@link native} from `./loader.js`. Native code
 * trusts its arguments: TypeScript validates them first.
 *
 * Each object family adds its section below.
 *
 * @internal
 * @module
 */
import type { OpenSSLErrorEntry } from '../errors/index.js';

/** What `versions()` reports about OpenSSL. */
export interface NativeVersions {
  /** `OPENSSL_VERSION_TEXT` of the headers the addon was compiled against. */
  compiled: string;
  compiledNumber: number;
  compiledMajor: number;
  compiledMinor: number;
  /** `OpenSSL_version(OPENSSL_VERSION)` of the OpenSSL in this process. */
  running: string;
  runningNumber: number;
  runningMajor: number;
  runningMinor: number;
  runningPatch: number;
  /** The object file each symbol was resolved from (dladdr). */
  providers: { libcrypto: string; libssl: string; node: string; addon: string };
}

// --- crypto (jsec/crypto) ---------------------------------------------------

/** Input of `pkcs12Create`. Encryption names: aes-*-cbc (PBES2/PBKDF2), des-ede3-cbc, rc2-40-cbc (PKCS#12 PBE), none. */
export interface NativePkcs12CreateOptions {
  key: Uint8Array | null;
  cert: Uint8Array | null;
  chain: Uint8Array[];
  password: string;
  friendlyName: string | null;
  keyEncryption: string;
  certEncryption: string;
  macHash: string;
  iterations: number;
  macIterations: number;
  legacy: boolean;
}

/** What `pkcs12Parse` found; the key is PKCS#8 DER, certificates DER. */
export interface NativePkcs12Parsed {
  key: Buffer | null;
  cert: Buffer | null;
  friendlyName: string | null;
  chain: Buffer[];
  chainFriendlyNames: (string | null)[];
  mac: boolean;
}

export interface NativeCmsSignOptions {
  data: Uint8Array;
  cert: Uint8Array;
  key: Uint8Array;
  extraCerts: Uint8Array[];
  hash: string;
  detached: boolean;
}

export interface NativeCmsVerifyOptions {
  cms: Uint8Array;
  content: Uint8Array | null;
  trusted: Uint8Array[];
  untrusted: Uint8Array[];
  anyPurpose: boolean;
  /** Seconds since the epoch, or undefined for now. */
  time: number | undefined;
}

/** `chainOk` false: the signatures verified but a signer's chain did not (`verifyCode`...). */
export interface NativeCmsVerified {
  content: Buffer;
  signers: Buffer[];
  certs: Buffer[];
  chainOk: boolean;
  verifyCode?: number;
  verifyError?: string;
  depth?: number;
  signerIndex?: number;
}

export interface NativeCmsEncryptOptions {
  data: Uint8Array;
  recipients: Uint8Array[];
  cipher: string;
  oaep: boolean;
}

/** A keyed AEAD context pair (encrypt and decrypt). */
/** A keyed AEAD's native state (an External): only the aeadKey* functions read it. */
export type NativeAeadKey = { readonly __nativeAeadKey: unique symbol };
// --- end crypto types ---

// --- ocsp (jsec/ocsp) ---------------------------------------------------------
// Certificates and CertIDs cross as DER, private keys as PKCS#8 DER, serials
// as lower-case hex without leading zeros, times as seconds since the epoch.

/** A CertID as parsed or computed. */
export interface NativeOcspCertId {
  /** Short name of the hash algorithm ('SHA1', 'SHA256', ...), or the dotted OID. */
  hashAlgorithm: string;
  hashAlgorithmOid: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serial: string;
  der: Buffer;
}

/** An extension of a request, response or single response. */
export interface NativeOcspExtension {
  oid: string;
  name: string;
  critical: boolean;
  value: Buffer;
}

/** `ocspRequestParse` output. */
export interface NativeOcspRequest {
  certIds: NativeOcspCertId[];
  nonce: Buffer | null;
  signed: boolean;
  extensions: NativeOcspExtension[];
}

/** One SingleResponse as parsed. status: 0 good, 1 revoked, 2 unknown; reason -1 when absent. */
export interface NativeOcspSingle {
  certId: NativeOcspCertId;
  status: number;
  revocationReason: number;
  revocationTime: number | null;
  thisUpdate: number | null;
  nextUpdate: number | null;
  extensions: NativeOcspExtension[];
}

/** A BasicOCSPResponse as parsed. */
export interface NativeOcspBasic {
  responderId: { type: 'name'; name: Buffer; text?: string } | { type: 'key'; keyHash: Buffer };
  producedAt: number | null;
  signatureAlgorithm: string;
  nonce: Buffer | null;
  extensions: NativeOcspExtension[];
  certificates: Buffer[];
  responses: NativeOcspSingle[];
}

/** Input of `OcspSigner.sign`. */
export interface NativeOcspSignSpec {
  responses: { certId: Buffer; status: 0 | 1 | 2; revocationTime?: number; reason?: number; thisUpdate: number; nextUpdate?: number | null }[];
  nonce: Buffer | null;
  producedAt: number;
  /** Digest name; ignored for Ed25519 / Ed448 keys. */
  digest: string;
  includeCertificates: boolean;
  responderId: 'name' | 'key';
}

/** A signing identity (certificate + key) held natively. */
export interface NativeOcspSigner {
  sign(spec: NativeOcspSignSpec): Buffer;
  close(): void;
}

/** `ocspResponseVerify` output. */
export interface NativeOcspVerifyResult {
  ok: boolean;
  reason?: 'signer-not-found' | 'signature' | 'signer-chain' | 'unauthorized' | 'no-responses';
  detail?: string;
  signer?: Buffer;
}

// --- x509 / store / csr / crl (jsec/cert) ---------------------------------
// Keys cross the boundary as DER: private keys as PKCS#8 (or as the members
// of their JWK: EC, RSA, Ed25519, Ed448; Node exports and OpenSSL 3.0 imports
// those about ten times faster than PKCS#8, which needs a decoder), public
// keys as SubjectPublicKeyInfo (copied into certificates without decoding). Names are ordered [field, value] pairs (field: short
// name, long name or dotted OID) or the DER of an X509_NAME. Times are
// seconds since the epoch. Serials and CRL numbers are big-endian unsigned bytes.

/** A general name for the builders. `ip` takes 4 or 16 raw bytes; `dirName` a name. */
export type NativeGeneralNameInput =
  | { type: 'dns' | 'email' | 'uri'; value: string }
  | { type: 'ip'; value: Uint8Array }
  | { type: 'dirName'; value: NativeNameInput };

/** A distinguished name for the builders. */
export type NativeNameInput = ReadonlyArray<readonly [string, string]> | Buffer;

/** The standard extensions the certificate and CSR builders can write (all optional). */
export interface NativeExtensionSpec {
  basicConstraints?: { critical: boolean; ca: boolean; pathLength?: number };
  /** Bit numbers of RFC 5280 KeyUsage (0 digitalSignature ... 8 decipherOnly). */
  keyUsage?: { critical: boolean; bits: number[] };
  extendedKeyUsage?: { critical: boolean; oids: string[] };
  subjectAltName?: { critical: boolean; names: NativeGeneralNameInput[] };
  /** true: computed from the subject key (SHA-1 of the key bits); a Buffer: that identifier. */
  subjectKeyIdentifier?: boolean | Buffer;
  /** true: the issuer's SKI (or its key's identifier); a Buffer: that identifier. */
  authorityKeyIdentifier?: boolean | Buffer;
  authorityInfoAccess?: { ocsp: string[]; caIssuers: string[] };
  crlDistributionPoints?: string[];
  certificatePolicies?: string[];
  /** TLS feature numbers (5 = status_request: must-staple). */
  tlsFeature?: number[];
  /** Extensions copied verbatim: `value` is the DER inside the extnValue OCTET STRING. */
  extra?: { oid: string; critical: boolean; value: Buffer }[];
}

/** Input of `x509Build`. */
export interface NativeCertSpec {
  serial: Buffer;
  subject: NativeNameInput;
  /** The issuer's certificate (DER): its subject becomes the issuer name, its SKI the AKI; the key must match it. */
  issuerCert?: Buffer;
  /** Issuer name when there is no issuer certificate (default: the subject: self-signed). */
  issuer?: NativeNameInput;
  notBefore: number;
  notAfter: number;
  /** Subject public key (SPKI DER); default: the public half of `signingKey`. */
  publicKey?: Buffer;
  /** The signing key: PKCS#8 DER or JWK members. */
  signingKey: Buffer | Record<string, string>;
  /** Digest name ('sha256', ...); '' for Ed25519 / Ed448. */
  digest: string;
  extensions?: NativeExtensionSpec;
}

/** A name as parsed. */
export interface NativeName {
  entries: { type: string; oid: string; value: string; set: number }[];
  text: string;
  der: Buffer;
}

/** A general name as parsed. */
export interface NativeGeneralName {
  type: 'dns' | 'email' | 'uri' | 'ip' | 'dirName' | 'registeredId' | 'otherName' | 'x400Address' | 'ediPartyName';
  value: string | Buffer | NativeName;
  bytes?: Buffer;
  oid?: string;
}

/** Public-key information as parsed. */
export interface NativePublicKeyInfo {
  type: string;
  bits: number;
  curve?: string;
  spki?: Buffer;
}

/** Extension fields shared by parsed certificates, CSRs and CRLs. */
export interface NativeExtensionFields {
  extensions: { oid: string; name: string; critical: boolean; value: Buffer; malformed?: boolean }[];
  basicConstraints?: { critical: boolean; ca: boolean; pathLength: number | null };
  keyUsage?: string[];
  keyUsageCritical?: boolean;
  extendedKeyUsage?: string[];
  subjectAltName?: NativeGeneralName[];
  issuerAltName?: NativeGeneralName[];
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: { keyId: string | null; issuer: NativeGeneralName[] | null; serialNumber: string | null };
  authorityInfoAccess?: { ocsp: string[]; caIssuers: string[]; other: NativeGeneralName[] };
  crlDistributionPoints?: string[];
  policies?: string[];
  tlsFeature?: number[];
  crlNumber?: string;
  deltaCrlIndicator?: string;
  reasonCode?: number;
  invalidityDate?: number;
}

/** `x509Parse` output. */
export interface NativeCertInfo extends NativeExtensionFields {
  version: number;
  serialNumber: string;
  subject: NativeName;
  issuer: NativeName;
  notBefore: number;
  notAfter: number;
  publicKey: NativePublicKeyInfo;
  signatureAlgorithm?: { name: string; oid: string };
  invalidExtensions: boolean;
  selfIssued: boolean;
  /** The parsed X509, for reuse. */
  handle: NativeCertHandle;
}

/** A parsed certificate (an owned X509 reference), passed instead of DER to skip re-parsing. */
export type NativeCertHandle = { readonly __nativeX509: never };

/** A trust store (X509_STORE of anchors), reusable across verifications: `new TrustStore(anchorDers)`. */
export interface NativeTrustStore {
  readonly size: number;
  close(): void;
}

/** Input of `x509Verify`. */
export interface NativeVerifyRequest {
  leaf: Buffer | NativeCertHandle;
  intermediates: (Buffer | NativeCertHandle)[];
  store: NativeTrustStore;
  crls: Buffer[];
  /** Validation time (seconds); default: now. */
  time?: number;
  /** OpenSSL purpose short name (sslserver, sslclient, smimesign, timestampsign, ocsphelper, any, codesign). */
  purpose?: string;
  hostname?: string;
  ip?: string;
  email?: string;
  crlCheck?: 'leaf' | 'chain';
  maxDepth?: number;
  partialChain?: boolean;
  strict?: boolean;
}

/** `x509Verify` output: every error the verify callback saw, in order. */
export interface NativeVerifyResult {
  valid: boolean;
  verifyCode: number;
  chain: Buffer[];
  errors: { verifyCode: number; message: string; depth: number; cert: Buffer | null }[];
}

/** Input of `csrBuild`. */
export interface NativeCsrSpec {
  subject: NativeNameInput;
  signingKey: Buffer | Record<string, string>;
  digest: string;
  extensions?: NativeExtensionSpec;
}

/** `csrParse` output. */
export interface NativeCsrInfo extends NativeExtensionFields {
  version: number;
  subject: NativeName;
  publicKey: NativePublicKeyInfo;
  signatureAlgorithm?: { name: string; oid: string };
  signatureValid: boolean;
  attributes: { oid: string; name: string }[];
}

/** Input of `crlBuild`. */
export interface NativeCrlSpec {
  issuerCert: Buffer;
  signingKey: Buffer | Record<string, string>;
  digest: string;
  thisUpdate: number;
  nextUpdate: number;
  crlNumber: Buffer;
  /** reason: RFC 5280 CRLReason (0-10, not 7); omitted for none. */
  entries: { serial: Buffer; date: number; reason?: number; invalidityDate?: number }[];
}

/** `crlParse` output. */
export interface NativeCrlInfo extends NativeExtensionFields {
  version: number;
  issuer: NativeName;
  thisUpdate: number;
  nextUpdate: number | null;
  signatureAlgorithm?: { name: string; oid: string };
  entries: ({ serialNumber: string; revocationDate: number } & NativeExtensionFields)[];
}

/** Options of an engine context (an SSL_CTX); TS validated and normalised them. */
export interface NativeEngineContextOptions {
  dtls: boolean;
  /** Installs the server-side callbacks (ALPN selection, session cache, DTLS cookies). */
  server: boolean;
  minVersion?: number;
  maxVersion?: number;
  ciphers?: string;
  ciphersuites?: string;
  groups?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  ca?: string[];
  /** 0 none, 1 verify the peer (a server requests a certificate), 2 a server requires one. */
  verify: 0 | 1 | 2;
  rejectUnauthorized: boolean;
  /** ALPN protocols in wire format. */
  alpn?: Buffer;
  pskIdentity?: string;
  pskKey?: Buffer;
  pskTable?: { identity: string; key: Buffer }[];
  pskHint?: string;
  srtpProfiles?: string;
  sessionTimeout?: number;
  sessionCacheSize?: number;
  sessionTickets?: boolean;
}

/** An SSL_CTX shared by engines. */
export interface NativeEngineContext {
  readonly closed: boolean;
  close(): void;
  /** The current HelloVerifyRequest cookie secret becomes the previous one. */
  rotateCookieSecret(): void;
}

/** Options of one engine (an SSL). */
export interface NativeEngineOptions {
  server: boolean;
  servername?: string;
  verifyHost?: string;
  verifyIp?: string;
  mtu?: number;
  retransmitInitial?: number;
  retransmitMax?: number;
  maxQueued?: number;
  session?: Buffer;
}

/** What an engine reports about its connection. */
export interface NativeEngineInfo {
  state: string;
  version: string;
  cipher?: string;
  standardName?: string;
  cipherBits?: number;
  alpnProtocol?: string;
  resumed: boolean;
  verifyCode: number;
  verifyError?: string;
  hasPeerCertificate: boolean;
  servername?: string;
  pskIdentity?: string;
  srtpProfile?: string;
  mtu?: number;
  maxMessageSize?: number;
}

/** The sans-IO engine: an SSL over BIOs that never touch a socket or a clock. */
export interface NativeEngine {
  readonly state: 'new' | 'handshaking' | 'established' | 'shutdown-sent' | 'peer-closed' | 'failed' | 'closed';
  /** DTLS: one datagram (false when the inbound queue is full); TLS: bytes. */
  feed(data: Uint8Array): boolean;
  /** DTLS server: stateless cookie exchange. 1 = verified ClientHello, 0 = nothing yet, -1 = rejected. */
  listen(peerKey: Uint8Array): number;
  /** True once the handshake is complete; throws the handshake's error. */
  handshake(): boolean;
  read(): Buffer | null;
  /** Every plaintext record available now. */
  readAll(): Buffer[];
  write(data: Uint8Array): void;
  /** write() then output(). */
  writeOut(data: Uint8Array): Buffer[];
  /** DTLS: datagrams to send; TLS: at most one Buffer of bytes. */
  output(): Buffer[];
  /**
   * DTLS, the inbound hot path: takes `datagram` (or nothing) and reads every
   * message now available into `out`, consecutively from `offset`; returns how
   * many. `status[0]`: flags (1 call again with more room or slots, 2 datagrams
   * to send are queued, 4 close_notify arrived, 8 the datagram was dropped: queue
   * full); `status[1]`: the room the next read needs (with flag 1); `status[2 + i]`:
   * the length of message i.
   */
  receive(datagram: Uint8Array | null, out: Uint8Array, offset: number, status: Int32Array): number;
  /**
   * DTLS, the outbound hot path: encrypts one message (checks as write()) into a
   * datagram written at `out[offset]`. Returns its size * 2, plus 1 when more
   * datagrams are queued (size 0: all of them are; take them with output()).
   */
  send(message: Uint8Array, out: Uint8Array, offset: number): number;
  /** Milliseconds until the DTLS retransmission timer expires, -1 when none runs. */
  timeout(): number;
  /** 1 when a flight was retransmitted, 0 when nothing was due. */
  handleTimeout(): number;
  shutdown(): void;
  info(): NativeEngineInfo;
  peerCertificates(): Buffer[];
  session(): Buffer | null;
  exportKeyingMaterial(length: number, label: string, context: Uint8Array | undefined): Buffer;
  keyUpdate(requestPeer: boolean): void;
  maxMessageSize(): number;
  close(): void;
}

/** Counts for leak tests. */
export interface NativeActiveHandles {
  contexts: number;
  engines: number;
  memoryBios: number;
  ssl: number;
  sslCtx: number;
  datagramBios: number;
}

/** An OpenSSL memory BIO. */
export interface NativeMemoryBio {
  write(data: Uint8Array): number;
  read(size: number): Buffer | null;
  peek(): Buffer;
  pending(): number;
  close(): void;
}

/** The native binding: one section per object family. */
export interface NativeBinding {
  /** Names of the families the addon registered. */
  readonly families: readonly string[];

  // --- common ---
  setErrorFactory(factory: (code: string, message: string, opensslErrors: OpenSSLErrorEntry[]) => Error): void;

  // --- crypto: pkcs12, cms, ec, pkey (jsec/crypto) ---
  // Keys cross as DER (private: PKCS#8, public: SPKI), certificates as DER.
  // `async` true returns a Promise (work on the libuv pool), false runs inline.
  pkcs12Create(options: NativePkcs12CreateOptions, async: true): Promise<Buffer>;
  pkcs12Create(options: NativePkcs12CreateOptions, async: false): Buffer;
  pkcs12Parse(der: Uint8Array, password: string, legacy: boolean, async: true): Promise<NativePkcs12Parsed>;
  pkcs12Parse(der: Uint8Array, password: string, legacy: boolean, async: false): NativePkcs12Parsed;
  cmsSign(options: NativeCmsSignOptions, async: true): Promise<Buffer>;
  cmsSign(options: NativeCmsSignOptions, async: false): Buffer;
  cmsVerify(options: NativeCmsVerifyOptions, async: true): Promise<NativeCmsVerified>;
  cmsVerify(options: NativeCmsVerifyOptions, async: false): NativeCmsVerified;
  cmsEncrypt(options: NativeCmsEncryptOptions, async: true): Promise<Buffer>;
  cmsEncrypt(options: NativeCmsEncryptOptions, async: false): Buffer;
  cmsDecrypt(options: { cms: Uint8Array; key: Uint8Array; cert: Uint8Array }, async: true): Promise<Buffer>;
  cmsDecrypt(options: { cms: Uint8Array; key: Uint8Array; cert: Uint8Array }, async: false): Buffer;
  cmsCertsOnly(certs: Uint8Array[]): Buffer;
  cmsCerts(cms: Uint8Array): Buffer[];
  cmsContentType(cms: Uint8Array): { type: string; detached: boolean };
  /** A fixed-width big-endian scalar in [1, n-1]. `curve` is OpenSSL's short name. */
  ecRandomScalar(curve: string): Buffer;
  ecPointMul(curve: string, scalar: Uint8Array, point: Uint8Array | null, compressed: boolean): Buffer;
  ecPointAdd(curve: string, a: Uint8Array, b: Uint8Array, compressed: boolean): Buffer;
  ecPointEncode(curve: string, point: Uint8Array, compressed: boolean): Buffer;
  ecCurveInfo(curve: string): { scalarBytes: number; fieldBytes: number; order: Buffer };
  /** Throws ERR_JSEC_CRYPTO_INVALID_KEY unless the EC private key (PKCS#8 DER) has a scalar in [1, n-1] whose public point matches. */
  ecPrivateKeyCheck(pkcs8: Uint8Array): void;
  /** One-shot AEAD; `alg` indexes aes-128/192/256-gcm, chacha20-poly1305, aes-128/192/256-ccm. Returns ciphertext || tag. */
  aeadSeal(alg: number, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, plaintext: Uint8Array, tagLength: number, output?: Uint8Array): Buffer;
  /** Throws ERR_JSEC_CRYPTO_AUTH_FAILED (output wiped) when the tag does not verify. */
  aeadOpen(alg: number, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, ciphertext: Uint8Array, tag: Uint8Array): Buffer;
  /** A key bound to one AEAD algorithm (key schedule computed once). */
  aeadKeyNew(alg: number, key: Uint8Array): NativeAeadKey;
  /** With `output` (at least plaintext + tag bytes), writes there and returns it. */
  aeadKeySeal(key: NativeAeadKey, nonce: Uint8Array, aad: Uint8Array | null, plaintext: Uint8Array, tagLength: number, output?: Uint8Array): Buffer;
  /** With `output` (at least ciphertext bytes), writes there (wiped on failure) and returns it. */
  aeadKeyOpen(key: NativeAeadKey, nonce: Uint8Array, aad: Uint8Array | null, ciphertext: Uint8Array, tag: Uint8Array, output?: Uint8Array): Buffer;
  /** Frees the contexts (idempotent); later seal/open throw ERR_JSEC_CLOSED. */
  aeadKeyClose(key: NativeAeadKey): void;
  rsaOaep(encrypt: boolean, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, label: Uint8Array | null): Buffer;
  /** {@link NativeBinding.rsaOaep} on the libuv thread pool (inputs are copied first). */
  rsaOaepAsync(encrypt: boolean, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, label: Uint8Array | null): Promise<Buffer>;
  rsaPss(sign: true, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, saltLength: number, signature: null): Buffer;
  rsaPss(sign: false, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, saltLength: number, signature: Uint8Array): boolean;
  /** {@link NativeBinding.rsaPss} on the libuv thread pool (inputs are copied first). */
  rsaPssAsync(sign: true, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, saltLength: number, signature: null): Promise<Buffer>;
  rsaPssAsync(sign: false, key: Uint8Array, data: Uint8Array, hash: string, mgf1Hash: string, saltLength: number, signature: Uint8Array): Promise<boolean>;
  // --- end crypto ---

  // --- ocsp (jsec/ocsp) ---
  ocspCertId(issuerDer: Uint8Array, serialHex: string, digest: string): NativeOcspCertId;
  ocspRequestBuild(certIds: Uint8Array[], nonce: Uint8Array | null): Buffer;
  ocspRequestParse(der: Uint8Array): NativeOcspRequest;
  ocspResponseParse(der: Uint8Array): { responseStatus: number; basic: NativeOcspBasic | null };
  ocspResponseStatusOnly(status: number): Buffer;
  ocspResponseVerify(der: Uint8Array, issuerDer: Uint8Array, extraCerts: Uint8Array[], atSeconds: number): NativeOcspVerifyResult;
  OcspSigner: new (certDer: Uint8Array, keyPkcs8: Uint8Array, extraCerts: Uint8Array[]) => NativeOcspSigner;

  // --- x509 / store / csr / crl (jsec/cert) ---
  x509Build(spec: NativeCertSpec): Buffer;
  x509Build(spec: NativeCertSpec, async: true): Promise<Buffer>;
  x509Parse(der: Uint8Array): NativeCertInfo;
  x509Handle(der: Uint8Array): NativeCertHandle;
  x509Check(cert: Uint8Array | NativeCertHandle, kind: 'host' | 'ip' | 'email', value: string, flags?: number): string | null;
  x509VerifySignature(cert: Uint8Array | NativeCertHandle, issuer: Uint8Array | NativeCertHandle): boolean;
  x509KeyMatches(der: Uint8Array, pkcs8: Uint8Array): boolean;
  x509KeyId(spki: Uint8Array): Buffer;
  pemDecode(text: string | Uint8Array): { label: string; headers: string; der: Buffer }[];
  pemEncode(label: string, der: Uint8Array): string;
  TrustStore: new (anchors: (Uint8Array | NativeCertHandle)[]) => NativeTrustStore;
  x509Verify(request: NativeVerifyRequest): NativeVerifyResult;
  verifyCodeString(code: number): string;
  csrBuild(spec: NativeCsrSpec): Buffer;
  csrParse(der: Uint8Array): NativeCsrInfo;
  crlBuild(spec: NativeCrlSpec): Buffer;
  crlParse(der: Uint8Array): NativeCrlInfo;
  crlVerify(der: Uint8Array, issuerDer: Uint8Array): boolean;

  // --- engine (jsec/dtls, jsec/bio): the sans-IO TLS/DTLS engine ---
  EngineContext: new (options: NativeEngineContextOptions) => NativeEngineContext;
  Engine: new (context: NativeEngineContext, options: NativeEngineOptions) => NativeEngine;
  /** Live wrappers in this environment and live OpenSSL objects in the process. */
  engineActiveHandles(): NativeActiveHandles;
  /** Whether the running OpenSSL exports the DTLS-SRTP calls. */
  engineHasSrtp(): boolean;

  // --- bio (jsec/bio) ---
  MemoryBio: new () => NativeMemoryBio;

  // --- version ---
  versions(): NativeVersions;
  hasSymbol(name: string): boolean;

  // --- tls session ---
  /** The peer certificate (DER) inside a serialized client session (any Node line's format), or null. */
  sessionPeer(session: Buffer | Uint8Array): Buffer | null;
  /** Whether the bytes hold a session OpenSSL decodes (the error queue is left clean). */
  sessionUsable(session: Buffer | Uint8Array): boolean;
}

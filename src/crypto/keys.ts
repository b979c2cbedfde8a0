/**
 * Keys: generation, loading from PEM / DER / JWK / KeyObject, export to any
 * of those, inspection and raw-key import. Everything returns Node
 * `KeyObject`s (or the asked format), so jsec and `node:crypto` mix freely.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULTS } from '../config/defaults.js';
import { isBytes, validateOptions, type Schema } from '../config/validate.js';
import { exportJwk } from '../cert/keys.js';
import { native } from '../native/loader.js';
import { base64urlDecode, looksLikePem, pemBlocks } from './encoding.js';
import { asBuffer, CURVES, curveFromNode, dataBuffer, fail, OPENSSL_CURVE, oneOf, type Bytes, type Curve } from './internal.js';

const generateKeyPairAsync = promisify(nodeCrypto.generateKeyPair);

/** Asymmetric key types jsec works with. */
export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'x25519' | 'x448';
/** Key types {@link generateKey} makes. */
export const GENERATE_TYPES = ['rsa', 'ec', 'ed25519', 'ed448', 'x25519', 'x448'] as const;
/** A name from {@link GENERATE_TYPES}. */
export type GenerateKeyType = (typeof GENERATE_TYPES)[number];

/**
 * A key as PEM text, JWK JSON text, DER or PEM bytes, a JWK object, or a Node `KeyObject`.
 * EC keys are checked once per KeyObject: a public point at infinity, a private scalar outside
 * [1, n-1] or a stored public point that does not match the scalar is `ERR_JSEC_CRYPTO_INVALID_KEY`.
 */
export type KeyInput = string | Bytes | nodeCrypto.JsonWebKey | nodeCrypto.KeyObject;
/** Where a key came from (or goes to). */
export type KeyFormat = 'pem' | 'der' | 'jwk';
/** Serialisations: PKCS#8 and SPKI for every type, PKCS#1 for RSA, SEC1 for EC private keys. */
export type KeyEncoding = 'pkcs8' | 'pkcs1' | 'sec1' | 'spki';
/** Ciphers for passphrase-encrypted PKCS#8 (PBES2 with PBKDF2-HMAC-SHA256). */
export const KEY_CIPHERS = ['aes-256-cbc', 'aes-192-cbc', 'aes-128-cbc'] as const;
/** A name from {@link KEY_CIPHERS}. */
export type KeyCipher = (typeof KEY_CIPHERS)[number];

/** A passphrase: a string (UTF-8) or bytes. */
export type Passphrase = string | Bytes;

const PASSPHRASE = { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } as const;

function passphraseBuffer(p: Passphrase | undefined): Buffer | undefined {
  return p === undefined ? undefined : dataBuffer('passphrase', p);
}

function isKeyObject(v: unknown): v is nodeCrypto.KeyObject {
  return v instanceof nodeCrypto.KeyObject;
}

function isJwk(v: unknown): v is nodeCrypto.JsonWebKey {
  return v !== null && typeof v === 'object' && !isBytes(v) && !isKeyObject(v) && typeof (v as { kty?: unknown }).kty === 'string';
}

function checkKeyInput(path: string, input: unknown): void {
  if (typeof input === 'string' || isBytes(input) || isKeyObject(input) || isJwk(input)) return;
  throw fail('ERR_INVALID_ARG_TYPE', `The "${path}" argument must be a PEM string, DER/PEM bytes, a JWK object or a KeyObject`, { option: path });
}

/** JWK as JSON text becomes the JWK object ({@link detectFormat} calls such text `jwk`); everything else passes through. */
function jwkText(input: unknown, path: string): unknown {
  if (typeof input !== 'string' || looksLikePem(input) || !/^\s*\{/.test(input)) return input;
  let v: unknown;
  try {
    v = JSON.parse(input);
  } catch (err) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_KEY', `The "${path}" argument is neither PEM nor valid JWK JSON`, { option: path, cause: err });
  }
  if (!isJwk(v)) throw fail('ERR_JSEC_CRYPTO_INVALID_KEY', `The "${path}" JSON is not a JWK (no "kty" member)`, { option: path });
  return v;
}

/** EC KeyObjects already checked by {@link vetted}. */
const checkedEcKeys = new WeakSet<nodeCrypto.KeyObject>();
/** The end of an SPKI whose subjectPublicKey is the point at infinity (BIT STRING 00). */
const INFINITY_SPKI_TAIL = Buffer.from([0x03, 0x02, 0x00, 0x00]);

/**
 * Checks an EC key once per KeyObject. OpenSSL's decoders check that a
 * public point is on the curve but accept the point at infinity, and accept
 * private scalars of 0 or >= n and stored public points that do not match
 * the scalar (Node then signs with such keys, and on some versions aborts
 * the process when asked for their details). Such keys are refused here,
 * before anything else touches them.
 */
function vetted(k: nodeCrypto.KeyObject, path: string): nodeCrypto.KeyObject {
  if (k.asymmetricKeyType !== 'ec' || checkedEcKeys.has(k)) return k;
  const invalid = (why: string, cause?: unknown) => fail('ERR_JSEC_CRYPTO_INVALID_KEY', `The "${path}" EC key is invalid: ${why}`, { option: path, cause });
  let der: Buffer;
  try {
    der = k.type === 'private' ? k.export({ format: 'der', type: 'pkcs8' }) : k.export({ format: 'der', type: 'spki' });
  } catch (err) {
    throw invalid('its public point cannot be encoded (the point at infinity?)', err);
  }
  if (k.type === 'private') {
    try {
      native().ecPrivateKeyCheck(der);
    } catch (err) {
      throw invalid('the scalar is outside [1, n-1] or does not match the public point', err);
    }
  } else if (der.subarray(-INFINITY_SPKI_TAIL.length).equals(INFINITY_SPKI_TAIL)) {
    throw invalid('the public point is the point at infinity');
  }
  checkedEcKeys.add(k);
  return k;
}

/** Maps a Node key-import failure to a jsec code. */
function importError(err: unknown, path: string): Error {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') {
    return fail('ERR_MISSING_PASSPHRASE', `The "${path}" key is encrypted: pass its passphrase`, { option: path, cause: err });
  }
  if (code === 'ERR_OSSL_BAD_DECRYPT' || code.includes('BAD_DECRYPT') || code === 'ERR_OSSL_EVP_BAD_DECRYPT') {
    return fail('ERR_JSEC_CRYPTO_BAD_PASSWORD', `Wrong passphrase for the "${path}" key`, { option: path, cause: err });
  }
  return fail('ERR_JSEC_CRYPTO_INVALID_KEY', `The "${path}" key could not be read`, { option: path, cause: err });
}

function passwordError(err: unknown, path: string): Error {
  return fail('ERR_JSEC_CRYPTO_BAD_PASSWORD', `Wrong passphrase for the "${path}" key (or the encrypted key is corrupt)`, { option: path, cause: err });
}

/** Whether DER is an EncryptedPrivateKeyInfo (Node asks for a passphrase). */
function isEncryptedPkcs8(der: Buffer): boolean {
  try {
    nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE';
  }
}

interface PemInfo {
  label: string;
  encrypted: boolean;
  der: Buffer;
}

/**
 * The key block of PEM text. With `preferPrivate`, a private key block wins
 * over an earlier certificate or public key (a "certificate + key" bundle).
 */
function pemInfo(text: string, path: string, preferPrivate = false): PemInfo {
  const blocks = pemBlocks(text, path).filter((b) => /KEY$|^CERTIFICATE$/.test(b.label));
  const b = (preferPrivate ? blocks.find((x) => /PRIVATE KEY$/.test(x.label)) : undefined) ?? blocks[0];
  if (!b) throw fail('ERR_JSEC_CRYPTO_INVALID_KEY', `The "${path}" argument holds no PEM key block`, { option: path });
  const encrypted = b.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(b.headers['Proc-Type'] ?? '');
  return { label: b.label, encrypted, der: b.der };
}

function pemText(input: string | Bytes): string | undefined {
  if (typeof input === 'string') return input;
  const buf = asBuffer('key', input);
  return looksLikePem(buf) ? buf.toString('latin1') : undefined;
}

/**
 * Loads a private key.
 *
 * @throws ConfigError `ERR_MISSING_PASSPHRASE` (encrypted, no passphrase), `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (a public or secret key)
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_BAD_PASSWORD`, `ERR_JSEC_CRYPTO_INVALID_KEY`
 * @internal
 */
export function privateKeyOf(input: unknown, path = 'key', passphrase?: Passphrase): nodeCrypto.KeyObject {
  return vetted(loadPrivate(jwkText(input, path), path, passphrase), path);
}

function loadPrivate(input: unknown, path: string, passphrase: Passphrase | undefined): nodeCrypto.KeyObject {
  checkKeyInput(path, input);
  if (isKeyObject(input)) {
    if (input.type !== 'private') {
      throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" key must be a private key, not a ${input.type} key`, { option: path, expected: 'private', actual: input.type });
    }
    return input;
  }
  const pass = passphraseBuffer(passphrase);
  if (isJwk(input)) {
    if (typeof input.d !== 'string') {
      throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" JWK is a public key; a private key is needed`, { option: path, expected: 'private', actual: 'public' });
    }
    try {
      return nodeCrypto.createPrivateKey({ key: input, format: 'jwk' });
    } catch (err) {
      throw importError(err, path);
    }
  }
  const pem = pemText(input as string | Bytes);
  if (pem !== undefined) {
    const info = pemInfo(pem, path, true);
    if (info.label === 'PUBLIC KEY' || info.label === 'RSA PUBLIC KEY' || info.label === 'CERTIFICATE') {
      throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" PEM holds a ${info.label}; a private key is needed`, { option: path, expected: 'private', actual: 'public' });
    }
    if (info.encrypted && pass === undefined) {
      throw fail('ERR_MISSING_PASSPHRASE', `The "${path}" key is encrypted: pass its passphrase`, { option: path });
    }
    try {
      return nodeCrypto.createPrivateKey(pass === undefined ? { key: pem } : { key: pem, passphrase: pass });
    } catch (err) {
      // A wrong passphrase usually fails the padding check, but about 1 in
      // 256 decrypts to "valid" padding and fails later as garbage: for an
      // encrypted key both mean the passphrase is wrong (or the data corrupt).
      if (info.encrypted) throw passwordError(err, path);
      throw importError(err, path);
    }
  }
  const der = asBuffer(path, input);
  let first: unknown;
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return nodeCrypto.createPrivateKey(pass === undefined || type !== 'pkcs8' ? { key: der, format: 'der', type } : { key: der, format: 'der', type, passphrase: pass });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (type === 'pkcs8' && (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_BAD_DECRYPT')) throw importError(err, path);
      if (type === 'pkcs8' && pass !== undefined && isEncryptedPkcs8(der)) throw passwordError(err, path);
      first ??= err;
    }
  }
  if (!isPublicDer(der)) throw importError(first, path);
  throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" DER is a public key; a private key is needed`, { option: path, expected: 'private', actual: 'public' });
}

/**
 * Loads a public key; a private key (any form) yields its public half, a
 * certificate its subject key.
 *
 * @internal
 */
export function publicKeyOf(input: unknown, path = 'key', passphrase?: Passphrase): nodeCrypto.KeyObject {
  return vetted(loadPublic(jwkText(input, path), path, passphrase), path);
}

function loadPublic(input: unknown, path: string, passphrase: Passphrase | undefined): nodeCrypto.KeyObject {
  checkKeyInput(path, input);
  if (isKeyObject(input)) {
    if (input.type === 'secret') {
      throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" key must be an asymmetric key, not a secret key`, { option: path, expected: 'public', actual: 'secret' });
    }
    return input.type === 'public' ? input : nodeCrypto.createPublicKey(vetted(input, path));
  }
  if (isJwk(input)) {
    try {
      return nodeCrypto.createPublicKey({ key: input, format: 'jwk' });
    } catch (err) {
      throw importError(err, path);
    }
  }
  const pem = pemText(input as string | Bytes);
  if (pem !== undefined) {
    const info = pemInfo(pem, path);
    if (info.label === 'CERTIFICATE') return certificateKey(info.der, path);
    if (/PRIVATE KEY$/.test(info.label)) return nodeCrypto.createPublicKey(privateKeyOf(pem, path, passphrase));
    try {
      return nodeCrypto.createPublicKey({ key: pem });
    } catch (err) {
      throw importError(err, path);
    }
  }
  const der = asBuffer(path, input);
  try {
    return nodeCrypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    // not SPKI
  }
  try {
    return new nodeCrypto.X509Certificate(der).publicKey;
  } catch {
    // not a certificate
  }
  // A private key before PKCS#1 public: some Node versions (24) take any
  // private key DER as type 'pkcs1' and derive its public half unchecked.
  try {
    return nodeCrypto.createPublicKey(privateKeyOf(der, path, passphrase));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE') throw err;
  }
  try {
    return nodeCrypto.createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch (err) {
    throw importError(err, path);
  }
}

function isPublicDer(der: Buffer): boolean {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      nodeCrypto.createPublicKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // not this encoding
    }
  }
  try {
    new nodeCrypto.X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

function certificateKey(der: Buffer, path: string): nodeCrypto.KeyObject {
  try {
    return new nodeCrypto.X509Certificate(der).publicKey;
  } catch (err) {
    throw importError(err, path);
  }
}

/** Loads a key as private if it is one, else as public. @internal */
export function anyKeyOf(key: unknown, path = 'key', passphrase?: Passphrase): nodeCrypto.KeyObject {
  const input = jwkText(key, path);
  checkKeyInput(path, input);
  if (isKeyObject(input)) {
    if (input.type === 'secret') throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The "${path}" key must be an asymmetric key`, { option: path, expected: 'asymmetric', actual: 'secret' });
    return vetted(input, path);
  }
  if (isJwk(input)) return typeof input.d === 'string' ? privateKeyOf(input, path) : publicKeyOf(input, path);
  const pem = pemText(input as string | Bytes);
  if (pem !== undefined) return /PRIVATE KEY-----/.test(pem) ? privateKeyOf(pem, path, passphrase) : publicKeyOf(pem, path);
  try {
    return privateKeyOf(input, path, passphrase);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_JSEC_CRYPTO_WRONG_KEY_TYPE') return publicKeyOf(input, path);
    throw err;
  }
}

/** The key's type, as jsec names it. @internal */
export function keyType(key: nodeCrypto.KeyObject): KeyType {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'rsa-pss' || t === 'ec' || t === 'ed25519' || t === 'ed448' || t === 'x25519' || t === 'x448') return t;
  throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `Keys of type ${String(t)} are not supported`, { actual: t });
}

/** Throws unless the key's type is one of `allowed`. @internal */
export function requireType(key: nodeCrypto.KeyObject, allowed: readonly KeyType[], operation: string, path = 'key'): KeyType {
  const t = keyType(key);
  if (!allowed.includes(t)) {
    throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `${operation} needs a key of type ${allowed.join(', ')}; the "${path}" key is ${t}`, { option: path, expected: allowed, actual: t });
  }
  return t;
}

/** The curve of an EC key. @internal */
export function curveOf(key: nodeCrypto.KeyObject): Curve {
  const c = curveFromNode(key.asymmetricKeyDetails?.namedCurve);
  if (!c) throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `EC keys on curve ${String(key.asymmetricKeyDetails?.namedCurve)} are not supported`, { actual: key.asymmetricKeyDetails?.namedCurve });
  return c;
}

// --- generation -------------------------------------------------------------

/** Options of {@link generateKey}. */
export interface GenerateKeyOptions {
  /** EC curve (type `ec`); default `P-256`. */
  curve?: Curve;
  /** RSA modulus length in bits, at least 2048 and a multiple of 8; default 3072. */
  modulusLength?: number;
  /** RSA public exponent (odd, at least 3); default 65537. */
  publicExponent?: number;
  /** Output: `keyobject` (default), or `pem` / `der` (PKCS#8 + SPKI) / `jwk`. */
  format?: 'keyobject' | KeyFormat;
}

/** A generated key pair. */
export interface KeyPair<T = nodeCrypto.KeyObject> {
  /** The private key (KeyObject, or unencrypted PKCS#8 PEM/DER, or a JWK). */
  readonly privateKey: T;
  /** The public key (KeyObject, or SPKI PEM/DER, or a JWK). */
  readonly publicKey: T;
}

const GEN_SCHEMA: Schema = {
  curve: { type: 'string', enum: CURVES },
  modulusLength: { type: 'number', integer: true, min: 2048, max: 16384 },
  publicExponent: { type: 'number', integer: true, min: 3, max: 2 ** 32 - 1 },
  format: { type: 'string', enum: ['keyobject', 'pem', 'der', 'jwk'] },
};

function genParams(type: unknown, options: unknown): { type: GenerateKeyType; args: Record<string, unknown>; format: 'keyobject' | KeyFormat } {
  const t = oneOf('type', type, GENERATE_TYPES);
  const o = validateOptions<GenerateKeyOptions>('generateKey', options, GEN_SCHEMA);
  if (t !== 'rsa' && (o.modulusLength !== undefined || o.publicExponent !== undefined)) {
    throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `modulusLength and publicExponent apply only to rsa keys, not ${t}`);
  }
  if (t !== 'ec' && o.curve !== undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `curve applies only to ec keys, not ${t}`);
  const args: Record<string, unknown> = {};
  if (t === 'rsa') {
    args.modulusLength = o.modulusLength ?? DEFAULTS.crypto.rsaModulusLength.value;
    args.publicExponent = o.publicExponent ?? DEFAULTS.crypto.rsaPublicExponent.value;
    if ((args.modulusLength as number) % 8 !== 0) throw fail('ERR_OUT_OF_RANGE', 'modulusLength must be a multiple of 8', { option: 'modulusLength' });
    if ((args.publicExponent as number) % 2 === 0) throw fail('ERR_OUT_OF_RANGE', 'publicExponent must be odd', { option: 'publicExponent' });
  }
  if (t === 'ec') args.namedCurve = OPENSSL_CURVE[o.curve ?? 'P-256'];
  return { type: t, args, format: o.format ?? 'keyobject' };
}

function formatPair(pair: { privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.KeyObject }, format: 'keyobject' | KeyFormat): KeyPair<unknown> {
  // OpenSSL made these: no need to check them again on first use.
  checkedEcKeys.add(pair.privateKey);
  checkedEcKeys.add(pair.publicKey);
  if (format === 'keyobject') return Object.freeze({ privateKey: pair.privateKey, publicKey: pair.publicKey });
  return Object.freeze({
    privateKey: exportKey(pair.privateKey, { format }),
    publicKey: exportKey(pair.publicKey, { format }),
  });
}

/**
 * Generates a key pair off the main thread (RSA generation can take seconds).
 *
 * @param type - `rsa` (>= 2048 bits; default 3072), `ec` (P-256, P-384, P-521, secp256k1; default P-256),
 *   `ed25519`, `ed448`, `x25519`, `x448`.
 * @returns KeyObjects by default; `format: 'pem' | 'der'` gives unencrypted PKCS#8 and SPKI, `jwk` JWK objects.
 * @throws ConfigError for an unknown type, a bad size, or an option that does not fit the type.
 */
export async function generateKey(type: GenerateKeyType, options?: GenerateKeyOptions & { format?: 'keyobject' }): Promise<KeyPair>;
export async function generateKey(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'pem' }): Promise<KeyPair<string>>;
export async function generateKey(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'der' }): Promise<KeyPair<Buffer>>;
export async function generateKey(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'jwk' }): Promise<KeyPair<nodeCrypto.JsonWebKey>>;
export async function generateKey(type: GenerateKeyType, options?: GenerateKeyOptions): Promise<KeyPair<unknown>> {
  const p = genParams(type, options);
  const pair = await (generateKeyPairAsync as unknown as (t: string, o: object) => Promise<{ privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.KeyObject }>)(p.type, p.args);
  return formatPair(pair, p.format);
}

/** The synchronous variant of {@link generateKey} (blocks the event loop: prefer the async one for RSA). */
export function generateKeySync(type: GenerateKeyType, options?: GenerateKeyOptions & { format?: 'keyobject' }): KeyPair;
export function generateKeySync(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'pem' }): KeyPair<string>;
export function generateKeySync(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'der' }): KeyPair<Buffer>;
export function generateKeySync(type: GenerateKeyType, options: GenerateKeyOptions & { format: 'jwk' }): KeyPair<nodeCrypto.JsonWebKey>;
export function generateKeySync(type: GenerateKeyType, options?: GenerateKeyOptions): KeyPair<unknown> {
  const p = genParams(type, options);
  const pair = (nodeCrypto.generateKeyPairSync as unknown as (t: string, o: object) => { privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.KeyObject })(p.type, p.args);
  return formatPair(pair, p.format);
}

// --- load / export --------------------------------------------------------------

/** Options of {@link loadKey}. */
export interface LoadKeyOptions {
  /**
   * Passphrase of an encrypted private key (encrypted PKCS#8, or legacy `Proc-Type: 4,ENCRYPTED` PEM).
   * No default: an encrypted key without it throws `ERR_MISSING_PASSPHRASE` (never prompts).
   */
  passphrase?: Passphrase;
  /** Which key to return: `private` (must be a private key), `public` (the public half of anything), or `auto` (default: as given). */
  kind?: 'auto' | 'private' | 'public';
}

/**
 * Loads a key from PEM, DER, JWK (object or JSON text) or a KeyObject into a Node `KeyObject`.
 * PEM may be PKCS#8 (also encrypted), PKCS#1, SEC1, SPKI or an X.509
 * certificate (its public key); DER is tried as PKCS#8, PKCS#1, SEC1, SPKI, certificate.
 * EC keys are validated (see {@link KeyInput}).
 *
 * @throws ConfigError `ERR_MISSING_PASSPHRASE`, `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_BAD_PASSWORD`, `ERR_JSEC_CRYPTO_INVALID_KEY`
 */
export function loadKey(input: KeyInput, options?: LoadKeyOptions): nodeCrypto.KeyObject {
  const o = validateOptions<LoadKeyOptions>('loadKey', options, { passphrase: PASSPHRASE, kind: { type: 'string', enum: ['auto', 'private', 'public'] } });
  const kind = o.kind ?? 'auto';
  if (kind === 'private') return privateKeyOf(input, 'key', o.passphrase);
  if (kind === 'public') return publicKeyOf(input, 'key', o.passphrase);
  return anyKeyOf(input, 'key', o.passphrase);
}

/** Options of {@link exportKey}. */
export interface ExportKeyOptions {
  /** `pem` (default), `der` or `jwk`. */
  format?: KeyFormat;
  /** Private: `pkcs8` (default), `pkcs1` (RSA), `sec1` (EC). Public: `spki` (default), `pkcs1` (RSA). */
  encoding?: KeyEncoding;
  /** Export the public half of a private key. Default `false` (a private key is exported as private). */
  public?: boolean;
  /**
   * Encrypts the private key (PKCS#8 PBES2, PBKDF2-HMAC-SHA256); PEM and DER only. Default: none,
   * so the key is written unencrypted. With another encoding, a public key or JWK it throws
   * `ERR_JSEC_CONFLICTING_OPTIONS`.
   */
  passphrase?: Passphrase;
  /** Cipher for `passphrase`; default `aes-256-cbc`. */
  cipher?: KeyCipher;
}

/**
 * Serialises a key (any {@link KeyInput}; load encrypted keys with
 * {@link loadKey} first). Converts between PEM and DER, PKCS#1 / PKCS#8 /
 * SEC1 / SPKI and JWK.
 *
 * @returns a PEM string, DER Buffer or JWK object.
 * @throws ConfigError `ERR_JSEC_CONFLICTING_OPTIONS` (an encoding that does not fit the key or format),
 *   `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`; `ERR_JSEC_UNSUPPORTED` for an RSA-PSS key as JWK.
 */
export function exportKey(key: KeyInput, options: ExportKeyOptions & { format: 'jwk' }): nodeCrypto.JsonWebKey;
export function exportKey(key: KeyInput, options: ExportKeyOptions & { format: 'der' }): Buffer;
export function exportKey(key: KeyInput, options?: ExportKeyOptions & { format?: 'pem' }): string;
export function exportKey(key: KeyInput, options?: ExportKeyOptions): string | Buffer | nodeCrypto.JsonWebKey;
export function exportKey(key: KeyInput, options?: ExportKeyOptions): string | Buffer | nodeCrypto.JsonWebKey {
  const o = validateOptions<ExportKeyOptions>('exportKey', options, {
    format: { type: 'string', enum: ['pem', 'der', 'jwk'] },
    encoding: { type: 'string', enum: ['pkcs8', 'pkcs1', 'sec1', 'spki'] },
    public: { type: 'boolean' },
    passphrase: PASSPHRASE,
    cipher: { type: 'string', enum: KEY_CIPHERS },
  });
  let k = anyKeyOf(key);
  if (o.public && k.type === 'private') k = nodeCrypto.createPublicKey(k);
  const t = keyType(k);
  const format = o.format ?? 'pem';
  if (format === 'jwk') {
    if (o.encoding !== undefined || o.passphrase !== undefined || o.cipher !== undefined) {
      throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'encoding, passphrase and cipher do not apply to JWK output');
    }
    if (t === 'rsa-pss') throw fail('ERR_JSEC_UNSUPPORTED', 'RSA-PSS keys have no JWK form');
    return exportJwk(k);
  }
  if (k.type === 'public') {
    const enc = o.encoding ?? 'spki';
    if (enc !== 'spki' && enc !== 'pkcs1') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `A public key cannot be encoded as ${enc}; use spki or pkcs1`, { option: 'encoding' });
    if (enc === 'pkcs1' && t !== 'rsa') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `pkcs1 encodes RSA keys only, not ${t}`, { option: 'encoding' });
    if (o.passphrase !== undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'Public keys are not encrypted', { option: 'passphrase' });
    return k.export({ format, type: enc } as nodeCrypto.KeyExportOptions<'pem'>);
  }
  const enc = o.encoding ?? 'pkcs8';
  if (enc === 'spki') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'spki encodes public keys; pass public: true to export the public half', { option: 'encoding' });
  if (enc === 'pkcs1' && t !== 'rsa') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `pkcs1 encodes RSA keys only, not ${t}`, { option: 'encoding' });
  if (enc === 'sec1' && t !== 'ec') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `sec1 encodes EC keys only, not ${t}`, { option: 'encoding' });
  if (o.cipher !== undefined && o.passphrase === undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'cipher needs a passphrase', { option: 'cipher' });
  if (o.passphrase !== undefined) {
    if (enc !== 'pkcs8') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'Only PKCS#8 keys are encrypted (legacy PEM encryption is not offered)', { option: 'encoding' });
    return k.export({ format, type: 'pkcs8', cipher: o.cipher ?? DEFAULTS.crypto.keyPassphraseCipher.value, passphrase: passphraseBuffer(o.passphrase)! } as nodeCrypto.KeyExportOptions<'pem'>);
  }
  return k.export({ format, type: enc } as nodeCrypto.KeyExportOptions<'pem'>);
}

/** Options of {@link exportPublicKey}. */
export interface ExportPublicKeyOptions {
  /** `pem` (default), `der` or `jwk`. */
  format?: KeyFormat;
  /** `spki` (default) or `pkcs1` (RSA). */
  encoding?: 'spki' | 'pkcs1';
}

/**
 * The public key of a private key (or a public key, re-encoded), as SPKI PEM by default.
 *
 * @throws as {@link exportKey}
 */
export function exportPublicKey(key: KeyInput, options: ExportPublicKeyOptions & { format: 'jwk' }): nodeCrypto.JsonWebKey;
export function exportPublicKey(key: KeyInput, options: ExportPublicKeyOptions & { format: 'der' }): Buffer;
export function exportPublicKey(key: KeyInput, options?: ExportPublicKeyOptions & { format?: 'pem' }): string;
export function exportPublicKey(key: KeyInput, options?: ExportPublicKeyOptions): string | Buffer | nodeCrypto.JsonWebKey {
  const o = validateOptions<ExportPublicKeyOptions>('exportPublicKey', options, {
    format: { type: 'string', enum: ['pem', 'der', 'jwk'] },
    encoding: { type: 'string', enum: ['spki', 'pkcs1'] },
  });
  return exportKey(publicKeyOf(key), { ...o, public: true });
}

/** What {@link keyInfo} reports. */
export interface KeyInfo {
  /** `private` or `public`. */
  readonly kind: 'private' | 'public';
  /** The key type; undefined for an encrypted PKCS#8 key read without its passphrase. */
  readonly type: KeyType | undefined;
  /** Size in bits: the RSA modulus, the EC field (256/384/521), or the raw key size (Ed25519/X25519 256, X448 448, Ed448 456). */
  readonly bits: number | undefined;
  /** The EC curve. */
  readonly curve: Curve | undefined;
  /** Whether the input is passphrase-encrypted. */
  readonly encrypted: boolean;
  /** The input's form. */
  readonly format: KeyFormat | 'keyobject';
}

const RAW_BITS: Partial<Record<KeyType, number>> = { ed25519: 256, x25519: 256, ed448: 456, x448: 448 };
const CURVE_BITS: Record<Curve, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, secp256k1: 256 };

function describeKey(k: nodeCrypto.KeyObject, encrypted: boolean, format: KeyInfo['format']): KeyInfo {
  const type = keyType(k);
  const curve = type === 'ec' ? curveOf(k) : undefined;
  const bits = type === 'rsa' || type === 'rsa-pss' ? k.asymmetricKeyDetails?.modulusLength : curve ? CURVE_BITS[curve] : RAW_BITS[type];
  return Object.freeze({ kind: k.type as 'private' | 'public', type, bits, curve, encrypted, format });
}

/**
 * Describes a key without needing its passphrase: type, size, curve and
 * whether it is encrypted. With `passphrase`, an encrypted key is opened
 * and described fully.
 *
 * @throws as {@link loadKey}, except that a missing passphrase is not an error.
 */
export function keyInfo(input: KeyInput, options?: { passphrase?: Passphrase }): KeyInfo {
  const o = validateOptions<{ passphrase?: Passphrase }>('keyInfo', options, { passphrase: PASSPHRASE });
  checkKeyInput('key', input);
  const format = detectFormat(input);
  if (format === 'pem') {
    const info = pemInfo(pemText(input as string | Bytes)!, 'key', true);
    if (info.encrypted && o.passphrase === undefined) {
      const type = info.label === 'RSA PRIVATE KEY' ? 'rsa' : info.label === 'EC PRIVATE KEY' ? 'ec' : undefined;
      return Object.freeze({ kind: 'private', type, bits: undefined, curve: undefined, encrypted: true, format });
    }
    return describeKey(anyKeyOf(input, 'key', o.passphrase), info.encrypted, format);
  }
  if (format === 'der' && o.passphrase === undefined) {
    try {
      nodeCrypto.createPrivateKey({ key: asBuffer('key', input), format: 'der', type: 'pkcs8' });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') {
        return Object.freeze({ kind: 'private', type: undefined, bits: undefined, curve: undefined, encrypted: true, format });
      }
    }
  }
  if (format === 'der' && o.passphrase !== undefined) {
    return describeKey(anyKeyOf(input, 'key', o.passphrase), true, format);
  }
  return describeKey(anyKeyOf(input, 'key'), false, format);
}

/**
 * The form of a key or certificate input: `pem` (text or bytes with a BEGIN
 * line), `jwk` (an object with `kty`, or JSON text), `keyobject`, or `der`.
 */
export function detectFormat(input: KeyInput): KeyFormat | 'keyobject' {
  if (isKeyObject(input)) return 'keyobject';
  if (isJwk(input)) return 'jwk';
  if (typeof input === 'string') {
    if (looksLikePem(input)) return 'pem';
    if (/^\s*\{/.test(input)) return 'jwk';
    throw fail('ERR_JSEC_CRYPTO_INVALID_KEY', 'A key string must be PEM or JWK JSON', { option: 'key' });
  }
  checkKeyInput('key', input);
  return looksLikePem(asBuffer('key', input)) ? 'pem' : 'der';
}

// --- raw keys ---------------------------------------------------------------------

/** Key types with a raw form: the Edwards/Montgomery types, and EC curves (point / scalar). */
export type RawKeyType = 'ed25519' | 'ed448' | 'x25519' | 'x448' | Curve;
const RAW_TYPES = ['ed25519', 'ed448', 'x25519', 'x448', ...CURVES] as const;
const OKP: Record<string, { crv: string; len: number }> = {
  ed25519: { crv: 'Ed25519', len: 32 },
  ed448: { crv: 'Ed448', len: 57 },
  x25519: { crv: 'X25519', len: 32 },
  x448: { crv: 'X448', len: 56 },
};

/**
 * Imports a raw key: the 32/56/57-byte Edwards/Montgomery key (RFC 7748 /
 * RFC 8032), or for an EC curve a SEC1 point (public; compressed or not) or
 * a fixed-width big-endian scalar (private).
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH`, `ERR_JSEC_CRYPTO_INVALID_POINT`, `ERR_JSEC_CRYPTO_INVALID_SCALAR`
 */
export function importRawKey(type: RawKeyType, material: Bytes, options?: { kind?: 'private' | 'public' }): nodeCrypto.KeyObject {
  const t = oneOf('type', type, RAW_TYPES);
  const o = validateOptions<{ kind?: 'private' | 'public' }>('importRawKey', options, { kind: { type: 'string', enum: ['private', 'public'] } });
  const kind = o.kind ?? 'public';
  const bytes = asBuffer('material', material);
  const okp = OKP[t];
  if (okp) {
    if (bytes.length !== okp.len) {
      throw fail('ERR_JSEC_CRYPTO_INVALID_KEY_LENGTH', `A raw ${t} key is ${okp.len} bytes, not ${bytes.length}`, { expected: okp.len, actual: bytes.length });
    }
    const jwk: nodeCrypto.JsonWebKey = { kty: 'OKP', crv: okp.crv, x: bytes.toString('base64url') };
    if (kind === 'public') return nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
    // Node needs x beside d: derive it from a PKCS#8 import.
    const prefix: Record<string, string> = {
      ed25519: '302e020100300506032b657004220420',
      x25519: '302e020100300506032b656e04220420',
      ed448: '3047020100300506032b6571043b0439',
      x448: '3046020100300506032b656f043a0438',
    };
    return nodeCrypto.createPrivateKey({ key: Buffer.concat([Buffer.from(prefix[t]!, 'hex'), bytes]), format: 'der', type: 'pkcs8' });
  }
  const curve = t as Curve;
  const name = OPENSSL_CURVE[curve];
  const info = native().ecCurveInfo(name);
  let point: Buffer;
  let d: string | undefined;
  if (kind === 'public') {
    point = native().ecPointEncode(name, checkPointBytes(curve, bytes, info.fieldBytes), false);
  } else {
    if (bytes.length !== info.scalarBytes) {
      throw fail('ERR_JSEC_CRYPTO_INVALID_SCALAR', `A ${curve} scalar is ${info.scalarBytes} bytes, not ${bytes.length}`, { expected: info.scalarBytes, actual: bytes.length });
    }
    point = native().ecPointMul(name, bytes, null, false);
    d = bytes.toString('base64url');
  }
  const f = info.fieldBytes;
  const jwk: nodeCrypto.JsonWebKey = { kty: 'EC', crv: curve, x: point.subarray(1, 1 + f).toString('base64url'), y: point.subarray(1 + f).toString('base64url') };
  if (d !== undefined) return nodeCrypto.createPrivateKey({ key: { ...jwk, d }, format: 'jwk' });
  return nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
}

/** Checks a SEC1 point's prefix and length before native decoding. @internal */
export function checkPointBytes(curve: Curve, bytes: Buffer, fieldBytes: number): Buffer {
  const ok = (bytes.length === 1 + 2 * fieldBytes && bytes[0] === 4) || (bytes.length === 1 + fieldBytes && (bytes[0] === 2 || bytes[0] === 3));
  if (!ok) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_POINT', `Not a SEC1 ${curve} point: expected ${1 + 2 * fieldBytes} bytes starting 04 or ${1 + fieldBytes} bytes starting 02/03, got ${bytes.length} bytes`, {
      actual: bytes.length,
    });
  }
  return bytes;
}

/**
 * The raw form of a key: Edwards/Montgomery keys as their RFC 7748/8032
 * bytes; EC public keys as an uncompressed SEC1 point (or compressed with
 * `compressed: true`), EC private keys as the fixed-width scalar.
 */
export function exportRawKey(key: KeyInput, options?: { compressed?: boolean }): Buffer {
  const o = validateOptions<{ compressed?: boolean }>('exportRawKey', options, { compressed: { type: 'boolean' } });
  const k = anyKeyOf(key);
  const t = requireType(k, ['ec', 'ed25519', 'ed448', 'x25519', 'x448'], 'exportRawKey');
  const jwk = exportJwk(k);
  if (t !== 'ec') return base64urlDecode(k.type === 'private' ? jwk.d! : jwk.x!);
  if (k.type === 'private') return base64urlDecode(jwk.d!);
  const point = Buffer.concat([Buffer.from([4]), base64urlDecode(jwk.x!), base64urlDecode(jwk.y!)]);
  return o.compressed ? native().ecPointEncode(OPENSSL_CURVE[curveOf(k)], point, true) : point;
}


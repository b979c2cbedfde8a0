/**
 * Signatures (Ed25519, Ed448, ECDSA, RSA-PSS, RSA PKCS#1 v1.5) and key
 * agreement (X25519, X448, ECDH) on `node:crypto`; RSA-PSS with an MGF1 hash
 * different from the message hash goes through the addon.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import { asBuffer, dataBuffer, fail, HASHES, type Bytes, type Data, type HashAlgorithm } from './internal.js';
import { curveOf, privateKeyOf, publicKeyOf, requireType, type KeyInput, type KeyType, type Passphrase } from './keys.js';

/** Options of {@link sign} and {@link verify}. */
export interface SignOptions {
  /**
   * The message hash. Defaults: RSA sha256; ECDSA sha256 (P-256, secp256k1), sha384 (P-384), sha512 (P-521).
   * Must not be given for Ed25519/Ed448 (they hash internally).
   */
  hash?: HashAlgorithm;
  /** RSA padding: `pkcs1` (PKCS#1 v1.5, the default for `rsa` keys) or `pss` (always for `rsa-pss` keys). */
  padding?: 'pkcs1' | 'pss';
  /** PSS salt length in bytes, or `digest` (hash length, default), `max`; {@link verify} also takes `auto`. */
  saltLength?: number | 'digest' | 'max' | 'auto';
  /** PSS MGF1 hash; default: the message hash. */
  mgf1Hash?: HashAlgorithm;
  /** ECDSA signature encoding: `der` (default) or `ieee-p1363` (r || s, fixed width). */
  dsaEncoding?: 'der' | 'ieee-p1363';
  /** Passphrase of an encrypted private key ({@link sign} only). No default: an encrypted key without it throws `ERR_MISSING_PASSPHRASE`. */
  passphrase?: Passphrase;
}

const SCHEMA: Schema = {
  hash: { type: 'string', enum: HASHES },
  padding: { type: 'string', enum: ['pkcs1', 'pss'] },
  saltLength: { type: 'oneOf', rules: [{ type: 'number', integer: true, min: 0, max: 1024 }, { type: 'string', enum: ['digest', 'max', 'auto'] }] },
  mgf1Hash: { type: 'string', enum: HASHES },
  dsaEncoding: { type: 'string', enum: ['der', 'ieee-p1363'] },
};
const PASSPHRASE_RULE = { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } as const;
const SIGN_SCHEMA: Schema = { ...SCHEMA, passphrase: PASSPHRASE_RULE };

const SIGNING_TYPES: readonly KeyType[] = ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448'];

interface Plan {
  kind: 'node' | 'native-pss';
  hash: HashAlgorithm | null;
  mgf1Hash: HashAlgorithm;
  salt: number;
  nodeOptions: Record<string, unknown>;
}

function plan(key: nodeCrypto.KeyObject, o: SignOptions, forVerify: boolean): Plan {
  const t = requireType(key, SIGNING_TYPES, forVerify ? 'verify' : 'sign');
  const nodeOptions: Record<string, unknown> = {};
  if (t === 'ed25519' || t === 'ed448') {
    for (const k of ['hash', 'padding', 'saltLength', 'mgf1Hash', 'dsaEncoding'] as const) {
      if (o[k] !== undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `${k} does not apply to ${t} signatures`, { option: k });
    }
    return { kind: 'node', hash: null, mgf1Hash: 'sha256', salt: 0, nodeOptions };
  }
  if (t === 'ec') {
    for (const k of ['padding', 'saltLength', 'mgf1Hash'] as const) {
      if (o[k] !== undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `${k} applies only to RSA signatures`, { option: k });
    }
    const curve = curveOf(key);
    const hash = o.hash ?? (curve === 'P-384' ? 'sha384' : curve === 'P-521' ? 'sha512' : DEFAULTS.crypto.signatureHash.value);
    nodeOptions.dsaEncoding = o.dsaEncoding ?? DEFAULTS.crypto.dsaEncoding.value;
    return { kind: 'node', hash, mgf1Hash: hash, salt: 0, nodeOptions };
  }
  if (o.dsaEncoding !== undefined) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'dsaEncoding applies only to ECDSA signatures', { option: 'dsaEncoding' });
  const padding = o.padding ?? (t === 'rsa-pss' ? 'pss' : DEFAULTS.crypto.rsaSignaturePadding.value);
  if (t === 'rsa-pss' && padding !== 'pss') throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'RSA-PSS keys sign with PSS only', { option: 'padding' });
  const hash = o.hash ?? DEFAULTS.crypto.signatureHash.value;
  if (padding === 'pkcs1') {
    if (o.saltLength !== undefined || o.mgf1Hash !== undefined) {
      throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'saltLength and mgf1Hash apply only to PSS', { option: o.saltLength !== undefined ? 'saltLength' : 'mgf1Hash' });
    }
    nodeOptions.padding = nodeCrypto.constants.RSA_PKCS1_PADDING;
    return { kind: 'node', hash, mgf1Hash: hash, salt: 0, nodeOptions };
  }
  const sl = o.saltLength ?? DEFAULTS.crypto.pssSaltLength.value;
  if (sl === 'auto' && !forVerify) throw fail('ERR_INVALID_ARG_VALUE', "saltLength 'auto' is for verify only", { option: 'saltLength' });
  // OpenSSL: -1 = digest length, -2 = max when signing / auto-detect when verifying.
  const salt = sl === 'digest' ? -1 : sl === 'max' || sl === 'auto' ? -2 : sl;
  const mgf1Hash = o.mgf1Hash ?? hash;
  nodeOptions.padding = nodeCrypto.constants.RSA_PKCS1_PSS_PADDING;
  nodeOptions.saltLength = salt;
  return { kind: mgf1Hash === hash ? 'node' : 'native-pss', hash, mgf1Hash, salt, nodeOptions };
}

function spkiOrPkcs8(key: nodeCrypto.KeyObject): Buffer {
  return key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
}

interface SignJob {
  key: nodeCrypto.KeyObject;
  plan: Plan;
  msg: Buffer;
}

interface VerifyJob extends SignJob {
  sig: Buffer;
}

/** Validation and planning shared by {@link sign} and {@link signAsync}. */
function signJob(key: KeyInput, data: Data, options: SignOptions | undefined, where: string): SignJob {
  const o = validateOptions<SignOptions>(where, options, SIGN_SCHEMA);
  const k = privateKeyOf(key, 'key', o.passphrase);
  return { key: k, plan: plan(k, o, false), msg: dataBuffer('data', data) };
}

/** Validation and planning shared by {@link verify} and {@link verifyAsync}. */
function verifyJob(key: KeyInput, data: Data, signature: Bytes, options: Omit<SignOptions, 'passphrase'> | undefined, where: string): VerifyJob {
  const o = validateOptions<SignOptions>(where, options, SCHEMA);
  const k = publicKeyOf(key, 'key');
  const p = plan(k, o, true);
  return { key: k, plan: p, msg: dataBuffer('data', data), sig: asBuffer('signature', signature) };
}

function nodeKey(j: SignJob): nodeCrypto.SignKeyObjectInput & nodeCrypto.VerifyKeyObjectInput {
  return { key: j.key, ...j.plan.nodeOptions } as nodeCrypto.SignKeyObjectInput & nodeCrypto.VerifyKeyObjectInput;
}

function signFailed(err: unknown): Error {
  return fail('ERR_JSEC_OPENSSL', 'Signing failed', { cause: err });
}

/**
 * Signs `data` with a private key.
 *
 * Defaults per key type: Ed25519/Ed448 pure (no hash option); ECDSA with the
 * curve's hash and DER output; RSA PKCS#1 v1.5 with SHA-256 (`padding: 'pss'`
 * for PSS, salt = hash length, MGF1 = message hash unless `mgf1Hash`).
 * Runs on the calling thread; {@link signAsync} is the same on the thread pool.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (X25519/X448 or a public key), `ERR_JSEC_CONFLICTING_OPTIONS`
 *   (an option that does not apply to the key type), `ERR_MISSING_PASSPHRASE`
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_BAD_PASSWORD`, `ERR_JSEC_CRYPTO_INVALID_KEY`, `ERR_JSEC_OPENSSL` (signing failed, e.g. PSS salt too long for the key)
 */
export function sign(key: KeyInput, data: Data, options?: SignOptions): Buffer {
  const j = signJob(key, data, options, 'sign');
  const p = j.plan;
  if (p.kind === 'native-pss') return native().rsaPss(true, spkiOrPkcs8(j.key), j.msg, p.hash!, p.mgf1Hash, p.salt, null);
  try {
    return nodeCrypto.sign(p.hash, j.msg, nodeKey(j));
  } catch (err) {
    throw signFailed(err);
  }
}

/**
 * {@link sign} off the main thread: same options, defaults, validation,
 * errors and result, but the signature is computed on the libuv thread pool
 * (Node's `crypto.sign` callback form; the addon's thread-pool job for RSA-PSS
 * with a distinct `mgf1Hash`), so an RSA-4096 signature does not block the
 * event loop. The inputs are copied before the work starts: changing `data`
 * afterwards does not affect the signature.
 *
 * Never throws: bad arguments reject the promise (same codes and classes as {@link sign}).
 *
 * @returns a promise of the signature.
 * @throws (rejects with) ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE`, `ERR_JSEC_CONFLICTING_OPTIONS`,
 *   `ERR_MISSING_PASSPHRASE`; OpenSSLError `ERR_JSEC_CRYPTO_BAD_PASSWORD`, `ERR_JSEC_CRYPTO_INVALID_KEY`,
 *   `ERR_JSEC_OPENSSL` (signing failed)
 */
export async function signAsync(key: KeyInput, data: Data, options?: SignOptions): Promise<Buffer> {
  const j = signJob(key, data, options, 'signAsync');
  const p = j.plan;
  if (p.kind === 'native-pss') return native().rsaPssAsync(true, spkiOrPkcs8(j.key), j.msg, p.hash!, p.mgf1Hash, p.salt, null);
  return new Promise<Buffer>((resolve, reject) => {
    try {
      nodeCrypto.sign(p.hash, j.msg, nodeKey(j), (err, signature) => (err ? reject(signFailed(err)) : resolve(signature)));
    } catch (err) {
      reject(signFailed(err));
    }
  });
}

/**
 * Verifies a signature made by {@link sign} (or any standard signer) with the
 * same options. Accepts a public key, a private key or a certificate.
 * Runs on the calling thread; {@link verifyAsync} is the same on the thread pool.
 *
 * @returns `true` only for a valid signature; `false` for a wrong, truncated or malformed one.
 * @throws ConfigError only for bad arguments (wrong key type, options that do not fit the key);
 *   OpenSSLError `ERR_JSEC_CRYPTO_INVALID_KEY` for a key that cannot be read or is invalid
 *   (an EC public point at infinity).
 */
export function verify(key: KeyInput, data: Data, signature: Bytes, options?: Omit<SignOptions, 'passphrase'>): boolean {
  const j = verifyJob(key, data, signature, options, 'verify');
  const p = j.plan;
  try {
    if (p.kind === 'native-pss') return native().rsaPss(false, spkiOrPkcs8(j.key), j.msg, p.hash!, p.mgf1Hash, p.salt, j.sig);
    return nodeCrypto.verify(p.hash, j.msg, nodeKey(j), j.sig);
  } catch {
    return false;
  }
}

/**
 * {@link verify} off the main thread: same options, defaults, validation and
 * result, computed on the libuv thread pool (Node's `crypto.verify` callback
 * form; the addon's thread-pool job for RSA-PSS with a distinct `mgf1Hash`).
 * The inputs are copied before the work starts.
 *
 * Never throws: bad arguments reject the promise (same codes and classes as {@link verify}).
 *
 * @returns a promise of `true` only for a valid signature; it resolves `false`
 *   (never rejects) for a wrong, truncated or malformed signature.
 * @throws (rejects with) ConfigError for bad arguments (wrong key type, options that do not fit the key);
 *   OpenSSLError `ERR_JSEC_CRYPTO_INVALID_KEY` for a key that cannot be read or is invalid.
 */
export async function verifyAsync(key: KeyInput, data: Data, signature: Bytes, options?: Omit<SignOptions, 'passphrase'>): Promise<boolean> {
  const j = verifyJob(key, data, signature, options, 'verifyAsync');
  const p = j.plan;
  if (p.kind === 'native-pss') {
    try {
      return await native().rsaPssAsync(false, spkiOrPkcs8(j.key), j.msg, p.hash!, p.mgf1Hash, p.salt, j.sig);
    } catch {
      return false;
    }
  }
  return new Promise<boolean>((resolve) => {
    try {
      nodeCrypto.verify(p.hash, j.msg, nodeKey(j), j.sig, (err, ok) => resolve(!err && ok === true));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Key agreement: X25519, X448 or ECDH on P-256/P-384/P-521/secp256k1. Both
 * keys must be of the same type (and curve). The result is the raw shared
 * secret: feed it to {@link hkdf} before use as a key.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_WRONG_KEY_TYPE` (signing-only keys, mismatched types or curves)
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_INVALID_KEY` (a public key that is not a valid point),
 *   ConfigError `ERR_JSEC_CRYPTO_INVALID_POINT` (a low-order X25519/X448 point: all-zero secret)
 */
export function deriveSharedSecret(privateKey: KeyInput, publicKey: KeyInput, options?: { passphrase?: Passphrase }): Buffer {
  const o = validateOptions<{ passphrase?: Passphrase }>('deriveSharedSecret', options, { passphrase: PASSPHRASE_RULE });
  const priv = privateKeyOf(privateKey, 'privateKey', o.passphrase);
  const pub = publicKeyOf(publicKey, 'publicKey');
  const t = requireType(priv, ['x25519', 'x448', 'ec'], 'deriveSharedSecret', 'privateKey');
  const u = requireType(pub, [t], 'deriveSharedSecret with a ' + t + ' private key', 'publicKey');
  if (t === 'ec' && curveOf(priv) !== curveOf(pub)) {
    throw fail('ERR_JSEC_CRYPTO_WRONG_KEY_TYPE', `The keys are on different curves (${curveOf(priv)}, ${curveOf(pub)})`, { expected: curveOf(priv), actual: curveOf(pub) });
  }
  void u;
  try {
    return nodeCrypto.diffieHellman({ privateKey: priv, publicKey: pub });
  } catch (err) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_POINT', 'Key agreement failed: the public key is not a valid point (low order?)', { cause: err });
  }
}

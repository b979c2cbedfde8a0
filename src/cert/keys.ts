/**
 * Keys for certificates, CSRs and CRLs: accepts PEM strings, DER buffers and
 * Node `KeyObject`s and turns them into the DER the native builders take
 * (PKCS#8 for private keys, SubjectPublicKeyInfo for public keys). Key
 * generation uses Node's own `crypto.generateKeyPair` (Node's OpenSSL, on the
 * libuv thread pool for the async variant).
 *
 * @internal
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, KeyObject, type JsonWebKey } from 'node:crypto';
import { createError } from '../errors/index.js';
import { isBytes } from '../config/validate.js';
import { native } from '../native/loader.js';

/** Key types jsec can generate. */
export const KEY_TYPES = ['ec-p256', 'ec-p384', 'ec-p521', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519', 'ed448'] as const;
/** A key type jsec can generate. */
export type KeyType = (typeof KEY_TYPES)[number];

/** A private key as accepted by jsec: a `KeyObject`, PEM text, or PKCS#8 / SEC1 / PKCS#1 DER. */
export type PrivateKeyInput = KeyObject | string | Buffer | Uint8Array;
/** A public key (or a private key, whose public half is used), or a certificate-free SPKI. */
export type PublicKeyInput = KeyObject | string | Buffer | Uint8Array;

/** A generated key pair. */
export interface GeneratedKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /**
   * Set when the private key is known in native form before any KeyObject
   * exists (Node 20's sync path, see JWK_EXPORT_HAZARD): signing uses it, and
   * `privateKey` is made on first read.
   */
  readonly deferred?: DeferredKey;
}

/** A private key for the native builders without a KeyObject yet. */
export interface DeferredKey {
  readonly asymmetricKeyType: string;
  readonly native: NativeJwk;
}

function keyGenArgs(type: KeyType): [string, object] {
  switch (type) {
    case 'ec-p256':
      return ['ec', { namedCurve: 'prime256v1' }];
    case 'ec-p384':
      return ['ec', { namedCurve: 'secp384r1' }];
    case 'ec-p521':
      return ['ec', { namedCurve: 'secp521r1' }];
    case 'rsa-2048':
      return ['rsa', { modulusLength: 2048 }];
    case 'rsa-3072':
      return ['rsa', { modulusLength: 3072 }];
    case 'rsa-4096':
      return ['rsa', { modulusLength: 4096 }];
    case 'ed25519':
      return ['ed25519', {}];
    case 'ed448':
      return ['ed448', {}];
  }
}

/** Generates a key pair synchronously (blocks the event loop; RSA takes a while). */
export function generateKeySync(type: KeyType): GeneratedKey {
  const [alg, opts] = keyGenArgs(type);
  if (!JWK_EXPORT_HAZARD || !jwkCapable(alg)) return generateKeyPairSync(alg as 'ec', opts as { namedCurve: string });
  // Node 20: the job encodes the private key as JWK while it is alive, and
  // the KeyObject made from that JWK shares no lock with the job.
  const pair = generateKeyPairSync(alg as 'ec', { ...(opts as { namedCurve: string }), privateKeyEncoding: { format: 'jwk' } } as never) as unknown as {
    publicKey: KeyObject;
    privateKey: NativeJwk;
  };
  // Making a KeyObject from JWK costs about as much as the certificate on
  // OpenSSL 3.0, so it waits until something reads `privateKey`.
  const jwk = pair.privateKey;
  let made: KeyObject | undefined;
  return {
    get privateKey() {
      if (!made) {
        made = createPrivateKey({ key: jwk, format: 'jwk' });
        jwkCache.set(made, jwk);
      }
      return made;
    },
    publicKey: pair.publicKey,
    deferred: { asymmetricKeyType: alg, native: jwk },
  };
}

/** Generates a key pair on the libuv thread pool. */
export function generateKey(type: KeyType): Promise<GeneratedKey> {
  const [alg, opts] = keyGenArgs(type);
  return new Promise((resolve, reject) => {
    generateKeyPair(alg as 'ec', opts as { namedCurve: string }, (err, publicKey, privateKey) => {
      if (err) {
        reject(createError('ERR_JSEC_CERT_KEY_INVALID', `key generation failed: ${err.message}`, { cause: err }));
        return;
      }
      // The generation job is alive while its callback runs, so this JWK
      // export cannot meet Node 20's deadlock (see JWK_EXPORT_HAZARD); later
      // exports of this key go through exportJwk.
      if (jwkCapable(alg)) jwkCache.set(privateKey, privateKey.export({ format: 'jwk' }) as NativeJwk);
      resolve({ publicKey, privateKey });
    });
  });
}

function bytesOf(v: ArrayBufferView | ArrayBuffer): Buffer {
  return v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Normalises a private key to a `KeyObject`.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` for a non-key value; CertificateError `ERR_JSEC_CERT_KEY_INVALID` for undecodable or public keys.
 */
export function toPrivateKey(key: unknown, option = 'key'): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'private') throw createError('ERR_JSEC_CERT_KEY_INVALID', `The "${option}" option must be a private key; received a ${key.type} key`, { option });
    return key;
  }
  if (typeof key === 'string' || isBytes(key)) {
    try {
      if (typeof key === 'string') return createPrivateKey(key);
      const der = bytesOf(key);
      for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
        try {
          return createPrivateKey({ key: der, format: 'der', type });
        } catch {
          // try the next encoding
        }
      }
      return createPrivateKey({ key: der, format: 'pem' });
    } catch (err) {
      throw createError('ERR_JSEC_CERT_KEY_INVALID', `The "${option}" option is not a decodable private key`, { option, cause: err });
    }
  }
  throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be a KeyObject, a PEM string or DER bytes`, { option });
}

/**
 * Normalises a public key (a private key yields its public half).
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`; CertificateError `ERR_JSEC_CERT_KEY_INVALID`.
 */
export function toPublicKey(key: unknown, option = 'publicKey'): KeyObject {
  if (key instanceof KeyObject) return key.type === 'public' ? key : createPublicKey(key);
  if (typeof key === 'string' || isBytes(key)) {
    try {
      if (typeof key === 'string') return createPublicKey(key);
      const der = bytesOf(key);
      try {
        return createPublicKey({ key: der, format: 'der', type: 'spki' });
      } catch {
        return createPublicKey(toPrivateKey(der, option));
      }
    } catch (err) {
      throw createError('ERR_JSEC_CERT_KEY_INVALID', `The "${option}" option is not a decodable public key`, { option, cause: err });
    }
  }
  throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be a KeyObject, a PEM string or DER bytes`, { option });
}

const derCache = new WeakMap<KeyObject, Buffer>();

/** PKCS#8 DER of a private key (the native boundary format), cached per KeyObject (a CA key is exported once). */
export function pkcs8Der(key: KeyObject): Buffer {
  let der = derCache.get(key);
  if (!der) {
    der = key.export({ type: 'pkcs8', format: 'der' });
    derCache.set(key, der);
  }
  return der;
}

/** A private key as JWK members (what `KeyObject.export({ format: 'jwk' })` returns). */
export type NativeJwk = Record<string, string>;
const jwkCache = new WeakMap<KeyObject, Buffer | NativeJwk>();

/**
 * Node 20's JWK export holds the key's lock while it allocates the JWK's
 * strings. When that allocation runs a garbage collection that finalises the
 * finished generation job which made the key, the job's destructor takes the
 * same lock and the thread deadlocks: `generateKeyPairSync` followed by
 * `export({ format: 'jwk' })` hangs within a few thousand rounds there (never
 * on Node 22 or 24, nor with DER exports). On Node 20, jsec takes JWK only
 * while the job is alive or from a copy that shares no lock with a job.
 */
const JWK_EXPORT_HAZARD = Number(process.versions.node.split('.')[0]) < 22;

function jwkCapable(type: string): boolean {
  return type === 'ec' || type === 'rsa' || type === 'ed25519' || type === 'ed448';
}

/**
 * `key.export({ format: 'jwk' })` without Node 20's deadlock: there, the JWK
 * comes from a copy made through DER (its own lock); elsewhere directly.
 */
export function exportJwk(key: KeyObject): JsonWebKey {
  if (!JWK_EXPORT_HAZARD) return key.export({ format: 'jwk' });
  const copy =
    key.type === 'private'
      ? createPrivateKey({ key: key.export({ type: 'pkcs8', format: 'der' }), format: 'der', type: 'pkcs8' })
      : createPublicKey({ key: key.export({ type: 'spki', format: 'der' }), format: 'der', type: 'spki' });
  return copy.export({ format: 'jwk' });
}

/**
 * A private key in the form the native builders take: JWK members for EC,
 * RSA, Ed25519 and Ed448 keys (Node exports these without an OpenSSL encoder
 * lookup, and OpenSSL imports them without a decoder lookup: about ten times
 * cheaper than PKCS#8 DER on OpenSSL 3.0), else PKCS#8 DER. Cached per KeyObject.
 */
export function nativePrivateKey(key: KeyObject | DeferredKey): Buffer | NativeJwk {
  if (!(key instanceof KeyObject)) return key.native;
  let v = jwkCache.get(key);
  if (!v) {
    const t = key.asymmetricKeyType;
    // On Node 20 a key whose JWK was not taken at generation goes as DER
    // (see JWK_EXPORT_HAZARD): one DER export is cheaper than exportJwk's copy.
    if (t !== undefined && jwkCapable(t) && !JWK_EXPORT_HAZARD) {
      try {
        v = key.export({ format: 'jwk' }) as NativeJwk;
      } catch {
        v = pkcs8Der(key);
      }
    } else {
      v = pkcs8Der(key);
    }
    jwkCache.set(key, v);
  }
  return v;
}

/** PKCS#8 PEM of a private key (from the cached DER). */
export function pkcs8Pem(key: KeyObject): string {
  return native().pemEncode('PRIVATE KEY', pkcs8Der(key));
}

/** SubjectPublicKeyInfo DER of a public key (the native boundary format). */
export function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
}

/** The signature digest for a key: none for Ed25519/Ed448 (they hash internally), else `digest`. */
export function digestFor(key: { readonly asymmetricKeyType?: string | undefined }, digest: string): string {
  const t = key.asymmetricKeyType;
  return t === 'ed25519' || t === 'ed448' ? '' : digest;
}

/** Whether the key can encrypt a key exchange (RSA): decides keyEncipherment in default key usage. */
export function isRsa(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'rsa';
}

/**
 * `jsec/crypto`: hashing, HMAC, randomness, keys, signatures, key agreement,
 * KDFs, AEAD, RSA-OAEP, PKCS#12, CMS, EC point arithmetic and strict base64,
 * with one consistent, typed API. Built on `node:crypto` where Node has the
 * operation and on jsec's addon (Node's own OpenSSL) where it does not.
 *
 * Keys go in as PEM, DER, JWK or `KeyObject` and come out as `KeyObject`
 * (or the format asked for), so jsec and `node:crypto` mix freely.
 *
 * @module
 */
export type { Bytes, Data, DigestAlgorithm, HashAlgorithm, Curve } from './internal.js';
export { DIGESTS, HASHES, CURVES } from './internal.js';
export { digest, hmac, randomBytes, generateChallenge, timingSafeEqual, type DigestOptions } from './hash.js';
export { base64Encode, base64Decode, base64urlEncode, base64urlDecode } from './encoding.js';
export {
  generateKey,
  generateKeySync,
  loadKey,
  exportKey,
  exportPublicKey,
  keyInfo,
  detectFormat,
  importRawKey,
  exportRawKey,
  GENERATE_TYPES,
  KEY_CIPHERS,
  type KeyType,
  type GenerateKeyType,
  type KeyInput,
  type KeyFormat,
  type KeyEncoding,
  type KeyCipher,
  type Passphrase,
  type GenerateKeyOptions,
  type KeyPair,
  type LoadKeyOptions,
  type ExportKeyOptions,
  type ExportPublicKeyOptions,
  type KeyInfo,
  type RawKeyType,
} from './keys.js';
export { sign, verify, signAsync, verifyAsync, deriveSharedSecret, type SignOptions } from './sign.js';
export { hkdf, hkdfSync, pbkdf2, pbkdf2Sync, scrypt, scryptSync, type HkdfOptions, type Pbkdf2Options, type ScryptOptions } from './kdf.js';
export { encrypt, decrypt, generateNonce, cipherInfo, createAeadKey, AeadKey, AEAD_ALGORITHMS, type AeadKeyState, type AeadAlgorithm, type CipherInfo, type EncryptOptions, type Sealed } from './aead.js';
export { rsaEncrypt, rsaEncryptAsync, rsaDecrypt, rsaDecryptAsync, rsaMaxPlaintext, type RsaDecryptionOptions, type RsaEncryptionOptions } from './rsa.js';
export {
  createPkcs12,
  createPkcs12Sync,
  parsePkcs12,
  parsePkcs12Sync,
  type CreatePkcs12Options,
  type Pkcs12Contents,
  type Pkcs12KeyEncryption,
  type Pkcs12CertEncryption,
  type Pkcs12MacHash,
} from './pkcs12.js';
export {
  cmsSign,
  cmsSignSync,
  cmsVerify,
  cmsVerifySync,
  cmsEncrypt,
  cmsEncryptSync,
  cmsDecrypt,
  cmsDecryptSync,
  cmsCertsOnly,
  cmsCertificates,
  cmsInfo,
  CMS_CIPHERS,
  type CmsInput,
  type CmsFormat,
  type CmsSignOptions,
  type CmsVerifyOptions,
  type CmsVerified,
  type CmsCipher,
  type CmsEncryptOptions,
  type CmsDecryptOptions,
} from './cms.js';
export type { CertificateInput, CertificatesInput } from './certs.js';
export { ecGenerateScalar, ecPointMul, ecPointAdd, ecPointToBytes, ecPointFromBytes, type EcPoint, type EcPointInput } from './ec.js';

/**
 * PKCS#12 (PFX) files: create and parse on the addon (Node.js can only load
 * one into a TLS context). The KDF work runs on the libuv pool.
 *
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import { DEFAULTS } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { native } from '../native/loader.js';
import type { NativePkcs12CreateOptions, NativePkcs12Parsed } from '../native/binding.js';
import { certDer, certsDer, parsed, type CertificateInput, type CertificatesInput } from './certs.js';
import { asBuffer, fail, type Bytes } from './internal.js';
import { privateKeyOf, type KeyInput, type Passphrase } from './keys.js';
import { looksLikePem, pemBlocks } from './encoding.js';

const debug = debuglog('jsec');
/** Published once per process when a call asks for OpenSSL's legacy provider: `{ operation }`. */
const legacyChannel = channel('jsec:crypto:legacy-provider');
let legacyAnnounced = false;
function announceLegacy(operation: string): void {
  if (legacyAnnounced) return;
  legacyAnnounced = true;
  debug('crypto: %s asked for legacy algorithms; loading the OpenSSL legacy provider into the default library context', operation);
  if (legacyChannel.hasSubscribers) legacyChannel.publish({ operation });
}

/** Encryption of the key bag: PBES2 AES (default AES-256-CBC) or, with `legacy: true`, PKCS#12 3DES. */
export type Pkcs12KeyEncryption = 'aes-256-cbc' | 'aes-192-cbc' | 'aes-128-cbc' | 'des-ede3-cbc';
/** Encryption of the certificate bags; `none` leaves them in clear; `rc2-40-cbc` and `des-ede3-cbc` need `legacy: true`. */
export type Pkcs12CertEncryption = Pkcs12KeyEncryption | 'rc2-40-cbc' | 'none';
/** MAC digests. */
export type Pkcs12MacHash = 'sha256' | 'sha384' | 'sha512' | 'sha1';

/** Options of {@link createPkcs12}. */
export interface CreatePkcs12Options {
  /**
   * The private key (any key input; encrypted ones need `keyPassphrase`). No default; at least one of
   * `key` and `certificate` is required (`ERR_MISSING_OPTION`).
   */
  key?: KeyInput;
  /** Passphrase of an encrypted input key. No default. */
  keyPassphrase?: Passphrase;
  /** The certificate that goes with the key. No default (see `key`). */
  certificate?: CertificateInput;
  /** Further certificates (intermediates, roots), as an array or a PEM bundle. Default: none. */
  chain?: CertificatesInput;
  /** The file's password (required; may be empty only with `allowEmptyPassword`). */
  password: string;
  /** Accept an empty password (the file is then protected by nothing). Default false. */
  allowEmptyPassword?: boolean;
  /** Friendly name (alias) of the key and certificate. Default: none. */
  friendlyName?: string;
  /** Key bag encryption; default aes-256-cbc (PBES2, PBKDF2-HMAC-SHA256). */
  keyEncryption?: Pkcs12KeyEncryption;
  /** Certificate bag encryption; default aes-256-cbc. */
  certEncryption?: Pkcs12CertEncryption;
  /** MAC digest; default sha256. */
  macHash?: Pkcs12MacHash;
  /** KDF iterations for every bag; default 10 000. */
  iterations?: number;
  /** MAC KDF iterations; default: `iterations`. */
  macIterations?: number;
  /**
   * The legacy profile for old readers (Windows before 2016, Java 8, macOS
   * before 10.15 Keychain): 3DES key bag, RC2-40 certificate bags, SHA-1 MAC
   * unless overridden. RC2 needs OpenSSL's legacy provider, which jsec loads
   * into the process's default library context (the same as
   * `node --openssl-legacy-provider`); without it `ERR_JSEC_UNSUPPORTED`.
   */
  legacy?: boolean;
}

const ENC = ['aes-256-cbc', 'aes-192-cbc', 'aes-128-cbc', 'des-ede3-cbc'] as const;
const SCHEMA: Schema = {
  key: { type: 'any' },
  keyPassphrase: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] },
  certificate: { type: 'any' },
  chain: { type: 'any' },
  password: { type: 'string' },
  allowEmptyPassword: { type: 'boolean' },
  friendlyName: { type: 'string', nonEmpty: true },
  keyEncryption: { type: 'string', enum: ENC },
  certEncryption: { type: 'string', enum: [...ENC, 'rc2-40-cbc', 'none'] },
  macHash: { type: 'string', enum: ['sha256', 'sha384', 'sha512', 'sha1'] },
  iterations: { type: 'number', integer: true, min: 1, max: 10_000_000 },
  macIterations: { type: 'number', integer: true, min: 1, max: 10_000_000 },
  legacy: { type: 'boolean' },
};

function createArgs(options: unknown): NativePkcs12CreateOptions {
  const o = validateOptions<CreatePkcs12Options>('createPkcs12', options, SCHEMA);
  if (o.password === undefined) throw fail('ERR_MISSING_OPTION', 'createPkcs12 needs a password', { option: 'password' });
  if (o.password === '' && !o.allowEmptyPassword) {
    throw fail('ERR_INVALID_ARG_VALUE', 'An empty PKCS#12 password protects nothing; pass allowEmptyPassword: true if that is intended', { option: 'password' });
  }
  if (o.key === undefined && o.certificate === undefined) throw fail('ERR_MISSING_OPTION', 'createPkcs12 needs a key, a certificate, or both', { option: 'key' });
  const legacy = o.legacy === true;
  const keyEncryption: Pkcs12CertEncryption = o.keyEncryption ?? (legacy ? 'des-ede3-cbc' : DEFAULTS.crypto.pkcs12KeyEncryption.value);
  const certEncryption: Pkcs12CertEncryption = o.certEncryption ?? (legacy ? 'rc2-40-cbc' : DEFAULTS.crypto.pkcs12CertEncryption.value);
  for (const [name, v] of [['keyEncryption', keyEncryption], ['certEncryption', certEncryption]] as const) {
    if (!legacy && (v === 'des-ede3-cbc' || v === 'rc2-40-cbc')) {
      throw fail('ERR_JSEC_CONFLICTING_OPTIONS', `${name} ${v} is a legacy algorithm: pass legacy: true`, { option: name });
    }
  }
  const macHash = o.macHash ?? (legacy ? 'sha1' : DEFAULTS.crypto.pkcs12MacHash.value);
  if (macHash === 'sha1' && !legacy) throw fail('ERR_JSEC_CONFLICTING_OPTIONS', 'A SHA-1 MAC is legacy: pass legacy: true', { option: 'macHash' });
  const key = o.key === undefined ? null : privateKeyOf(o.key, 'key', o.keyPassphrase);
  const cert = o.certificate === undefined ? null : certDer('certificate', o.certificate);
  if (key && cert && !parsed('certificate', cert).checkPrivateKey(key)) {
    throw fail('ERR_JSEC_CRYPTO_KEY_MISMATCH', 'The key does not belong to the certificate');
  }
  const iterations = o.iterations ?? DEFAULTS.crypto.pkcs12Iterations.value;
  if (legacy && certEncryption === 'rc2-40-cbc') announceLegacy('createPkcs12');
  return {
    key: key ? key.export({ format: 'der', type: 'pkcs8' }) : null,
    cert,
    chain: certsDer('chain', o.chain),
    password: o.password,
    friendlyName: o.friendlyName ?? null,
    keyEncryption,
    certEncryption,
    macHash,
    iterations,
    macIterations: o.macIterations ?? iterations,
    legacy: legacy && certEncryption === 'rc2-40-cbc',
  };
}

/**
 * Builds a PKCS#12 file (DER) off the main thread.
 *
 * Defaults: AES-256-CBC with PBKDF2-HMAC-SHA256 for the key and certificate
 * bags, HMAC-SHA-256 MAC, 10 000 iterations. Legacy algorithms only with `legacy: true`.
 *
 * @throws ConfigError `ERR_MISSING_OPTION`, `ERR_JSEC_CONFLICTING_OPTIONS` (legacy algorithm without `legacy`),
 *   `ERR_JSEC_CRYPTO_KEY_MISMATCH`, `ERR_JSEC_UNSUPPORTED` (no legacy provider)
 */
export async function createPkcs12(options: CreatePkcs12Options): Promise<Buffer> {
  return native().pkcs12Create(createArgs(options), true);
}

/** The synchronous variant of {@link createPkcs12} (blocks for the KDF rounds). */
export function createPkcs12Sync(options: CreatePkcs12Options): Buffer {
  return native().pkcs12Create(createArgs(options), false);
}

/** What {@link parsePkcs12} returns. */
export interface Pkcs12Contents {
  /** The private key, or null if the file has none. */
  readonly privateKey: KeyObject | null;
  /** The certificate that matches the key (or the first one), or null. */
  readonly certificate: X509Certificate | null;
  /** The other certificates. */
  readonly chain: readonly X509Certificate[];
  /** The certificate's friendly name, or null. */
  readonly friendlyName: string | null;
  /** Friendly names of `chain`, index for index. */
  readonly chainFriendlyNames: readonly (string | null)[];
  /**
   * Whether the file had an integrity MAC (it was checked). A file without one (`openssl pkcs12
   * -nomac`) still parses: its encrypted bags open only with the right password, but unencrypted
   * bags were never protected by any password.
   */
  readonly mac: boolean;
}

function pfxBytes(pfx: unknown): Buffer {
  const b = asBuffer('pfx', pfx);
  if (looksLikePem(b)) {
    const block = pemBlocks(b.toString('latin1'), 'pfx').find((x) => x.label === 'PKCS12');
    if (!block) throw fail('ERR_JSEC_CRYPTO_INVALID_PKCS12', 'PEM text holds no PKCS12 block');
    return block.der;
  }
  return b;
}

function contents(r: NativePkcs12Parsed): Pkcs12Contents {
  return Object.freeze({
    privateKey: r.key ? privateKeyOf(createPrivateKey({ key: r.key, format: 'der', type: 'pkcs8' }), 'pfx') : null,
    certificate: r.cert ? new X509Certificate(r.cert) : null,
    chain: Object.freeze(r.chain.map((c) => new X509Certificate(c))),
    friendlyName: r.friendlyName,
    chainFriendlyNames: Object.freeze(r.chainFriendlyNames),
    mac: r.mac,
  });
}

function parseArgs(password: unknown, options: unknown): { password: string; legacy: boolean } {
  if (typeof password !== 'string') throw fail('ERR_INVALID_ARG_TYPE', 'The "password" argument must be a string', { option: 'password' });
  const o = validateOptions<{ legacy?: boolean }>('parsePkcs12', options, { legacy: { type: 'boolean' } });
  if (o.legacy === true) announceLegacy('parsePkcs12');
  return { password, legacy: o.legacy === true };
}

/**
 * Reads a PKCS#12 file (DER bytes) off the main thread: key, certificate,
 * chain and friendly names. The MAC is verified first, so a wrong password
 * is reported as such.
 *
 * @param options.legacy - allow RC2/RC4/DES files by loading OpenSSL's legacy provider (see {@link CreatePkcs12Options.legacy}).
 * @throws OpenSSLError `ERR_JSEC_CRYPTO_BAD_PASSWORD`, `ERR_JSEC_CRYPTO_INVALID_PKCS12`;
 *   ConfigError `ERR_JSEC_UNSUPPORTED` (a legacy file without `legacy: true`, or no legacy provider)
 */
export async function parsePkcs12(pfx: Bytes, password: string, options?: { legacy?: boolean }): Promise<Pkcs12Contents> {
  const a = parseArgs(password, options);
  return contents(await native().pkcs12Parse(pfxBytes(pfx), a.password, a.legacy, true));
}

/** The synchronous variant of {@link parsePkcs12}. */
export function parsePkcs12Sync(pfx: Bytes, password: string, options?: { legacy?: boolean }): Pkcs12Contents {
  const a = parseArgs(password, options);
  return contents(native().pkcs12Parse(pfxBytes(pfx), a.password, a.legacy, false));
}

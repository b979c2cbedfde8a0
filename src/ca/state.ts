/**
 * The exported state of a CA (JSON-able), and its strict validation on import.
 *
 * @module
 */
import { createError } from '../errors/index.js';
import { derBlocks } from '../cert/pem.js';
import { normalizeSerial, REASON_NAMES, type RevocationReason } from '../ocsp/common.js';
import type { Publication, SerialMode } from './authority.js';

/** The `format` tag of a CA state. */
export const CA_STATE_FORMAT = 'jsec-ca-state';
/** The state version this release writes (and the only one it reads). */
export const CA_STATE_VERSION = 1;

/** A CA's exported state. Every field is plain JSON. */
export interface CaStateJSON {
  /** Always {@link CA_STATE_FORMAT}; anything else is refused on import. */
  format: typeof CA_STATE_FORMAT;
  /** {@link CA_STATE_VERSION}; other versions are refused on import. */
  version: number;
  /** The CA certificate, PEM. */
  certificate: string;
  /** Certificates above the CA, parent first, PEM. */
  chain: string[];
  /** PKCS#8 PEM of the key (`ENCRYPTED PRIVATE KEY` when `keyEncrypted`). */
  key: string;
  /**
   * Whether `key` is passphrase-encrypted. Security: when false the state holds the CA's private key
   * in the clear; store it like the key itself (`FileCaStore` writes mode 0600) or export with a passphrase.
   */
  keyEncrypted: boolean;
  /** Serial state: mode, next sequential serial (decimal), and every serial used (upper-case hex). */
  serials: { mode: SerialMode; next: string; used: string[] };
  /** The last CRL number signed (decimal). */
  crlNumber: string;
  /** Every certificate issued: upper-case hex serial, profile, and the certificate as PEM. */
  issued: { serialNumber: string; profile: string; certificate: string }[];
  /** Every revocation: serial, reason, and ISO 8601 revocation (and invalidity) times. */
  revoked: { serialNumber: string; reason: RevocationReason; revocationTime: string; invalidityDate?: string }[];
  /** The URLs the CA writes into issued certificates. */
  publication: Publication;
}

/** A validated state. @internal */
export interface ParsedState {
  certificate: string;
  certificateDer: Buffer | null;
  chain: string[];
  key: string;
  keyEncrypted: boolean;
  serialMode: SerialMode;
  nextSerial: bigint;
  used: string[];
  crlNumber: bigint;
  issued: { serialNumber: string; profile: string; certificate: string }[];
  revoked: { serialNumber: string; reason: RevocationReason; revocationTime: Date; invalidityDate: Date | null }[];
  publication: Publication;
}

function bad(message: string, cause?: unknown): never {
  throw createError('ERR_JSEC_CA_STATE', `Invalid CA state: ${message}`, cause === undefined ? {} : { cause });
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) bad(`${what} must be a non-empty string`);
  return v;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) bad(`${what} must be an array`);
  return v;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function decimal(v: unknown, what: string): bigint {
  const s = str(v, what);
  if (!/^\d{1,60}$/.test(s)) bad(`${what} must be a decimal number`);
  return BigInt(s);
}

function date(v: unknown, what: string): Date {
  const d = new Date(str(v, what));
  if (Number.isNaN(d.getTime())) bad(`${what} must be an ISO date`);
  return d;
}

function serial(v: unknown, what: string): string {
  try {
    return normalizeSerial(str(v, what), what);
  } catch (cause) {
    bad(`${what} must be a hexadecimal serial`, cause);
  }
}

function urls(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  return arr(v, what).map((u, i) => str(u, `${what}[${i}]`));
}

/**
 * Validates an exported state (strictly: unknown versions, wrong types and
 * missing fields are refused rather than guessed at).
 *
 * @throws ConfigError `ERR_JSEC_CA_STATE`.
 * @internal
 */
export function parseState(input: unknown): ParsedState {
  const s = obj(input, 'the state');
  if (s.format !== CA_STATE_FORMAT) bad(`format must be ${JSON.stringify(CA_STATE_FORMAT)}`);
  if (s.version !== CA_STATE_VERSION) bad(`version ${String(s.version)} is not supported (this release reads version ${CA_STATE_VERSION})`);
  const certificate = str(s.certificate, 'certificate');
  let certificateDer: Buffer | null = null;
  try {
    certificateDer = derBlocks(certificate, ['CERTIFICATE'], 'CA certificate', 'certificate')[0] ?? null;
  } catch (cause) {
    bad('certificate is not a PEM certificate', cause);
  }
  if (typeof s.keyEncrypted !== 'boolean') bad('keyEncrypted must be a boolean');
  const serials = obj(s.serials, 'serials');
  if (serials.mode !== 'random' && serials.mode !== 'sequential') bad('serials.mode must be "random" or "sequential"');
  const pub = s.publication === undefined ? {} : obj(s.publication, 'publication');
  const publication: Publication = {};
  for (const k of ['ocsp', 'caIssuers', 'crlDistributionPoints'] as const) {
    const list = urls(pub[k], `publication.${k}`);
    if (list) publication[k] = list;
  }
  return {
    certificate,
    certificateDer,
    chain: arr(s.chain, 'chain').map((c, i) => str(c, `chain[${i}]`)),
    key: str(s.key, 'key'),
    keyEncrypted: s.keyEncrypted as boolean,
    serialMode: serials.mode,
    nextSerial: decimal(serials.next, 'serials.next'),
    used: arr(serials.used, 'serials.used').map((u, i) => serial(u, `serials.used[${i}]`)),
    crlNumber: decimal(s.crlNumber, 'crlNumber'),
    issued: arr(s.issued, 'issued').map((r, i) => {
      const o = obj(r, `issued[${i}]`);
      return { serialNumber: serial(o.serialNumber, `issued[${i}].serialNumber`), profile: str(o.profile, `issued[${i}].profile`), certificate: str(o.certificate, `issued[${i}].certificate`) };
    }),
    revoked: arr(s.revoked, 'revoked').map((r, i) => {
      const o = obj(r, `revoked[${i}]`);
      if (typeof o.reason !== 'string' || !(REASON_NAMES as readonly string[]).includes(o.reason)) bad(`revoked[${i}].reason is not a revocation reason`);
      return {
        serialNumber: serial(o.serialNumber, `revoked[${i}].serialNumber`),
        reason: o.reason as RevocationReason,
        revocationTime: date(o.revocationTime, `revoked[${i}].revocationTime`),
        invalidityDate: o.invalidityDate === undefined ? null : date(o.invalidityDate, `revoked[${i}].invalidityDate`),
      };
    }),
    publication,
  };
}

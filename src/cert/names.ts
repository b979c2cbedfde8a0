/**
 * Structured names: distinguished names, subject alternative names, key
 * usage and extended key usage, in the plain-data forms the public API takes
 * and the native builders expect.
 *
 * @internal
 * @module
 */
import { isIP } from 'node:net';
import { createError } from '../errors/index.js';
import type { NativeGeneralNameInput } from '../native/binding.js';

/** One attribute of a distinguished name, as parsed. */
export interface NameEntry {
  /** OpenSSL's short name (`CN`, `O`, `emailAddress`, ...) or the dotted OID when unknown. */
  readonly type: string;
  /** The dotted OID. */
  readonly oid: string;
  /** The value as UTF-8 text (a value that cannot be converted shows as `#` + hex). */
  readonly value: string;
}

/** A distinguished name: ordered entries, a display string and the exact DER. */
export interface DistinguishedName {
  /** The attributes in certificate order (one per RDN component); match on these, not on `text`. */
  readonly entries: readonly NameEntry[];
  /** For display only: `C=US, O=Example, CN=example.com` in certificate order. */
  readonly text: string;
  /** The DER encoding, byte for byte as in the certificate. */
  readonly der: Buffer;
}

/**
 * A distinguished name as input: ordered `[type, value]` pairs (type: short
 * name such as `CN`, long name such as `commonName`, or a dotted OID), or an
 * object whose keys are such types (values may be arrays for repeated
 * attributes), written in the conventional order C, ST, L, O, OU, CN, then the rest,
 * or a parsed {@link DistinguishedName} (for example another certificate's subject).
 */
export type NameInput = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string | readonly string[]>> | DistinguishedName;

/** A subject alternative name as input and as parsed. */
export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'ip'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dirName'; readonly value: DistinguishedName }
  | { readonly type: 'registeredId'; readonly value: string }
  | { readonly type: 'otherName'; readonly oid: string; readonly value: Buffer }
  | { readonly type: 'x400Address' | 'ediPartyName'; readonly value: Buffer };

/** A SAN given to a builder: `{ type, value }`, or a string `DNS:x`, `IP:x`, `email:x`, `URI:x`, or a bare host name / IP address. */
export type GeneralNameInput = { readonly type: 'dns' | 'ip' | 'email' | 'uri'; readonly value: string } | string;

const ORDER = ['C', 'ST', 'L', 'O', 'OU', 'CN'];
const LONG: Record<string, string> = {
  country: 'C',
  countryName: 'C',
  state: 'ST',
  stateOrProvinceName: 'ST',
  locality: 'L',
  localityName: 'L',
  organization: 'O',
  organizationName: 'O',
  organizationalUnit: 'OU',
  organizationalUnitName: 'OU',
  commonName: 'CN',
  email: 'emailAddress',
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

function fail(option: string, message: string): never {
  throw createError('ERR_INVALID_ARG_VALUE', `The "${option}" option ${message}`, { option });
}

/**
 * Normalises a name input to ordered pairs.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`
 */
export function normalizeName(input: unknown, option = 'subject'): [string, string][] {
  const out: [string, string][] = [];
  if (input !== null && typeof input === 'object' && Array.isArray((input as DistinguishedName).entries) && Buffer.isBuffer((input as DistinguishedName).der)) {
    // A parsed name (certificate.subject): its attributes, by OID, in order.
    for (const e of (input as DistinguishedName).entries) out.push([LONG[e.oid] ?? e.oid, e.value]);
  } else if (Array.isArray(input)) {
    input.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw createError('ERR_INVALID_ARG_TYPE', `The "${option}[${i}]" option must be a [type, value] pair of strings`, { option: `${option}[${i}]` });
      }
      out.push([pair[0], pair[1]]);
    });
  } else if (input !== null && typeof input === 'object') {
    const entries = Object.entries(input as Record<string, unknown>).map(([k, v]) => [LONG[k] ?? k, v] as const);
    const rank = (k: string) => {
      const i = ORDER.indexOf(k);
      return i === -1 ? ORDER.length : i;
    };
    entries.sort((a, b) => rank(a[0]) - rank(b[0]));
    for (const [k, v] of entries) {
      const values = Array.isArray(v) ? v : [v];
      for (const value of values) {
        if (typeof value !== 'string') throw createError('ERR_INVALID_ARG_TYPE', `The "${option}.${k}" option must be a string`, { option: `${option}.${k}` });
        out.push([k, value]);
      }
    }
  } else {
    throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be an array of [type, value] pairs or an object`, { option });
  }
  for (const [k, v] of out) {
    if (k.length === 0) fail(option, 'has an empty attribute type');
    if (v.length === 0) fail(option, `has an empty value for ${k}`);
    if ((k === 'C' || k === 'countryName') && !/^[A-Za-z]{2}$/.test(v)) fail(option, `country must be two letters (ISO 3166), received ${JSON.stringify(v)}`);
    if (v.length > 64 && ['C', 'ST', 'L', 'O', 'OU', 'CN'].includes(k)) fail(option, `${k} is longer than 64 characters (RFC 5280 upper bound)`);
  }
  return out;
}

/** The first value of `type` (short name) in a normalised name. */
export function nameValue(pairs: readonly (readonly [string, string])[], type: string): string | undefined {
  return pairs.find(([k]) => k === type || LONG[k] === type)?.[1];
}

/** Raw bytes of an IPv4 or IPv6 address. */
export function ipBytes(ip: string): Buffer {
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family !== 6) throw createError('ERR_INVALID_ARG_VALUE', `Not an IP address: ${JSON.stringify(ip)}`, { option: 'san' });
  let addr = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  let tail: number[] = [];
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    addr = addr.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

const DNS_RE = /^(\*\.)?([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/**
 * Normalises SAN inputs to the native form, checking each value.
 *
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for a malformed entry.
 */
export function normalizeSan(list: unknown, option = 'san'): NativeGeneralNameInput[] {
  if (!Array.isArray(list)) throw createError('ERR_INVALID_ARG_TYPE', `The "${option}" option must be an array`, { option });
  return list.map((item, i): NativeGeneralNameInput => {
    const where = `${option}[${i}]`;
    let type: string;
    let value: unknown;
    if (typeof item === 'string') {
      const m = /^(DNS|IP|email|URI):(.*)$/i.exec(item);
      if (m) {
        type = m[1]!.toLowerCase();
        value = m[2];
      } else {
        type = isIP(item) ? 'ip' : 'dns';
        value = item;
      }
    } else if (item !== null && typeof item === 'object') {
      type = (item as { type?: unknown }).type as string;
      value = (item as { value?: unknown }).value;
    } else {
      throw createError('ERR_INVALID_ARG_TYPE', `The "${where}" option must be a string or { type, value }`, { option: where });
    }
    if (typeof value !== 'string' || value.length === 0) throw createError('ERR_INVALID_ARG_VALUE', `The "${where}" option needs a non-empty string value`, { option: where });
    if (!/^[\x20-\x7e]*$/.test(value) && type !== 'ip') fail(where, 'must be ASCII (IA5String); use punycode for internationalised names');
    switch (type) {
      case 'dns':
        if (value.length > 253 || !DNS_RE.test(value)) fail(where, `is not a DNS name: ${JSON.stringify(value)}`);
        return { type: 'dns', value };
      case 'ip':
        return { type: 'ip', value: ipBytes(value) };
      case 'email':
        if (!/^[^@\s]+@[^@\s]+$/.test(value)) fail(where, `is not an e-mail address: ${JSON.stringify(value)}`);
        return { type: 'email', value };
      case 'uri':
        if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) fail(where, `is not an absolute URI: ${JSON.stringify(value)}`);
        return { type: 'uri', value };
      default:
        throw createError('ERR_INVALID_ARG_VALUE', `The "${where}.type" option must be "dns", "ip", "email" or "uri"`, { option: where });
    }
  });
}

/** RFC 5280 KeyUsage names, by bit number. */
export const KEY_USAGE = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
/** A KeyUsage name. */
export type KeyUsage = (typeof KEY_USAGE)[number];

/** Extended key usage names and their OIDs. */
export const EXTENDED_KEY_USAGE = Object.freeze({
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const);
/** An extended key usage name. */
export type ExtendedKeyUsage = keyof typeof EXTENDED_KEY_USAGE;

const EKU_BY_OID = new Map(Object.entries(EXTENDED_KEY_USAGE).map(([k, v]) => [v as string, k]));

/** The name of an EKU OID, or the OID itself when unknown. */
export function ekuName(oid: string): string {
  return EKU_BY_OID.get(oid) ?? oid;
}

/** KeyUsage names to bit numbers. @throws ConfigError for an unknown name. */
export function keyUsageBits(names: readonly string[], option = 'keyUsage'): number[] {
  return names.map((n, i) => {
    const alias = n === 'contentCommitment' ? 'nonRepudiation' : n;
    const bit = KEY_USAGE.indexOf(alias as KeyUsage);
    if (bit === -1) {
      throw createError('ERR_INVALID_ARG_VALUE', `The "${option}[${i}]" option must be one of ${KEY_USAGE.join(', ')}. Received ${JSON.stringify(n)}`, { option: `${option}[${i}]` });
    }
    return bit;
  });
}

/** EKU names or dotted OIDs to OIDs. @throws ConfigError for an unknown name. */
export function ekuOids(names: readonly string[], option = 'extendedKeyUsage'): string[] {
  return names.map((n, i) => {
    const oid = (EXTENDED_KEY_USAGE as Record<string, string>)[n] ?? (/^\d+(\.\d+)+$/.test(n) ? n : undefined);
    if (!oid) {
      throw createError('ERR_INVALID_ARG_VALUE', `The "${option}[${i}]" option must be one of ${Object.keys(EXTENDED_KEY_USAGE).join(', ')} or a dotted OID. Received ${JSON.stringify(n)}`, {
        option: `${option}[${i}]`,
      });
    }
    return oid;
  });
}

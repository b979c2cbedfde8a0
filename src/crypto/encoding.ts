/**
 * Strict base64 and base64url codecs, and a strict PEM reader. Node's own
 * decoder skips invalid characters silently; these reject them.
 *
 * @module
 */
import { createError } from '../errors/index.js';
import { check } from '../config/validate.js';
import { dataBuffer } from './internal.js';

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

function invalid(what: string, path: string): never {
  throw createError('ERR_JSEC_CRYPTO_INVALID_ENCODING', `The "${path}" argument is not valid ${what}`, { option: path, encoding: what });
}

/** Encodes bytes (or a UTF-8 string) as padded base64 (RFC 4648 §4). */
export function base64Encode(data: string | ArrayBufferView | ArrayBuffer): string {
  return dataBuffer('data', data).toString('base64');
}

/**
 * Decodes padded base64 strictly: only the base64 alphabet, length a multiple
 * of 4, correct padding and zero trailing bits. Whitespace is not allowed.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_ENCODING` for anything else.
 */
export function base64Decode(text: string): Buffer {
  return decodeBase64Strict(text, 'text');
}

/** @internal */
export function decodeBase64Strict(text: unknown, path: string): Buffer {
  check(path, text, { type: 'string' });
  const s = text as string;
  if (!B64.test(s)) invalid('base64', path);
  const out = Buffer.from(s, 'base64');
  if (out.toString('base64') !== s) invalid('base64 (non-zero trailing bits)', path);
  return out;
}

/** Encodes bytes (or a UTF-8 string) as unpadded base64url (RFC 4648 §5). */
export function base64urlEncode(data: string | ArrayBufferView | ArrayBuffer): string {
  return dataBuffer('data', data).toString('base64url');
}

/**
 * Decodes unpadded base64url strictly: only `A-Z a-z 0-9 - _`, no padding, no
 * impossible length, zero trailing bits.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_ENCODING`
 */
export function base64urlDecode(text: string): Buffer {
  check('text', text, { type: 'string' });
  if (!B64URL.test(text) || text.length % 4 === 1) invalid('unpadded base64url', 'text');
  const out = Buffer.from(text, 'base64url');
  if (out.toString('base64url') !== text) invalid('base64url (non-zero trailing bits)', 'text');
  return out;
}

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly der: Buffer;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 #]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 #]+)-----/g;

/**
 * Every PEM block in `text` (RFC 7468, with RFC 1421 headers). Text between
 * blocks is ignored; a block with bad base64 or a mismatched END line throws.
 *
 * @internal
 */
export function pemBlocks(text: string, path = 'pem'): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const [, label, body, end] = m as unknown as [string, string, string, string];
    if (label !== end) invalid(`PEM (BEGIN ${label} / END ${end})`, path);
    const headers: Record<string, string> = {};
    const lines = body.split(/\r?\n/);
    let i = 0;
    if (lines.some((l) => /^[A-Za-z-]+: /.test(l))) {
      for (; i < lines.length && lines[i] !== ''; i++) {
        const hm = /^([A-Za-z-]+): (.*)$/.exec(lines[i]!);
        if (!hm) invalid('PEM (header)', path);
        headers[hm[1]!] = hm[2]!;
      }
    }
    const b64 = lines.slice(i).join('').trim();
    out.push(Object.freeze({ label, headers: Object.freeze(headers), der: decodeBase64Strict(b64, path) }));
  }
  return out;
}

/** Whether bytes or text start (after whitespace) with a PEM BEGIN line. @internal */
export function looksLikePem(value: string | Buffer): boolean {
  const head = typeof value === 'string' ? value.slice(0, 200) : value.subarray(0, 200).toString('latin1');
  return /^\s*-----BEGIN /.test(head) || head.includes('-----BEGIN ');
}

/** Wraps DER in a PEM block (64-column lines). @internal */
export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * PEM and DER input handling shared by certificates, CSRs and CRLs. Decoding
 * is OpenSSL's (`PEM_read_bio`); this module only chooses between PEM text
 * and DER bytes and filters blocks by label.
 *
 * @internal
 * @module
 */
import { createError } from '../errors/index.js';
import { isBytes } from '../config/validate.js';
import { native } from '../native/loader.js';
import { defaults } from '../config/defaults.js';

/** Upper bound on one input (PEM text or DER), so hostile input cannot exhaust memory. */
export const MAX_INPUT: number = defaults.cert.maxInputSize;

function asBuffer(v: ArrayBufferView | ArrayBuffer): Buffer {
  return v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Whether bytes look like DER (a SEQUENCE) rather than PEM text. */
export function looksLikeDer(b: Uint8Array): boolean {
  return b.length > 0 && b[0] === 0x30;
}

/**
 * The DER blocks with one of `labels` in PEM text or bytes; DER input is
 * returned as the single block. Blocks with other labels are skipped.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE` for a non-string, non-bytes input;
 *   CertificateError `ERR_JSEC_PEM_PARSE` when no block of the kind is found or a block is corrupt.
 */
export function derBlocks(input: unknown, labels: readonly string[], what: string, argName = 'input'): Buffer[] {
  let data: string | Buffer;
  if (typeof input === 'string') data = input;
  else if (isBytes(input)) data = asBuffer(input);
  else throw createError('ERR_INVALID_ARG_TYPE', `The "${argName}" argument must be PEM text or DER bytes (${what})`, { option: argName });
  if (data.length > MAX_INPUT) {
    throw createError('ERR_OUT_OF_RANGE', `The "${argName}" argument is larger than ${MAX_INPUT} bytes`, { option: argName });
  }
  if (typeof data !== 'string' && looksLikeDer(data)) return [Buffer.from(data)];
  const blocks = native().pemDecode(data);
  const out = blocks.filter((b) => labels.includes(b.label)).map((b) => b.der);
  if (out.length === 0) {
    throw createError('ERR_JSEC_PEM_PARSE', `no ${labels[0]} PEM block found (${what})`, { labels: blocks.map((b) => b.label) });
  }
  return out;
}

/** PEM text of DER bytes. */
export function toPem(label: string, der: Uint8Array): string {
  return native().pemEncode(label, der);
}

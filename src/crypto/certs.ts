/**
 * Certificate inputs for PKCS#12 and CMS: PEM text (one or many blocks), DER
 * or PEM bytes, or Node `X509Certificate`s. Everything becomes DER.
 *
 * @internal
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { isBytes } from '../config/validate.js';
import { looksLikePem, pemBlocks } from './encoding.js';
import { asBuffer, fail, type Bytes } from './internal.js';

/** A certificate: PEM text, DER or PEM bytes, or a Node `X509Certificate`. */
export type CertificateInput = string | Bytes | X509Certificate;
/** One or more certificates: an array, or a PEM bundle. */
export type CertificatesInput = CertificateInput | readonly CertificateInput[];

function derList(path: string, input: unknown): Buffer[] {
  if (input instanceof X509Certificate) return [input.raw];
  if (typeof input === 'string' || (isBytes(input) && looksLikePem(asBuffer(path, input)))) {
    const text = typeof input === 'string' ? input : asBuffer(path, input).toString('latin1');
    const blocks = pemBlocks(text, path).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE');
    if (blocks.length === 0) throw fail('ERR_JSEC_CRYPTO_INVALID_CERTIFICATE', `The "${path}" argument holds no PEM certificate`, { option: path });
    return blocks.map((b) => b.der);
  }
  if (isBytes(input)) return [asBuffer(path, input)];
  throw fail('ERR_INVALID_ARG_TYPE', `The "${path}" argument must be a PEM string, DER bytes or an X509Certificate`, { option: path });
}

/** Exactly one certificate, as DER (checked by parsing it). */
export function certDer(path: string, input: unknown): Buffer {
  const list = derList(path, input);
  if (list.length !== 1) throw fail('ERR_INVALID_ARG_VALUE', `The "${path}" argument must hold one certificate, not ${list.length}`, { option: path });
  return parsed(path, list[0]!).raw;
}

/** Any number of certificates, as DER. */
export function certsDer(path: string, input: unknown): Buffer[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : [input];
  return items.flatMap((item, i) => derList(Array.isArray(input) ? `${path}[${i}]` : path, item).map((d) => parsed(path, d).raw));
}

/** Parses DER into a Node X509Certificate. */
export function parsed(path: string, der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_CERTIFICATE', `The "${path}" certificate could not be read`, { option: path, cause: err });
  }
}

/**
 * Certificate inputs for PKCS#12 and CMS: PEM text (one or many blocks), DER
 * or PEM bytes, Node `X509Certificate`s, and jsec's own `Certificate`s and
 * `TrustStore`s (jsec/cert). Everything becomes DER.
 *
 * @internal
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { Certificate } from '../cert/certificate.js';
import { TrustStore } from '../cert/verify.js';
import { isBytes } from '../config/validate.js';
import { looksLikePem, pemBlocks } from './encoding.js';
import { asBuffer, fail, type Bytes } from './internal.js';

/** A certificate: PEM text, DER or PEM bytes, a Node `X509Certificate` or a jsec `Certificate`. */
export type CertificateInput = string | Bytes | X509Certificate | Certificate;
/** One or more certificates: an array, a PEM bundle, or a jsec `TrustStore` (its anchors). */
export type CertificatesInput = CertificateInput | readonly CertificateInput[] | TrustStore;

function derList(path: string, input: unknown): Buffer[] {
  if (input instanceof X509Certificate || input instanceof Certificate) return [input.raw];
  if (typeof input === 'string' || (isBytes(input) && looksLikePem(asBuffer(path, input)))) {
    const text = typeof input === 'string' ? input : asBuffer(path, input).toString('latin1');
    const blocks = pemBlocks(text, path).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE');
    if (blocks.length === 0) throw fail('ERR_JSEC_CRYPTO_INVALID_CERTIFICATE', `The "${path}" argument holds no PEM certificate`, { option: path });
    return blocks.map((b) => b.der);
  }
  if (isBytes(input)) return [asBuffer(path, input)];
  throw fail('ERR_INVALID_ARG_TYPE', `The "${path}" argument must be a PEM string, DER bytes, an X509Certificate or a jsec Certificate`, { option: path });
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
  if (input instanceof TrustStore) {
    if (input.state === 'closed') throw fail('ERR_JSEC_CLOSED', `The "${path}" trust store was closed`, { option: path });
    return input.anchors.map((c) => c.raw);
  }
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

/**
 * Public-key pinning: `pins: ['sha256/<base64 SPKI hash>', ...]`, checked
 * after normal verification (a pin adds a check, it never replaces one). The
 * connection passes when any certificate of the verified chain matches any pin.
 *
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import { createError } from '../errors/index.js';

const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;

/**
 * The pin of a certificate's public key: `'sha256/' + base64(SHA-256(SubjectPublicKeyInfo DER))`
 * (the HPKP / curl `--pinnedpubkey` format).
 *
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for input that is not a certificate.
 */
export function spkiPin(certificate: X509Certificate | string | Buffer | Uint8Array): string {
  let x: X509Certificate;
  try {
    x = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate as string | Buffer);
  } catch (cause) {
    throw createError('ERR_INVALID_ARG_VALUE', 'spkiPin() needs a certificate (PEM, DER or X509Certificate)', { option: 'certificate', cause });
  }
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** Validates the `pins` option. @internal */
export function checkPinList(pins: readonly string[]): void {
  if (pins.length === 0) throw createError('ERR_INVALID_ARG_VALUE', '"pins" is empty; omit it to pin nothing', { option: 'pins' });
  for (const p of pins) {
    if (!PIN.test(p)) throw createError('ERR_INVALID_ARG_VALUE', `"pins" entries look like "sha256/<44 base64 characters>"; got ${JSON.stringify(p.slice(0, 60))}`, { option: 'pins' });
  }
}

/**
 * Passes when a certificate of `chain` matches a pin.
 *
 * @throws CertificateError `ERR_JSEC_TLS_PIN_MISMATCH` (`pins`, `chainPins`).
 * @internal
 */
export function checkPins(chain: readonly X509Certificate[], pins: readonly string[]): void {
  const chainPins = chain.map((c) => spkiPin(c));
  if (chainPins.some((p) => pins.includes(p))) return;
  throw createError('ERR_JSEC_TLS_PIN_MISMATCH', 'No certificate of the verified chain matches a pinned public key', { pins, chainPins, peerCertificate: chain[0], chain });
}

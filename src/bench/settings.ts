/**
 * The TLS settings every TLS arm shares, so jsec and node:tls are configured
 * identically: the same certificate, versions and suites.
 *
 * @module
 */
import type { TlsVersion } from './options.js';

/** TLS 1.2 suites: ECDHE + AEAD (the jsec default policy). */
export const BENCH_TLS12_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';
/** TLS 1.3 suites (the jsec default policy). */
export const BENCH_TLS13_CIPHERSUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

/** The server credentials and what a client needs to trust them. Plain strings, so they cross thread boundaries. */
export interface Material {
  /** Server certificate, PEM (self-signed, so it is its own trust anchor). */
  readonly cert: string;
  /** Server private key, PEM. */
  readonly key: string;
  /** The name clients verify. */
  readonly servername: string;
}

/** Versions and suites, as plain data. */
export interface TlsSettings {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string;
  readonly ciphersuites: string;
}

/** The settings for a pinned version, or the default 1.2..1.3 range. */
export function tlsSettings(version: TlsVersion | undefined): TlsSettings {
  const v = version === '1.2' ? 'TLSv1.2' : version === '1.3' ? 'TLSv1.3' : undefined;
  return {
    minVersion: v ?? 'TLSv1.2',
    maxVersion: v ?? 'TLSv1.3',
    ciphers: BENCH_TLS12_CIPHERS,
    ciphersuites: BENCH_TLS13_CIPHERSUITES,
  };
}

/** The options node:tls takes for these settings (node puts TLS 1.3 suites in `ciphers` too). */
export function nodeTlsOptions(s: TlsSettings): { minVersion: TlsSettings['minVersion']; maxVersion: TlsSettings['maxVersion']; ciphers: string } {
  return { minVersion: s.minVersion, maxVersion: s.maxVersion, ciphers: `${s.ciphersuites}:${s.ciphers}` };
}

/** The `security` policy jsec takes for these settings. */
export function jsecSecurity(s: TlsSettings): { minVersion: TlsSettings['minVersion']; maxVersion: TlsSettings['maxVersion']; ciphers: string; ciphersuites: string } {
  return { minVersion: s.minVersion, maxVersion: s.maxVersion, ciphers: s.ciphers, ciphersuites: s.ciphersuites };
}

/** The PSK identity of the DTLS PSK arms (a benchmark-only key, never a real secret). */
export const BENCH_PSK_IDENTITY = 'jsec-bench';
/** The PSK of the DTLS PSK arms, hex (a benchmark-only key, never a real secret). */
export const BENCH_PSK_KEY_HEX = '6a7365632d62656e63682d70736b2d31';
/** Bytes per message on the PSK arms: fits one 1200-byte datagram under any PSK suite node-dtls-client offers. */
export const BENCH_PSK_MESSAGE_SIZE = 1000;
/** The one suite both PSK clients offer (node-dtls-client has no ECDHE-PSK), so only the client library differs. */
export const BENCH_PSK_SUITE = { openssl: 'PSK-AES128-GCM-SHA256', iana: 'TLS_PSK_WITH_AES_128_GCM_SHA256' } as const;

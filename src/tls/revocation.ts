/**
 * CRL revocation checking for clients (`revocation: { crl: 'fetch' }`):
 * fetches the leaf's CRL distribution points over HTTP with a timeout and a
 * size limit, verifies the CRL against the issuer, caches it until its
 * nextUpdate, and fails a revoked peer.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Certificate, Crl } from '../cert/index.js';
import { defaults } from '../config/defaults.js';
import { createError, isJsecError, type JsecError } from '../errors/index.js';

/** The client `revocation` option. */
export interface RevocationOptions {
  /** `'fetch'`: check the leaf against the CRLs its distribution points name. `'off'` (default): no CRL fetching (a static `crl` option still applies in OpenSSL). */
  crl?: 'fetch' | 'off';
  /** Milliseconds per CRL download. Default `defaults.tlsAdvanced.crlTimeout` (5 s). */
  timeout?: number;
  /** Largest CRL accepted, bytes. Default `defaults.tlsAdvanced.crlMaxSize` (4 MiB). */
  maxSize?: number;
  /** What a CRL that cannot be fetched or verified means: `'fail'` (default, hard fail) or `'allow'` (soft fail, reported in `info().revocation`). */
  onFailure?: 'fail' | 'allow';
  /** The clock for nextUpdate checks, ms. Default `Date.now`. */
  now?: () => number;
}

/** @internal */
export const REVOCATION_RULE = {
  type: 'object',
  schema: {
    crl: { type: 'string', enum: ['fetch', 'off'] },
    timeout: { type: 'number', integer: true, min: 1, max: 600_000 },
    maxSize: { type: 'number', integer: true, min: 64, max: 256 * 1024 * 1024 },
    onFailure: { type: 'string', enum: ['fail', 'allow'] },
    now: { type: 'function' },
  },
} as const;

/** The CRL result in `info().revocation`. */
export interface RevocationInfo {
  /** `'good'`: checked, not revoked; `'no-distribution-point'`: the leaf names no HTTP CDP; `'unavailable'`: soft-failed (`onFailure: 'allow'`). */
  readonly status: 'good' | 'no-distribution-point' | 'unavailable';
  /** The CDP URL used. */
  readonly url?: string;
  /** Why the check could not be made (`'unavailable'` only). */
  readonly error?: JsecError;
}

interface CacheEntry {
  crl: Crl;
  expires: number;
}

const cache = new Map<string, CacheEntry>();

/** Drops every cached CRL (tests, or after a known re-issue). */
export function clearCrlCache(): void {
  cache.clear();
}

function fetchCrl(url: string, timeout: number, maxSize: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (cause) {
      reject(createError('ERR_JSEC_CRL_FETCH', 'The CRL distribution point is not a valid URL', { url, cause }));
      return;
    }
    if (u.protocol !== 'http:') {
      reject(createError('ERR_JSEC_CRL_FETCH', 'Only http: CRL distribution points are fetched', { url }));
      return;
    }
    const req = httpRequest(u, { method: 'GET', timeout }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(createError('ERR_JSEC_CRL_FETCH', `The CRL server answered HTTP ${res.statusCode}`, { url, statusCode: res.statusCode }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxSize) {
          req.destroy();
          reject(createError('ERR_JSEC_CRL_FETCH', `The CRL is larger than ${maxSize} bytes`, { url, reason: 'too-large', maxSize }));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks, size)));
      res.on('error', (cause) => reject(createError('ERR_JSEC_CRL_FETCH', 'The CRL download failed', { url, cause })));
    });
    req.on('timeout', () => {
      req.destroy();
      reject(createError('ERR_JSEC_CRL_FETCH', `The CRL download did not finish within ${timeout} ms`, { url, reason: 'timeout', timeout }));
    });
    req.on('error', (cause) => reject(createError('ERR_JSEC_CRL_FETCH', 'The CRL download failed', { url, cause })));
    req.end();
  });
}

async function crlFor(url: string, issuer: Certificate, o: RevocationOptions, now: number): Promise<Crl> {
  const hit = cache.get(url);
  if (hit && hit.expires > now) return hit.crl;
  const bytes = await fetchCrl(url, o.timeout ?? defaults.tlsAdvanced.crlTimeout, o.maxSize ?? defaults.tlsAdvanced.crlMaxSize);
  let crl: Crl;
  try {
    crl = Crl.from(bytes);
  } catch (cause) {
    throw createError('ERR_JSEC_CRL_INVALID', 'The fetched CRL does not parse', { url, cause });
  }
  if (!crl.verify(issuer)) throw createError('ERR_JSEC_CRL_INVALID', 'The fetched CRL is not signed by the issuer of the certificate', { url, reason: 'signature' });
  const next = crl.nextUpdate?.getTime() ?? crl.thisUpdate.getTime() + defaults.tlsAdvanced.crlMaxAge;
  if (next < now) throw createError('ERR_JSEC_CRL_INVALID', 'The fetched CRL is past its nextUpdate', { url, reason: 'stale', nextUpdate: crl.nextUpdate });
  cache.set(url, { crl, expires: next });
  while (cache.size > defaults.tlsAdvanced.crlCacheSize) cache.delete(cache.keys().next().value as string);
  return crl;
}

/**
 * Checks the leaf of a verified chain against its CRL.
 *
 * @throws CertificateError `CERT_REVOKED` (`source: 'crl'`); with `onFailure: 'fail'` also
 *   `ERR_JSEC_CRL_FETCH` and `ERR_JSEC_CRL_INVALID`.
 * @internal
 */
export async function checkCrl(chain: readonly X509Certificate[], o: RevocationOptions): Promise<RevocationInfo> {
  const leafX = chain[0];
  const issuerX = chain[1];
  if (!leafX) return Object.freeze({ status: 'no-distribution-point' });
  const leaf = Certificate.from(leafX.raw);
  const url = leaf.crlDistributionPoints.find((u) => u.startsWith('http:'));
  if (url === undefined) return Object.freeze({ status: 'no-distribution-point' });
  const now = (o.now ?? Date.now)();
  let crl: Crl;
  try {
    if (!issuerX) throw createError('ERR_JSEC_CRL_INVALID', 'The issuer of the certificate is unknown', { url, reason: 'issuer' });
    crl = await crlFor(url, Certificate.from(issuerX.raw), o, now);
  } catch (err) {
    const e = isJsecError(err) ? err : createError('ERR_JSEC_CRL_FETCH', 'The CRL check failed', { url, cause: err });
    if ((o.onFailure ?? 'fail') === 'fail') throw e;
    return Object.freeze({ status: 'unavailable', url, error: e });
  }
  const entry = crl.entry(leaf.serialNumber);
  if (entry) {
    throw createError('CERT_REVOKED', 'The server certificate is revoked (CRL)', {
      source: 'crl',
      url,
      revocationTime: entry.revocationDate,
      revocationReason: entry.reason,
      peerCertificate: leafX,
      chain,
    });
  }
  return Object.freeze({ status: 'good', url });
}

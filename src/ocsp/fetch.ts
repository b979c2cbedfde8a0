/**
 * The OCSP HTTP client (RFC 6960 Appendix A, RFC 5019): POST, or GET for
 * small requests, over `node:http`, with a timeout, a response-size limit
 * and cancellation.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { messageBytes } from './common.js';
import type { OcspRequest } from './request.js';

/** Options of {@link fetchOcsp}. */
export interface FetchOcspOptions {
  /** Milliseconds for the whole exchange. Default 10 s (`defaults.ocsp.timeout`). */
  timeout?: number;
  /** Largest response body accepted, in bytes. Default 64 KiB (`defaults.ocsp.maxResponseSize`). */
  maxSize?: number;
  /** Cancels the exchange (rejects with `ABORT_ERR`). Default: none. */
  signal?: AbortSignal;
  /**
   * `'auto'` (default): GET when the base64 request is at most 255 bytes (RFC 5019 section 5), else POST;
   * `'GET'` / `'POST'` force one.
   */
  method?: 'auto' | 'GET' | 'POST';
}

const schema: Schema = {
  timeout: { type: 'number', integer: true, min: 1, max: 600_000 },
  maxSize: { type: 'number', integer: true, min: 64, max: 16 * 1024 * 1024 },
  signal: { type: 'signal' },
  method: { type: 'string', enum: ['auto', 'GET', 'POST'] },
};

/** The URL an OCSP GET request goes to: the base URL, a slash, then the url-encoded base64 DER. @internal */
export function getUrl(base: URL, der: Buffer): URL {
  const b64 = der.toString('base64');
  const u = new URL(base.href);
  u.pathname = (u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`) + encodeURIComponent(b64);
  return u;
}

/**
 * Sends an OCSP request over HTTP and returns the DER response body (parse
 * and verify it with `parseOcspResponse` / `verifyOcspResponse`). Redirects
 * are not followed. Only `http:` URLs are accepted (OCSP is signed data; a
 * TLS channel would need its own revocation check).
 *
 * @throws ConfigError for bad arguments; JsecError `ERR_JSEC_OCSP_HTTP` (connection error, status other
 *   than 200, wrong content type), `ERR_JSEC_OCSP_TIMEOUT`, `ERR_JSEC_OCSP_TOO_LARGE`; StateError `ABORT_ERR`.
 */
export function fetchOcsp(url: string | URL, request: OcspRequest | Uint8Array, options: FetchOcspOptions = {}): Promise<Buffer> {
  const o = validateOptions<FetchOcspOptions>('fetchOcsp', options, schema);
  let target: URL;
  try {
    target = new URL(String(url));
  } catch (cause) {
    throw createError('ERR_INVALID_ARG_VALUE', `The "url" argument is not a valid URL: ${String(url)}`, { option: 'url', cause });
  }
  if (target.protocol !== 'http:') throw createError('ERR_INVALID_ARG_VALUE', `The "url" argument must be an http: URL. Received ${target.protocol}`, { option: 'url' });
  const der = messageBytes(request instanceof Uint8Array || request instanceof ArrayBuffer ? request : (request as OcspRequest)?.der, 'OCSP request');
  const method = o.method ?? 'auto';
  const useGet = method === 'GET' || (method === 'auto' && Buffer.byteLength(der.toString('base64')) <= defaults.ocsp.maxGetRequestSize);
  const timeout = o.timeout ?? defaults.ocsp.timeout;
  const maxSize = o.maxSize ?? defaults.ocsp.maxResponseSize;
  const signal = o.signal;
  if (signal?.aborted) return Promise.reject(createError('ABORT_ERR', 'The OCSP request was aborted', { cause: signal.reason }));

  return new Promise<Buffer>((resolve, reject) => {
    const dest = useGet ? getUrl(target, der) : target;
    let settled = false;
    const req = httpRequest(dest, {
      method: useGet ? 'GET' : 'POST',
      headers: useGet
        ? { accept: 'application/ocsp-response' }
        : { 'content-type': 'application/ocsp-request', 'content-length': der.length, accept: 'application/ocsp-response' },
    });
    const finish = (err: Error | null, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(body!);
    };
    const timer = setTimeout(() => finish(createError('ERR_JSEC_OCSP_TIMEOUT', `The OCSP request to ${target.origin} timed out after ${timeout} ms`, { timeout })), timeout);
    const onAbort = (): void => finish(createError('ABORT_ERR', 'The OCSP request was aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (cause) => finish(createError('ERR_JSEC_OCSP_HTTP', `The OCSP request to ${target.origin} failed: ${cause.message}`, { cause })));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (status !== 200) {
        res.resume();
        finish(createError('ERR_JSEC_OCSP_HTTP', `The OCSP responder answered HTTP ${status}`, { statusCode: status }));
        return;
      }
      if (type !== 'application/ocsp-response') {
        res.resume();
        finish(createError('ERR_JSEC_OCSP_HTTP', `The OCSP responder answered with content type ${JSON.stringify(type)}`, { statusCode: status, contentType: type }));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > maxSize) {
        finish(createError('ERR_JSEC_OCSP_TOO_LARGE', `The OCSP response declares ${declared} bytes, above the ${maxSize}-byte limit`, { maxSize }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxSize) {
          finish(createError('ERR_JSEC_OCSP_TOO_LARGE', `The OCSP response exceeds the ${maxSize}-byte limit`, { maxSize }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (cause) => finish(createError('ERR_JSEC_OCSP_HTTP', `The OCSP response was cut off: ${cause.message}`, { cause })));
      res.on('aborted', () => finish(createError('ERR_JSEC_OCSP_HTTP', 'The OCSP response was cut off')));
      res.on('end', () => {
        if (!res.complete) finish(createError('ERR_JSEC_OCSP_HTTP', 'The OCSP response was cut off'));
        else finish(null, Buffer.concat(chunks, size));
      });
    });
    if (useGet) req.end();
    else req.end(der);
  });
}

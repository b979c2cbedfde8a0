/**
 * An OCSP responder on `node:http` (RFC 6960 Appendix A, RFC 5019): answers
 * POST and GET requests for the certificates of one issuer from a status
 * lookup, signing with the CA or a delegated responder certificate.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channel } from 'node:diagnostics_channel';
import { createHash } from 'node:crypto';
import { debuglog } from 'node:util';
import { createError } from '../errors/index.js';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { certDer, issuerHashes, timeOf, type Clock, type OcspCertStatus, type RevocationReason } from './common.js';
import { parseOcspRequest, type OcspRequest } from './request.js';
import { createOcspErrorResponse, OcspSigner, type OcspSignerOptions, type OcspStatusEntry } from './response.js';
import type { CertificateInput } from './common.js';

const debug = debuglog('jsec');
const requestChannel = channel('jsec:ocsp:request');

/** What a responder's lookup says about one serial. */
export interface OcspLookupResult {
  /** `'good'`, `'revoked'` or `'unknown'`. */
  status: OcspCertStatus;
  /** Revoked only. */
  revocationTime?: Date | number;
  /** Revoked only; omitted means no reason in the response. */
  revocationReason?: RevocationReason;
}

/** Options of {@link startOcspResponder}. */
export interface OcspResponderOptions {
  /** The issuing CA whose certificates this responder answers for; CertIDs of other issuers get `unauthorized`. */
  issuer: CertificateInput;
  /** Signs responses: the CA itself or a delegated OCSP-signing certificate of it (an {@link OcspSigner}, or its options). */
  signer: OcspSigner | OcspSignerOptions;
  /** The status of a serial (upper-case hex, as `X509Certificate.serialNumber`). May be async. */
  lookup: (serialNumber: string) => OcspLookupResult | Promise<OcspLookupResult>;
  /** Address to listen on. Default `127.0.0.1` (`defaults.ocsp.host`). */
  host?: string;
  /** Port. Default 0 (any free port; read `responder.url`). */
  port?: number;
  /** Response validity (nextUpdate - thisUpdate), ms. Default 1 hour (`defaults.ocsp.responseValidity`). */
  validity?: number;
  /** Clock for thisUpdate/producedAt. Default `Date.now`. */
  now?: Clock;
  /** Largest request accepted, bytes. Default 16 KiB (`defaults.ocsp.maxRequestSize`). */
  maxRequestSize?: number;
}

const schema: Schema = {
  issuer: { type: 'any' },
  signer: { type: 'any' },
  lookup: { type: 'function' },
  host: { type: 'string', nonEmpty: true },
  port: { type: 'number', integer: true, min: 0, max: 65535 },
  validity: { type: 'number', integer: true, min: 1000 },
  now: { type: 'function' },
  maxRequestSize: { type: 'number', integer: true, min: 64, max: 1024 * 1024 },
};

/** The state of an {@link OcspResponder}. */
export const OcspResponderState = Object.freeze({ LISTENING: 'listening', CLOSED: 'closed' } as const);
/** A state of an {@link OcspResponder}. */
export type OcspResponderState = (typeof OcspResponderState)[keyof typeof OcspResponderState];

/** A running OCSP responder. Close it with {@link OcspResponder.close}. */
export class OcspResponder {
  #server: Server;
  #state: OcspResponderState = OcspResponderState.LISTENING;
  #ownSigner: OcspSigner | null;
  /** The base URL to put in certificates' AIA (`http://host:port/`). */
  readonly url: string;
  /** The address the server listens on. */
  readonly address: AddressInfo;

  /** @internal */
  constructor(server: Server, ownSigner: OcspSigner | null) {
    this.#server = server;
    this.#ownSigner = ownSigner;
    this.address = server.address() as AddressInfo;
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    this.url = `http://${host}:${this.address.port}/`;
  }

  /** `listening` or `closed`. */
  get state(): OcspResponderState {
    return this.#state;
  }

  /** The underlying `http.Server`. */
  get server(): Server {
    return this.#server;
  }

  /** Stops listening and closes open connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === OcspResponderState.CLOSED) return;
    this.#state = OcspResponderState.CLOSED;
    const done = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections?.();
    await done;
    this.#ownSigner?.close();
  }

  /** `await using responder = ...` support: {@link OcspResponder.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function send(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/ocsp-response', 'content-length': String(body.length), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** The answer to one request: the DER body, and the validity window when the answer may be cached. @internal */
export interface OcspAnswer {
  body: Buffer;
  cacheable: { thisUpdate: number; nextUpdate: number } | null;
}

/**
 * The request-to-response logic of a responder, without HTTP: parse, check
 * nonce and issuer, look up each serial, sign. Never throws: failures become
 * unsuccessful OCSP responses.
 *
 * @internal
 */
export function ocspAnswerer(ctx: {
  issuer: Buffer;
  signer: OcspSigner;
  lookup: (serialNumber: string) => OcspLookupResult | Promise<OcspLookupResult>;
  validity: number;
  clock: Clock | undefined;
}): (der: Buffer) => Promise<OcspAnswer> {
  const { issuer, signer, lookup, validity, clock } = ctx;
  const ours = (req: OcspRequest): boolean =>
    req.certIds.every((id) => {
      const mine = issuerHashes(issuer, id.hashAlgorithm);
      return mine !== null && mine.name.equals(id.issuerNameHash) && mine.key.equals(id.issuerKeyHash);
    });

  return async function answer(der: Buffer): Promise<OcspAnswer> {
    let req: OcspRequest;
    try {
      req = parseOcspRequest(der);
    } catch (err) {
      debug('ocsp responder: malformed request: %s', (err as Error).message);
      return { body: createOcspErrorResponse('malformedRequest'), cacheable: null };
    }
    if (req.certIds.length === 0 || (req.nonce !== null && (req.nonce.length === 0 || req.nonce.length > 32))) {
      return { body: createOcspErrorResponse('malformedRequest'), cacheable: null };
    }
    if (!ours(req)) return { body: createOcspErrorResponse('unauthorized'), cacheable: null };
    const now = timeOf(clock);
    let entries: OcspStatusEntry[];
    try {
      entries = await Promise.all(
        req.certIds.map(async (id) => {
          const r = await lookup(id.serialNumber);
          const e: OcspStatusEntry = { certId: id, status: r.status, thisUpdate: now, nextUpdate: now + validity };
          if (r.status === 'revoked') {
            e.revocationTime = r.revocationTime ?? now;
            if (r.revocationReason !== undefined) e.revocationReason = r.revocationReason;
          }
          return e;
        }),
      );
    } catch (err) {
      debug('ocsp responder: lookup failed: %s', (err as Error).message);
      return { body: createOcspErrorResponse('internalError'), cacheable: null };
    }
    if (requestChannel.hasSubscribers) {
      requestChannel.publish({ serialNumbers: req.certIds.map((c) => c.serialNumber), statuses: entries.map((e) => e.status), nonce: req.nonce !== null });
    }
    try {
      const body = signer.sign({ responses: entries, request: req, now: () => now, validity });
      return { body, cacheable: req.nonce === null ? { thisUpdate: now, nextUpdate: now + validity } : null };
    } catch (err) {
      debug('ocsp responder: signing failed: %s', (err as Error).message);
      return { body: createOcspErrorResponse('internalError'), cacheable: null };
    }
  };
}

/**
 * Starts an OCSP responder.
 *
 * Behaviour: a request that does not parse, or whose nonce is empty or longer than 32 bytes
 * (RFC 8954), gets `malformedRequest`; one that asks about another issuer gets `unauthorized`;
 * a failing lookup gets `internalError`. Successful answers echo each CertID and the nonce.
 * Answers to GET requests without a nonce carry RFC 5019 caching headers.
 *
 * @throws ConfigError for bad options; JsecError `ERR_JSEC_OCSP_LISTEN` when the address cannot be bound.
 */
export async function startOcspResponder(options: OcspResponderOptions): Promise<OcspResponder> {
  const o = validateOptions<OcspResponderOptions>('startOcspResponder', options, schema);
  for (const name of ['issuer', 'signer', 'lookup'] as const) {
    if (o[name] === undefined) throw createError('ERR_MISSING_OPTION', `The "${name}" option is required`, { option: name });
  }
  const issuer = certDer(o.issuer, 'issuer');
  const ownSigner = o.signer instanceof OcspSigner ? null : new OcspSigner(o.signer as OcspSignerOptions);
  const signer = ownSigner ?? (o.signer as OcspSigner);
  const lookup = o.lookup!;
  const validity = o.validity ?? defaults.ocsp.responseValidity;
  const maxRequestSize = o.maxRequestSize ?? defaults.ocsp.maxRequestSize;
  const clock = o.now;
  const answer = ocspAnswerer({ issuer, signer, lookup, validity, clock });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let der: Buffer | null;
    if (req.method === 'POST') {
      der = await readBody(req, maxRequestSize);
      if (der === null) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
    } else if (req.method === 'GET') {
      const path = (req.url ?? '/').replace(/^\/+/, '');
      if (path.length > maxRequestSize * 2) {
        res.writeHead(414).end();
        return;
      }
      try {
        der = Buffer.from(decodeURIComponent(path), 'base64');
      } catch {
        der = Buffer.alloc(0);
      }
    } else {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const { body, cacheable } = await answer(der);
    const headers: Record<string, string> = {};
    if (req.method === 'GET' && cacheable) {
      const maxAge = Math.max(0, Math.floor((cacheable.nextUpdate - timeOf(clock)) / 1000));
      headers['cache-control'] = `max-age=${maxAge}, public, no-transform, must-revalidate`;
      headers['last-modified'] = new Date(cacheable.thisUpdate).toUTCString();
      headers['expires'] = new Date(cacheable.nextUpdate).toUTCString();
      headers['etag'] = `"${createHash('sha256').update(body).digest('hex')}"`;
    }
    send(res, 200, body, headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      debug('ocsp responder: %s', (err as Error).message);
      if (!res.headersSent) send(res, 200, createOcspErrorResponse('internalError'));
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error): void => {
      ownSigner?.close();
      reject(createError('ERR_JSEC_OCSP_LISTEN', `The OCSP responder could not listen: ${cause.message}`, { cause }));
    };
    server.once('error', onError);
    server.listen(o.port ?? 0, o.host ?? defaults.ocsp.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return new OcspResponder(server, ownSigner);
}

/**
 * Server name indication: a map from names (exact, or `*.example.com`
 * wildcards matching exactly one label) to certificates, a default (the
 * listener's own certificate), an optional async resolver that sees the
 * ClientHello's server name and ALPN offer, and a policy for unknown names.
 *
 * @module
 */
import tls from 'node:tls';
import { check, type Schema } from '../config/validate.js';
import { createError } from '../errors/index.js';
import { contextFor, isTlsContext, MATERIAL_SCHEMA, type MaterialOptions, type TlsContext } from './context.js';
import type { SecurityPolicy } from './policy.js';
import type { ClientHelloInfo } from './client-hello.js';

/** Certificate material for one name (what `listen` takes), or a server context. */
export type SniEntry = TlsContext | (MaterialOptions & { security?: SecurityPolicy });

/** What the resolver sees of a ClientHello. */
export interface SniHello {
  /** The requested name, lower-cased. */
  readonly servername: string;
  /** The ALPN protocols the client offers, in its order (empty when none). */
  readonly alpnProtocols: readonly string[];
}

/** The `sni` option of `listen` / server `upgrade`. */
export interface SniOptions {
  /**
   * Names to certificates: `'a.example'` exact, `'*.example.com'` one-label wildcard. Exact names win
   * over wildcards. Default: none.
   */
  hosts?: Readonly<Record<string, SniEntry>>;
  /**
   * Called for names not in `hosts` (like Go's `GetCertificate`); may be async.
   * Return a server `TlsContext` or material; `undefined` means "not mine"
   * (then `unknownName` decides). A throw or rejection fails that handshake
   * with `ERR_JSEC_TLS_SNI_RESOLVER`; the server keeps serving. Default: none.
   */
  resolve?: (hello: SniHello) => SniEntry | undefined | Promise<SniEntry | undefined>;
  /** Names nobody claims (and clients sending no SNI... always get the default): `'default'` (the listener's certificate, the default) or `'reject'`. */
  unknownName?: 'default' | 'reject';
}

/** @internal */
export const SNI_RULE = {
  type: 'object',
  schema: {
    hosts: { type: 'object', open: true },
    resolve: { type: 'function' },
    unknownName: { type: 'string', enum: ['default', 'reject'] },
  },
} as const;

const ENTRY_SCHEMA: Schema = Object.freeze({ ...MATERIAL_SCHEMA });
const NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function contextOf(entry: SniEntry, option: string): TlsContext {
  if (isTlsContext(entry)) {
    if (entry.role !== 'server') throw createError('ERR_INVALID_ARG_VALUE', `"${option}" is a client context; SNI needs server contexts`, { option });
    return entry;
  }
  check(option, entry, { type: 'object', schema: ENTRY_SCHEMA });
  return contextFor('server', entry as MaterialOptions & { security?: unknown });
}

/** The compiled SNI table. @internal */
export interface SniTable {
  readonly needsHello: boolean;
  /** Node's SNICallback (a plain function: Node calls it with the TLSSocket as `this`). */
  readonly callback: (this: tls.TLSSocket, servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void;
}

/**
 * Validates `sni` and builds the callback. `helloOf` returns what the peeked
 * ClientHello offered for a socket (only with a resolver).
 *
 * @internal
 */
export function compileSni(sni: SniOptions, helloOf: (socket: tls.TLSSocket) => ClientHelloInfo | undefined): SniTable {
  const exact = new Map<string, TlsContext>();
  const wild = new Map<string, TlsContext>();
  for (const [rawName, entry] of Object.entries(sni.hosts ?? {})) {
    const name = rawName.toLowerCase().replace(/\.$/, '');
    if (name.length > 253 || !NAME.test(name)) {
      throw createError('ERR_INVALID_ARG_VALUE', `"sni.hosts" has an invalid name ${JSON.stringify(rawName.slice(0, 64))}; use host names or "*.example.com"`, { option: 'sni.hosts' });
    }
    const ctx = contextOf(entry, `sni.hosts[${JSON.stringify(rawName)}]`);
    if (name.startsWith('*.')) wild.set(name.slice(2), ctx);
    else exact.set(name, ctx);
  }
  const resolver = sni.resolve;
  const reject = sni.unknownName === 'reject';
  const lookup = (name: string): TlsContext | undefined => {
    const hit = exact.get(name);
    if (hit) return hit;
    const dot = name.indexOf('.');
    return dot > 0 ? wild.get(name.slice(dot + 1)) : undefined;
  };
  const unknown = (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
    if (reject) cb(createError('ERR_JSEC_TLS_SNI_UNKNOWN_NAME', 'The client asked for a server name this server does not serve', { servername: name.slice(0, 255) }));
    else cb(null, undefined);
  };
  function callback(this: tls.TLSSocket, servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const hit = lookup(name);
    if (hit) return cb(null, hit.secureContext);
    if (!resolver) return unknown(name, cb);
    const hello: SniHello = Object.freeze({ servername: name, alpnProtocols: helloOf(this)?.alpnProtocols ?? Object.freeze([]) });
    Promise.resolve()
      .then(() => resolver(hello))
      .then(
        (entry) => {
          if (entry === undefined) return unknown(name, cb);
          let ctx: TlsContext;
          try {
            ctx = contextOf(entry, 'sni.resolve()');
          } catch (cause) {
            return cb(createError('ERR_JSEC_TLS_SNI_RESOLVER', 'The SNI resolver returned unusable material', { servername: name, cause }));
          }
          cb(null, ctx.secureContext);
        },
        (cause: unknown) => cb(createError('ERR_JSEC_TLS_SNI_RESOLVER', 'The SNI resolver failed', { servername: name, cause })),
      );
  }
  return { needsHello: resolver !== undefined, callback };
}

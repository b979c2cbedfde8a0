/**
 * Server session-ticket keys with automatic rotation: {@link TicketKeys}.
 *
 * Keys are derived from one secret and the rotation epoch
 * (`floor(now / period)`) with HKDF-SHA-256, so every process holding the
 * same secret (cluster workers, several hosts behind one name) agrees on the
 * keys without talking to each other. The current epoch's key encrypts new
 * tickets; keys of the previous epochs within `grace` still decrypt, and a
 * ticket decrypted with an old key is renewed under the current one.
 *
 * @module
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { defaults } from '../config/defaults.js';
import { validateOptions, type Schema } from '../config/validate.js';
import { createError } from '../errors/index.js';

/** Options of {@link TicketKeys}. */
export interface TicketKeysOptions {
  /** The shared secret (at least 32 bytes). Default: 32 random bytes (keys private to this object). */
  secret?: Buffer | Uint8Array;
  /** Milliseconds between key rotations. Default `defaults.tlsAdvanced.ticketKeyPeriod` (1 hour). */
  period?: number;
  /** Milliseconds a retired key still decrypts tickets. Default `defaults.tlsAdvanced.ticketKeyGrace` (1 hour). */
  grace?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The states of {@link TicketKeys}. */
export type TicketKeysState = 'active' | 'closed';

interface Key {
  readonly epoch: number;
  readonly name: Buffer;
  readonly hmac: Buffer;
  readonly aes: Buffer;
}

const SCHEMA: Schema = Object.freeze({
  secret: { type: 'bytes' },
  period: { type: 'number', integer: true, min: 1000, max: 30 * 86_400_000 },
  grace: { type: 'number', integer: true, min: 0, max: 30 * 86_400_000 },
  now: { type: 'function' },
});

/**
 * Rotating session-ticket keys for jsec servers (`ticketKeys` option of
 * `listen` / `upgrade`). Share one secret between processes with
 * {@link TicketKeys.exportSecret} and `new TicketKeys({ secret })`.
 *
 * Security: whoever holds the secret can decrypt every ticket (and so the
 * resumed sessions' traffic) within the key lifetime; keep it like a private key.
 */
export class TicketKeys {
  #state: TicketKeysState = 'active';
  readonly #secret: Buffer;
  readonly #period: number;
  readonly #grace: number;
  readonly #now: () => number;
  readonly #cache = new Map<number, Key>();

  /**
   * Creates ticket keys from `secret`, or from a new random 32-byte secret.
   *
   * @throws ConfigError for bad options; `ERR_INVALID_ARG_VALUE` for a secret shorter than 32 bytes.
   */
  constructor(options: TicketKeysOptions = {}) {
    const o = validateOptions<TicketKeysOptions>('TicketKeys', options, SCHEMA);
    if (o.secret !== undefined && o.secret.byteLength < 32) {
      throw createError('ERR_INVALID_ARG_VALUE', 'The ticket-key "secret" must be at least 32 bytes', { option: 'secret' });
    }
    this.#secret = o.secret !== undefined ? Buffer.from(o.secret) : randomBytes(32);
    this.#period = o.period ?? defaults.tlsAdvanced.ticketKeyPeriod;
    this.#grace = o.grace ?? defaults.tlsAdvanced.ticketKeyGrace;
    this.#now = o.now ?? Date.now;
  }

  /** A fresh random secret for {@link TicketKeysOptions.secret}. */
  static generateSecret(): Buffer {
    return randomBytes(32);
  }

  /** The state: `'active'` or `'closed'`. */
  get state(): TicketKeysState {
    return this.#state;
  }

  /** The rotation period in milliseconds. */
  get period(): number {
    return this.#period;
  }

  /** The grace period in milliseconds. */
  get grace(): number {
    return this.#grace;
  }

  /** A copy of the secret, to give to other processes serving the same name. */
  exportSecret(): Buffer {
    this.#check('exportSecret');
    return Buffer.from(this.#secret);
  }

  /** The name (16 bytes, hex) of the key that encrypts new tickets now. */
  currentKeyName(): string {
    this.#check('currentKeyName');
    return this.#key(this.#epoch()).name.toString('hex');
  }

  /** Wipes the secret; servers using these keys stop issuing and accepting tickets. */
  close(): void {
    this.#state = 'closed';
    this.#secret.fill(0);
    this.#cache.clear();
  }

  /** Same as {@link TicketKeys.close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #check(operation: string): void {
    if (this.#state === 'closed') throw createError('ERR_JSEC_CLOSED', 'The ticket keys were closed', { state: 'closed', operation });
  }

  #epoch(): number {
    return Math.floor(this.#now() / this.#period);
  }

  #key(epoch: number): Key {
    let k = this.#cache.get(epoch);
    if (!k) {
      const info = Buffer.alloc(8);
      info.writeBigUInt64BE(BigInt(epoch));
      const okm = Buffer.from(hkdfSync('sha256', this.#secret, 'jsec tls ticket keys v1', info, 32));
      const name = createHmac('sha256', this.#secret).update('jsec ticket key name').update(info).digest().subarray(0, 16);
      k = Object.freeze({ epoch, name, hmac: okm.subarray(0, 16), aes: okm.subarray(16, 32) });
      this.#cache.set(epoch, k);
      while (this.#cache.size > 64) this.#cache.delete(this.#cache.keys().next().value as number);
    }
    return k;
  }

  /** The key for new tickets. @internal */
  encryptionKey(): Key | undefined {
    if (this.#state === 'closed') return undefined;
    return this.#key(this.#epoch());
  }

  /** The key named `name` if it is current or within grace; `renew` when it is not the current one. @internal */
  decryptionKey(name: Buffer): { key: Key; renew: boolean } | undefined {
    if (this.#state === 'closed') return undefined;
    const now = this.#now();
    const current = Math.floor(now / this.#period);
    for (let e = current; e >= 0; e--) {
      // Epoch e's key retired at (e + 1) * period; it decrypts until grace after that.
      if (e < current && (e + 1) * this.#period + this.#grace <= now) break;
      const k = this.#key(e);
      if (k.name.equals(name)) return { key: k, renew: e !== current };
    }
    return undefined;
  }

  /** The 48-byte `ticketKeys` value of the current key (Node's fallback format). @internal */
  nodeTicketKeys(): Buffer {
    const k = this.#key(this.#epoch());
    return Buffer.concat([k.name, k.hmac, k.aes]);
  }
}

interface NativeContext {
  enableTicketKeyCallback?: () => void;
  onticketkeycallback?: (name: Buffer, iv: Buffer, enc: boolean) => unknown[];
  setTicketKeys?: (keys: Buffer) => void;
}

const ZERO = Buffer.alloc(16);

/**
 * Installs `keys` on a server's secure context. Uses Node's ticket-key
 * callback (several keys, rotation with grace) where the running Node has
 * it; otherwise sets the current key only (no grace: tickets from before a
 * rotation are not resumed).
 *
 * @returns whether rotation with grace is in effect.
 * @internal
 */
export function installTicketKeys(server: tls.Server, keys: TicketKeys): boolean {
  const ctx = (server as unknown as { _sharedCreds?: { context?: NativeContext } })._sharedCreds?.context;
  if (!ctx) return false;
  if (typeof ctx.enableTicketKeyCallback === 'function') {
    ctx.onticketkeycallback = (name: Buffer, _iv: Buffer, enc: boolean): unknown[] => {
      if (enc) {
        const k = keys.encryptionKey();
        // -1 tells OpenSSL not to issue a ticket.
        if (!k) return [-1, ZERO, ZERO];
        return [1, k.hmac, k.aes, k.name, randomBytes(16)];
      }
      const found = keys.decryptionKey(name);
      // 0: unknown key: OpenSSL falls back to a full handshake.
      if (!found) return [0, ZERO, ZERO];
      // 2 (renew) for every accepted ticket: a ticket from an old key is
      // replaced by one under the current key, and TLS 1.3 clients, whose
      // tickets are single use, get a fresh one on each resumption.
      return [2, found.key.hmac, found.key.aes];
    };
    ctx.enableTicketKeyCallback();
    return true;
  }
  server.setTicketKeys(keys.nodeTicketKeys());
  return false;
}

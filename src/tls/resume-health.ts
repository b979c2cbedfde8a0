/**
 * Resumption back-off for the client session cache. A server that never
 * resumes (no ticket keys shared across a fleet, a stateful cache it does not
 * keep, resumption turned off) still sends TLS 1.3 tickets; offering them
 * back costs both sides work on every connection (the client parses and
 * binds the session, the server looks it up) for nothing. After
 * {@link MISSES_BEFORE_BACKOFF} offered sessions in a row were not resumed,
 * the client stops storing and offering sessions for that server for a
 * number of connections that doubles with each further miss (from
 * `defaults.tlsAdvanced.resumeBackoff` up to 64 times that), then tries
 * again; one resumption resets it.
 *
 * @module
 */
import { defaults } from '../config/defaults.js';

/** Consecutive non-resumed offers that start the back-off. */
export const MISSES_BEFORE_BACKOFF = 2;

interface Health {
  misses: number;
  skip: number;
}

/** Per-key resumption outcomes of one client context (bounded like the cache it guards). @internal */
export class ResumeHealth {
  readonly #max: number;
  readonly #map = new Map<string, Health>();

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  /** Whether this connection should use the cache for `key` (false while backing off; counts the skipped connection). */
  wanted(key: string): boolean {
    const h = this.#map.get(key);
    if (!h || h.skip === 0) return true;
    h.skip -= 1;
    return false;
  }

  /** Records the outcome of a connection that offered a session for `key`. */
  offered(key: string, resumed: boolean): void {
    if (resumed) {
      this.#map.delete(key);
      return;
    }
    const h = this.#map.get(key) ?? { misses: 0, skip: 0 };
    h.misses += 1;
    if (h.misses >= MISSES_BEFORE_BACKOFF) {
      const base = defaults.tlsAdvanced.resumeBackoff;
      h.skip = base === 0 ? 0 : base * 2 ** Math.min(6, h.misses - MISSES_BEFORE_BACKOFF);
    }
    this.#map.delete(key);
    this.#map.set(key, h);
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }

  /** Connections still to skip for `key` (for tests and diagnostics). */
  skipping(key: string): number {
    return this.#map.get(key)?.skip ?? 0;
  }
}

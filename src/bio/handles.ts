/**
 * Native handle accounting, for leak tests and diagnostics.
 *
 * @module
 */
import { native } from '../native/loader.js';

/** Counts of live native objects. */
export interface ActiveHandles {
  /** Engine contexts (SSL_CTX wrappers) not yet closed in this thread. */
  readonly contexts: number;
  /** Engines (SSL wrappers: DTLS associations, TlsEngines) not yet closed in this thread. */
  readonly engines: number;
  /** MemoryBios not yet closed in this thread. */
  readonly memoryBios: number;
  /** OpenSSL SSL objects alive in the process (created since jsec loaded, by anyone). */
  readonly ssl: number;
  /** OpenSSL SSL_CTX objects alive in the process (created since jsec loaded, by anyone). */
  readonly sslCtx: number;
  /** jsec's datagram BIOs alive in the process. */
  readonly datagramBios: number;
}

/**
 * Counts live native objects. A program that closes every association,
 * engine and BIO it made returns to its starting counts.
 */
export function activeHandles(): ActiveHandles {
  return Object.freeze({ ...native().engineActiveHandles() });
}

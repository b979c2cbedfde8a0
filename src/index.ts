/**
 * jsec: TLS, DTLS and PKI for Node.js on Node's own OpenSSL.
 *
 * The package root exports {@link versions} and the error classes; each
 * feature lives in its own subpath (`jsec/tls`, ...).
 *
 * @module
 */
import { native } from './native/loader.js';

export * from './errors/index.js';

/** OpenSSL versions as seen by jsec. */
export interface Versions {
  /** The OpenSSL version text of the headers the addon was built against (Node's own headers). */
  readonly compiled: string;
  /** The OpenSSL version running in this process (the one inside node). */
  readonly running: string;
  /** `process.versions.openssl` of this process, for comparison. */
  readonly node: string;
  /** Node.js version. */
  readonly nodeVersion: string;
  /** Where the OpenSSL symbols were resolved from: the node executable, never a system libcrypto. */
  readonly providers: { readonly libcrypto: string; readonly libssl: string; readonly node: string };
}

/**
 * Reports the OpenSSL the addon was compiled against and the one running.
 *
 * @throws JsecError `ERR_JSEC_NATIVE_LOAD` when the addon cannot be loaded.
 */
export function versions(): Versions {
  const v = native().versions();
  return Object.freeze({
    compiled: v.compiled,
    running: v.running,
    node: process.versions.openssl,
    nodeVersion: process.version,
    providers: Object.freeze({ libcrypto: v.providers.libcrypto, libssl: v.providers.libssl, node: v.providers.node }),
  });
}

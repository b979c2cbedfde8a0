/**
 * The typed declaration of the whole native surface. Only `src/` imports the
 * binding, and only through {@link native} from `./loader.js`. Native code
 * trusts its arguments: TypeScript validates them first.
 *
 * Each object family adds its section below.
 *
 * @internal
 * @module
 */
import type { OpenSSLErrorEntry } from '../errors/index.js';

/** What `versions()` reports about OpenSSL. */
export interface NativeVersions {
  /** `OPENSSL_VERSION_TEXT` of the headers the addon was compiled against. */
  compiled: string;
  compiledNumber: number;
  compiledMajor: number;
  compiledMinor: number;
  /** `OpenSSL_version(OPENSSL_VERSION)` of the OpenSSL in this process. */
  running: string;
  runningNumber: number;
  runningMajor: number;
  runningMinor: number;
  runningPatch: number;
  /** The object file each symbol was resolved from (dladdr). */
  providers: { libcrypto: string; libssl: string; node: string; addon: string };
}

/** The native binding: one section per object family. */
export interface NativeBinding {
  /** Names of the families the addon registered. */
  readonly families: readonly string[];

  // --- common ---
  setErrorFactory(factory: (code: string, message: string, opensslErrors: OpenSSLErrorEntry[]) => Error): void;

  // --- version ---
  versions(): NativeVersions;
  hasSymbol(name: string): boolean;
}

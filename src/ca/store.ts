/**
 * A file store for CA state: every save writes a temporary file in the same
 * directory, flushes it to disk, and renames it over the old file (then
 * flushes the directory), so a crash at any point leaves either the old state
 * or the new one, never a half-written file. Temporary files of a save whose
 * process died are removed by the next successful save.
 *
 * @module
 */
import * as fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { createError } from '../errors/index.js';
import { check, validateOptions } from '../config/validate.js';
import type { RandomSource } from '../cert/build.js';
import type { Clock } from '../ocsp/common.js';
import { CertificateAuthority, type ExportOptions } from './authority.js';

/** The part of a `fs/promises` file handle the store uses. */
export interface CaStoreFileHandle {
  /** Writes the whole state text (UTF-8) to the temporary file. */
  writeFile(data: string): Promise<void>;
  /** Flushes the file (fsync) before the rename, so a crash cannot leave an empty state file. */
  sync(): Promise<void>;
  /** Closes the file; called on every path. */
  close(): Promise<void>;
}

/** The file-system operations the store uses (`node:fs/promises` by default; injectable for tests). */
export interface CaStoreFs {
  /** Opens a file (`'wx'` with mode 0o600 for the temporary file, `'r'` for the directory to flush it). */
  open(path: string, flags: string, mode?: number): Promise<CaStoreFileHandle>;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a temporary file after a failed save. */
  unlink(path: string): Promise<void>;
  /** Reads the state file as text. */
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** Lists a directory (to remove temporary files a crashed save left behind); optional: without it nothing is swept. */
  readdir?(path: string): Promise<string[]>;
}

const nodeFs: CaStoreFs = {
  open: (p, f, m) => fsp.open(p, f, m) as Promise<CaStoreFileHandle>,
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  readFile: (p, e) => fsp.readFile(p, e),
  readdir: (p) => fsp.readdir(p),
};

/** Whether process `pid` still runs (a temporary file of a live process is another save in progress). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function storeError(message: string, path: string, cause: unknown): Error {
  return createError('ERR_JSEC_CA_STORE', message, { path, cause });
}

/**
 * Saves and loads one CA's state in one JSON file. Saves through one store
 * object are serialised; the file is created with mode 0600.
 */
export class FileCaStore {
  readonly #fs: CaStoreFs;
  #queue: Promise<unknown> = Promise.resolve();
  /** The state file. */
  readonly path: string;

  /** @param options.fs - file-system operations (default `node:fs/promises`). */
  constructor(path: string, options: { fs?: CaStoreFs } = {}) {
    check('path', path, { type: 'string', nonEmpty: true });
    const o = validateOptions<{ fs?: CaStoreFs }>('FileCaStore', options, { fs: { type: 'object', open: true } });
    this.path = path;
    this.#fs = o.fs ?? nodeFs;
  }

  /**
   * Writes the CA's state atomically.
   *
   * @throws JsecError `ERR_JSEC_CA_STORE` (the previous file is intact); StateError when the CA is closed.
   */
  save(ca: CertificateAuthority, options: ExportOptions = {}): Promise<void> {
    let text: string;
    try {
      if (!(ca instanceof CertificateAuthority)) throw createError('ERR_INVALID_ARG_TYPE', 'The "ca" argument must be a CertificateAuthority', { option: 'ca' });
      // The state is taken now, synchronously: later changes belong to a later save.
      text = `${JSON.stringify(ca.export(options), null, 2)}\n`;
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.#queue.then(() => this.#write(text));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(text: string): Promise<void> {
    const fs = this.#fs;
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: CaStoreFileHandle | undefined;
    try {
      handle = await fs.open(temp, 'wx', 0o600);
      await handle.writeFile(text);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(temp, this.path);
    } catch (cause) {
      if (handle) await handle.close().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
      throw storeError(`Could not save the CA state to ${this.path}`, this.path, cause);
    }
    await this.#sweep(dir);
    // Make the rename itself durable. Not every platform can open a directory.
    try {
      const d = await fs.open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // best effort
    }
  }

  /**
   * Removes temporary files of this state file left by a save whose process died mid-write
   * (`.<name>.<pid>.<random>.tmp` of a process that no longer runs). They were never the state:
   * the rename that publishes a save happens only after the whole file is written and flushed.
   */
  async #sweep(dir: string): Promise<void> {
    const fs = this.#fs;
    if (!fs.readdir) return;
    const prefix = `.${basename(this.path)}.`;
    try {
      for (const name of await fs.readdir(dir)) {
        if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
        const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
        if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await fs.unlink(join(dir, name)).catch(() => undefined);
      }
    } catch {
      // best effort: a leftover temporary file is harmless
    }
  }

  /**
   * Reads the CA back.
   *
   * @throws JsecError `ERR_JSEC_CA_STORE` (unreadable file); ConfigError `ERR_JSEC_CA_STATE` (not a state),
   *   `ERR_JSEC_CA_PASSPHRASE`; CertificateError `ERR_JSEC_CERT_KEY_MISMATCH`.
   */
  async load(options: { passphrase?: string; now?: Clock; random?: RandomSource } = {}): Promise<CertificateAuthority> {
    let text: string;
    try {
      text = await this.#fs.readFile(this.path, 'utf8');
    } catch (cause) {
      throw storeError(`Could not read the CA state from ${this.path}`, this.path, cause);
    }
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch (cause) {
      throw createError('ERR_JSEC_CA_STATE', `${this.path} is not JSON`, { cause });
    }
    return CertificateAuthority.import(state as never, options);
  }
}

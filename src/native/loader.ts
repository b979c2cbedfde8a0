/**
 * The one loader of the native addon. It looks in the places a build can
 * be and, when none loads, throws `ERR_JSEC_NATIVE_LOAD` with the paths it
 * tried and what to do about it.
 *
 * @internal
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError, isErrorCode, type JsecError, type OpenSSLErrorEntry } from '../errors/index.js';
import type { NativeBinding } from './binding.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the loader looks, in order. */
export function candidatePaths(): string[] {
  const list: string[] = [];
  if (process.env.JSEC_NATIVE_PATH) list.push(resolve(process.env.JSEC_NATIVE_PATH));
  list.push(join(packageRoot, 'build', 'Release', 'jsec.node'), join(packageRoot, 'build', 'Debug', 'jsec.node'));
  return list;
}

function nativeErrorFactory(code: string, message: string, opensslErrors: OpenSSLErrorEntry[]): JsecError {
  const props = opensslErrors.length > 0 ? { opensslErrors: Object.freeze(opensslErrors.map((e) => Object.freeze(e))) } : {};
  return isErrorCode(code) ? createError(code, message, props) : createError('ERR_JSEC_OPENSSL', `${message} (${code})`, props);
}

function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  let lastError: unknown;
  for (const path of candidatePaths()) {
    if (!existsSync(path)) {
      tried.push(`${path} (missing)`);
      continue;
    }
    try {
      const binding = require(path) as NativeBinding;
      binding.setErrorFactory(nativeErrorFactory);
      return binding;
    } catch (err) {
      lastError = err;
      tried.push(`${path} (${(err as Error).message})`);
    }
  }
  throw createError(
    'ERR_JSEC_NATIVE_LOAD',
    [
      'jsec could not load its native addon.',
      'Tried:',
      ...tried.map((t) => `  - ${t}`),
      'Possible solutions:',
      '  - Build it: `npm rebuild jsec` (or `npm run build:native` in a checkout).',
      '  - Make sure a C++ compiler, make and python3 are installed (node-gyp needs them).',
      '  - Make sure node-gyp can find the headers of the running node (npm config get nodedir).',
      '  - Point JSEC_NATIVE_PATH at a built jsec.node.',
      '  - Runtimes without OpenSSL symbols (Bun, Deno, Electron) cannot load jsec\'s addon.',
    ].join('\n'),
    { cause: lastError, tried },
  );
}

let cached: NativeBinding | undefined;

/** The loaded binding (loaded on first use, then cached). @throws JsecError `ERR_JSEC_NATIVE_LOAD` */
export function native(): NativeBinding {
  cached ??= load();
  return cached;
}

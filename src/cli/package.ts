/**
 * The package's own metadata, read at run time.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** jsec's package version. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

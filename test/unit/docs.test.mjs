// docs/errors.md and docs/defaults.md are generated from the registry and
// the defaults table; this fails when someone changed one without the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('generated docs are up to date (npm run docs)', () => {
  assert.doesNotThrow(() => execFileSync(process.execPath, [join(root, 'scripts', 'gen-docs.mjs'), '--check'], { stdio: 'pipe' }));
});

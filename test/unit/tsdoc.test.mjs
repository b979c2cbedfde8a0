// The project rule "TSDoc on every export": scripts/check-docs.mjs walks every
// module the package's exports map reaches and lists exported symbols (and
// public members, interface properties, option defaults) without TSDoc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('every export reachable from the exports map has TSDoc (scripts/check-docs.mjs)', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-docs.mjs'), '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.error, undefined);
  const report = JSON.parse(r.stdout);
  assert.ok(report.documented > 0, 'the check found no exported symbol at all');
  const lines = report.missing.map((m) => `${m.file}:${m.line} ${m.name} (${m.reason})`);
  assert.deepEqual(lines, []);
  assert.equal(r.status, 0);
});

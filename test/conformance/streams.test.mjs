// Differential stream conformance: every scenario runs over plain net (TCP and
// Unix) and over jsec TLS (TCP with TLS 1.3 and 1.2, Unix, STARTTLS). Each TLS
// trace must equal the net trace of the same kind of transport, except for the
// deliberate differences of ./differences.mjs (also in docs/conformance.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { runScenario, TRANSPORTS } from '../helpers/conformance.mjs';
import { DIFFERENCES, differencesFor } from './differences.mjs';
import { finalState, SCENARIOS } from './scenarios.mjs';

const TLS_TRANSPORTS = Object.keys(TRANSPORTS).filter((t) => TRANSPORTS[t].tls);
const NET_TRANSPORTS = Object.keys(TRANSPORTS).filter((t) => !TRANSPORTS[t].tls);

/** Runs a scenario and adds each side's final socket state to its trace. */
async function trace(scenario, transport) {
  let sockets;
  const wrapped = {
    ...scenario,
    run: (pair) => {
      sockets = pair;
      return scenario.run(pair);
    },
  };
  const result = await runScenario(wrapped, transport);
  for (const side of ['client', 'server']) {
    const state = finalState(sockets[side]);
    if (scenario.counters === false) {
      delete state.bytesRead;
      delete state.bytesWritten;
    }
    result[side].final = state;
  }
  return result;
}

test('the scenario list is large enough and names are unique', () => {
  assert.ok(SCENARIOS.length >= 30, `${SCENARIOS.length} scenarios`);
  assert.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
});

test('docs/conformance.md lists every deliberate difference', () => {
  const doc = readFileSync(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
  for (const d of DIFFERENCES) assert.ok(doc.includes(`**\`${d.id}\``), `docs/conformance.md does not list ${d.id}`);
  const listed = [...doc.matchAll(/^\d+\. \*\*`([a-z0-9-]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(listed, DIFFERENCES.map((d) => d.id));
});

test('every listed difference names a scenario and TLS transports that exist', () => {
  const names = new Set(SCENARIOS.map((s) => s.name));
  for (const d of DIFFERENCES) {
    assert.ok(names.has(d.scenario), `${d.id}: unknown scenario ${d.scenario}`);
    assert.ok(d.transports.length > 0 && d.transports.every((t) => TLS_TRANSPORTS.includes(t)), d.id);
    assert.ok(d.reason.length > 40, `${d.id} needs a reason`);
  }
});

for (const scenario of SCENARIOS) {
  test(scenario.name, { timeout: 120_000 }, async (t) => {
    const baselines = {};
    for (const transport of NET_TRANSPORTS) {
      const result = await trace(scenario, transport);
      // The baseline itself must be a real trace: both sides closed.
      for (const side of ['client', 'server']) {
        assert.ok(result[side].events.some((e) => e.startsWith('close(')), `${transport} ${side} never closed`);
        assert.equal(result[side].final.destroyed, true);
      }
      baselines[transport] = result;
    }
    for (const transport of TLS_TRANSPORTS) {
      await t.test(transport, { timeout: 60_000 }, async () => {
        const baseline = baselines[TRANSPORTS[transport].baseline];
        const actual = await trace(scenario, transport);
        let expected = baseline;
        for (const d of differencesFor(scenario.name, transport)) {
          expected = d.apply(expected);
          assert.ok(!isDeepStrictEqual(actual, baseline), `listed difference ${d.id} no longer occurs: remove it`);
        }
        assert.deepEqual(actual, expected);
      });
    }
  });
}

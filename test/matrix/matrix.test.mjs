// The TLS matrix (see test/helpers/matrix.mjs): for each transport and verify
// mode, every combination of version, default-policy suite, server key type,
// group and ALPN, first as a full handshake and then resumed from the session
// the first one left in jsec's cache. Each case asserts every dimension as
// negotiated, so a dimension that stops applying fails.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KEY_TYPES } from '../helpers/matrix-pki.mjs';
import { comboName, combos, defaultSuites, runCase, startServer, TRANSPORTS, verifyModesFor } from '../helpers/matrix.mjs';

const CONCURRENCY = 8;
const servers = new Map();

before(async () => {
  const starts = [];
  for (const transport of TRANSPORTS) {
    for (const verifyMode of verifyModesFor(transport)) {
      for (const keyType of Object.keys(KEY_TYPES)) {
        const key = `${transport} ${verifyMode} ${keyType}`;
        starts.push(startServer(transport, verifyMode, keyType, `${transport}-${verifyMode}-${keyType}`).then((s) => servers.set(key, s)));
      }
    }
  }
  await Promise.all(starts);
});

after(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

test('the matrix covers the default policy and has at least 2,000 cases', () => {
  const suites = defaultSuites();
  const COMBOS = combos('server-auth');
  assert.equal(suites['TLSv1.2'].length, 6);
  assert.equal(suites['TLSv1.3'].length, 3);
  for (const [version, list] of Object.entries(suites)) {
    for (const suite of list) assert.ok(COMBOS.some((c) => c.version === version && c.suite === suite), `${version} ${suite} not covered`);
  }
  for (const keyType of Object.keys(KEY_TYPES)) {
    for (const version of ['TLSv1.2', 'TLSv1.3']) assert.ok(COMBOS.some((c) => c.keyType === keyType && c.version === version), `${keyType} ${version}`);
  }
  const cases = TRANSPORTS.reduce((n, t) => n + verifyModesFor(t).reduce((m, mode) => m + combos(mode).length, 0), 0) * 2;
  assert.ok(cases >= 2000, `${cases} cases`);
});

for (const transport of TRANSPORTS) {
  for (const verifyMode of verifyModesFor(transport)) {
    test(`${transport} ${verifyMode}`, { concurrency: CONCURRENCY, timeout: 120_000 }, async (t) => {
      await Promise.all(
        combos(verifyMode).map((combo) =>
          t.test(comboName(combo), async (tc) => {
            const server = servers.get(`${transport} ${verifyMode} ${combo.keyType}`);
            let session;
            await tc.test('full handshake', async () => {
              session = await runCase(server, combo, verifyMode, { resumed: false });
            });
            // Every transport resumes from jsec's own session cache (keyed by
            // host and port, so the servers of one host never share entries).
            await tc.test('resumed', () => runCase(server, combo, verifyMode, { resumed: true }));
          }),
        ),
      );
      for (const keyType of Object.keys(KEY_TYPES)) {
        assert.deepEqual(servers.get(`${transport} ${verifyMode} ${keyType}`).failures, [], 'no server-side handshake failed');
      }
    });
  }
}

test('STARTTLS client resumes from jsec\'s own session cache, chain included', { timeout: 60_000 }, async (t) => {
  // ALPN http/1.1 appears nowhere else, so these client options (and so the
  // context and its session cache) are this test's own.
  const combos12and13 = combos('server-auth')
    .filter((c) => c.keyType === 'rsa' && c.group === 'X25519' && c.alpn === null)
    .map((c) => ({ ...c, alpn: 'http/1.1' }));
  const server = servers.get('starttls server-auth rsa');
  for (const combo of combos12and13) {
    await t.test(comboName(combo), async () => {
      await runCase(server, combo, 'server-auth', { resumed: false });
      await runCase(server, combo, 'server-auth', { resumed: true });
    });
  }
});

// The resumption workload of `jsec bench`: its JSON shape, that resumed arms resumed and full arms did not,
// that each arm negotiated the version it is named for, and that CPU is split by thread. Never asserts speed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runJsec } from '../helpers/cli-process.mjs';

const TINY = ['--workload', 'resume', '--resume-clients', '3', '--duration', '0.2', '--rounds', '1', '--warmup', '0', '--quiet'];
const WHO = ['node', 'jsec', 'jsec-e2e'];

function armNames(versions) {
  return versions.flatMap((v) => [...WHO.flatMap((w) => [`resume/${v}/${w}-full`, `resume/${v}/${w}-resumed`]), `resume/${v}/jsec-e2e-store-resumed`, `resume/${v}/node-once-jsec-server-resumed`]).sort();
}

/** Arms whose resumption does not depend on the server renewing TLS 1.3 tickets: each must resume (nearly) always. */
function mustResume(name) {
  return /\/1\.2\/.*-resumed$/.test(name) || name.endsWith('/node-resumed') || name.endsWith('/jsec-e2e-resumed') || name.endsWith('/jsec-e2e-store-resumed') || name.endsWith('/node-once-jsec-server-resumed');
}

describe('jsec bench --workload resume', { timeout: 60_000 }, () => {
  it('measures full and resumed handshakes for TLS 1.2 and 1.3, jsec and node:tls, with per-thread CPU', { timeout: 30_000 }, async () => {
    const r = await runJsec(['bench', ...TINY, '--json'], { timeoutMs: 28_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.options.resume, true);
    assert.equal(result.options.echo, false);
    assert.equal(result.options.handshake, false);
    assert.equal(result.options.resumeClients, 3);
    assert.deepEqual(result.arms.map((a) => a.name).sort(), armNames(['1.2', '1.3']), 'only the resumption arms, both versions');
    const threadCpu = result.environment.threadCpu;
    if (process.platform === 'linux') assert.ok(threadCpu === 'process.threadCpuUsage' || threadCpu === '/proc/thread-self/schedstat', String(threadCpu));
    for (const arm of result.arms) {
      const [, version, rest] = arm.name.split('/');
      const want = `TLSv${version}`;
      const s = arm.summary;
      assert.equal(arm.workload, 'resume');
      assert.equal(arm.transport, 'tls');
      assert.equal(arm.tlsVersion, version);
      assert.equal(arm.expect, rest.endsWith('-resumed') ? 'resumed' : 'full');
      assert.equal(s.kind, 'resume');
      assert.equal(s.tlsVersion, version);
      // The version dimension is applied: the probe and every measured handshake negotiated the arm's version.
      assert.equal(arm.negotiated.protocol, want, arm.name);
      assert.deepEqual(Object.keys(s.protocols), [want], arm.name);
      assert.equal(s.protocols[want], s.handshakes, arm.name);
      assert.equal(arm.runs.length, 1);
      const run = arm.runs[0];
      assert.ok(run.handshakes > 0, `${arm.name} handshakes`);
      assert.equal(run.failed, 0, `${arm.name}: ${JSON.stringify(run.errors)}`);
      assert.equal(run.latencyMs.count, run.handshakes, 'one latency per handshake');
      assert.equal(run.resumedFraction, run.resumed / run.handshakes);
      if (arm.expect === 'full') {
        assert.equal(s.resumed, 0, `${arm.name} made full handshakes only`);
        assert.equal(s.check.ok, true, `${arm.name}: ${s.check.problems.join('; ')}`);
      } else {
        assert.ok(s.resumed > 0, `${arm.name} resumed`);
        if (mustResume(arm.name)) assert.ok(s.resumedFraction >= 0.95, `${arm.name}: ${s.resumed}/${s.handshakes}`);
        // Below 95% the arm fails its check (it is not averaged in silently), and the check names the fraction.
        assert.equal(s.check.ok, s.resumedFraction >= 0.95, arm.name);
        if (!s.check.ok) assert.ok(s.check.problems.some((p) => p.includes('resumed')), arm.name);
      }
      // TLS 1.2: the servers resume with RFC 5077 tickets, not session IDs.
      if (version === '1.2' && arm.expect === 'resumed') assert.equal(s.withTicket, s.handshakes, `${arm.name} sessions carry tickets`);
      // CPU per handshake: the process, and (worker mode) the client thread and the server thread separately.
      assert.ok(run.cpu.processMs > 0);
      assert.ok(Math.abs(run.cpuPerHandshakeUs.process - (run.cpu.processMs * 1000) / run.handshakes) < 1e-6);
      if (threadCpu !== null) {
        assert.ok(run.cpu.clientThreadMs > 0 && run.cpu.serverThreadMs > 0, arm.name);
        assert.ok(run.cpu.clientThreadMs + run.cpu.serverThreadMs <= run.cpu.processMs * 1.05, `${arm.name}: the threads are part of the process`);
        assert.ok(s.cpuPerHandshakeUs.clientThread.median > 0 && s.cpuPerHandshakeUs.serverThread.median > 0);
      }
    }
    assert.equal(result.comparisons.length, 20, '10 ratios per version');
    for (const c of result.comparisons) {
      assert.ok(c.median > 0 && Number.isFinite(c.median), c.name);
      assert.equal(typeof c.met, 'boolean', c.name);
      assert.equal(typeof c.armsOk, 'boolean', c.name);
      if (!c.armsOk) assert.equal(c.met, false, `${c.name}: a failed arm never meets a goal`);
      if (c.metric === 'cpuPerHandshake') {
        assert.equal(c.goal, 1);
        assert.equal(c.goalDirection, 'below');
        assert.match(c.numerator, /-resumed$/);
        assert.match(c.denominator, /-full$/);
        if (c.armsOk) assert.equal(c.met, c.median < 1);
      } else {
        assert.equal(c.metric, 'handshakeRate');
        assert.equal(c.goal, 0.95);
        assert.match(c.denominator, /\/node-(full|resumed|once-jsec-server-resumed)$/);
        if (c.armsOk) assert.equal(c.met, c.median >= 0.95);
      }
    }
  });

  it('pins one version with --tls-version, prints the resumption table, and runs in one event loop', { timeout: 25_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-resume-'));
    try {
      const file = join(dir, 'r.json');
      const r = await runJsec(['bench', ...TINY, '--tls-version', '1.2', '--parallel', 'async', '--output', file], { timeoutMs: 22_000 });
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(result.arms.map((a) => a.name).sort(), armNames(['1.2']));
      for (const arm of result.arms) {
        assert.equal(arm.negotiated.protocol, 'TLSv1.2', arm.name);
        // One event loop: the servers share the client thread, so there is no server thread to measure.
        assert.equal(arm.runs[0].cpu.serverThreadMs, null);
        assert.equal(arm.summary.cpuPerHandshakeUs.serverThread, null);
      }
      assert.match(r.stdout, /^Resumption \(3 concurrent clients/m);
      assert.match(r.stdout, /^resume\/1\.2\/node-resumed\s+\d+/m);
      assert.match(r.stdout, /^TLS 1\.2 CPU per handshake, resumed \/ full \(node:tls\)\s+\d+\.\d+x/m);
      assert.doesNotMatch(r.stdout, /resume\/1\.3\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad --resume-clients with exit code 2', { timeout: 15_000 }, async () => {
    for (const args of [['--resume-clients', '0'], ['--resume-clients', 'many'], ['--workload', 'resumed']]) {
      const r = await runJsec(['bench', ...args], { timeoutMs: 10_000 });
      assert.equal(r.code, 2, `bench ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });
});

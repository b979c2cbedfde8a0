// The benchmark's JSON shape and that every arm moves bytes. Never asserts speed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runJsec } from '../helpers/cli-process.mjs';

const TINY = ['--clients', '1', '--duration', '0.3', '--rounds', '1', '--warmup', '0', '--chunk-size', '16k', '--json', '--quiet'];

function checkSummary(s) {
  for (const k of ['count', 'mean', 'median', 'p95', 'p99', 'min', 'max']) assert.ok(k in s, `summary has ${k}`);
}

describe('jsec bench', { timeout: 90_000 }, () => {
  it('runs every stream transport and the handshake comparison, with the documented JSON shape', { timeout: 60_000 }, async () => {
    const r = await runJsec(['bench', ...TINY, '--transports', 'tcp,unix,tls,unix-tls'], { timeoutMs: 55_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.tool, 'jsec bench');
    assert.equal(result.schema, 1);
    assert.equal(result.environment.node, process.version);
    assert.equal(result.options.clients, 1);
    assert.equal(result.options.chunkSize, 16384);
    const names = result.arms.map((a) => a.name).sort();
    assert.deepEqual(names, ['handshake/jsec', 'handshake/jsec-e2e', 'handshake/jsec-nocache', 'handshake/jsec-resume', 'handshake/naive', 'handshake/node', 'tcp', 'tls/jsec', 'tls/node', 'unix', 'unix-tls/jsec', 'unix-tls/node']);
    for (const arm of result.arms) {
      assert.equal(arm.runs.length, 1, arm.name);
      const run = arm.runs[0];
      if (arm.workload === 'echo') {
        assert.equal(arm.summary.kind, 'echo');
        assert.ok(run.bytes.sent > 0 && run.bytes.received > 0, `${arm.name} moved bytes`);
        assert.equal(run.bytes.total, run.bytes.sent + run.bytes.received);
        assert.ok(run.iterations > 0, `${arm.name} iterations`);
        assert.deepEqual(run.clients, { requested: 1, connected: 1, failed: 0 });
        assert.ok(run.throughputMBps > 0);
        assert.ok(run.cpuMs > 0 && run.mbPerCpuSecond > 0);
        checkSummary(run.perClientMBps);
        checkSummary(run.handshakeMs);
        checkSummary(arm.summary.throughputMBps);
        assert.equal(arm.summary.bytes, run.bytes.total);
      } else {
        assert.equal(arm.summary.kind, 'handshake');
        assert.ok(run.handshakes > 0, `${arm.name} handshakes`);
        assert.equal(run.failed, 0, JSON.stringify(run.errors));
        if (arm.name === 'handshake/jsec-resume') assert.ok(run.resumed > 0, 'jsec resumes when the server allows it');
        else assert.equal(run.resumed, 0, 'the other arms measure full handshakes');
        assert.ok(run.handshakesPerSecond > 0 && run.handshakesPerCpuSecond > 0);
        checkSummary(run.latencyMs);
      }
      if (arm.transport === 'tls' || arm.transport === 'unix-tls') {
        assert.match(arm.negotiated.protocol, /^TLSv1\.[23]$/, arm.name);
        assert.ok(arm.negotiated.cipher, arm.name);
      } else {
        assert.equal(arm.negotiated.protocol, null);
      }
    }
    const ratios = Object.fromEntries(result.comparisons.map((c) => [c.name, c]));
    for (const c of result.comparisons) {
      assert.equal(c.ratios.length, 1);
      assert.ok(c.median > 0 && Number.isFinite(c.median), c.name);
      assert.ok(c.q1 <= c.median && c.median <= c.q3, c.name);
      assert.equal(c.perCpu.ratios.length, 1);
      assert.ok(c.perCpu.median > 0, c.name);
    }
    assert.equal(ratios['tls: jsec / node:tls'].goal, 0.98);
    assert.equal(typeof ratios['tls: jsec / node:tls'].met, 'boolean');
    assert.equal(ratios['handshakes/s: jsec / naive tls.connect({ ca })'].goal, 1.25);
  });

  it('runs udp and dtls: datagram echo against raw node:dgram and DTLS handshakes, with the documented JSON shape', { timeout: 45_000 }, async () => {
    const r = await runJsec(['bench', ...TINY, '--clients', '2', '--window', '8', '--transports', 'udp,dtls'], { timeoutMs: 40_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.options.datagramSize, 1200);
    assert.equal(result.options.window, 8);
    assert.deepEqual(result.options.transports, ['udp', 'dtls']);
    const openssl = result.environment.opensslCli !== null;
    const ndc = result.environment.nodeDtlsClient !== null;
    const expected = ['udp', 'dtls/jsec', 'handshake/dtls-jsec'];
    if (openssl) expected.push('handshake/dtls-openssl');
    if (ndc) expected.push('dtls/jsec-psk', 'dtls/ndc', 'handshake/dtls-jsec-psk', 'handshake/dtls-ndc');
    assert.deepEqual(result.arms.map((a) => a.name).sort(), expected.sort(), 'no TLS arms when only datagram transports are chosen');
    for (const arm of result.arms) {
      const run = arm.runs[0];
      assert.equal(arm.runs.length, 1, arm.name);
      if (arm.workload === 'echo') {
        assert.deepEqual(run.clients, { requested: 2, connected: 2, failed: 0 }, arm.name);
        assert.ok(run.datagrams.sent > 0, `${arm.name} sent datagrams`);
        assert.ok(run.datagrams.received > 0, `${arm.name} got datagrams back`);
        assert.ok(run.datagrams.received <= run.datagrams.sent, arm.name);
        assert.ok(run.datagrams.messageBytes > 0 && run.datagrams.messageBytes <= 1200, arm.name);
        assert.equal(run.bytes.received, run.datagrams.received * run.datagrams.messageBytes, arm.name);
        assert.ok(run.datagramsPerSecond > 0 && run.datagramsPerCpuSecond > 0, arm.name);
        assert.equal(typeof run.datagrams.stalls, 'number');
        assert.ok(run.throughputMBps > 0, arm.name);
        checkSummary(arm.summary.datagramsPerSecond);
        checkSummary(arm.summary.handshakeMs);
      } else {
        assert.equal(arm.transport, 'dtls');
        assert.ok(run.handshakes > 0, `${arm.name} handshakes`);
        assert.equal(run.failed, 0, JSON.stringify(run.errors));
        checkSummary(run.latencyMs);
        assert.equal(run.latencyMs.count, run.handshakes, 'one latency per handshake');
      }
      if (arm.transport === 'dtls') assert.equal(arm.negotiated.protocol, 'DTLSv1.2', arm.name);
      else assert.equal(arm.negotiated.protocol, null);
    }
    assert.equal(result.arms.find((a) => a.name === 'udp').runs[0].datagrams.messageBytes, 1200, 'raw UDP sends whole 1200-byte datagrams');
    const dtls = result.arms.find((a) => a.name === 'dtls/jsec');
    assert.ok(dtls.runs[0].datagrams.messageBytes < 1200, 'DTLS carries a smaller message in the same datagram');
    assert.match(dtls.negotiated.cipher, /ECDHE/);
    const ratios = Object.fromEntries(result.comparisons.map((c) => [c.name, c]));
    const ratio = ratios['datagrams/s: dtls (jsec) / udp (node:dgram)'];
    assert.equal(ratio.metric, 'datagramRate');
    assert.equal(ratio.goal, 0.5);
    assert.equal(typeof ratio.met, 'boolean');
    assert.ok(ratio.median > 0 && Number.isFinite(ratio.median));
    if (openssl) {
      const hs = ratios['DTLS handshake speed: jsec server / openssl s_server (jsec client, p50 latency)'];
      assert.equal(hs.metric, 'handshakeLatency');
      assert.ok(hs.median > 0 && Number.isFinite(hs.median));
    }
  });

  it('names the datagram arms in the text report', { timeout: 30_000 }, async () => {
    const r = await runJsec(['bench', '--clients', '1', '--duration', '0.2', '--rounds', '1', '--warmup', '0', '--quiet', '--transports', 'udp,dtls', '--workload', 'echo'], { timeoutMs: 25_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Datagram echo/m);
    assert.match(r.stdout, /^udp\s+\d+/m);
    assert.match(r.stdout, /^dtls\/jsec\s+\d+/m);
    assert.match(r.stdout, /^datagrams\/s: dtls \(jsec\) \/ udp \(node:dgram\)\s+\d+\.\d+x/m);
  });

  it('pins the TLS version on every TLS arm, in one event loop', { timeout: 30_000 }, async () => {
    const r = await runJsec(['bench', ...TINY, '--tls-version', '1.2', '--parallel', 'async', '--transports', 'tls,unix-tls', '--workload', 'echo'], { timeoutMs: 25_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.options.parallel, 'async');
    assert.deepEqual(result.arms.map((a) => a.name), ['tls/jsec', 'tls/node', 'unix-tls/jsec', 'unix-tls/node']);
    for (const arm of result.arms) assert.equal(arm.negotiated.protocol, 'TLSv1.2', arm.name);
  });

  it('spreads clients over worker threads with --parallel threads', { timeout: 30_000 }, async () => {
    const r = await runJsec(['bench', ...TINY, '--clients', '3', '--parallel', 'threads', '--threads', '2', '--only', 'tcp,tls/node,handshake/node'], { timeoutMs: 25_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.options.parallel, 'threads');
    assert.equal(result.options.clients, 3);
    for (const arm of result.arms) {
      const run = arm.runs[0];
      if (arm.workload === 'echo') {
        assert.deepEqual(run.clients, { requested: 3, connected: 3, failed: 0 }, arm.name);
        assert.equal(run.perClientMBps.count, 3, 'every client of every thread is counted');
        assert.ok(run.bytes.total > 0);
      } else {
        assert.ok(run.handshakes > 0);
      }
    }
  });

  it('prints a text report with the ratios, and writes the JSON and an HTML page', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsec-bench-test-'));
    try {
      const files = { json: join(dir, 'r.json'), html: join(dir, 'r.html') };
      const r = await runJsec(['bench', '--clients', '1', '--duration', '0.2', '--rounds', '2', '--warmup', '0', '--quiet', '--transports', 'tcp,unix', '--workload', 'echo', '--output', files.json, '--html', files.html], { timeoutMs: 25_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Echo throughput/m);
      assert.match(r.stdout, /^unix \/ tcp\s+\d+\.\d+x/m);
      const saved = JSON.parse(readFileSync(files.json, 'utf8'));
      assert.deepEqual(saved.arms.map((a) => a.name), ['tcp', 'unix']);
      assert.equal(saved.comparisons[0].ratios.length, 2);
      const html = readFileSync(files.html, 'utf8');
      assert.match(html, /^<!doctype html>/);
      assert.equal((html.match(/<svg /g) ?? []).length, 2, 'a throughput chart and a ratio chart');
      assert.ok(html.includes('unix / tcp'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments with exit code 2', { timeout: 20_000 }, async () => {
    for (const args of [['--clients', 'many'], ['--parallel', 'fibers'], ['--threads', '0'], ['--json', '--markdown'], ['--transports', 'quic'], ['--tls-version', '1.1'], ['--bogus'], ['--duration', '0'], ['--only', 'nothing-matches'], ['--window', '0'], ['--datagram-size', '100'], ['--node-dtls-client', '/nonexistent-jsec-dir']]) {
      const r = await runJsec(['bench', ...args], { timeoutMs: 10_000 });
      assert.equal(r.code, 2, `bench ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });
});

/**
 * The benchmark driver: starts the servers, measures every arm once per
 * round in alternating order (A B C, C B A, ...) so slow drift of the machine
 * cancels out of the ratios, and computes the summaries and ratios.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadNodeDtlsClient, type DatagramEchoResult, type EchoClientResult } from './clients.js';
import { epochNow, LocalDriver, ThreadDriver, type ClientDriver, type DriverSetup } from './driver.js';
import { startHost } from './host.js';
import { makeMaterial } from './material.js';
import { isDatagram, plan, type Arm, type Availability, type BenchOptions, type ComparisonSpec } from './options.js';
import { tlsSettings } from './settings.js';
import { quantileSorted, summarize, type Summary } from './stats.js';

/** One echo measurement of one arm. */
export interface EchoRun {
  readonly round: number;
  readonly wallMs: number;
  readonly clients: { readonly requested: number; readonly connected: number; readonly failed: number };
  readonly bytes: { readonly sent: number; readonly received: number; readonly total: number };
  readonly iterations: number;
  /** (sent + received) bytes per second over the wall time, in MB/s (10^6 bytes). */
  readonly throughputMBps: number;
  /** CPU time of the whole process (all threads, user + system) during the measurement, ms. */
  readonly cpuMs: number;
  /** MB moved per CPU-second: less sensitive to other load on the machine than MB/s. */
  readonly mbPerCpuSecond: number;
  /** Each connected client's own (sent + received) MB/s. */
  readonly perClientMBps: Summary;
  /** Connect-to-usable latency of each client, milliseconds. */
  readonly handshakeMs: Summary;
  readonly errors: Readonly<Record<string, number>>;
  /** Datagram arms only: message bytes per datagram, datagrams sent and echoed back, window refills after loss. */
  readonly datagrams?: { readonly messageBytes: number; readonly sent: number; readonly received: number; readonly stalls: number };
  /** Datagram arms only: echoed datagrams per wall-clock second (each one crossed the wire twice). */
  readonly datagramsPerSecond?: number;
  /** Datagram arms only: echoed datagrams per CPU-second. */
  readonly datagramsPerCpuSecond?: number;
}

/** One handshake-rate measurement of one arm. */
export interface HandshakeRun {
  readonly round: number;
  readonly wallMs: number;
  readonly handshakes: number;
  readonly failed: number;
  readonly resumed: number;
  readonly handshakesPerSecond: number;
  /** CPU time of the whole process (all threads, user + system) during the measurement, ms. */
  readonly cpuMs: number;
  /** Handshakes per CPU-second (client and server together): less sensitive to other load than handshakes/s. */
  readonly handshakesPerCpuSecond: number;
  readonly latencyMs: Summary;
  readonly errors: Readonly<Record<string, number>>;
}

/** An arm's runs and its summary over all rounds. */
export interface ArmResult {
  readonly name: string;
  readonly workload: Arm['workload'];
  readonly transport: Arm['transport'];
  readonly impl: Arm['impl'];
  /** What the probe connection negotiated (null for plain transports). */
  readonly negotiated: { readonly protocol: string | null; readonly cipher: string | null };
  readonly runs: ReadonlyArray<EchoRun | HandshakeRun>;
  readonly summary: EchoSummary | HandshakeSummary;
}

/** Echo arm over all rounds. */
export interface EchoSummary {
  readonly kind: 'echo';
  /** Per-round total throughput, MB/s. */
  readonly throughputMBps: Summary;
  /** Per-client throughput pooled over all rounds, MB/s. */
  readonly perClientMBps: Summary;
  /** Handshake (connect) latency pooled over all rounds, ms. */
  readonly handshakeMs: Summary;
  readonly bytes: number;
  readonly iterations: number;
  readonly connected: number;
  readonly failed: number;
  /** Datagram arms only: per-round echoed datagrams per second. */
  readonly datagramsPerSecond?: Summary;
  /** Datagram arms only: window refills after loss, all rounds. */
  readonly stalls?: number;
}

/** Handshake arm over all rounds. */
export interface HandshakeSummary {
  readonly kind: 'handshake';
  readonly handshakesPerSecond: Summary;
  readonly latencyMs: Summary;
  readonly handshakes: number;
  readonly failed: number;
  readonly resumed: number;
}

/** Median and quartiles of per-round ratios. */
export interface RatioSummary {
  readonly ratios: readonly number[];
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
}

/** A ratio over rounds. */
export interface ComparisonResult extends ComparisonSpec {
  /** The same ratio per CPU-second instead of per wall-clock second. */
  readonly perCpu: RatioSummary;
  /** numerator / denominator, one per round. */
  readonly ratios: readonly number[];
  readonly median: number;
  /** First and third quartile of the per-round ratios. */
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  /** Whether the median ratio reaches the goal (undefined when there is no goal). */
  readonly met?: boolean;
}

/** The whole result, as written by `--json`. */
export interface BenchResult {
  readonly tool: 'jsec bench';
  readonly schema: 1;
  readonly startedAt: string;
  readonly elapsedSeconds: number;
  readonly environment: {
    readonly node: string;
    readonly openssl: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel: string;
    /** os.loadavg() (1, 5, 15 minutes) at the start and the end: other load on the machine skews absolute numbers. */
    readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
    /** `openssl version` of the CLI the DTLS baseline server runs (null: not found, no such arm). */
    readonly opensslCli: string | null;
    /** The node-dtls-client version used for the PSK peer arms (null: not available, no such arms). */
    readonly nodeDtlsClient: string | null;
  };
  readonly options: BenchOptions;
  readonly certificate: { readonly keyType: string; readonly servername: string };
  readonly arms: readonly ArmResult[];
  readonly comparisons: readonly ComparisonResult[];
}

/** Progress callbacks (the CLI prints them on stderr). */
export interface BenchHooks {
  log?(line: string): void;
}

const MB = 1e6;

interface Measured<R> {
  readonly run: R;
  /** Raw samples, pooled over rounds for the arm summary. */
  readonly clientMBps: number[];
  readonly latencies: number[];
}

async function measureEcho(driver: ClientDriver, arm: string, clients: number, seconds: number, round: number, datagramArm: boolean): Promise<Measured<EchoRun>> {
  const { latencies, errors } = await driver.echoConnect(arm, clients);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const results: EchoClientResult[] = await driver.echoGo(arm, epochNow() + seconds * 1000);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  let sent = 0;
  let received = 0;
  let iterations = 0;
  for (const r of results) {
    sent += r.bytesSent;
    received += r.bytesReceived;
    iterations += r.iterations;
    if (r.error !== undefined) errors[r.error] = (errors[r.error] ?? 0) + 1;
  }
  const clientMBps = results.map((r) => (r.bytesSent + r.bytesReceived) / MB / (r.elapsedMs / 1000));
  const dgram = results.filter((r): r is DatagramEchoResult => 'datagramsReceived' in r);
  const datagramFields =
    dgram.length === 0 && !datagramArm
      ? {}
      : (() => {
          const echoed = dgram.reduce((s, r) => s + r.datagramsReceived, 0);
          return {
            datagrams: {
              messageBytes: dgram[0] !== undefined && dgram[0].datagramsSent > 0 ? dgram[0].bytesSent / dgram[0].datagramsSent : 0,
              sent: dgram.reduce((s, r) => s + r.datagramsSent, 0),
              received: echoed,
              stalls: dgram.reduce((s, r) => s + r.stalls, 0),
            },
            datagramsPerSecond: echoed / (wallMs / 1000),
            datagramsPerCpuSecond: echoed / (cpuMs / 1000),
          };
        })();
  const run: EchoRun = {
    round,
    wallMs,
    clients: { requested: clients, connected: latencies.length, failed: clients - latencies.length },
    bytes: { sent, received, total: sent + received },
    iterations,
    throughputMBps: (sent + received) / MB / (wallMs / 1000),
    cpuMs,
    mbPerCpuSecond: (sent + received) / MB / (cpuMs / 1000),
    perClientMBps: summarize(clientMBps),
    handshakeMs: summarize(latencies),
    errors,
    ...datagramFields,
  };
  return { run, clientMBps, latencies };
}

async function measureHandshakes(driver: ClientDriver, arm: string, loops: number, seconds: number, round: number): Promise<Measured<HandshakeRun>> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const results = await driver.handshakes(arm, loops, epochNow() + seconds * 1000);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const handshakes = results.reduce((s, r) => s + r.handshakes, 0);
  const latencies = results.flatMap((r) => r.latenciesMs);
  const run: HandshakeRun = {
    round,
    wallMs,
    handshakes,
    failed: results.reduce((s, r) => s + r.failed, 0),
    resumed: results.reduce((s, r) => s + r.resumed, 0),
    handshakesPerSecond: handshakes / (wallMs / 1000),
    cpuMs,
    handshakesPerCpuSecond: handshakes / (cpuMs / 1000),
    latencyMs: summarize(latencies),
    errors,
  };
  return { run, clientMBps: [], latencies };
}

function summarizeArm(arm: Arm, runs: ReadonlyArray<EchoRun | HandshakeRun>, raw: { clientMBps: number[]; latencies: number[] }): EchoSummary | HandshakeSummary {
  if (arm.workload === 'echo') {
    const echo = runs as EchoRun[];
    const datagram = isDatagram(arm.transport)
      ? { datagramsPerSecond: summarize(echo.map((r) => r.datagramsPerSecond ?? 0)), stalls: echo.reduce((s, r) => s + (r.datagrams?.stalls ?? 0), 0) }
      : {};
    return {
      kind: 'echo',
      ...datagram,
      throughputMBps: summarize(echo.map((r) => r.throughputMBps)),
      perClientMBps: summarize(raw.clientMBps),
      handshakeMs: summarize(raw.latencies),
      bytes: echo.reduce((s, r) => s + r.bytes.total, 0),
      iterations: echo.reduce((s, r) => s + r.iterations, 0),
      connected: echo.reduce((s, r) => s + r.clients.connected, 0),
      failed: echo.reduce((s, r) => s + r.clients.failed, 0),
    };
  }
  const hs = runs as HandshakeRun[];
  return {
    kind: 'handshake',
    handshakesPerSecond: summarize(hs.map((r) => r.handshakesPerSecond)),
    latencyMs: summarize(raw.latencies),
    handshakes: hs.reduce((s, r) => s + r.handshakes, 0),
    failed: hs.reduce((s, r) => s + r.failed, 0),
    resumed: hs.reduce((s, r) => s + r.resumed, 0),
  };
}

function ratioSummary(ratios: number[]): RatioSummary {
  const sorted = [...ratios].sort((a, b) => a - b);
  const s = summarize(ratios);
  return { ratios, median: s.median, q1: quantileSorted(sorted, 0.25), q3: quantileSorted(sorted, 0.75), min: s.min, max: s.max };
}

function compare(spec: ComparisonSpec, byName: ReadonlyMap<string, ArmResult>): ComparisonResult {
  const wall = (r: EchoRun | HandshakeRun): number => {
    if ('throughputMBps' in r) return spec.metric === 'datagramRate' ? (r.datagramsPerSecond ?? Number.NaN) : r.throughputMBps;
    // Latency as a speed (1 / median latency), so that every ratio reads "above 1: the numerator is faster".
    return spec.metric === 'handshakeLatency' ? 1 / r.latencyMs.median : r.handshakesPerSecond;
  };
  const perCpu = (r: EchoRun | HandshakeRun): number => {
    if ('mbPerCpuSecond' in r) return spec.metric === 'datagramRate' ? (r.datagramsPerCpuSecond ?? Number.NaN) : r.mbPerCpuSecond;
    return r.handshakesPerCpuSecond;
  };
  const num = byName.get(spec.numerator)!.runs;
  const den = byName.get(spec.denominator)!.runs;
  const n = Math.min(num.length, den.length);
  const ratios = Array.from({ length: n }, (_, i) => wall(num[i]!) / wall(den[i]!));
  const cpuRatios = Array.from({ length: n }, (_, i) => perCpu(num[i]!) / perCpu(den[i]!));
  const r = ratioSummary(ratios);
  return { ...spec, ...r, perCpu: ratioSummary(cpuRatios), ...(spec.goal !== undefined ? { met: r.median >= spec.goal } : {}) };
}

/**
 * Runs the benchmark. Throws when an arm cannot connect at all (a broken
 * setup, not a slow one).
 */
export async function runBench(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchResult> {
  const log = hooks.log ?? (() => undefined);
  const t0 = performance.now();
  const loadStart = loadavg().map((v) => Math.round(v * 100) / 100);
  const startedAt = new Date().toISOString();
  const peers = await findDatagramPeers(options);
  const { arms, servers, comparisons } = plan(options, peers.available);
  if (arms.length === 0) throw Object.assign(new Error('no arm to measure: the selected arms need openssl or node-dtls-client, which were not found'), { code: 'ERR_BENCH_NO_ARMS' });
  const material = await makeMaterial(options.keyType);
  const settings = tlsSettings(options.tlsVersion);
  const socketDir = mkdtempSync(join(tmpdir(), 'jsec-bench-'));
  const host = await startHost(options.parallel === 'async' ? 'async' : 'worker', servers, { material, settings, socketDir, datagramSize: options.datagramSize });
  const setup: DriverSetup = {
    arms: arms.map((a) => ({ name: a.name, impl: a.impl, transport: a.transport, endpoint: host.endpoints.get(a.server)! })),
    material,
    settings,
    chunkSize: options.chunkSize,
    datagramSize: options.datagramSize,
    window: options.window,
    nodeDtlsClient: peers.nodeDtlsClientFrom,
  };
  let local: LocalDriver | undefined;
  let driver: ClientDriver | undefined;
  try {
    local = await LocalDriver.create(setup);
    driver = local;
    const negotiated = new Map<string, { protocol: string | null; cipher: string | null }>();
    for (const arm of arms) {
      // Probe: fail fast on a broken setup and record what each arm negotiates.
      negotiated.set(arm.name, await local.probe(arm.name));
    }
    if (options.parallel === 'threads') driver = await ThreadDriver.create(setup, options.threads);
    const d = driver;
    const runOnce = (arm: Arm, seconds: number, round: number): Promise<Measured<EchoRun | HandshakeRun>> =>
      arm.workload === 'echo'
        ? measureEcho(d, arm.name, options.clients, seconds, round, isDatagram(arm.transport))
        : // DTLS handshakes: one loop, so the latency is the handshake's own (openssl s_server serves one client at a time).
          measureHandshakes(d, arm.name, isDatagram(arm.transport) ? 1 : options.clients, seconds, round);
    if (options.warmup > 0) {
      log(`warm-up: ${arms.length} arms x ${options.warmup}s`);
      for (const arm of arms) await runOnce(arm, options.warmup, 0);
    }
    const runs = new Map<string, Array<EchoRun | HandshakeRun>>(arms.map((a) => [a.name, []]));
    const raw = new Map(arms.map((a) => [a.name, { clientMBps: [] as number[], latencies: [] as number[] }]));
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? arms : [...arms].reverse();
      for (const arm of order) {
        const { run: r, clientMBps, latencies } = await runOnce(arm, options.duration, round);
        runs.get(arm.name)!.push(r);
        const bucket = raw.get(arm.name)!;
        bucket.clientMBps.push(...clientMBps);
        bucket.latencies.push(...latencies);
        if ('datagramsPerSecond' in r && r.datagramsPerSecond !== undefined) {
          log(`round ${round}/${options.rounds} ${arm.name.padEnd(16)} ${r.datagramsPerSecond.toFixed(0)} datagrams/s`);
        } else if ('throughputMBps' in r) {
          log(`round ${round}/${options.rounds} ${arm.name.padEnd(16)} ${r.throughputMBps.toFixed(1)} MB/s`);
        } else {
          log(`round ${round}/${options.rounds} ${arm.name.padEnd(16)} ${r.handshakesPerSecond.toFixed(0)} handshakes/s`);
        }
      }
    }
    const results: ArmResult[] = arms.map((arm) => {
      const armRuns = runs.get(arm.name)!;
      return {
        name: arm.name,
        workload: arm.workload,
        transport: arm.transport,
        impl: arm.impl,
        negotiated: negotiated.get(arm.name)!,
        runs: armRuns,
        summary: summarizeArm(arm, armRuns, raw.get(arm.name)!),
      };
    });
    const byName = new Map(results.map((r) => [r.name, r]));
    const cpu = cpus();
    return {
      tool: 'jsec bench',
      schema: 1,
      startedAt,
      elapsedSeconds: (performance.now() - t0) / 1000,
      environment: {
        node: process.version,
        openssl: process.versions.openssl,
        platform: process.platform,
        arch: process.arch,
        cpus: availableParallelism(),
        cpuModel: cpu[0]?.model ?? 'unknown',
        loadAverage: { start: loadStart, end: loadavg().map((v) => Math.round(v * 100) / 100) },
        opensslCli: peers.opensslVersion,
        nodeDtlsClient: peers.nodeDtlsClientVersion,
      },
      options,
      certificate: { keyType: options.keyType, servername: material.servername },
      arms: results,
      comparisons: comparisons.map((c) => compare(c, byName)),
    };
  } finally {
    await driver?.close();
    if (local !== undefined && driver !== local) await local.close();
    await host.close();
    rmSync(socketDir, { recursive: true, force: true });
  }
}

/** The optional peers of the datagram arms: the openssl CLI and node-dtls-client. */
interface DatagramPeers {
  readonly available: Availability;
  readonly opensslVersion: string | null;
  /** A directory to require node-dtls-client from. */
  readonly nodeDtlsClientFrom: string | undefined;
  readonly nodeDtlsClientVersion: string | null;
}

/**
 * Finds the optional peers: `openssl` on the PATH, and node-dtls-client from
 * `options.nodeDtlsClient`, else `JSEC_NODE_DTLS_CLIENT`, else resolved from jsec
 * itself. A directory that was named explicitly but holds no node-dtls-client is an
 * error (a run silently without the arms it asked for would mislead).
 */
async function findDatagramPeers(options: BenchOptions): Promise<DatagramPeers> {
  if (!options.transports.includes('dtls')) return { available: { openssl: false, nodeDtlsClient: false }, opensslVersion: null, nodeDtlsClientFrom: undefined, nodeDtlsClientVersion: null };
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 10_000 });
  const opensslVersion = probe.status === 0 ? probe.stdout.trim() : null;
  const named = options.nodeDtlsClient ?? (process.env.JSEC_NODE_DTLS_CLIENT || undefined);
  let from: string | undefined;
  let version: string | null = null;
  const versionFrom = (dir: string): string | null => {
    try {
      const main = createRequire(join(dir, 'noop.js')).resolve('node-dtls-client');
      for (let d = dirname(main); d !== dirname(d); d = dirname(d)) {
        const pkg = join(d, 'package.json');
        if (existsSync(pkg)) {
          const j = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
          if (j.name === 'node-dtls-client') return j.version ?? 'unknown';
        }
      }
      return 'unknown';
    } catch {
      return null;
    }
  };
  if (named !== undefined) {
    try {
      await loadNodeDtlsClient(named);
    } catch (err) {
      throw Object.assign(new Error(`node-dtls-client does not load from ${named}: ${(err as Error).message}`), { code: 'ERR_BENCH_NODE_DTLS_CLIENT' });
    }
    from = named;
    version = versionFrom(named);
  } else {
    const self = dirname(fileURLToPath(import.meta.url));
    version = versionFrom(self);
    if (version !== null) from = self;
  }
  return { available: { openssl: opensslVersion !== null, nodeDtlsClient: from !== undefined }, opensslVersion, nodeDtlsClientFrom: from, nodeDtlsClientVersion: version };
}

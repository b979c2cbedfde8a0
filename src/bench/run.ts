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
import { THREAD_CPU_METHOD, type ThreadCpuMethod } from './cpu.js';
import { epochNow, LocalDriver, ThreadDriver, type ClientDriver, type DriverSetup } from './driver.js';
import { startHost, type ServerHost } from './host.js';
import { makeMaterial } from './material.js';
import { isDatagram, plan, RESUMED_FRACTION_GOAL, type Arm, type Availability, type BenchOptions, type ComparisonSpec, type TlsVersion } from './options.js';
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

/** CPU time of a resumption measurement, ms: the process, the client thread(s) and the server thread. */
export interface ResumeCpu {
  /** The whole process (client and server threads, GC helper threads, libuv pool), user + system. */
  readonly processMs: number;
  /** The client thread(s): the main thread, or the client workers with `--parallel threads`; with `async` also the servers. */
  readonly clientThreadMs: number | null;
  /** The server worker thread (`worker`, `threads`); null with `async` (it shares the client thread) or where unmeasurable. */
  readonly serverThreadMs: number | null;
}

/** One measurement of a resumption arm: a handshake-rate run plus what proves the arm did what it claims. */
export interface ResumeRun extends HandshakeRun {
  /** resumed / handshakes. */
  readonly resumedFraction: number;
  /** Handshakes by negotiated protocol. */
  readonly protocols: Readonly<Record<string, number>>;
  /** Connections whose session held a ticket when they closed. */
  readonly withTicket: number;
  readonly cpu: ResumeCpu;
  /** CPU microseconds per handshake, from {@link ResumeRun.cpu} (null where that is null). */
  readonly cpuPerHandshakeUs: { readonly process: number; readonly clientThread: number | null; readonly serverThread: number | null };
}

/** An arm's runs and its summary over all rounds. */
export interface ArmResult {
  readonly name: string;
  readonly workload: Arm['workload'];
  readonly transport: Arm['transport'];
  readonly impl: Arm['impl'];
  /** Resumption arms: the version pinned on both ends. */
  readonly tlsVersion?: TlsVersion;
  /** Resumption arms: full or resumed handshakes. */
  readonly expect?: 'full' | 'resumed';
  /** What the probe connection negotiated (null for plain transports). */
  readonly negotiated: { readonly protocol: string | null; readonly cipher: string | null };
  readonly runs: ReadonlyArray<EchoRun | HandshakeRun | ResumeRun>;
  readonly summary: EchoSummary | HandshakeSummary | ResumeSummary;
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

/** Resumption arm over all rounds. */
export interface ResumeSummary extends Omit<HandshakeSummary, 'kind'> {
  readonly kind: 'resume';
  readonly tlsVersion: TlsVersion;
  readonly expect: 'full' | 'resumed';
  /** resumed / handshakes over all rounds. */
  readonly resumedFraction: number;
  readonly protocols: Readonly<Record<string, number>>;
  readonly withTicket: number;
  /** CPU microseconds per handshake, over rounds (null: not measurable in this mode or on this platform). */
  readonly cpuPerHandshakeUs: { readonly process: Summary; readonly clientThread: Summary | null; readonly serverThread: Summary | null };
  /**
   * Whether the arm did what it claims: every handshake negotiated the pinned version; a `full` arm
   * resumed none, a `resumed` arm at least 95%; no connection failed. `problems` says what did not hold.
   */
  readonly check: { readonly ok: boolean; readonly problems: readonly string[] };
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
  /**
   * Whether the median ratio reaches the goal (undefined when there is no goal); false when
   * either arm failed its check ({@link ResumeSummary.check}).
   */
  readonly met?: boolean;
  /** Resumption ratios: whether both arms passed their checks. */
  readonly armsOk?: boolean;
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
    /** How the resumption workload measures per-thread CPU time (null: it cannot; only process CPU is reported). */
    readonly threadCpu: ThreadCpuMethod;
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

async function measureResume(driver: ClientDriver, host: ServerHost, arm: string, loops: number, seconds: number, round: number): Promise<Measured<ResumeRun>> {
  const [client0, server0] = await Promise.all([driver.threadCpuMs(), host.threadCpuMs()]);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const results = await driver.resumes(arm, loops, epochNow() + seconds * 1000);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu0);
  const [client1, server1] = await Promise.all([driver.threadCpuMs(), host.threadCpuMs()]);
  const cpuMs = (used.user + used.system) / 1000;
  const delta = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  const cpu: ResumeCpu = { processMs: cpuMs, clientThreadMs: delta(client0, client1), serverThreadMs: delta(server0, server1) };
  const errors: Record<string, number> = {};
  const protocols: Record<string, number> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.protocols)) protocols[k] = (protocols[k] ?? 0) + v;
  }
  const handshakes = results.reduce((s, r) => s + r.handshakes, 0);
  const resumed = results.reduce((s, r) => s + r.resumed, 0);
  const latencies = results.flatMap((r) => r.latenciesMs);
  const perHandshake = (ms: number | null): number | null => (ms === null ? null : (ms * 1000) / handshakes);
  const run: ResumeRun = {
    round,
    wallMs,
    handshakes,
    failed: results.reduce((s, r) => s + r.failed, 0),
    resumed,
    resumedFraction: resumed / handshakes,
    protocols,
    withTicket: results.reduce((s, r) => s + r.withTicket, 0),
    handshakesPerSecond: handshakes / (wallMs / 1000),
    cpuMs,
    handshakesPerCpuSecond: handshakes / (cpuMs / 1000),
    cpu,
    cpuPerHandshakeUs: { process: (cpuMs * 1000) / handshakes, clientThread: perHandshake(cpu.clientThreadMs), serverThread: perHandshake(cpu.serverThreadMs) },
    latencyMs: summarize(latencies),
    errors,
  };
  return { run, clientMBps: [], latencies };
}

/** What must hold for a resumption arm's numbers to mean what its name says. */
function resumeCheck(arm: Arm, negotiated: string | null, s: { handshakes: number; failed: number; resumed: number; protocols: Readonly<Record<string, number>>; errors: Readonly<Record<string, number>> }): ResumeSummary['check'] {
  const problems: string[] = [];
  const want = `TLSv${arm.tlsVersion}`;
  if (s.handshakes === 0) problems.push('no handshake completed');
  if (negotiated !== want) problems.push(`the probe negotiated ${negotiated ?? 'nothing'}, not ${want}`);
  for (const [p, n] of Object.entries(s.protocols)) if (p !== want) problems.push(`${n} handshake(s) negotiated ${p}, not ${want}`);
  if (arm.expect === 'full' && s.resumed > 0) problems.push(`${s.resumed} of ${s.handshakes} handshakes resumed in a full-handshake arm`);
  if (arm.expect === 'resumed' && s.handshakes > 0 && s.resumed / s.handshakes < RESUMED_FRACTION_GOAL) {
    problems.push(`only ${((100 * s.resumed) / s.handshakes).toFixed(1)}% of handshakes resumed (${s.resumed} of ${s.handshakes}), below ${RESUMED_FRACTION_GOAL * 100}%`);
  }
  if (s.failed > 0) problems.push(`${s.failed} connection(s) failed: ${Object.entries(s.errors).map(([k, v]) => `${k} x${v}`).join(', ')}`);
  return { ok: problems.length === 0, problems };
}

function summarizeResume(arm: Arm, runs: readonly ResumeRun[], latencies: number[], negotiated: string | null): ResumeSummary {
  const handshakes = runs.reduce((s, r) => s + r.handshakes, 0);
  const resumed = runs.reduce((s, r) => s + r.resumed, 0);
  const failed = runs.reduce((s, r) => s + r.failed, 0);
  const protocols: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.protocols)) protocols[k] = (protocols[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  }
  const over = (pick: (r: ResumeRun) => number | null): Summary | null => {
    const values = runs.map(pick);
    return values.some((v) => v === null) ? null : summarize(values as number[]);
  };
  return {
    kind: 'resume',
    tlsVersion: arm.tlsVersion!,
    expect: arm.expect!,
    handshakesPerSecond: summarize(runs.map((r) => r.handshakesPerSecond)),
    latencyMs: summarize(latencies),
    handshakes,
    failed,
    resumed,
    resumedFraction: resumed / handshakes,
    protocols,
    withTicket: runs.reduce((s, r) => s + r.withTicket, 0),
    cpuPerHandshakeUs: {
      process: summarize(runs.map((r) => r.cpuPerHandshakeUs.process)),
      clientThread: over((r) => r.cpuPerHandshakeUs.clientThread),
      serverThread: over((r) => r.cpuPerHandshakeUs.serverThread),
    },
    check: resumeCheck(arm, negotiated, { handshakes, failed, resumed, protocols, errors }),
  };
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

/** CPU ms per handshake of the client and server threads together (the client thread alone covers both with `async`). */
function threadCpuPerHandshake(r: ResumeRun): number | null {
  const { clientThreadMs: c, serverThreadMs: s } = r.cpu;
  if (c === null) return null;
  return (c + (s ?? 0)) / r.handshakes;
}

function compare(spec: ComparisonSpec, byName: ReadonlyMap<string, ArmResult>): ComparisonResult {
  const wall = (r: EchoRun | HandshakeRun | ResumeRun): number => {
    if ('throughputMBps' in r) return spec.metric === 'datagramRate' ? (r.datagramsPerSecond ?? Number.NaN) : r.throughputMBps;
    if (spec.metric === 'cpuPerHandshake') return r.cpuMs / r.handshakes;
    // Latency as a speed (1 / median latency), so that every ratio reads "above 1: the numerator is faster".
    return spec.metric === 'handshakeLatency' ? 1 / r.latencyMs.median : r.handshakesPerSecond;
  };
  const perCpu = (r: EchoRun | HandshakeRun | ResumeRun): number => {
    if ('mbPerCpuSecond' in r) return spec.metric === 'datagramRate' ? (r.datagramsPerCpuSecond ?? Number.NaN) : r.mbPerCpuSecond;
    // CPU per handshake: this column counts only the client and server threads (no GC helpers, no libuv pool).
    if (spec.metric === 'cpuPerHandshake') return 'cpu' in r ? (threadCpuPerHandshake(r) ?? r.cpuMs / r.handshakes) : r.cpuMs / r.handshakes;
    return r.handshakesPerCpuSecond;
  };
  const numArm = byName.get(spec.numerator)!;
  const denArm = byName.get(spec.denominator)!;
  const num = numArm.runs;
  const den = denArm.runs;
  const n = Math.min(num.length, den.length);
  const ratios = Array.from({ length: n }, (_, i) => wall(num[i]!) / wall(den[i]!));
  const cpuRatios = Array.from({ length: n }, (_, i) => perCpu(num[i]!) / perCpu(den[i]!));
  const r = ratioSummary(ratios);
  const checked = [numArm, denArm].map((a) => (a.summary.kind === 'resume' ? a.summary.check.ok : undefined)).filter((ok) => ok !== undefined);
  const armsOk = checked.length === 0 ? undefined : checked.every(Boolean);
  const reached = spec.goal === undefined ? undefined : spec.goalDirection === 'below' ? r.median < spec.goal : r.median >= spec.goal;
  return {
    ...spec,
    ...r,
    perCpu: ratioSummary(cpuRatios),
    ...(armsOk !== undefined ? { armsOk } : {}),
    ...(reached !== undefined ? { met: reached && armsOk !== false } : {}),
  };
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
    arms: arms.map((a) => ({
      name: a.name,
      impl: a.impl,
      transport: a.transport,
      endpoint: host.endpoints.get(a.server)!,
      ...(a.tlsVersion !== undefined ? { settings: tlsSettings(a.tlsVersion) } : {}),
    })),
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
    const runOnce = (arm: Arm, seconds: number, round: number): Promise<Measured<EchoRun | HandshakeRun | ResumeRun>> =>
      arm.workload === 'echo'
        ? measureEcho(d, arm.name, options.clients, seconds, round, isDatagram(arm.transport))
        : arm.workload === 'resume'
          ? measureResume(d, host, arm.name, options.resumeClients, seconds, round)
          : // DTLS handshakes: one loop, so the latency is the handshake's own (openssl s_server serves one client at a time).
            measureHandshakes(d, arm.name, isDatagram(arm.transport) ? 1 : options.clients, seconds, round);
    const resumeArms = arms.filter((a) => a.workload === 'resume');
    if (resumeArms.length > 0) {
      // One connection per client first, so every client (and jsec's cache) holds a session before anything is measured.
      log(`priming: ${resumeArms.length} resumption arms x ${options.resumeClients} clients, one connection each`);
      for (const arm of resumeArms) await d.resumes(arm.name, options.resumeClients, epochNow(), 1);
    }
    if (options.warmup > 0) {
      log(`warm-up: ${arms.length} arms x ${options.warmup}s`);
      for (const arm of arms) await runOnce(arm, options.warmup, 0);
    }
    const runs = new Map<string, Array<EchoRun | HandshakeRun | ResumeRun>>(arms.map((a) => [a.name, []]));
    const raw = new Map(arms.map((a) => [a.name, { clientMBps: [] as number[], latencies: [] as number[] }]));
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? arms : [...arms].reverse();
      for (const arm of order) {
        const { run: r, clientMBps, latencies } = await runOnce(arm, options.duration, round);
        runs.get(arm.name)!.push(r);
        const bucket = raw.get(arm.name)!;
        bucket.clientMBps.push(...clientMBps);
        bucket.latencies.push(...latencies);
        if ('resumedFraction' in r) {
          log(`round ${round}/${options.rounds} ${arm.name.padEnd(26)} ${r.handshakesPerSecond.toFixed(0)} handshakes/s, ${(100 * r.resumedFraction).toFixed(1)}% resumed, ${r.cpuPerHandshakeUs.process.toFixed(0)} us CPU/handshake`);
        } else if ('datagramsPerSecond' in r && r.datagramsPerSecond !== undefined) {
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
      const probe = negotiated.get(arm.name)!;
      return {
        name: arm.name,
        workload: arm.workload,
        transport: arm.transport,
        impl: arm.impl,
        ...(arm.tlsVersion !== undefined ? { tlsVersion: arm.tlsVersion } : {}),
        ...(arm.expect !== undefined ? { expect: arm.expect } : {}),
        negotiated: probe,
        runs: armRuns,
        summary:
          arm.workload === 'resume'
            ? summarizeResume(arm, armRuns as ResumeRun[], raw.get(arm.name)!.latencies, probe.protocol)
            : summarizeArm(arm, armRuns as Array<EchoRun | HandshakeRun>, raw.get(arm.name)!),
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
        threadCpu: THREAD_CPU_METHOD,
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

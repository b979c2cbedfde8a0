/**
 * The benchmark's options, their defaults and the arms (one measured
 * configuration each) they expand to.
 *
 * @module
 */

/** The transports the echo workload runs over. */
export const TRANSPORTS = ['tcp', 'unix', 'tls', 'unix-tls', 'udp', 'dtls'] as const;
/**
 * A transport: plain TCP, a Unix socket, TLS over TCP, TLS over a Unix socket
 * (stream echo); raw UDP (`node:dgram`) and DTLS 1.2 over UDP (datagram echo).
 */
export type Transport = (typeof TRANSPORTS)[number];

/** Whether a transport carries datagrams (windowed datagram echo) rather than a byte stream. */
export function isDatagram(t: Transport): t is 'udp' | 'dtls' {
  return t === 'udp' || t === 'dtls';
}

/** How the benchmark spreads work over threads. */
export const PARALLEL_MODES = ['async', 'worker', 'threads'] as const;
/**
 * `async`: servers and clients share one event loop (one core).
 * `worker`: the servers run in a worker thread, the clients in the main thread
 * (two cores: client and server no longer compete for one).
 * `threads`: the servers run in a worker thread, the clients are spread over
 * `threads` further worker threads (for machines with more cores).
 */
export type ParallelMode = (typeof PARALLEL_MODES)[number];

/** Key types for the generated server certificate. */
export const KEY_TYPES = ['ec-p256', 'rsa-2048', 'ed25519'] as const;
/** A key type for the generated server certificate. */
export type KeyType = (typeof KEY_TYPES)[number];

/** TLS versions the benchmark can pin. */
export const TLS_VERSIONS = ['1.2', '1.3'] as const;
/** A TLS version to pin (min = max), or undefined for the policy default range. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Everything a benchmark run needs. */
export interface BenchOptions {
  /** Transports for the echo workload. Default: all four. */
  readonly transports: readonly Transport[];
  /** Concurrent clients per measurement (echo) and concurrent connect loops (handshake rate). Default 4. */
  readonly clients: number;
  /** Seconds per measurement. Default 0.5 (many short rounds pair up better under bursty load than a few long ones). */
  readonly duration: number;
  /** Rounds: every arm is measured once per round, in alternating order (A B C, C B A, ...). Default 8. */
  readonly rounds: number;
  /** Bytes per echo write. Default 65536. */
  readonly chunkSize: number;
  /** Pin the TLS version, or undefined for TLS 1.2..1.3 (which negotiates 1.3). */
  readonly tlsVersion: TlsVersion | undefined;
  /** Key type of the generated server certificate. Default `ec-p256`. */
  readonly keyType: KeyType;
  /** Threading of clients and servers. Default `worker` (client and server each get a core). */
  readonly parallel: ParallelMode;
  /** Client worker threads in `threads` mode. Default 2. */
  readonly threads: number;
  /** Run the handshake-rate comparison. Default true. */
  readonly handshake: boolean;
  /** Run the echo workload. Default true. */
  readonly echo: boolean;
  /**
   * Run the resumption workload (full against resumed handshakes, TLS 1.2 and 1.3, jsec and
   * node:tls). Default false: it is its own command (`--workload resume`, about 75 s on two cores).
   */
  readonly resume: boolean;
  /** Concurrent clients (connect loops) of the resumption workload. Default 50. */
  readonly resumeClients: number;
  /** Seconds of unrecorded warm-up per arm before the first round. Default 0.3. */
  readonly warmup: number;
  /** Keep only arms whose name contains one of these strings (empty: all arms). */
  readonly only: readonly string[];
  /** Datagram transports: bytes per UDP datagram on the wire (the DTLS MTU; DTLS carries the largest message that fits). Default 1200. */
  readonly datagramSize: number;
  /** Datagram transports: datagrams each peer keeps in flight (closed loop; a lost one is refilled after 50 ms without an echo). Default 32. */
  readonly window: number;
  /**
   * A directory where `npm install --prefix DIR node-dtls-client` ran, to add the
   * node-dtls-client (PSK) arms. Default: the `JSEC_NODE_DTLS_CLIENT` environment
   * variable, else `node-dtls-client` when it resolves from jsec itself, else no such arms.
   */
  readonly nodeDtlsClient: string | undefined;
}

/** The defaults, chosen so a default run (echo and handshake workloads, every transport) stays under two minutes on two cores. */
export const BENCH_DEFAULTS: BenchOptions = Object.freeze({
  transports: TRANSPORTS,
  clients: 4,
  duration: 0.5,
  rounds: 8,
  chunkSize: 65536,
  tlsVersion: undefined,
  keyType: 'ec-p256',
  parallel: 'worker',
  threads: 2,
  handshake: true,
  echo: true,
  resume: false,
  resumeClients: 50,
  warmup: 0.3,
  only: [],
  datagramSize: 1200,
  window: 32,
  nodeDtlsClient: undefined,
});

/**
 * Which library drives an arm. `naive` is node:tls building a context per
 * connection; `jsec-nocache` is jsec connect with its client session cache off
 * (`security.sessionCacheSize: 0`), to show what that cache costs against a
 * server that cannot resume; `jsec-store` is jsec connect with a session store
 * that keeps {@link JSEC_STORE_PER_KEY} tickets per server instead of the default 4.
 */
export type Impl = 'jsec' | 'jsec-nocache' | 'jsec-store' | 'node' | 'node-resume' | 'node-resume-once' | 'naive' | 'net' | 'dgram' | 'jsec-psk' | 'ndc';

/** Tickets per server in the `jsec-store` arms' session store: the store's maximum, a ticket for each of up to 1000 clients. */
export const JSEC_STORE_PER_KEY = 1000;

/** The versions the resumption workload measures (both unless `--tls-version` pins one). */
export const RESUME_VERSIONS: readonly TlsVersion[] = ['1.2', '1.3'];

/** The minimum resumed fraction of a resumed arm: below it the arm fails its check instead of being averaged in. */
export const RESUMED_FRACTION_GOAL = 0.95;

/** One measured configuration. */
export interface Arm {
  /** Stable name used in the report and JSON (`tls/jsec`, `handshake/naive`, ...). */
  readonly name: string;
  readonly workload: 'echo' | 'handshake' | 'resume';
  readonly transport: Transport;
  readonly impl: Impl;
  /** The server this arm talks to (server ids are shared between arms where the server is the same). */
  readonly server: string;
  /** Resumption arms: the version pinned on both ends (overrides `--tls-version`). */
  readonly tlsVersion?: TlsVersion;
  /** Resumption arms: whether every handshake must be full or (at least {@link RESUMED_FRACTION_GOAL}) resumed. */
  readonly expect?: 'full' | 'resumed';
}

/** The server kinds the arms need: transport plus the library serving it. */
export interface ServerSpec {
  readonly id: string;
  readonly transport: Transport;
  readonly impl: 'jsec' | 'node' | 'net' | 'dgram' | 'jsec-psk' | 'openssl';
  /** node:tls and jsec: issue session tickets (both libraries' default) so clients can resume. Default false: full handshakes only. */
  readonly tickets?: boolean;
  /** The version pinned on this server (overrides `--tls-version`). */
  readonly tlsVersion?: TlsVersion;
}

/** A ratio the report computes: numerator arm over denominator arm, per round. */
export interface ComparisonSpec {
  readonly name: string;
  /**
   * `throughput`: MB/s; `datagramRate`: datagrams/s; `handshakeRate`: handshakes/s;
   * `handshakeLatency`: the denominator's median handshake latency over the numerator's
   * (above 1: the numerator's handshakes are faster); `cpuPerHandshake`: the numerator's
   * CPU time per handshake over the denominator's (below 1: the numerator is cheaper).
   */
  readonly metric: 'throughput' | 'datagramRate' | 'handshakeRate' | 'handshakeLatency' | 'cpuPerHandshake';
  readonly numerator: string;
  readonly denominator: string;
  /** The goal for the median ratio, when there is one. */
  readonly goal?: number;
  /** `'below'`: the goal is met when the median is under `goal` (CPU ratios). Default: at or above it. */
  readonly goalDirection?: 'below';
}

/** What the machine offers to the datagram arms (found by the runner; the plan itself does no I/O). */
export interface Availability {
  /** The `openssl` command exists (adds `handshake/dtls-openssl`). */
  readonly openssl: boolean;
  /** node-dtls-client resolves (adds `dtls/ndc`, `dtls/jsec-psk` and their handshake arms). */
  readonly nodeDtlsClient: boolean;
}

/** Expands options into the arms to measure, the servers they need and the ratios to report. */
export function plan(options: BenchOptions, available: Availability = { openssl: false, nodeDtlsClient: false }): { arms: Arm[]; servers: ServerSpec[]; comparisons: ComparisonSpec[] } {
  const arms: Arm[] = [];
  const servers = new Map<string, ServerSpec>();
  const server = (transport: Transport, impl: ServerSpec['impl'], tickets = false, tlsVersion?: TlsVersion): string => {
    const id = `${transport}/${impl}${tickets ? '-tickets' : ''}${tlsVersion !== undefined ? `@${tlsVersion}` : ''}`;
    if (!servers.has(id)) servers.set(id, { id, transport, impl, ...(tickets ? { tickets } : {}), ...(tlsVersion !== undefined ? { tlsVersion } : {}) });
    return id;
  };
  const resumeComparisons: ComparisonSpec[] = [];
  if (options.echo) {
    for (const t of options.transports) {
      if (t === 'udp') {
        arms.push({ name: 'udp', workload: 'echo', transport: t, impl: 'dgram', server: server(t, 'dgram') });
      } else if (t === 'dtls') {
        arms.push({ name: 'dtls/jsec', workload: 'echo', transport: t, impl: 'jsec', server: server(t, 'jsec') });
        if (available.nodeDtlsClient) {
          // The same jsec PSK server for both clients, so only the client library differs.
          const psk = server(t, 'jsec-psk');
          arms.push({ name: 'dtls/jsec-psk', workload: 'echo', transport: t, impl: 'jsec-psk', server: psk });
          arms.push({ name: 'dtls/ndc', workload: 'echo', transport: t, impl: 'ndc', server: psk });
        }
      } else if (t === 'tcp' || t === 'unix') {
        arms.push({ name: t, workload: 'echo', transport: t, impl: 'net', server: server(t, 'net') });
      } else {
        for (const impl of ['jsec', 'node'] as const) {
          arms.push({ name: `${t}/${impl}`, workload: 'echo', transport: t, impl, server: server(t, impl) });
        }
      }
    }
  }
  const streams = options.transports.some((t) => !isDatagram(t));
  if (options.handshake && streams) {
    // One node:tls server for every handshake arm, so only the client side differs.
    const id = server('tls', 'node');
    for (const impl of ['jsec', 'jsec-nocache', 'node', 'naive'] as const) {
      arms.push({ name: `handshake/${impl}`, workload: 'handshake', transport: 'tls', impl, server: id });
    }
    // Both ends jsec: jsec listen (no resumption either) and jsec connect.
    arms.push({ name: 'handshake/jsec-e2e', workload: 'handshake', transport: 'tls', impl: 'jsec', server: server('tls', 'jsec') });
    // What jsec's session cache is for: a node:tls server with its default session tickets.
    arms.push({ name: 'handshake/jsec-resume', workload: 'handshake', transport: 'tls', impl: 'jsec', server: server('tls', 'node', true) });
  }
  if (options.handshake) {
    if (options.transports.includes('dtls')) {
      // DTLS handshakes: one connect loop per arm (openssl s_server serves one client at a time).
      arms.push({ name: 'handshake/dtls-jsec', workload: 'handshake', transport: 'dtls', impl: 'jsec', server: server('dtls', 'jsec') });
      if (available.openssl) arms.push({ name: 'handshake/dtls-openssl', workload: 'handshake', transport: 'dtls', impl: 'jsec', server: server('dtls', 'openssl') });
      if (available.nodeDtlsClient) {
        arms.push({ name: 'handshake/dtls-jsec-psk', workload: 'handshake', transport: 'dtls', impl: 'jsec-psk', server: server('dtls', 'jsec-psk') });
        arms.push({ name: 'handshake/dtls-ndc', workload: 'handshake', transport: 'dtls', impl: 'ndc', server: server('dtls', 'jsec-psk') });
      }
    }
  }
  if (options.resume) {
    for (const v of options.tlsVersion === undefined ? RESUME_VERSIONS : [options.tlsVersion]) {
      // Both ends pinned to v; servers issue tickets (the default of both libraries), so only the client decides
      // whether a handshake is full (it offers no session) or resumed (it offers one).
      const nodeServer = server('tls', 'node', true, v);
      const jsecServer = server('tls', 'jsec', true, v);
      const arm = (who: string, impl: Impl, srv: string, expect: 'full' | 'resumed'): string => {
        const name = `resume/${v}/${who}-${expect}`;
        arms.push({ name, workload: 'resume', transport: 'tls', impl, server: srv, tlsVersion: v, expect });
        return name;
      };
      const nodeFull = arm('node', 'node', nodeServer, 'full');
      const nodeResumed = arm('node', 'node-resume', nodeServer, 'resumed');
      const jsecFull = arm('jsec', 'jsec-nocache', nodeServer, 'full');
      const jsecResumed = arm('jsec', 'jsec', nodeServer, 'resumed');
      const e2eFull = arm('jsec-e2e', 'jsec-nocache', jsecServer, 'full');
      const e2eResumed = arm('jsec-e2e', 'jsec', jsecServer, 'resumed');
      // jsec's default cache keeps 4 tickets per server; this arm shows resumption with room for every client's.
      const storeResumed = arm('jsec-e2e-store', 'jsec-store', jsecServer, 'resumed');
      // node:tls handling sessions as jsec's cache does (single-use TLS 1.3 tickets), against the jsec server.
      const nodeOnceResumed = arm('node-once-jsec-server', 'node-resume-once', jsecServer, 'resumed');
      const goal = 0.95;
      resumeComparisons.push(
        { name: `TLS ${v} full handshakes/s: jsec connect / node:tls (same node:tls server)`, metric: 'handshakeRate', numerator: jsecFull, denominator: nodeFull, goal },
        { name: `TLS ${v} resumed handshakes/s: jsec connect / node:tls (same node:tls server)`, metric: 'handshakeRate', numerator: jsecResumed, denominator: nodeResumed, goal },
        { name: `TLS ${v} full handshakes/s: jsec listen+connect / node:tls both ends`, metric: 'handshakeRate', numerator: e2eFull, denominator: nodeFull, goal },
        { name: `TLS ${v} resumed handshakes/s: jsec listen+connect / node:tls both ends`, metric: 'handshakeRate', numerator: e2eResumed, denominator: nodeResumed, goal },
        { name: `TLS ${v} resumed handshakes/s: jsec listen+connect, sized session store / node:tls both ends`, metric: 'handshakeRate', numerator: storeResumed, denominator: nodeResumed, goal },
        { name: `TLS ${v} resumed handshakes/s, sessions used as jsec uses them: jsec connect / node:tls connect (same jsec server)`, metric: 'handshakeRate', numerator: e2eResumed, denominator: nodeOnceResumed, goal },
        { name: `TLS ${v} CPU per handshake, resumed / full (node:tls)`, metric: 'cpuPerHandshake', numerator: nodeResumed, denominator: nodeFull, goal: 1, goalDirection: 'below' },
        { name: `TLS ${v} CPU per handshake, resumed / full (jsec connect)`, metric: 'cpuPerHandshake', numerator: jsecResumed, denominator: jsecFull, goal: 1, goalDirection: 'below' },
        { name: `TLS ${v} CPU per handshake, resumed / full (jsec listen+connect)`, metric: 'cpuPerHandshake', numerator: e2eResumed, denominator: e2eFull, goal: 1, goalDirection: 'below' },
        { name: `TLS ${v} CPU per handshake, resumed / full (jsec listen+connect, sized session store)`, metric: 'cpuPerHandshake', numerator: storeResumed, denominator: e2eFull, goal: 1, goalDirection: 'below' },
      );
    }
  }
  if (options.only.length > 0) {
    const keep = arms.filter((a) => options.only.some((o) => a.name.includes(o)));
    arms.length = 0;
    arms.push(...keep);
  }
  const used = new Set(arms.map((a) => a.server));
  for (const id of [...servers.keys()]) if (!used.has(id)) servers.delete(id);
  const names = new Set(arms.map((a) => a.name));
  const candidates: ComparisonSpec[] = [
    { name: 'tls: jsec / node:tls', metric: 'throughput', numerator: 'tls/jsec', denominator: 'tls/node', goal: 0.98 },
    { name: 'unix-tls: jsec / node:tls', metric: 'throughput', numerator: 'unix-tls/jsec', denominator: 'unix-tls/node', goal: 0.98 },
    { name: 'tls / tcp (node:tls)', metric: 'throughput', numerator: 'tls/node', denominator: 'tcp' },
    { name: 'tls / tcp (jsec)', metric: 'throughput', numerator: 'tls/jsec', denominator: 'tcp' },
    { name: 'unix-tls / unix (node:tls)', metric: 'throughput', numerator: 'unix-tls/node', denominator: 'unix' },
    { name: 'unix-tls / unix (jsec)', metric: 'throughput', numerator: 'unix-tls/jsec', denominator: 'unix' },
    { name: 'unix / tcp', metric: 'throughput', numerator: 'unix', denominator: 'tcp' },
    { name: 'handshakes/s: jsec / node:tls (shared context)', metric: 'handshakeRate', numerator: 'handshake/jsec', denominator: 'handshake/node', goal: 0.98 },
    { name: 'handshakes/s: jsec / naive tls.connect({ ca })', metric: 'handshakeRate', numerator: 'handshake/jsec', denominator: 'handshake/naive', goal: 1.25 },
    { name: 'handshakes/s end to end: jsec listen+connect / node:tls', metric: 'handshakeRate', numerator: 'handshake/jsec-e2e', denominator: 'handshake/node', goal: 0.98 },
    { name: 'handshakes/s: jsec without session cache / node:tls', metric: 'handshakeRate', numerator: 'handshake/jsec-nocache', denominator: 'handshake/node' },
    { name: 'handshakes/s: jsec resuming (server with tickets) / node:tls full', metric: 'handshakeRate', numerator: 'handshake/jsec-resume', denominator: 'handshake/node' },
    { name: 'handshakes/s: node:tls shared context / naive', metric: 'handshakeRate', numerator: 'handshake/node', denominator: 'handshake/naive' },
    { name: 'datagrams/s: dtls (jsec) / udp (node:dgram)', metric: 'datagramRate', numerator: 'dtls/jsec', denominator: 'udp', goal: 0.5 },
    { name: 'datagrams/s: dtls PSK node-dtls-client / jsec', metric: 'datagramRate', numerator: 'dtls/ndc', denominator: 'dtls/jsec-psk' },
    { name: 'DTLS handshake speed: jsec server / openssl s_server (jsec client, p50 latency)', metric: 'handshakeLatency', numerator: 'handshake/dtls-jsec', denominator: 'handshake/dtls-openssl', goal: 1 },
    { name: 'DTLS PSK handshake speed: node-dtls-client / jsec client (p50 latency)', metric: 'handshakeLatency', numerator: 'handshake/dtls-ndc', denominator: 'handshake/dtls-jsec-psk' },
  ];
  const comparisons = [...candidates, ...resumeComparisons].filter((c) => names.has(c.numerator) && names.has(c.denominator));
  return { arms, servers: [...servers.values()], comparisons };
}

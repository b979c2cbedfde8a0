/**
 * Client drivers: where the benchmark's clients run. The local driver runs
 * them on the main event loop; the thread driver spreads them over worker
 * threads (each running a local driver), for `--parallel threads`. Times
 * cross threads as epoch milliseconds (`performance.timeOrigin + now()`).
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  connector,
  connectLoop,
  datagramConnectLoop,
  datagramConnector,
  datagramEchoLoop,
  echoLoop,
  resumeLoop,
  type Connected,
  type Connector,
  type ConnectLoopResult,
  type DatagramConnected,
  type DatagramConnector,
  type EchoClientResult,
  type ResumeLoopResult,
} from './clients.js';
import { threadCpuMs } from './cpu.js';
import { isDatagram, type Impl, type Transport } from './options.js';
import type { Endpoint } from './servers.js';
import type { Material, TlsSettings } from './settings.js';

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** What a driver needs to build the arms' connectors (plain data, so it crosses threads). */
export interface DriverSetup {
  readonly arms: ReadonlyArray<{
    readonly name: string;
    readonly impl: Impl;
    readonly transport: Transport;
    readonly endpoint: Endpoint;
    /** This arm's own TLS settings (a pinned version), instead of the run's. */
    readonly settings?: TlsSettings;
  }>;
  readonly material: Material;
  readonly settings: TlsSettings;
  readonly chunkSize: number;
  /** Datagram arms: bytes per UDP datagram on the wire. */
  readonly datagramSize: number;
  /** Datagram arms: messages in flight per peer. */
  readonly window: number;
  /** Where node-dtls-client resolves from, or undefined. */
  readonly nodeDtlsClient: string | undefined;
}

/** What the probe connection of an arm negotiated. */
export interface Negotiated {
  readonly protocol: string | null;
  readonly cipher: string | null;
}

/** The result of connecting an arm's echo clients. */
export interface EchoConnected {
  readonly latencies: number[];
  readonly errors: Record<string, number>;
}

/** Runs clients. */
export interface ClientDriver {
  /** Connects `clients` echo clients for `arm` and keeps them until {@link echoGo}. */
  echoConnect(arm: string, clients: number): Promise<EchoConnected>;
  /** Runs the connected echo clients of `arm` until `deadline` (epoch ms). */
  echoGo(arm: string, deadline: number): Promise<EchoClientResult[]>;
  /** Runs `loops` connect loops for `arm` until `deadline` (epoch ms). */
  handshakes(arm: string, loops: number, deadline: number): Promise<ConnectLoopResult[]>;
  /** Runs `loops` resumption loops (clients 0..loops-1) for `arm` until `deadline` (epoch ms), each at least `minimum` times. */
  resumes(arm: string, loops: number, deadline: number, minimum?: number): Promise<ResumeLoopResult[]>;
  /** CPU time the client threads have used so far, ms (summed over client workers), or null where it cannot be measured. */
  threadCpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

function codeOf(err: unknown): string {
  return String((err as { code?: unknown }).code ?? 'ERR_UNKNOWN');
}

/** Clients on this thread's event loop. */
export class LocalDriver implements ClientDriver {
  readonly #connectors = new Map<string, Connector>();
  readonly #datagramConnectors = new Map<string, DatagramConnector>();
  readonly #pending = new Map<string, Connected[]>();
  readonly #pendingDatagram = new Map<string, DatagramConnected[]>();
  readonly #chunk: Buffer;
  readonly #window: number;

  private constructor(chunkSize: number, window: number) {
    this.#chunk = Buffer.alloc(chunkSize, 0x58);
    this.#window = window;
  }

  /** Builds the connectors of every arm. */
  static async create(setup: DriverSetup): Promise<LocalDriver> {
    const d = new LocalDriver(setup.chunkSize, setup.window);
    for (const a of setup.arms) {
      if (isDatagram(a.transport)) d.#datagramConnectors.set(a.name, await datagramConnector(a.impl, a.endpoint, setup));
      else d.#connectors.set(a.name, await connector(a.impl, a.endpoint, setup.material, a.settings ?? setup.settings));
    }
    return d;
  }

  /** The stream connector of an arm. */
  connectorFor(arm: string): Connector {
    const c = this.#connectors.get(arm);
    if (c === undefined) throw new Error(`no connector for arm ${arm}`);
    return c;
  }

  /** Connects once and closes: fails fast on a broken setup and tells what the arm negotiates. */
  async probe(arm: string): Promise<Negotiated> {
    const dc = this.#datagramConnectors.get(arm);
    if (dc !== undefined) {
      const c = await dc();
      await c.close();
      return { protocol: c.protocol, cipher: c.cipher };
    }
    const c = await this.connectorFor(arm)();
    c.socket.on('error', () => undefined);
    c.socket.destroy();
    return { protocol: c.protocol, cipher: c.cipher };
  }

  async echoConnect(arm: string, clients: number): Promise<EchoConnected> {
    const dc = this.#datagramConnectors.get(arm);
    const attempts = await Promise.allSettled(Array.from({ length: clients }, () => (dc !== undefined ? dc() : this.connectorFor(arm)())));
    const errors: Record<string, number> = {};
    const connected: Array<Connected | DatagramConnected> = [];
    for (const a of attempts) {
      if (a.status === 'fulfilled') connected.push(a.value);
      else errors[codeOf(a.reason)] = (errors[codeOf(a.reason)] ?? 0) + 1;
    }
    if (dc !== undefined) this.#pendingDatagram.set(arm, connected as DatagramConnected[]);
    else this.#pending.set(arm, connected as Connected[]);
    return { latencies: connected.map((c) => c.handshakeMs), errors };
  }

  async echoGo(arm: string, deadline: number): Promise<EchoClientResult[]> {
    const local = performance.now() + (deadline - epochNow());
    if (this.#datagramConnectors.has(arm)) {
      const peers = this.#pendingDatagram.get(arm) ?? [];
      this.#pendingDatagram.delete(arm);
      return Promise.all(peers.map((c) => datagramEchoLoop(c, this.#window, local)));
    }
    const connected = this.#pending.get(arm) ?? [];
    this.#pending.delete(arm);
    return Promise.all(connected.map((c) => echoLoop(c.socket, this.#chunk, local)));
  }

  async handshakes(arm: string, loops: number, deadline: number): Promise<ConnectLoopResult[]> {
    const local = performance.now() + (deadline - epochNow());
    const dc = this.#datagramConnectors.get(arm);
    if (dc !== undefined) return Promise.all(Array.from({ length: loops }, () => datagramConnectLoop(dc, local)));
    const connect = this.connectorFor(arm);
    return Promise.all(Array.from({ length: loops }, () => connectLoop(connect, local)));
  }

  async resumes(arm: string, loops: number, deadline: number, minimum = 0): Promise<ResumeLoopResult[]> {
    const local = performance.now() + (deadline - epochNow());
    const connect = this.connectorFor(arm);
    return Promise.all(Array.from({ length: loops }, (_, slot) => resumeLoop(connect, slot, local, minimum)));
  }

  threadCpuMs(): Promise<number | null> {
    return Promise.resolve(threadCpuMs());
  }

  async close(): Promise<void> {
    for (const list of this.#pending.values()) for (const c of list) c.socket.destroy();
    this.#pending.clear();
    await Promise.allSettled([...this.#pendingDatagram.values()].flat().map((c) => c.close()));
    this.#pendingDatagram.clear();
  }
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** Clients spread over worker threads, each with a {@link LocalDriver}. */
export class ThreadDriver implements ClientDriver {
  readonly #workers: Worker[];
  readonly #calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    for (const w of workers) {
      w.on('message', (m: Reply) => {
        const call = this.#calls.get(m.id);
        if (!call) return;
        this.#calls.delete(m.id);
        if (m.ok) call.resolve(m.value);
        else call.reject(new Error(m.message));
      });
      w.on('error', (err) => {
        for (const c of this.#calls.values()) c.reject(err);
        this.#calls.clear();
      });
    }
  }

  /** Starts `threads` client workers and sets each up. */
  static async create(setup: DriverSetup, threads: number): Promise<ThreadDriver> {
    const workers = Array.from({ length: threads }, () => new Worker(new URL('./client-worker.js', import.meta.url)));
    const d = new ThreadDriver(workers);
    try {
      await Promise.all(workers.map((_, i) => d.#call(i, 'setup', [setup])));
    } catch (err) {
      await d.close();
      throw err;
    }
    return d;
  }

  #call<T>(worker: number, method: string, args: unknown[]): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#workers[worker]!.postMessage({ id, method, args });
    });
  }

  /** `total` split as evenly as possible over the workers. */
  #shares(total: number): number[] {
    const n = this.#workers.length;
    return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
  }

  async echoConnect(arm: string, clients: number): Promise<EchoConnected> {
    const parts = await Promise.all(this.#shares(clients).map((k, i) => this.#call<EchoConnected>(i, 'echoConnect', [arm, k])));
    const errors: Record<string, number> = {};
    for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    return { latencies: parts.flatMap((p) => p.latencies), errors };
  }

  async echoGo(arm: string, deadline: number): Promise<EchoClientResult[]> {
    const parts = await Promise.all(this.#workers.map((_, i) => this.#call<EchoClientResult[]>(i, 'echoGo', [arm, deadline])));
    return parts.flat();
  }

  async handshakes(arm: string, loops: number, deadline: number): Promise<ConnectLoopResult[]> {
    const parts = await Promise.all(this.#shares(loops).map((k, i) => this.#call<ConnectLoopResult[]>(i, 'handshakes', [arm, k, deadline])));
    return parts.flat();
  }

  async resumes(arm: string, loops: number, deadline: number, minimum = 0): Promise<ResumeLoopResult[]> {
    const parts = await Promise.all(this.#shares(loops).map((k, i) => this.#call<ResumeLoopResult[]>(i, 'resumes', [arm, k, deadline, minimum])));
    return parts.flat();
  }

  async threadCpuMs(): Promise<number | null> {
    const parts = await Promise.all(this.#workers.map((_, i) => this.#call<number | null>(i, 'threadCpuMs', [])));
    return parts.some((p) => p === null) ? null : parts.reduce<number>((s, p) => s + p!, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#workers.map((w) => w.terminate()));
  }
}

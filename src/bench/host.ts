/**
 * Runs the echo servers in-process (`async`) or in a worker thread (`worker`)
 * behind one interface.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { ParallelMode, ServerSpec } from './options.js';
import { startServers, type Endpoint, type ServerContext } from './servers.js';

/** The started servers, by id, and how to stop them. */
export interface ServerHost {
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  /**
   * CPU time the server thread has used so far, ms: null in `async` mode (the servers share the
   * clients' thread) or where per-thread CPU cannot be measured (`threadCpuMs` in cpu.ts).
   */
  threadCpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

/** Starts `specs` in the given mode. */
export async function startHost(mode: ParallelMode, specs: readonly ServerSpec[], ctx: ServerContext): Promise<ServerHost> {
  if (mode === 'async') {
    const servers = await startServers(specs, ctx);
    return {
      endpoints: new Map(servers.map((s) => [s.id, s.endpoint])),
      threadCpuMs: () => Promise.resolve(null),
      close: async () => {
        await Promise.allSettled(servers.map((s) => s.close()));
      },
    };
  }
  const worker = new Worker(new URL('./server-worker.js', import.meta.url), { workerData: { specs, ctx } });
  const ready = await new Promise<Array<{ id: string; endpoint: Endpoint }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`server worker exited early (${code})`)));
    worker.once('message', (msg: { type: string; servers?: Array<{ id: string; endpoint: Endpoint }>; message?: string; code?: string }) => {
      if (msg.type === 'ready' && msg.servers) resolve(msg.servers);
      else reject(Object.assign(new Error(msg.message ?? 'server worker failed'), { code: msg.code }));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', () => undefined);
  let nextId = 1;
  return {
    endpoints: new Map(ready.map((s) => [s.id, s.endpoint])),
    threadCpuMs: () =>
      new Promise<number | null>((resolve) => {
        const id = nextId++;
        const t = setTimeout(() => done(null), 2000);
        const onMessage = (m: { type?: string; id?: number; ms?: number | null }): void => {
          if (m.type === 'cpu' && m.id === id) done(m.ms ?? null);
        };
        const done = (ms: number | null): void => {
          clearTimeout(t);
          worker.off('message', onMessage);
          resolve(ms);
        };
        worker.on('message', onMessage);
        worker.postMessage({ type: 'cpu', id });
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        const onMessage = (m: { type?: string }): void => {
          if (m.type !== 'closed') return;
          clearTimeout(t);
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
      });
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

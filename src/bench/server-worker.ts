/**
 * Worker-thread entry for `--parallel worker`: hosts the echo servers on a
 * second event loop (and core) and reports their endpoints to the parent.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMs } from './cpu.js';
import type { ServerSpec } from './options.js';
import { startServers, type ServerContext } from './servers.js';

interface Data {
  readonly specs: readonly ServerSpec[];
  readonly ctx: ServerContext;
}

const port = parentPort;
if (port !== null) {
  const { specs, ctx } = workerData as Data;
  try {
    const servers = await startServers(specs, ctx);
    port.on('message', (msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'cpu') {
        // This thread's own CPU time: the servers' share of the process's.
        port.postMessage({ type: 'cpu', id: (msg as { id: number }).id, ms: threadCpuMs() });
      } else if (msg === 'close') {
        void Promise.allSettled(servers.map((s) => s.close())).then(() => {
          port.postMessage({ type: 'closed' });
          port.close();
        });
      }
    });
    port.postMessage({ type: 'ready', servers: servers.map((s) => ({ id: s.id, endpoint: s.endpoint })) });
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: unknown }).code });
  }
}

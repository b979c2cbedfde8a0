/**
 * CPU time of the calling thread, so the resumption workload can report the
 * clients' and the server's CPU per handshake separately (`process.cpuUsage()`
 * covers every thread of the process).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** How {@link threadCpuMs} measures, or null where it cannot. */
export type ThreadCpuMethod = 'process.threadCpuUsage' | '/proc/thread-self/schedstat' | null;

type ThreadCpuUsage = () => { user: number; system: number };

function nodeThreadCpuUsage(): ThreadCpuUsage | undefined {
  // Node 22.19+/23.9+ only; not in this project's @types/node.
  const f = (process as unknown as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage;
  return typeof f === 'function' ? f.bind(process) : undefined;
}

function schedstatMs(): number | null {
  try {
    // sum_exec_runtime: nanoseconds this thread has run (user + system), read by the thread itself.
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

/**
 * The method available here: Node's own `process.threadCpuUsage()` where it
 * exists (Node 22 and 24; not Node 20), else Linux's per-thread scheduler
 * statistics (nanosecond run time of the calling thread), else null.
 */
export const THREAD_CPU_METHOD: ThreadCpuMethod = nodeThreadCpuUsage() !== undefined ? 'process.threadCpuUsage' : schedstatMs() !== null ? '/proc/thread-self/schedstat' : null;

/** CPU time (user + system) the calling thread has used so far, in milliseconds, or null where it cannot be measured. */
export function threadCpuMs(): number | null {
  const f = nodeThreadCpuUsage();
  if (f !== undefined) {
    const u = f();
    return (u.user + u.system) / 1000;
  }
  return THREAD_CPU_METHOD === null ? null : schedstatMs();
}

// Proof that a call's work ran on the libuv thread pool, without timing.
import { createHook } from 'node:async_hooks';

/**
 * Runs `start` (which returns a Promise) with an async hook that records the
 * thread-pool requests of the given async_hooks `types` it creates, and their
 * `before` callbacks. A request's `before` fires only when the event loop runs
 * its completion after the pool finished the work; a synchronous crypto job
 * creates the same resource type but never gets one. Nothing here depends on
 * how fast the machine is: while microtasks keep running, the event loop
 * cannot run any completion.
 *
 * @returns {{ value?, error?, created: { type, before }[], settledBeforeLoopTurn: boolean, beforeCallbacksThen: number[] }}
 */
export async function tracePool(types, start) {
  const seen = new Map();
  const hook = createHook({
    init(id, type) {
      if (types.includes(type)) seen.set(id, { type, before: 0 });
    },
    before(id) {
      const r = seen.get(id);
      if (r) r.before++;
    },
  });
  hook.enable();
  try {
    const p = start();
    const created = [...seen.entries()];
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 50; i++) await null;
    const settledBeforeLoopTurn = settled;
    const beforeCallbacksThen = created.map(([, r]) => r.before);
    const outcome = await p.then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    return { ...outcome, created: created.map(([, r]) => ({ ...r })), settledBeforeLoopTurn, beforeCallbacksThen };
  } finally {
    hook.disable();
  }
}

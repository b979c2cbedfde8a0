// A seeded lossy UDP relay on loopback: clients talk to the relay's port, the
// relay talks to the target from one upstream socket per client. Each
// direction independently drops, duplicates, reorders and delays datagrams
// from a seeded PRNG, so a failing run can be replayed with its seed.
import { createSocket } from 'node:dgram';
import { seeded } from './prng.mjs';

/** A seeded source of numbers in [0, 1) (see helpers/prng.mjs). */
export function prng(seed) {
  return seeded(seed).next;
}

/**
 * @param {object} o
 * @param {number} o.targetPort
 * @param {string} [o.targetHost='127.0.0.1']
 * @param {number} [o.seed=1]
 * @param {number} [o.drop=0] probability a datagram is dropped
 * @param {number} [o.duplicate=0] probability a datagram is sent twice
 * @param {number} [o.reorder=0] probability a datagram is held back and sent after the next one
 * @param {number} [o.delayMax=0] uniform random delay in [0, delayMax] ms
 * @param {(dir: 'up'|'down', d: Buffer) => Buffer|null} [o.mutate] optional rewrite hook
 */
export async function startLossyRelay(o) {
  const host = o.targetHost ?? '127.0.0.1';
  const rand = prng(o.seed ?? 1);
  const stats = { up: { in: 0, out: 0, dropped: 0, duplicated: 0, reordered: 0, largest: 0 }, down: { in: 0, out: 0, dropped: 0, duplicated: 0, reordered: 0, largest: 0 } };
  const front = createSocket('udp4');
  const upstreams = new Map();
  const held = { up: new Map(), down: new Map() };
  const timers = new Set();
  let closed = false;

  const emit = (dir, key, send, d) => {
    const s = stats[dir];
    if (o.mutate) {
      d = o.mutate(dir, d);
      if (d === null) return;
    }
    if (rand() < (o.drop ?? 0)) {
      s.dropped++;
      return;
    }
    const copies = rand() < (o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) s.duplicated++;
    const out = (x) => {
      if (closed) return;
      s.out++;
      send(x);
    };
    const later = (x) => {
      const delay = (o.delayMax ?? 0) > 0 ? Math.floor(rand() * o.delayMax) : 0;
      if (delay === 0) return out(x);
      const t = setTimeout(() => {
        timers.delete(t);
        out(x);
      }, delay);
      timers.add(t);
    };
    for (let i = 0; i < copies; i++) {
      const h = held[dir].get(key);
      if (h === undefined && rand() < (o.reorder ?? 0)) {
        s.reordered++;
        held[dir].set(key, d);
        continue;
      }
      later(d);
      if (h !== undefined) {
        held[dir].delete(key);
        later(h);
      }
    }
  };

  front.on('message', (d, rinfo) => {
    stats.up.in++;
    stats.up.largest = Math.max(stats.up.largest, d.length);
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = upstreams.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.bind(0, '127.0.0.1');
      up.on('message', (r) => {
        stats.down.in++;
        stats.down.largest = Math.max(stats.down.largest, r.length);
        emit('down', key, (x) => front.send(x, rinfo.port, rinfo.address), r);
      });
      up.on('error', () => {});
      upstreams.set(key, up);
    }
    const u = up;
    emit('up', key, (x) => u.send(x, o.targetPort, host), d);
  });
  front.on('error', () => {});
  await new Promise((r) => front.bind(0, '127.0.0.1', r));
  return {
    port: front.address().port,
    stats,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const u of upstreams.values()) u.close();
      await new Promise((r) => front.close(r));
    },
  };
}

import assert from 'node:assert/strict';
// Differential stream conformance: connected socket pairs over plain `net`
// (TCP, Unix) and over jsec TLS (TCP, Unix, STARTTLS-upgraded, TLS 1.2), and a
// recorder of each side's observable event trace. A scenario drives a pair and
// returns both traces; the suite compares each TLS trace with the trace of the
// same scenario over `net` on the same kind of transport.
//
// Nothing here waits for time to pass: every step waits for an event.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, listen, upgrade } from 'jsec/tls';
import { getMatrixPki } from './matrix-pki.mjs';

/**
 * The transports. `baseline` names the `net` transport whose traces a TLS
 * transport must reproduce (same kind of socket underneath).
 */
export const TRANSPORTS = Object.freeze({
  'net/tcp': { tls: false, unix: false },
  'net/unix': { tls: false, unix: true },
  'tls/tcp': { tls: true, unix: false, baseline: 'net/tcp' },
  'tls1.2/tcp': { tls: true, unix: false, baseline: 'net/tcp', security: { maxVersion: 'TLSv1.2' } },
  'tls/unix': { tls: true, unix: true, baseline: 'net/unix' },
  'tls/starttls': { tls: true, unix: false, starttls: true, baseline: 'net/tcp' },
});

const LIFECYCLE = ['end', 'finish', 'close', 'error', 'timeout'];

let socketDir;
let socketSeq = 0;
function socketPath() {
  if (!socketDir) {
    socketDir = mkdtempSync(join(tmpdir(), 'jsec-conf-'));
    process.once('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  }
  return join(socketDir, `s${socketSeq++}.sock`);
}

/**
 * A recorder of one socket's observable events. Lifecycle events are
 * recorded from the start; `watch()` adds more. Consecutive `data` events
 * collapse into one entry (chunk boundaries are not part of the contract),
 * and `mark()` inserts what the scenario observed at that point.
 */
export class Trace {
  #log = [];
  #hash = createHash('sha256');
  #bytes = 0;
  #dataWatched = false;
  closed;

  constructor(socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', resolve));
    for (const name of LIFECYCLE) this.watch(name);
  }

  /** Records `name` events from now on (`data` also counts and hashes bytes). */
  watch(name) {
    if (name === 'data') {
      this.#dataWatched = true;
      this.socket.on('data', (chunk) => this.data(chunk));
      return this;
    }
    this.socket.on(name, (arg) => {
      if (name === 'close') this.#log.push(`close(${arg})`);
      else if (name === 'error') this.#log.push(`error:${arg?.code ?? arg?.name}`);
      else this.#log.push(name);
    });
    return this;
  }

  /** Records received bytes that the scenario read itself (read(), for await). */
  data(chunk) {
    this.absorb(chunk);
    if (this.#log.at(-1) !== 'data') this.#log.push('data');
  }

  /** Counts and hashes received bytes without a trace entry (where their timing is not part of the contract). */
  absorb(chunk) {
    this.#bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.#hash.update(chunk);
  }

  mark(label) {
    this.#log.push(`#${label}`);
  }

  get bytes() {
    return this.#bytes;
  }

  get log() {
    return [...this.#log];
  }

  /** The trace to compare: events, and what was received. */
  result() {
    const out = { events: this.log };
    if (this.#bytes > 0 || this.#dataWatched) out.received = { bytes: this.#bytes, sha256: this.#hash.copy().digest('hex') };
    return out;
  }
}

/**
 * A listening endpoint of `transport`, whose `accept()` resolves with the next
 * connected (and, for TLS, handshaken) server-side socket.
 */
export async function openEndpoint(transport, { allowHalfOpen = false } = {}) {
  const spec = TRANSPORTS[transport];
  const pki = await getMatrixPki();
  const path = spec.unix ? socketPath() : undefined;
  const where = path ? { path } : { host: '127.0.0.1', port: 0 };
  const serverTls = { cert: pki.server.p256.cert, key: pki.server.p256.key, allowHalfOpen };
  const clientTls = { ca: pki.ca, servername: 'localhost', allowHalfOpen, ...(spec.security ? { security: spec.security } : {}) };

  if (spec.tls && !spec.starttls) {
    const server = await listen({ ...where, ...serverTls });
    const address = path ?? server.address().port;
    return {
      server,
      accept: () => server.accept(),
      connect: () => (path ? connect({ path, ...clientTls }) : connect({ host: '127.0.0.1', port: address, ...clientTls })),
      close: () => server.close(),
    };
  }

  const server = net.createServer({ allowHalfOpen });
  const queue = [];
  const waiting = [];
  server.on('connection', (socket) => {
    const settled = spec.starttls ? startTlsServer(socket, serverTls) : Promise.resolve(socket);
    const next = waiting.shift();
    if (next) next(settled);
    else queue.push(settled);
  });
  server.listen(path ?? 0, path ? undefined : '127.0.0.1');
  await once(server, 'listening');
  const port = path ? undefined : server.address().port;
  const rawConnect = async () => {
    const socket = path ? net.connect({ path, allowHalfOpen }) : net.connect({ host: '127.0.0.1', port, allowHalfOpen });
    await once(socket, 'connect');
    return socket;
  };
  return {
    server,
    accept: () => (queue.length > 0 ? queue.shift() : new Promise((resolve) => waiting.push(resolve))),
    connect: spec.starttls ? async () => startTlsClient(await rawConnect(), clientTls) : rawConnect,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Reads one CRLF-terminated line and puts back any byte after it. */
async function readLine(socket) {
  let buffered = Buffer.alloc(0);
  for (;;) {
    const chunk = socket.read();
    if (chunk === null) {
      await once(socket, 'readable');
      continue;
    }
    buffered = Buffer.concat([buffered, chunk]);
    const eol = buffered.indexOf('\r\n');
    if (eol >= 0) {
      if (eol + 2 < buffered.length) socket.unshift(buffered.subarray(eol + 2));
      return buffered.subarray(0, eol).toString('latin1');
    }
  }
}

async function startTlsServer(socket, tlsOptions) {
  const line = await readLine(socket);
  if (line !== 'STARTTLS') throw new Error(`unexpected line ${line}`);
  socket.write('220 ready\r\n');
  return upgrade(socket, { ...tlsOptions, isServer: true });
}

async function startTlsClient(socket, { allowHalfOpen, ...tlsOptions }) {
  socket.write('STARTTLS\r\n');
  const line = await readLine(socket);
  if (line !== '220 ready') throw new Error(`unexpected line ${line}`);
  const tlsSocket = await upgrade(socket, { ...tlsOptions, allowHalfOpen, host: '127.0.0.1' });
  assert.equal(tlsSocket.allowHalfOpen, allowHalfOpen, 'upgrade() applies allowHalfOpen in the client role');
  return tlsSocket;
}

/**
 * A connected pair over `transport`: `{ client, server, c, s, endpoint }`
 * where `c` and `s` are the traces of each side; `close()` closes the
 * listener and destroys whatever is still open.
 */
export async function openPair(transport, options = {}) {
  const endpoint = await openEndpoint(transport, options);
  const [server, client] = await Promise.all([endpoint.accept(), endpoint.connect()]);
  return {
    transport,
    endpoint,
    client,
    server,
    c: new Trace(client),
    s: new Trace(server),
    async close() {
      client.destroy();
      server.destroy();
      await endpoint.close().catch(() => {});
    },
  };
}

/** Resolves when `socket` has received exactly `n` bytes (in flowing mode), with them. */
export function receive(socket, n) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let got = 0;
    const onData = (chunk) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Writes `total` bytes of a deterministic pattern in `chunk`-sized writes, honouring backpressure. */
export async function writePattern(socket, total, chunk = 65536) {
  const hash = createHash('sha256');
  let sent = 0;
  while (sent < total) {
    const n = Math.min(chunk, total - sent);
    const buf = pattern(sent, n);
    hash.update(buf);
    sent += n;
    if (!socket.write(buf)) await once(socket, 'drain');
  }
  return hash.digest('hex');
}

/** `n` bytes of the repeating 0..250 pattern, starting at stream offset `offset`. */
export function pattern(offset, n) {
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = (offset + i) % 251;
  return buf;
}

/** Runs `scenario` on `transport` and returns `{ client, server, ...extra }` traces. */
export async function runScenario(scenario, transport) {
  const pair = await openPair(transport, scenario.options);
  try {
    const extra = (await scenario.run(pair)) ?? {};
    await Promise.all([pair.c.closed, pair.s.closed]);
    // Events of the same tick as 'close' (none expected) still land in the trace.
    await new Promise((resolve) => setImmediate(resolve));
    return { client: pair.c.result(), server: pair.s.result(), ...extra };
  } finally {
    await pair.close();
  }
}

// The stream scenarios of the differential conformance suite. Each `run(pair)`
// drives a connected pair (see test/helpers/conformance.mjs), waiting only for
// events, and may return extra observations to compare. The harness then waits
// for both sockets to close and compares each side's trace with `net`'s.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pattern, receive, writePattern } from '../helpers/conformance.mjs';

const MiB = 1024 * 1024;

/** A write that resolves with its callback's error code (or 'ok'). */
const writeCb = (socket, data) => new Promise((resolve) => socket.write(data, (err) => resolve(err?.code ?? 'ok')));

/** Echo: the server returns every byte it receives. */
function echo(socket) {
  socket.on('data', (chunk) => socket.write(chunk));
}

/** Everything a side observes about its own socket once it is closed. */
export function finalState(socket) {
  return {
    destroyed: socket.destroyed,
    readableEnded: socket.readableEnded,
    writableEnded: socket.writableEnded,
    writableFinished: socket.writableFinished,
    readyState: socket.readyState,
    bytesRead: socket.bytesRead,
    bytesWritten: socket.bytesWritten,
  };
}

/** Writes until write() returns false (bounded), returning the bytes written. */
function fillUntilFalse(socket, limit = 512 * MiB) {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let written = 0;
  for (;;) {
    written += chunk.length;
    if (!socket.write(chunk)) return written;
    if (written >= limit) throw new Error('write() never returned false');
  }
}

export const SCENARIOS = [
  {
    name: 'small write, echoed',
    async run({ client, server, c, s }) {
      s.watch('data');
      c.watch('data');
      echo(server);
      client.write('ping');
      assert.equal((await receive(client, 4)).toString(), 'ping');
      client.end();
    },
  },
  {
    name: 'many small writes',
    async run({ client, s }) {
      s.watch('data');
      for (let i = 0; i < 1000; i++) client.write(pattern(i * 10, 10));
      client.end();
    },
  },
  {
    name: 'large single write (4 MiB)',
    async run({ client, c, s }) {
      s.watch('data');
      c.mark(`write returned ${client.write(pattern(0, 4 * MiB))}`);
      c.mark(`writableNeedDrain ${client.writableNeedDrain}`);
      await once(client, 'drain');
      c.mark('drain');
      client.end();
    },
  },
  {
    name: '10 MiB transfer with integrity hash',
    async run({ client, server, c, s }) {
      s.watch('data');
      const sent = await writePattern(client, 10 * MiB);
      client.end();
      await once(server, 'end');
      assert.equal(s.result().received.sha256, sent);
      c.mark('sent');
    },
  },
  {
    name: '2 MiB each way at once',
    async run({ client, server, c, s }) {
      c.watch('data');
      s.watch('data');
      const [a, b] = await Promise.all([writePattern(client, 2 * MiB, 16384), writePattern(server, 2 * MiB, 50000)]);
      assert.equal(a, b);
      await Promise.all([receiveCount(client, c, 2 * MiB), receiveCount(server, s, 2 * MiB)]);
      client.end();
    },
  },
  {
    name: 'backpressure: write() false, then drain',
    counters: false,
    async run({ client, server, c, s }) {
      server.pause();
      let got = 0;
      server.on('data', (chunk) => (got += chunk.length));
      c.watch('drain');
      const written = fillUntilFalse(client);
      c.mark(`writableNeedDrain ${client.writableNeedDrain}`);
      s.mark(`isPaused ${server.isPaused()}`);
      server.resume();
      await once(client, 'drain');
      c.mark(`writableNeedDrain ${client.writableNeedDrain}`);
      client.end();
      await once(server, 'end');
      assert.equal(got, written);
    },
  },
  {
    name: 'half close with allowHalfOpen (client ends first)',
    options: { allowHalfOpen: true },
    async run({ client, server, c, s }) {
      s.watch('data');
      c.watch('data');
      client.write('request');
      client.end();
      await once(server, 'end');
      s.mark(`readyState ${server.readyState}`);
      server.write('response');
      server.end();
      await once(client, 'end');
      c.mark(`readyState ${client.readyState}`);
    },
  },
  {
    name: 'half close with allowHalfOpen (server ends first, client keeps writing)',
    options: { allowHalfOpen: true },
    async run({ client, server, c, s }) {
      s.watch('data');
      c.watch('data');
      server.end('bye');
      await once(client, 'end');
      c.mark(`readyState ${client.readyState}`);
      for (let i = 0; i < 10; i++) client.write(pattern(i, 1000));
      await receiveCount(server, s, 10_000);
      s.mark(`readyState ${server.readyState}`);
      client.end();
    },
  },
  {
    name: 'end(data) without allowHalfOpen: the peer ends too',
    async run({ client, c, s }) {
      s.watch('data');
      c.watch('data');
      client.end('bye');
      await once(client, 'end');
    },
  },
  {
    name: 'server end(data) first',
    async run({ server, c }) {
      c.watch('data');
      server.end('goodbye');
    },
  },
  {
    name: 'write and end callbacks versus finish',
    async run({ client, c, s }) {
      s.watch('data');
      client.write('a', (err) => c.mark(`write cb ${err?.code ?? 'ok'}`));
      client.end('b', (err) => c.mark(`end cb ${err?.code ?? 'ok'}`));
      c.mark('end returned');
    },
  },
  {
    name: 'destroy() after an exchange',
    async run({ client, server, c }) {
      echo(server);
      client.write('x');
      await receive(client, 1);
      client.destroy();
      c.mark(`destroyed ${client.destroyed}`);
    },
  },
  {
    name: 'destroy(err)',
    async run({ client, server }) {
      echo(server);
      client.write('x');
      await receive(client, 1);
      client.destroy(Object.assign(new Error('scenario error'), { code: 'ESCENARIO' }));
    },
  },
  {
    name: 'server destroy() with the client reading',
    async run({ client, server, c }) {
      c.watch('data');
      server.write('last words', () => server.destroy());
      await once(client, 'end');
    },
  },
  {
    name: 'peer reset: closing with unread data',
    counters: false,
    async run({ client, server, c, s }) {
      // The server queues far more than the client's read buffer holds; the
      // client destroys its socket at the first 'readable', so unread bytes
      // remain in its kernel buffer and TCP answers with a reset.
      server.on('data', () => {});
      server.write(Buffer.alloc(4 * MiB, 1));
      await once(client, 'readable');
      client.destroy();
      c.mark('destroyed');
    },
  },
  {
    name: 'resetAndDestroy()',
    async run({ client, server, s }) {
      client.on('data', () => {});
      server.on('data', () => {});
      try {
        server.resetAndDestroy();
        s.mark('reset');
      } catch (err) {
        s.mark(`threw ${err.code}`);
        server.destroy();
      }
    },
  },
  {
    name: 'pause and resume',
    async run({ client, server, s }) {
      s.watch('pause').watch('resume');
      server.pause();
      s.mark(`isPaused ${server.isPaused()}`);
      await writeCb(client, 'abc');
      s.mark(`readableFlowing ${server.readableFlowing}`);
      s.watch('data');
      s.mark(`isPaused ${server.isPaused()}`);
      server.resume();
      s.mark(`isPaused ${server.isPaused()}`);
      await receiveCount(server, s, 3);
      client.end();
    },
  },
  {
    name: 'setEncoding(utf8) across a split character',
    async run({ client, server, s }) {
      server.setEncoding('utf8');
      s.mark(`readableEncoding ${server.readableEncoding}`);
      const euro = Buffer.from('x€y');
      const parts = [];
      server.on('data', (chunk) => {
        parts.push(chunk);
        s.data(chunk);
      });
      await writeCb(client, euro.subarray(0, 2));
      await writeCb(client, euro.subarray(2));
      client.end();
      await once(server, 'end');
      s.mark(`types ${[...new Set(parts.map((p) => typeof p))]}`);
      s.mark(`text ${parts.join('')}`);
    },
  },
  {
    name: 'setEncoding(hex) and setEncoding(base64)',
    async run({ client, server, c, s }) {
      server.setEncoding('hex');
      client.setEncoding('base64');
      let hex = '';
      let b64 = '';
      server.on('data', (chunk) => {
        hex += chunk;
        if (hex.length === 12) server.write(Buffer.from(hex, 'hex'));
      });
      client.on('data', (chunk) => (b64 += chunk));
      // Six bytes: whole base64 quanta, so the decoder holds nothing back.
      client.write('jsec!!');
      await receiveText(() => b64, 'anNlYyEh', client);
      s.mark(`hex ${hex}`);
      c.mark(`base64 ${b64}`);
      client.end();
    },
  },
  {
    name: 'pipe: server echoes by piping the socket to itself',
    async run({ client, server, c }) {
      // The echo arrives while the client still writes: count it, but keep
      // the interleaving (a matter of timing) out of the trace.
      client.on('data', (chunk) => c.absorb(chunk));
      server.pipe(server);
      const sent = await writePattern(client, 256 * 1024, 10_000);
      client.end();
      await once(client, 'end');
      assert.equal(c.result().received.sha256, sent);
    },
  },
  {
    name: 'stream.pipeline into a hashing Writable',
    async run({ client, server, s }) {
      const hash = createHash('sha256');
      const sink = new Writable({ write(chunk, _enc, cb) { hash.update(chunk); cb(); } });
      const done = pipeline(server, sink).then(() => s.mark('pipeline resolved'));
      const sent = await writePattern(client, MiB);
      client.end();
      await done;
      assert.equal(hash.digest('hex'), sent);
    },
  },
  {
    name: 'for await over the socket',
    async run({ client, server, s }) {
      const loop = (async () => {
        for await (const chunk of server) s.data(chunk);
        s.mark('loop done');
      })();
      await writePattern(client, MiB);
      client.end();
      await loop;
    },
  },
  {
    name: 'for await with break destroys the socket',
    async run({ client, server, c, s }) {
      c.watch('data');
      const loop = (async () => {
        for await (const chunk of server) {
          s.data(chunk);
          break;
        }
        s.mark(`after break destroyed ${server.destroyed}`);
      })();
      client.write('one');
      await loop;
    },
  },
  {
    name: 'cork, writes, uncork',
    async run({ client, c, s }) {
      s.watch('data');
      client.cork();
      for (const x of ['a', 'b', 'c']) client.write(x, () => c.mark(`cb ${x}`));
      c.mark(`writableCorked ${client.writableCorked} writableLength ${client.writableLength}`);
      client.uncork();
      c.mark(`writableCorked ${client.writableCorked}`);
      client.end();
    },
  },
  {
    name: 'writev: 100 corked buffers, callbacks in order',
    async run({ client, c, s }) {
      s.watch('data');
      const order = [];
      client.cork();
      for (let i = 0; i < 100; i++) client.write(pattern(i * 100, 100), () => order.push(i));
      c.mark(`writableLength ${client.writableLength}`);
      client.uncork();
      client.end();
      await once(client, 'finish');
      c.mark(`callbacks ${order.length} in order ${order.every((v, i) => v === i)}`);
    },
  },
  {
    name: 'setTimeout fires on an idle socket',
    async run({ client, server, c, s }) {
      c.mark(`initial timeout ${client.timeout}`);
      s.mark(`initial timeout ${server.timeout}`);
      c.mark(`returns this ${client.setTimeout(30) === client}`);
      await once(client, 'timeout');
      c.mark(`timeout ${client.timeout}`);
      client.setTimeout(0);
      c.mark(`timeout ${client.timeout}`);
      client.end();
    },
  },
  {
    name: 'setTimeout callback on the server side',
    async run({ server, s }) {
      await new Promise((resolve) => server.setTimeout(20, resolve));
      s.mark('callback');
      server.setTimeout(0);
      server.end();
    },
  },
  {
    name: 'setNoDelay and setKeepAlive',
    async run({ client, server, c }) {
      echo(server);
      c.mark(`setNoDelay returns this ${client.setNoDelay(true) === client}`);
      c.mark(`setNoDelay(false) returns this ${client.setNoDelay(false) === client}`);
      c.mark(`setKeepAlive returns this ${client.setKeepAlive(true, 1000) === client}`);
      c.mark(`server setNoDelay returns this ${server.setNoDelay() === server}`);
      client.write('ok');
      await receive(client, 2);
      client.end();
    },
  },
  {
    name: 'address(), remoteAddress and ports',
    async run({ client, server, endpoint, c, s }) {
      const listening = endpoint.server.address();
      const describe = (socket, peer) => {
        const a = socket.address();
        return JSON.stringify({
          address: typeof a === 'object' ? { family: a.family, address: a.address, portIsNumber: typeof a.port === 'number' } : a,
          remoteAddress: socket.remoteAddress,
          remoteFamily: socket.remoteFamily,
          localAddress: socket.localAddress,
          remotePortMatchesPeer: socket.remotePort === peer.localPort,
          localPortType: typeof socket.localPort,
        });
      };
      c.mark(describe(client, server));
      s.mark(describe(server, client));
      c.mark(`remotePort is the listening port ${client.remotePort === (typeof listening === 'object' ? listening.port : undefined)}`);
      client.end();
    },
  },
  {
    name: 'bytesRead and bytesWritten',
    async run({ client, server, c, s }) {
      c.mark(`start read ${client.bytesRead} written ${client.bytesWritten}`);
      s.mark(`start read ${server.bytesRead} written ${server.bytesWritten}`);
      await writeCb(client, Buffer.alloc(1000));
      await receive(server, 1000);
      await writeCb(server, Buffer.alloc(2500));
      await receive(client, 2500);
      c.mark(`read ${client.bytesRead} written ${client.bytesWritten}`);
      s.mark(`read ${server.bytesRead} written ${server.bytesWritten}`);
      client.end();
    },
  },
  {
    name: 'ref() and unref()',
    async run({ client, server, c, s }) {
      const active = () => process.getActiveResourcesInfo().length;
      const base = active();
      c.mark(`unref returns this ${client.unref() === client}`);
      c.mark(`active after client unref ${active() - base}`);
      server.unref();
      s.mark(`active after server unref ${active() - base}`);
      c.mark(`ref returns this ${client.ref() === client}`);
      server.ref();
      s.mark(`active after ref ${active() - base}`);
      client.end();
    },
  },
  {
    name: 'server close() with a client connected',
    async run({ client, server, endpoint, c, s }) {
      echo(server);
      let listenerClosed = false;
      const closing = endpoint.close().then(() => {
        listenerClosed = true;
        s.mark(`listener closed, socket destroyed ${server.destroyed}`);
      });
      client.write('still here');
      await receive(client, 10);
      c.mark(`echo after close(), listener closed ${listenerClosed}`);
      client.end();
      await closing;
    },
  },
  {
    name: 'write after end',
    async run({ client, c }) {
      client.end();
      c.mark(`write cb ${await writeCb(client, 'late')}`);
      c.mark(`writable ${client.writable}`);
    },
  },
  {
    name: 'write after destroy',
    async run({ client, c }) {
      client.destroy();
      c.mark(`write cb ${await writeCb(client, 'late')}`);
    },
  },
  {
    name: 'end() twice and destroy() twice',
    async run({ client, server, c }) {
      server.on('data', () => {});
      client.end();
      client.end();
      await once(client, 'finish');
      client.destroy();
      client.destroy();
      c.mark(`destroyed ${client.destroyed}`);
    },
  },
  {
    name: 'readyState through the connection life',
    async run({ client, server, c, s }) {
      server.on('data', () => {});
      c.mark(`readyState ${client.readyState} pending ${client.pending} connecting ${client.connecting}`);
      s.mark(`readyState ${server.readyState}`);
      client.end();
      c.mark(`after end ${client.readyState}`);
      await once(client, 'close');
      c.mark(`after close ${client.readyState}`);
    },
  },
  {
    name: "'readable' and read(n) framing",
    async run({ client, server, s }) {
      const frames = [];
      let head = null;
      server.on('readable', () => {
        for (;;) {
          // read(n) returns null until n bytes are buffered (or the stream ended).
          head ??= server.read(2);
          if (head === null) return;
          const body = server.read(head.readUInt16BE(0));
          if (body === null) return;
          frames.push(body.toString());
          head = null;
        }
      });
      const frame = (text) => {
        const body = Buffer.from(text);
        const head = Buffer.alloc(2);
        head.writeUInt16BE(body.length);
        return Buffer.concat([head, body]);
      };
      const all = Buffer.concat(['alpha', 'beta', 'gamma'.repeat(1000)].map(frame));
      await writeCb(client, all.subarray(0, 3));
      await writeCb(client, all.subarray(3, 9));
      await writeCb(client, all.subarray(9));
      client.end();
      await once(server, 'end');
      s.mark(`frames ${frames.length} ${frames.map((f) => f.length).join(',')}`);
    },
  },
  {
    name: 'all 256 byte values round trip',
    async run({ client, server, c }) {
      c.watch('data');
      echo(server);
      const all = Buffer.alloc(256 * 4);
      for (let i = 0; i < all.length; i++) all[i] = i % 256;
      client.write(all);
      const back = await receive(client, all.length);
      assert.deepEqual(back, all);
      client.end();
    },
  },
  {
    name: 'destroy() with writes pending',
    counters: false,
    async run({ client, server, c }) {
      server.pause();
      server.on('data', () => {});
      fillUntilFalse(client);
      const called = new Promise((resolve) => {
        client.write('queued', (err) => {
          // ECANCELED if the write had reached the handle, ERR_STREAM_DESTROYED
          // if it was still buffered in the stream: which one depends on how
          // much the kernel took (and on the Node line), not on the contract.
          const cancelled = err?.code === 'ECANCELED' || err?.code === 'ERR_STREAM_DESTROYED';
          c.mark(`queued write cb ${cancelled ? 'cancelled' : (err?.code ?? 'ok')}`);
          resolve();
        });
      });
      client.destroy();
      await called;
      server.resume();
    },
  },
  {
    name: 'piping into the socket from a Readable, then end',
    async run({ client, server, s }) {
      s.watch('data');
      const source = new PassThrough();
      source.pipe(client);
      for (let i = 0; i < 10; i++) source.write(pattern(i * 1000, 1000));
      source.end();
      await once(server, 'end');
    },
  },
  {
    name: 'end() while the peer is paused: data, then end, on resume',
    async run({ client, server, s }) {
      server.pause();
      s.watch('data');
      await new Promise((resolve) => client.end(pattern(0, 100_000), resolve));
      s.mark(`isPaused ${server.isPaused()} readableEnded ${server.readableEnded}`);
      server.resume();
      await once(server, 'end');
    },
  },
  {
    name: 'destroySoon()',
    async run({ client, c, s }) {
      s.watch('data');
      client.write('soon');
      client.destroySoon();
      c.mark(`writable ${client.writable} destroyed ${client.destroyed}`);
      await once(client, 'finish');
      c.mark('finished');
    },
  },
  {
    name: 'zero-length writes call back',
    async run({ client, c, s }) {
      s.watch('data');
      c.mark(`empty buffer ${await writeCb(client, Buffer.alloc(0))}`);
      c.mark(`empty string ${await writeCb(client, '')}`);
      c.mark(`then data ${await writeCb(client, 'x')}`);
      client.end();
    },
  },
  {
    name: 'stream properties',
    async run({ client, server, c, s }) {
      for (const [socket, t] of [[client, c], [server, s]]) {
        t.mark(`readableHighWaterMark ${socket.readableHighWaterMark} writableHighWaterMark ${socket.writableHighWaterMark}`);
        t.mark(`objectMode ${socket.readableObjectMode}/${socket.writableObjectMode} allowHalfOpen ${socket.allowHalfOpen}`);
        t.mark(`readable ${socket.readable} writable ${socket.writable} encoding ${socket.readableEncoding}`);
        t.mark(`instanceof net.Socket ${socket instanceof net.Socket} Duplex ${socket instanceof Duplex}`);
      }
      client.end();
    },
  },
  {
    name: 'an HTTP/1.1 exchange over the connected pair',
    async run({ client, server, c, s }) {
      const httpServer = http.createServer((req, res) => {
        s.mark(`request ${req.method} ${req.url}`);
        res.end('hello over http');
      });
      httpServer.emit('connection', server);
      const body = await new Promise((resolve, reject) => {
        // Keep-alive: the client closes the connection itself once it has the
        // response, so no close races the response.
        const req = http.request({ createConnection: () => client, path: '/x', method: 'POST', headers: { connection: 'keep-alive' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        });
        req.on('error', reject);
        req.end('payload');
      });
      c.mark(`response ${body}`);
      client.end();
      httpServer.close();
    },
  },
];

function receiveCount(socket, trace, n) {
  if (trace.bytes >= n) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (trace.bytes >= n) {
        socket.off('data', check);
        resolve();
      }
    };
    socket.on('data', check);
  });
}

async function receiveText(get, expected, socket) {
  while (get().length < expected.length) await once(socket, 'data');
  assert.equal(get(), expected);
}

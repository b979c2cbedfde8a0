/**
 * Echo servers for every arm: node:net for tcp/unix, node:tls and jsec for
 * TLS. The same code runs in the main thread (`async` mode) or in a worker
 * thread (`worker` mode), so a spec and its endpoint are plain data.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { constants as cryptoConstants } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import type { ServerSpec } from './options.js';
import { BENCH_PSK_IDENTITY, BENCH_PSK_KEY_HEX, jsecSecurity, nodeTlsOptions, tlsSettings, type Material, type TlsSettings } from './settings.js';

/** Where a client reaches a server. */
export type Endpoint = { readonly host: string; readonly port: number } | { readonly path: string };

/** A started echo server. */
export interface RunningServer {
  readonly id: string;
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

/** What the servers share. */
export interface ServerContext {
  readonly material: Material;
  readonly settings: TlsSettings;
  /** A private directory for Unix socket files (and the PEM files openssl s_server reads). */
  readonly socketDir: string;
  /** Bytes per UDP datagram on the wire: the DTLS MTU. */
  readonly datagramSize: number;
}

/** A raw node:dgram echo server on 127.0.0.1. */
async function startUdp(spec: ServerSpec): Promise<RunningServer> {
  const s = createSocket('udp4');
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      s.off('error', reject);
      resolve();
    });
  });
  return { id: spec.id, endpoint: { host: '127.0.0.1', port: s.address().port }, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

/** A jsec DTLS echo server (certificate, or PSK for `jsec-psk`) on 127.0.0.1. */
async function startDtls(spec: ServerSpec, ctx: ServerContext): Promise<RunningServer> {
  const { listen } = await import('../dtls/index.js');
  const credentials = spec.impl === 'jsec-psk' ? { pskKeys: { [BENCH_PSK_IDENTITY]: Buffer.from(BENCH_PSK_KEY_HEX, 'hex') } } : { cert: ctx.material.cert, key: ctx.material.key };
  const server = await listen({ host: '127.0.0.1', port: 0, mtu: ctx.datagramSize, maxPeers: 4096, ...credentials });
  server.on('peerError', () => undefined);
  server.on('connection', (peer) => {
    peer.on('error', () => undefined);
    peer.on('message', (m: Buffer) => {
      try {
        peer.post(m);
      } catch {
        // a lost datagram
      }
    });
  });
  return { id: spec.id, endpoint: { host: '127.0.0.1', port: server.address().port }, close: () => server.close() };
}

/** A free UDP port on 127.0.0.1 (bound and released: the caller binds it again at once). */
async function freeUdpPort(): Promise<number> {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `openssl s_server -dtls1_2` (cookie exchange on, one client at a time) with the run's certificate. */
async function startOpenssl(spec: ServerSpec, ctx: ServerContext): Promise<RunningServer> {
  const certFile = join(ctx.socketDir, 'openssl-cert.pem');
  const keyFile = join(ctx.socketDir, 'openssl-key.pem');
  writeFileSync(certFile, ctx.material.cert);
  writeFileSync(keyFile, ctx.material.key, { mode: 0o600 });
  const port = await freeUdpPort();
  const child = spawn('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', certFile, '-key', keyFile, '-mtu', String(ctx.datagramSize + 28), '-naccept', '1000000'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openssl s_server did not start')), 10_000);
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('latin1');
      if (seen.includes('ACCEPT')) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code})`));
    });
  });
  child.removeAllListeners('exit');
  child.on('error', () => undefined);
  return {
    id: spec.id,
    endpoint: { host: '127.0.0.1', port },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

function echo(socket: net.Socket, track: Set<net.Socket>): void {
  track.add(socket);
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => track.delete(socket));
  socket.pipe(socket);
}

function endpointOf(server: Pick<net.Server, 'address'>, path: string | undefined): Endpoint {
  if (path !== undefined) return { path };
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('server has no TCP address');
  return { host: a.address, port: a.port };
}

function listenNet(server: net.Server, path: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (path !== undefined) server.listen({ path, backlog: 1024 }, done);
    else server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, done);
  });
}

function closer(server: net.Server, open: Set<net.Socket>, path: string | undefined): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => {
        if (path !== undefined) rmSync(path, { force: true });
        resolve();
      });
    });
}

/** Starts one echo server. */
export async function startServer(spec: ServerSpec, ctx: ServerContext): Promise<RunningServer> {
  if (spec.impl === 'dgram') return startUdp(spec);
  if (spec.impl === 'openssl') return startOpenssl(spec, ctx);
  if (spec.transport === 'dtls') return startDtls(spec, ctx);
  const unix = spec.transport === 'unix' || spec.transport === 'unix-tls';
  const path = unix ? join(ctx.socketDir, `${spec.id.replace(/[^a-z0-9]+/gi, '-')}.sock`) : undefined;
  const open = new Set<net.Socket>();
  const settings = spec.tlsVersion !== undefined ? tlsSettings(spec.tlsVersion) : ctx.settings;
  if (spec.impl === 'net') {
    const server = net.createServer({ noDelay: true }, (s) => echo(s, open));
    await listenNet(server, path);
    return { id: spec.id, endpoint: endpointOf(server, path), close: closer(server, open, path) };
  }
  if (spec.impl === 'node') {
    const server = tls.createServer(
      {
        cert: ctx.material.cert,
        key: ctx.material.key,
        ...nodeTlsOptions(settings),
        // Full handshakes only (unless this server is the one with tickets): the handshake-rate arms
        // compare handshake cost, not resumption.
        ...(spec.tickets === true ? {} : { secureOptions: cryptoConstants.SSL_OP_NO_TICKET }),
      },
      (s) => echo(s, open),
    );
    server.on('tlsClientError', () => undefined);
    await listenNet(server, path);
    return { id: spec.id, endpoint: endpointOf(server, path), close: closer(server, open, path) };
  }
  const { listen } = await import('../tls/index.js');
  const server = await listen({
    ...(path !== undefined ? { path } : { host: '127.0.0.1', port: 0 }),
    cert: ctx.material.cert,
    key: ctx.material.key,
    // Full handshakes only, as on the node:tls server (no tickets, no session-ID cache), unless this
    // server is one with tickets: then jsec's defaults (tickets with rotating keys, session-ID cache).
    security: spec.tickets === true ? jsecSecurity(settings) : { ...jsecSecurity(settings), sessionTickets: false, sessionCacheSize: 0 },
  });
  server.on('tlsClientError', () => undefined);
  server.on('error', () => undefined);
  void (async () => {
    try {
      for await (const s of server) echo(s, open);
    } catch {
      // The server was closed.
    }
  })();
  return {
    id: spec.id,
    endpoint: endpointOf(server, path),
    close: async () => {
      for (const s of open) s.destroy();
      await server.close();
      if (path !== undefined) rmSync(path, { force: true });
    },
  };
}

/** Starts every server; on failure closes those already started. */
export async function startServers(specs: readonly ServerSpec[], ctx: ServerContext): Promise<RunningServer[]> {
  const started: RunningServer[] = [];
  try {
    for (const s of specs) started.push(await startServer(s, ctx));
    return started;
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}

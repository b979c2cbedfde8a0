/**
 * Echo servers for every arm: node:net for tcp/unix, node:tls and jsec for
 * TLS. The same code runs in the main thread (`async` mode) or in a worker
 * thread (`worker` mode), so a spec and its endpoint are plain data.
 *
 * @module
 */
import { constants as cryptoConstants } from 'node:crypto';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import type { ServerSpec } from './options.js';
import { jsecSecurity, nodeTlsOptions, type Material, type TlsSettings } from './settings.js';

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
  /** A private directory for Unix socket files. */
  readonly socketDir: string;
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
  const unix = spec.transport === 'unix' || spec.transport === 'unix-tls';
  const path = unix ? join(ctx.socketDir, `${spec.id.replace(/[^a-z0-9]+/gi, '-')}.sock`) : undefined;
  const open = new Set<net.Socket>();
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
        ...nodeTlsOptions(ctx.settings),
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
    // Full handshakes only, as on the node:tls server: no tickets, no session-ID cache.
    security: { ...jsecSecurity(ctx.settings), sessionTickets: false, sessionCacheSize: 0 },
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

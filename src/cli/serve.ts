/**
 * `jsec serve`: a TLS echo server. Without `--cert`/`--key` it generates a
 * self-signed certificate in memory and writes only the certificate (never
 * the key) to a private temporary directory, so a client can trust it.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_TYPES, generateSelfSigned, type KeyType } from '../cert/index.js';
import { info, listen, type HandshakeErrorDetails } from '../tls/index.js';
import { choice, EXIT, formatTarget, integer, list, parse, readOptionFile, tlsVersion, UsageError, type Target } from './args.js';
import { certificateView } from './format.js';

export const SERVE_HELP = `Usage: jsec serve [options]

A TLS echo server: every byte a client sends comes back. Without --cert/--key
it generates a self-signed certificate in memory (for localhost, 127.0.0.1 and
::1, plus --host), prints its SHA-256 fingerprint, writes the certificate (not
the key) to a temporary file, and prints the jsec connect command that trusts
it. Ctrl-C closes the server and removes the file.

Options:
  --host H          address to listen on (default 127.0.0.1)
  --port N          TCP port, 0 for any free port (default 8443)
  --unix PATH       listen on a Unix socket instead of TCP
  --cert FILE       certificate chain (PEM), with --key
  --key FILE        private key (PEM), with --cert
  --key-type T      key type of the generated certificate: ${KEY_TYPES.join(', ')}
                    (default ec-p256)
  --alpn LIST       ALPN protocols to accept, comma-separated (e.g. h2,http/1.1)
  --min-version V   lowest TLS version: 1.2 or 1.3 (default 1.2)
  --max-version V   highest TLS version: 1.2 or 1.3 (default 1.3)
  --quiet           no per-connection log lines
  -h, --help        this help

The line 'listening on ADDRESS' (ADDRESS as jsec connect takes it) is printed
once the server accepts connections.`;

function invocation(): string {
  return process.env.npm_command === 'exec' ? 'npx jsec' : 'jsec';
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/** Runs `jsec serve` until SIGINT/SIGTERM. */
export async function serve(argv: readonly string[]): Promise<number> {
  const { values } = parse('serve', argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    unix: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'key-type': { type: 'string' },
    alpn: { type: 'string', multiple: true },
    'min-version': { type: 'string' },
    'max-version': { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    console.log(SERVE_HELP);
    return EXIT.ok;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('serve', '--cert and --key go together');
  if (values.cert !== undefined && values['key-type'] !== undefined) throw new UsageError('serve', '--key-type applies only to a generated certificate, not with --cert/--key');
  if (values.unix !== undefined && (values.host !== undefined || values.port !== undefined)) throw new UsageError('serve', '--unix cannot be combined with --host/--port');
  const host = values.host ?? '127.0.0.1';
  const port = integer('serve', 'port', values.port, 8443, 0, 65535);
  const keyType: KeyType = choice('serve', 'key-type', values['key-type'], KEY_TYPES) ?? 'ec-p256';
  const alpn = list(values.alpn);
  const minVersion = tlsVersion('serve', 'min-version', values['min-version']);
  const maxVersion = tlsVersion('serve', 'max-version', values['max-version']);
  const quiet = values.quiet === true;

  let cert: string;
  let key: string;
  let tempDir: string | undefined;
  let caFile: string | undefined;
  if (values.cert !== undefined && values.key !== undefined) {
    cert = readOptionFile('serve', 'cert', values.cert);
    key = readOptionFile('serve', 'key', values.key);
  } else {
    const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
    const wildcard = host === '0.0.0.0' || host === '::';
    if (!wildcard && values.unix === undefined) names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
    const g = await generateSelfSigned({ commonName: 'localhost', san: [...names], keyType, days: 30 });
    cert = g.cert;
    key = g.key;
  }

  const security = { ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}) };
  const server = await listen({
    ...(values.unix !== undefined ? { path: values.unix } : { host, port }),
    cert,
    key,
    ...(alpn.length > 0 ? { ALPNProtocols: alpn } : {}),
    ...(Object.keys(security).length > 0 ? { security } : {}),
  });

  const open = new Set<Socket>();
  // Handlers first: a signal that arrives after the 'listening on' line must find them.
  let stopping = false;
  const done = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      if (stopping) {
        process.exit(130);
      }
      stopping = true;
      console.log(`${signal}: closing (${open.size} open connection(s))`);
      for (const s of open) s.destroy();
      void server.close().finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

  if (values.cert === undefined) {
    // Written only once the server is up, so a failed listen leaves nothing behind.
    tempDir = mkdtempSync(join(tmpdir(), 'jsec-serve-'));
    caFile = join(tempDir, 'cert.pem');
    writeFileSync(caFile, cert, { mode: 0o644 });
  }
  const addr = server.address();
  const bound: Target =
    values.unix !== undefined ? { kind: 'unix', path: values.unix } : typeof addr === 'object' && addr !== null ? { kind: 'tcp', host: addr.address, port: addr.port } : { kind: 'tcp', host, port };
  const reach: Target = bound.kind === 'tcp' && (bound.host === '0.0.0.0' || bound.host === '::') ? { ...bound, host: bound.host === '::' ? '::1' : '127.0.0.1' } : bound;
  const view = certificateView(cert);
  const cmd = invocation();
  const sni = reach.kind === 'unix' ? ' --servername localhost' : '';
  console.log(`jsec serve: TLS echo server`);
  console.log(`listening on ${formatTarget(bound)}`);
  console.log(`certificate: ${view.subject}; SANs ${view.subjectAltNames.join(', ')}; ${view.publicKey}; ${caFile ? 'self-signed, generated in memory' : values.cert}`);
  console.log(`SHA-256 fingerprint: ${view.fingerprint256}`);
  if (caFile !== undefined) {
    console.log(`trust anchor (the certificate only, no key) written to ${caFile}; removed on exit`);
    console.log('');
    console.log('connect and verify the server:');
    console.log(`  ${cmd} connect ${formatTarget(reach)} --ca ${caFile}${sni} --send hello`);
    console.log('or connect without verifying who the server is (testing only):');
    console.log(`  ${cmd} connect ${formatTarget(reach)} --insecure --send hello`);
  } else {
    console.log(`connect with: ${cmd} connect ${formatTarget(reach)} --ca <issuer certificate>${sni} --send hello`);
  }
  console.log('Ctrl-C stops the server.');

  server.on('handshakeError', (err: Error & { code?: string }, details: HandshakeErrorDetails) => {
    if (quiet) return;
    const from = details.remoteAddress !== undefined ? `${details.remoteAddress}:${details.remotePort}` : 'unix';
    console.log(`${stamp()} ${from} handshake failed: ${err.code ?? 'ERROR'} ${err.message}`);
  });

  void (async () => {
    try {
      for await (const socket of server) {
        open.add(socket);
        const i = info(socket);
        const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
        if (!quiet) {
          console.log(`${stamp()} ${peer} connected: ${i.protocol} ${i.cipher.standardName}${i.alpnProtocol ? ` alpn=${i.alpnProtocol}` : ''}${i.servername ? ` sni=${i.servername}` : ''}${i.resumed ? ' resumed' : ''}`);
        }
        let echoed = 0;
        socket.on('data', (d: Buffer) => {
          echoed += d.length;
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          open.delete(socket);
          if (!quiet && !stopping) console.log(`${stamp()} ${peer} closed after echoing ${echoed} byte(s)`);
        });
        socket.pipe(socket);
      }
    } catch {
      // The iterator ends when the server closes.
    }
  })();

  await done;
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  console.log('closed');
  return EXIT.ok;
}

/**
 * Key logging for debugging (NSS key log format, what Wireshark reads), only
 * through the `dangerouslyLogKeys` option. jsec never reads `SSLKEYLOGFILE`.
 *
 * @module
 */
import type { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';

/** Where key log lines go: a writable stream or a function (one NSS line per call, newline included). */
export type KeyLogSink = Writable | ((line: Buffer) => void);

/** @internal */
export const KEYLOG_RULE = { type: 'oneOf', rules: [{ type: 'function' }, { type: 'instance', of: Writable, label: 'a Writable stream' }] } as const;

let warned = false;

function warn(): void {
  if (warned) return;
  warned = true;
  process.emitWarning('jsec: TLS key logging is on (dangerouslyLogKeys); anyone reading the log can decrypt the traffic.', { code: 'JSEC_DANGEROUS_KEYLOG' });
}

function writer(sink: KeyLogSink): (line: Buffer) => void {
  return typeof sink === 'function' ? sink : (line) => sink.write(line);
}

/** Sends a client socket's key log lines to `sink`. @internal */
export function attachClientKeylog(socket: EventEmitter, sink: KeyLogSink): void {
  warn();
  const w = writer(sink);
  socket.on('keylog', (line: Buffer) => w(line));
}

/** Sends a server's key log lines (every connection) to `sink`. @internal */
export function attachServerKeylog(server: EventEmitter, sink: KeyLogSink): void {
  warn();
  const w = writer(sink);
  server.on('keylog', (line: Buffer) => w(line));
}

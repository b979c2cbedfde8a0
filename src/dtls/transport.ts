/**
 * Datagram transports for DtlsSocket: a connected UDP socket (client,
 * upgrade) or one peer of a server's shared socket.
 *
 * @internal
 * @module
 */
import type { Socket as DgramSocket, RemoteInfo } from 'node:dgram';
import { debuglog } from 'node:util';
import type { DatagramTransport } from './socket.js';

const debug = debuglog('jsec');
function logSendError(err: Error | null): void {
  if (err) debug('dtls send failed: %s', err.message);
}

function postOn(socket: DgramSocket, datagram: Uint8Array, port?: number, address?: string): void {
  try {
    if (port === undefined) socket.send(datagram, logSendError);
    else socket.send(datagram, port, address, logSendError);
  } catch (err) {
    logSendError(err as Error);
  }
}

/** Without a callback node:dgram skips a tick per datagram; a failure becomes the socket's 'error' event (loss, for UDP). */
function pushOn(socket: DgramSocket, datagram: Uint8Array, port?: number, address?: string): void {
  try {
    if (port === undefined) socket.send(datagram);
    else socket.send(datagram, port, address);
  } catch (err) {
    logSendError(err as Error);
  }
}

function sendOn(socket: DgramSocket, datagram: Uint8Array, port?: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null): void => (err ? reject(err) : resolve());
    try {
      if (port === undefined) socket.send(datagram, cb);
      else socket.send(datagram, port, address, cb);
    } catch (err) {
      reject(err);
    }
  });
}

/** A connected UDP socket that the association owns. */
export class ConnectedTransport implements DatagramTransport {
  readonly #socket: DgramSocket;
  readonly #owned: boolean;
  #closed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;

  constructor(socket: DgramSocket, owned: boolean) {
    this.#socket = socket;
    this.#owned = owned;
    const r = socket.remoteAddress();
    this.remoteAddress = r.address;
    this.remotePort = r.port;
    this.remoteFamily = r.family;
  }

  get localAddress(): string | undefined {
    try {
      return this.#socket.address().address;
    } catch {
      return undefined;
    }
  }

  get localPort(): number | undefined {
    try {
      return this.#socket.address().port;
    } catch {
      return undefined;
    }
  }

  send(datagram: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return sendOn(this.#socket, datagram);
  }

  post(datagram: Uint8Array): void {
    if (!this.#closed) postOn(this.#socket, datagram);
  }

  push(datagram: Uint8Array): void {
    if (!this.#closed) pushOn(this.#socket, datagram);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) {
      // Let queued sends (close_notify) leave before the socket closes.
      setImmediate(() => {
        try {
          this.#socket.close();
        } catch {
          // already closed
        }
      });
    }
  }
}

/** One peer on a server's shared socket. */
export class PeerTransport implements DatagramTransport {
  readonly #socket: DgramSocket;
  readonly #onClose: () => void;
  #closed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;

  constructor(socket: DgramSocket, rinfo: RemoteInfo, onClose: () => void) {
    this.#socket = socket;
    this.remoteAddress = rinfo.address;
    this.remotePort = rinfo.port;
    this.remoteFamily = rinfo.family;
    this.#onClose = onClose;
  }

  get localAddress(): string | undefined {
    try {
      return this.#socket.address().address;
    } catch {
      return undefined;
    }
  }

  get localPort(): number | undefined {
    try {
      return this.#socket.address().port;
    } catch {
      return undefined;
    }
  }

  send(datagram: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return sendOn(this.#socket, datagram, this.remotePort, this.remoteAddress);
  }

  post(datagram: Uint8Array): void {
    if (!this.#closed) postOn(this.#socket, datagram, this.remotePort, this.remoteAddress);
  }

  push(datagram: Uint8Array): void {
    if (!this.#closed) pushOn(this.#socket, datagram, this.remotePort, this.remoteAddress);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }
}

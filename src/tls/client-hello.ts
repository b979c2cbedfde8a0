/**
 * Reads a TLS ClientHello off a freshly accepted transport without consuming
 * it: the bytes are put back (`unshift`) so `node:tls` sees them unchanged.
 * Only the server name and the ALPN offer are extracted; anything that does
 * not parse is handed to OpenSSL as is, which then fails the handshake with
 * its own typed error.
 *
 * @internal
 * @module
 */
import type { Duplex } from 'node:stream';
import { defaults } from '../config/defaults.js';

/** What the ClientHello offers. */
export interface ClientHelloInfo {
  /** The SNI host name, if one was sent and is sane (at most 255 bytes, printable). */
  readonly servername: string | undefined;
  /** The ALPN protocols offered, in the client's order. */
  readonly alpnProtocols: readonly string[];
  /** Whether a ClientHello was parsed at all. */
  readonly parsed: boolean;
}

const EMPTY: ClientHelloInfo = Object.freeze({ servername: undefined, alpnProtocols: Object.freeze([]), parsed: false });

/** Parses the handshake body of a ClientHello (type and length already stripped). */
export function parseClientHelloBody(b: Buffer): ClientHelloInfo {
  let p = 2 + 32; // legacy_version, random
  const need = (n: number) => {
    if (p + n > b.length) throw new RangeError('short');
  };
  need(1);
  p += 1 + b[p]!; // session id
  need(2);
  p += 2 + b.readUInt16BE(p); // cipher suites
  need(1);
  p += 1 + b[p]!; // compression methods
  if (p === b.length) return { servername: undefined, alpnProtocols: [], parsed: true };
  need(2);
  const end = p + 2 + b.readUInt16BE(p);
  p += 2;
  if (end > b.length) throw new RangeError('short');
  let servername: string | undefined;
  const alpn: string[] = [];
  while (p + 4 <= end) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    const ext = b.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    if (p > end) throw new RangeError('short');
    if (type === 0 && ext.length >= 5 && ext[2] === 0) {
      const n = ext.readUInt16BE(3);
      if (n <= 255 && 5 + n <= ext.length) {
        const name = ext.subarray(5, 5 + n).toString('latin1');
        if (/^[\x21-\x7e]+$/.test(name)) servername = name.toLowerCase();
      }
    } else if (type === 16 && ext.length >= 2) {
      let q = 2;
      const listEnd = Math.min(ext.length, 2 + ext.readUInt16BE(0));
      while (q < listEnd && alpn.length < 64) {
        const n = ext[q]!;
        if (n === 0 || q + 1 + n > listEnd) break;
        alpn.push(ext.subarray(q + 1, q + 1 + n).toString('latin1'));
        q += 1 + n;
      }
    }
  }
  return Object.freeze({ servername, alpnProtocols: Object.freeze(alpn), parsed: true });
}

/**
 * Tries to parse a ClientHello from the records in `data`.
 * Returns undefined while more bytes are needed, EMPTY when it is not one.
 */
function tryParse(data: Buffer, max: number): ClientHelloInfo | undefined {
  const body: Buffer[] = [];
  let have = 0;
  let p = 0;
  while (p + 5 <= data.length) {
    if (data[p] !== 22 || data[p + 1] !== 3) return EMPTY;
    const len = data.readUInt16BE(p + 3);
    if (len === 0 || len > 16_384 + 2048) return EMPTY;
    if (p + 5 + len > data.length) break;
    body.push(data.subarray(p + 5, p + 5 + len));
    have += len;
    p += 5 + len;
    const hs = Buffer.concat(body, have);
    if (hs.length >= 4) {
      if (hs[0] !== 1) return EMPTY;
      const msgLen = hs.readUIntBE(1, 3);
      if (msgLen > max) return EMPTY;
      if (hs.length >= 4 + msgLen) {
        try {
          return parseClientHelloBody(hs.subarray(4, 4 + msgLen));
        } catch {
          return EMPTY;
        }
      }
    }
  }
  if (data.length >= max + 5 * 8) return EMPTY;
  if (data.length >= 1 && data[0] !== 22) return EMPTY;
  return undefined;
}

/**
 * Reads the ClientHello from `raw`, puts the bytes back and resolves with
 * what it offers. Never rejects: on timeout, end, error or bytes that are not
 * a ClientHello it resolves with an empty result (the handshake then fails
 * or proceeds in OpenSSL as it would have).
 */
export function peekClientHello(raw: Duplex, timeoutMs: number): Promise<ClientHelloInfo> {
  const max = defaults.tlsAdvanced.maxClientHelloSize;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: ClientHelloInfo) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('error', onEnd);
      raw.removeListener('close', onEnd);
      raw.pause();
      if (size > 0 && !raw.destroyed) raw.unshift(Buffer.concat(chunks, size));
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const r = tryParse(Buffer.concat(chunks, size), max);
      if (r !== undefined) finish(r);
    };
    const onEnd = () => finish(EMPTY);
    const timer = setTimeout(onEnd, timeoutMs);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('error', onEnd);
    raw.once('close', onEnd);
  });
}

/**
 * Memory the native engines write into on the hot path, one set per thread:
 * sealed datagrams go straight into a send slab and plaintext straight into a
 * receive slab. Both are handed out as views and never reused (a queued send
 * keeps its bytes; a message a caller keeps stays intact): a slab is replaced
 * when full, as Node replaces the `Buffer.allocUnsafe` pool. The receive slab
 * is as small as that pool's double, so a kept message pins at most 16 KiB.
 *
 * @internal
 * @module
 */

// Flags in `status[0]` after `NativeEngine.receive()`.

/** Call again: no room or no length slot was left. */
export const RECEIVE_MORE = 1;
/** Datagrams to send are queued (take them with `output()`). */
export const RECEIVE_OUTPUT = 2;
/** close_notify arrived. */
export const RECEIVE_PEER_CLOSED = 4;
/** The inbound queue was full: the datagram was dropped. */
export const RECEIVE_DROPPED = 8;

/** `status[0]` flags, `status[1]` room needed, `status[2 + i]` message lengths. */
export const STATUS_HEADER = 2;
const STATUS_SLOTS = 64;
const SEND_SLAB = 64 * 1024;
const RECEIVE_SLAB = 16 * 1024;

/** Per-call results of `receive()`. */
export const status = new Int32Array(STATUS_HEADER + STATUS_SLOTS);

let inSlab = Buffer.allocUnsafeSlow(RECEIVE_SLAB);
let inUsed = 0;
let slab = Buffer.allocUnsafeSlow(SEND_SLAB);
let slabUsed = 0;

/**
 * The receive slab, with at least `room` bytes free from {@link receiveOffset}
 * (a datagram's messages never take more room than the datagram).
 */
export function receiveSlab(room: number): Buffer {
  if (inSlab.length - inUsed < room) {
    inSlab = Buffer.allocUnsafeSlow(Math.max(RECEIVE_SLAB, room));
    inUsed = 0;
  }
  return inSlab;
}

/** Where the next message goes in the receive slab. */
export function receiveOffset(): number {
  return inUsed;
}

/** The `length` bytes of the next message read at {@link receiveOffset}, as a Buffer that is never reused. */
export function takeReceived(length: number): Buffer {
  const m = Buffer.from(inSlab.buffer, inSlab.byteOffset + inUsed, length);
  inUsed += length;
  return m;
}

/**
 * The send slab, with at least `room` bytes free from {@link sendOffset}
 * (a new slab when not: datagrams already handed out keep the old one).
 */
export function sendSlab(room: number): Buffer {
  if (slab.length - slabUsed < room) {
    slab = Buffer.allocUnsafeSlow(Math.max(SEND_SLAB, room));
    slabUsed = 0;
  }
  return slab;
}

/** Where the next datagram goes in the send slab. */
export function sendOffset(): number {
  return slabUsed;
}

/** The `size` bytes just written at {@link sendOffset}, as a view that is never reused. */
export function takeSent(size: number): Uint8Array {
  const d = new Uint8Array(slab.buffer, slab.byteOffset + slabUsed, size);
  slabUsed += size;
  return d;
}

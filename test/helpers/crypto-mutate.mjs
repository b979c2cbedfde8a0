// Seeded byte-string mutations for the crypto fuzz tests: bit flips, random
// bytes, truncation, insertion, deletion, duplication and ASN.1 length
// tampering, one to three per input. The same seed gives the same sequence.
import { seeded } from './prng.mjs';

/** A mutate(input) function drawing from the seeded PRNG. */
export function mutator(seed) {
  const r = seeded(seed).next;
  const int = (n) => Math.floor(r() * n);
  const ops = [
    (b) => { b[int(b.length)] ^= 1 << int(8); return b; },
    (b) => { for (let i = 0, n = 1 + int(8); i < n; i++) b[int(b.length)] = int(256); return b; },
    (b) => b.subarray(0, int(b.length)),
    (b) => { const i = int(b.length); return Buffer.concat([b.subarray(0, i), Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256))), b.subarray(i)]); },
    (b) => { const i = int(b.length); return Buffer.concat([b.subarray(0, i), b.subarray(i + 1 + int(32))]); },
    (b) => { const i = int(b.length); const j = int(b.length); return Buffer.concat([b.subarray(0, i), b.subarray(j, j + int(64)), b.subarray(i)]); },
    // ASN.1 length tampering: the byte after a tag-looking byte
    (b) => { for (let k = 0; k < 20; k++) { const i = int(b.length - 1); if ([0x30, 0x04, 0x02, 0x03, 0xa0].includes(b[i])) { b[i + 1] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff][int(6)]; break; } } return b; },
  ];
  return (input) => {
    let b = Buffer.from(input);
    for (let i = 0, n = 1 + int(3); i < n && b.length > 0; i++) b = Buffer.from(ops[int(ops.length)](b));
    return b;
  };
}

/**
 * The signature without its first byte, never a valid signature: an RSA
 * signature whose first byte is zero is the same number without it, and
 * OpenSSL's PSS check accepts that shorter form (PKCS#1 v1.5 insists on the
 * modulus length), so then a bit of the rest is flipped too.
 */
export function withoutFirstByte(sig) {
  const out = Buffer.from(sig.subarray(1));
  if (sig[0] === 0 && out.length > 0) out[out.length - 1] ^= 1;
  return out;
}

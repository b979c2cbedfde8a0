/**
 * EC point arithmetic on P-256, P-384, P-521 and secp256k1 (the addon):
 * random scalars, k·G and k·P, P + Q, and SEC1 encoding. Points are
 * validated on every entry: wrong length or prefix, not on the curve, or the
 * point at infinity are errors.
 *
 * @module
 */
import { validateOptions } from '../config/validate.js';
import { native } from '../native/loader.js';
import { asBuffer, CURVES, fail, OPENSSL_CURVE, oneOf, type Bytes, type Curve } from './internal.js';
import { checkPointBytes } from './keys.js';

export type { Curve } from './internal.js';

/** An affine point: fixed-width big-endian coordinates. */
export interface EcPoint {
  /** The x coordinate, big-endian, the curve's field size wide. */
  readonly x: Buffer;
  /** The y coordinate, big-endian, the curve's field size wide. */
  readonly y: Buffer;
}

/** A point as an {@link EcPoint} or SEC1 bytes (compressed `02|03 || x`, uncompressed `04 || x || y`). */
export type EcPointInput = EcPoint | Bytes;

const sizes = new Map<Curve, { scalarBytes: number; fieldBytes: number }>();
function curveArgs(curve: unknown): { c: Curve; name: string; scalarBytes: number; fieldBytes: number } {
  const c = oneOf('curve', curve, CURVES);
  const name = OPENSSL_CURVE[c];
  let s = sizes.get(c);
  if (!s) {
    const i = native().ecCurveInfo(name);
    s = { scalarBytes: i.scalarBytes, fieldBytes: i.fieldBytes };
    sizes.set(c, s);
  }
  return { c, name, ...s };
}

function pointBytes(path: string, cv: ReturnType<typeof curveArgs>, p: unknown): Buffer {
  if (p !== null && typeof p === 'object' && 'x' in p && 'y' in p) {
    const x = asBuffer(`${path}.x`, (p as EcPoint).x);
    const y = asBuffer(`${path}.y`, (p as EcPoint).y);
    if (x.length !== cv.fieldBytes || y.length !== cv.fieldBytes) {
      throw fail('ERR_JSEC_CRYPTO_INVALID_POINT', `${cv.c} coordinates are ${cv.fieldBytes} bytes each`, { option: path, expected: cv.fieldBytes });
    }
    return Buffer.concat([Buffer.from([4]), x, y]);
  }
  return checkPointBytes(cv.c, asBuffer(path, p), cv.fieldBytes);
}

function toPoint(cv: ReturnType<typeof curveArgs>, uncompressed: Buffer): EcPoint {
  const f = cv.fieldBytes;
  return Object.freeze({ x: uncompressed.subarray(1, 1 + f), y: uncompressed.subarray(1 + f) });
}

function scalarBytes(cv: ReturnType<typeof curveArgs>, scalar: unknown): Buffer {
  const k = asBuffer('scalar', scalar);
  if (k.length !== cv.scalarBytes) {
    throw fail('ERR_JSEC_CRYPTO_INVALID_SCALAR', `${cv.c} scalars are ${cv.scalarBytes} bytes (big-endian), not ${k.length}`, { expected: cv.scalarBytes, actual: k.length });
  }
  return k;
}

/** A uniformly random scalar in [1, n−1], fixed-width big-endian. */
export function ecGenerateScalar(curve: Curve): Buffer {
  return native().ecRandomScalar(curveArgs(curve).name);
}

/**
 * k·P, or k·G (the generator) when `point` is omitted.
 *
 * @param scalar - fixed-width big-endian, in [1, n−1].
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_SCALAR`, `ERR_JSEC_CRYPTO_INVALID_POINT`, `ERR_JSEC_CRYPTO_POINT_AT_INFINITY`
 */
export function ecPointMul(curve: Curve, scalar: Bytes, point?: EcPointInput): EcPoint {
  const cv = curveArgs(curve);
  const k = scalarBytes(cv, scalar);
  const p = point === undefined ? null : pointBytes('point', cv, point);
  return toPoint(cv, native().ecPointMul(cv.name, k, p, false));
}

/**
 * P + Q.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_POINT`, `ERR_JSEC_CRYPTO_POINT_AT_INFINITY` (P = −Q)
 */
export function ecPointAdd(curve: Curve, a: EcPointInput, b: EcPointInput): EcPoint {
  const cv = curveArgs(curve);
  return toPoint(cv, native().ecPointAdd(cv.name, pointBytes('a', cv, a), pointBytes('b', cv, b), false));
}

/**
 * SEC1 encoding of a point: uncompressed (`04 || x || y`, default) or compressed (`02|03 || x`).
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_POINT`
 */
export function ecPointToBytes(curve: Curve, point: EcPointInput, options?: { compressed?: boolean }): Buffer {
  const cv = curveArgs(curve);
  const o = validateOptions<{ compressed?: boolean }>('ecPointToBytes', options, { compressed: { type: 'boolean' } });
  return native().ecPointEncode(cv.name, pointBytes('point', cv, point), o.compressed === true);
}

/**
 * Decodes SEC1 bytes (compressed or uncompressed) into a validated point.
 *
 * @throws ConfigError `ERR_JSEC_CRYPTO_INVALID_POINT` (wrong length or prefix, not on the curve)
 */
export function ecPointFromBytes(curve: Curve, bytes: Bytes): EcPoint {
  const cv = curveArgs(curve);
  return toPoint(cv, native().ecPointEncode(cv.name, pointBytes('bytes', cv, bytes), false));
}

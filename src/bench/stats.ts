/**
 * Small statistics helpers for the benchmark: no sampling theory, just the
 * order statistics a benchmark report needs.
 *
 * @module
 */

/** Order statistics of a sample. Every field is `NaN` for an empty sample. */
export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** The `q` quantile (0..1) of an ascending array, linear interpolation between ranks. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** Count, mean, median, p95, p99, min and max of `values`. */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / n;
  return {
    count: n,
    mean,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    min: n === 0 ? Number.NaN : sorted[0]!,
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
  };
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return summarize(values).median;
}

/** Rounds to `digits` decimals for JSON output, keeping NaN as null-friendly NaN. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Rounds every numeric field of a summary. */
export function roundSummary(s: Summary, digits = 3): Summary {
  return {
    count: s.count,
    mean: round(s.mean, digits),
    median: round(s.median, digits),
    p95: round(s.p95, digits),
    p99: round(s.p99, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
  };
}

/**
 * The one option validator. Every public function validates its options with
 * a schema here before anything reaches native code: wrong types and values
 * throw a {@link ConfigError} naming the option, and unknown option names
 * throw `ERR_JSEC_UNKNOWN_OPTION` with the closest valid name as `suggestion`.
 *
 * @module
 */
import { createError } from '../errors/index.js';

/** What a single option accepts. */
export type Rule =
  | { type: 'string'; enum?: readonly string[]; nonEmpty?: boolean }
  | { type: 'number'; integer?: boolean; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'function' }
  | { type: 'bytes' }
  | { type: 'signal' }
  | { type: 'object'; schema?: Schema; open?: boolean }
  | { type: 'array'; of: Rule; maxLength?: number }
  | { type: 'any' }
  | { type: 'oneOf'; rules: readonly Rule[] }
  | { type: 'instance'; of: Function; label: string };

/** A schema: option name to rule. */
export type Schema = Readonly<Record<string, Rule>>;

/** Damerau-Levenshtein distance with adjacent transpositions, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const al = a.length;
  const bl = b.length;
  const dp: number[][] = Array.from({ length: al + 1 }, (_, i) => Array.from({ length: bl + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= al; i++) {
    for (let j = 1; j <= bl; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) dp[i]![j] = Math.min(dp[i]![j]!, dp[i - 2]![j - 2]! + 1);
    }
  }
  return dp[al]![bl]!;
}

/** The closest of `candidates` to `name` (case-insensitive), if any is close enough to be a typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const score = cl === lower ? 0 : cl.includes(lower) || lower.includes(cl) ? 1 : editDistance(lower, cl);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `type string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)})`;
  return `type ${typeof value} (${String(value)})`;
}

function typeError(path: string, expected: string, value: unknown): never {
  throw createError('ERR_INVALID_ARG_TYPE', `The "${path}" option must be ${expected}. Received ${describe(value)}`, { option: path });
}

/** Whether `value` is a Buffer, TypedArray, DataView or ArrayBuffer. */
export function isBytes(value: unknown): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/**
 * Checks one value against a rule. `path` names it in errors.
 *
 * @throws ConfigError `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_JSEC_UNKNOWN_OPTION`
 */
export function check(path: string, value: unknown, rule: Rule): void {
  switch (rule.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') typeError(path, 'of type string', value);
      if (rule.nonEmpty && value.length === 0) {
        throw createError('ERR_INVALID_ARG_VALUE', `The "${path}" option must not be empty`, { option: path });
      }
      if (rule.enum && !rule.enum.includes(value)) {
        const hint = closest(value, rule.enum);
        throw createError(
          'ERR_INVALID_ARG_VALUE',
          `The "${path}" option must be one of ${rule.enum.map((e) => JSON.stringify(e)).join(', ')}. Received ${JSON.stringify(value)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`,
          { option: path, suggestion: hint },
        );
      }
      return;
    case 'number':
      if (typeof value !== 'number' || Number.isNaN(value)) typeError(path, 'of type number', value);
      if (rule.integer && !Number.isInteger(value)) {
        throw createError('ERR_OUT_OF_RANGE', `The "${path}" option must be an integer. Received ${value}`, { option: path });
      }
      if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
        throw createError('ERR_OUT_OF_RANGE', `The "${path}" option must be >= ${rule.min ?? '-Infinity'} and <= ${rule.max ?? 'Infinity'}. Received ${value}`, {
          option: path,
        });
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(path, 'of type boolean', value);
      return;
    case 'function':
      if (typeof value !== 'function') typeError(path, 'of type function', value);
      return;
    case 'bytes':
      if (!isBytes(value)) typeError(path, 'a Buffer, TypedArray, DataView or ArrayBuffer', value);
      return;
    case 'signal':
      if (value === null || typeof value !== 'object' || typeof (value as AbortSignal).aborted !== 'boolean' || typeof (value as AbortSignal).addEventListener !== 'function') {
        typeError(path, 'an AbortSignal', value);
      }
      return;
    case 'instance':
      if (!(value instanceof rule.of)) typeError(path, rule.label, value);
      return;
    case 'object':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) typeError(path, 'of type object', value);
      if (rule.schema) checkObject(path, value as Record<string, unknown>, rule.schema, rule.open ?? false);
      return;
    case 'array':
      if (!Array.isArray(value)) typeError(path, 'an array', value);
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        throw createError('ERR_OUT_OF_RANGE', `The "${path}" option must have at most ${rule.maxLength} entries. Received ${value.length}`, { option: path });
      }
      value.forEach((v, i) => check(`${path}[${i}]`, v, rule.of));
      return;
    case 'oneOf': {
      // Pick the alternative whose shape fits without building errors (this
      // runs on every connect), then check it fully; with no fit, the first
      // alternative's error names what was expected.
      const fit = rule.rules.find((r) => accepts(value, r)) ?? rule.rules[0];
      if (fit) check(path, value, fit);
      return;
    }
  }
}

/** Whether `value` has the shape `rule` asks for (type only; ranges and nested keys are left to {@link check}). */
function accepts(value: unknown, rule: Rule): boolean {
  switch (rule.type) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && !Number.isNaN(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'function':
      return typeof value === 'function';
    case 'bytes':
      return isBytes(value);
    case 'signal':
      return value !== null && typeof value === 'object' && typeof (value as AbortSignal).aborted === 'boolean';
    case 'instance':
      return value instanceof rule.of;
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && !isBytes(value);
    case 'array':
      return Array.isArray(value) && value.every((v) => accepts(v, rule.of));
    case 'oneOf':
      return rule.rules.some((r) => accepts(value, r));
  }
}

function checkObject(prefix: string, obj: Record<string, unknown>, schema: Schema, open: boolean): void {
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const rule = schema[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (!rule) {
      if (open) continue;
      const suggestion = closest(key, Object.keys(schema));
      throw createError('ERR_JSEC_UNKNOWN_OPTION', `Unknown option "${path}"${suggestion ? `; did you mean "${prefix ? `${prefix}.` : ''}${suggestion}"?` : ''}`, {
        option: path,
        suggestion,
      });
    }
    if (value === undefined) continue;
    check(path, value, rule);
  }
}

/**
 * Validates an options object against a schema. `undefined` and `null`
 * options mean "no options". Returns a shallow copy with `undefined` values
 * dropped; the caller merges defaults and freezes.
 *
 * @param where - what the options belong to, for messages (for example `tls.connect`).
 * @throws ConfigError for a non-object, an unknown key or a bad value.
 */
export function validateOptions<T extends object>(where: string, options: unknown, schema: Schema): Partial<T> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw createError('ERR_INVALID_ARG_TYPE', `The "options" argument of ${where} must be of type object. Received ${describe(options)}`, { option: 'options' });
  }
  checkObject('', options as Record<string, unknown>, schema, false);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** Freezes an object and every plain object or array inside it. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !isBytes(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null || Array.isArray(value)) {
      Object.freeze(value);
      for (const v of Object.values(value as object)) deepFreeze(v);
    }
  }
  return value;
}

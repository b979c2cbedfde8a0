/**
 * Argument helpers shared by the commands: usage errors (exit code 2),
 * number and list parsing, and the `host:port` / `[v6]:port` / `unix:/path`
 * target syntax.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command-line mistake: printed with a hint, exit code 2. */
export class UsageError extends Error {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Exit codes of every command. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` in strict mode, with its errors turned into {@link UsageError}s. */
export function parse<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(command, message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '.'));
  }
}

/** An integer option within [min, max]. */
export function integer(command: string, name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(command, `--${name} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(command, `--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A positive number option (seconds and the like) within [min, max]. */
export function decimal(command: string, name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(command, `--${name} must be a number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(command, `--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A byte size: `65536`, `64k`, `1m` (binary units). */
export function byteSize(command: string, name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+)([kKmM]i?[bB]?)?$/.exec(value);
  if (m === null) throw new UsageError(command, `--${name} must be a byte count such as 65536 or 64k, got '${value}'`);
  const unit = m[2]?.[0]?.toLowerCase();
  const n = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (n < min || n > max) throw new UsageError(command, `--${name} must be between ${min} and ${max} bytes, got ${n}`);
  return n;
}

/** One of `choices`. */
export function choice<T extends string>(command: string, name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(command, `--${name} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

/** Values of a repeatable, comma-separable option (`--alpn h2,http/1.1` or `--alpn h2 --alpn http/1.1`). */
export function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  return all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** `1.2`, `1.3`, `TLSv1.2`, `TLSv1.3` -> the `TLSv1.x` form. */
export function tlsVersion(command: string, name: string, value: string | undefined): 'TLSv1.2' | 'TLSv1.3' | undefined {
  if (value === undefined) return undefined;
  const v = value.replace(/^tlsv?/i, '');
  if (v === '1.2') return 'TLSv1.2';
  if (v === '1.3') return 'TLSv1.3';
  throw new UsageError(command, `--${name} must be 1.2 or 1.3, got '${value}'`);
}

/** Where to connect or listen. */
export type Target = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

/**
 * Parses `host:port`, `[v6addr]:port`, `unix:/path` (also a bare path
 * starting with `/` or `./`). A missing port means `defaultPort`.
 */
export function parseTarget(command: string, text: string, defaultPort: number): Target {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    if (path.length === 0) throw new UsageError(command, `'${text}' names no socket path (use unix:/path/to/socket)`);
    return { kind: 'unix', path };
  }
  if (text.startsWith('/') || text.startsWith('./')) return { kind: 'unix', path: text };
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) throw new UsageError(command, `'${text}': missing ']' after an IPv6 address`);
    host = text.slice(1, end);
    if (isIP(host) !== 6) throw new UsageError(command, `'${host}' is not an IPv6 address`);
    const rest = text.slice(end + 1);
    if (rest.length > 0 && !rest.startsWith(':')) throw new UsageError(command, `'${text}': expected ':port' after ']'`);
    portText = rest.length > 0 ? rest.slice(1) : undefined;
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) throw new UsageError(command, `'${text}': write an IPv6 address in brackets, for example [::1]:8443`);
    [host, portText] = colons === 1 ? (text.split(':') as [string, string]) : [text, undefined];
  }
  if (host.length === 0) throw new UsageError(command, `'${text}' names no host`);
  const port = portText === undefined ? defaultPort : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port < 1 || port > 65535)) {
    throw new UsageError(command, `'${portText}' is not a port number (1-65535)`);
  }
  return { kind: 'tcp', host, port };
}

/** `127.0.0.1:8443`, `[::1]:8443` or `unix:/path`: the form {@link parseTarget} reads back. */
export function formatTarget(t: Target): string {
  if (t.kind === 'unix') return `unix:${t.path}`;
  return isIP(t.host) === 6 ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** Reads a file named by an option; a missing or unreadable file is a usage error. */
export function readOptionFile(command: string, name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(command, `cannot read --${name} ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

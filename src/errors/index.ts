/**
 * jsec's error hierarchy. Every error jsec raises is a {@link JsecError} with a
 * permanent `code` from the registry (`jsec/errors` re-exports it) and a class
 * chosen by the code's family. `instanceof` works across two copies of the
 * package (two versions installed side by side): classes recognise each other
 * by a brand registered with `Symbol.for`, not by identity.
 *
 * Tests and callers should branch on `code` (or the class), never on message text.
 *
 * @module
 */
import { registry, isErrorCode, type ErrorCode, type ErrorFamily, type ErrorSpec } from './registry.js';

export { registry, isErrorCode, type ErrorCode, type ErrorFamily, type ErrorSpec };

const kFamilies = Symbol.for('jsec.error.families');

/** One entry of OpenSSL's error queue, drained at the failing call. */
export interface OpenSSLErrorEntry {
  /** OpenSSL's packed error code. */
  readonly code: number;
  /** The OpenSSL library that raised it (for example `SSL routines`). */
  readonly library: string;
  /** OpenSSL's reason string. */
  readonly reason: string;
  /** OpenSSL's one-line rendering of the entry. */
  readonly text: string;
}

/** Extra data an error carries; every field is optional. */
export interface JsecErrorProps {
  /** The underlying error (system error, Node error, OpenSSL error). */
  cause?: unknown;
  /** OpenSSL's drained error queue, where an OpenSSL call failed. */
  opensslErrors?: readonly OpenSSLErrorEntry[];
  /** Any further data fields (verify code, depth, alert number, ...). */
  [key: string]: unknown;
}

function brand(families: readonly ErrorFamily[]) {
  return (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    const own = (value as Record<symbol, unknown>)[kFamilies];
    return Array.isArray(own) && families.every((f) => own.includes(f));
  };
}

/**
 * The base of every jsec error.
 *
 * @remarks `code` is permanent and listed in `docs/errors.md`. Data fields
 * (`opensslErrors`, `verifyCode`, `depth`, `alert`, ...) depend on the code.
 */
export class JsecError extends Error {
  /** The permanent registry code. */
  declare readonly code: ErrorCode;
  /** OpenSSL's drained error queue, where an OpenSSL call failed. */
  declare readonly opensslErrors?: readonly OpenSSLErrorEntry[];
  /** Additional data fields. */
  [key: string]: unknown;

  /**
   * `instanceof` by the error's code family, not by prototype, so it holds across two installed
   * copies of jsec (and for an error made with `createError` whatever class constructed it).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return brand(familiesOf(this))(value);
  }

  /**
   * Prefer {@link createError}, which picks the class for the code. Data fields in `props` become
   * read-only enumerable properties (`code`, `message` and `name` among them are ignored); `cause`
   * becomes the standard `Error.cause`.
   */
  constructor(code: ErrorCode, message: string, props: JsecErrorProps = {}) {
    const { cause, ...rest } = props;
    super(message, cause === undefined ? undefined : { cause });
    Object.defineProperty(this, kFamilies, { value: familyChain(registry[code].family), enumerable: false });
    Object.defineProperty(this, 'code', { value: code, enumerable: true, writable: false });
    for (const [k, v] of Object.entries(rest)) {
      if (v !== undefined && k !== 'code' && k !== 'message' && k !== 'name') {
        Object.defineProperty(this, k, { value: v, enumerable: true, writable: false });
      }
    }
    // The stack's first line was written before the family was known.
    Error.captureStackTrace?.(this, new.target);
  }

  /** The class name that fits the code's family (`'CertificateError'`, `'AlertError'`, ...). */
  override get name(): string {
    const families = (this as Record<symbol, unknown>)[kFamilies] as ErrorFamily[] | undefined;
    return CLASS_NAMES[families?.at(-1) ?? 'jsec'];
  }

  /** A plain object with the code, message and data fields (for logs). */
  toJSON(): Record<string, unknown> {
    return { ...this, name: this.name, code: this.code, message: this.message };
  }
}

/** Bad arguments or options: wrong type, unknown name, value out of range. */
export class ConfigError extends JsecError {}
/** An operation that the object's state does not allow (closed, aborted, wrong state). */
export class StateError extends JsecError {}
/** A TLS connection or handshake failure. */
export class TlsError extends JsecError {}
/** A fatal TLS alert sent or received; a {@link TlsError}. Carries `alert`, `alertName`, `direction`. */
export class AlertError extends TlsError {}
/** A certificate or chain that failed verification; carries `verifyCode`, `depth` and `peerCertificate`/`chain` where known. */
export class CertificateError extends JsecError {}
/** A DTLS failure. */
export class DtlsError extends JsecError {}
/** An OpenSSL call that failed; `opensslErrors` holds the queue. */
export class OpenSSLError extends JsecError {}

const CLASS_NAMES: Record<ErrorFamily, string> = {
  jsec: 'JsecError',
  config: 'ConfigError',
  state: 'StateError',
  tls: 'TlsError',
  alert: 'AlertError',
  certificate: 'CertificateError',
  dtls: 'DtlsError',
  openssl: 'OpenSSLError',
};

const PARENT: Partial<Record<ErrorFamily, ErrorFamily>> = { alert: 'tls' };

function familyChain(family: ErrorFamily): ErrorFamily[] {
  const chain: ErrorFamily[] = [family];
  for (let f = PARENT[family]; f; f = PARENT[f]) chain.unshift(f);
  if (family !== 'jsec') chain.unshift('jsec');
  return chain;
}

const CLASSES = new Map<Function, ErrorFamily>([
  [JsecError, 'jsec'],
  [ConfigError, 'config'],
  [StateError, 'state'],
  [TlsError, 'tls'],
  [AlertError, 'alert'],
  [CertificateError, 'certificate'],
  [DtlsError, 'dtls'],
  [OpenSSLError, 'openssl'],
]);

function familiesOf(cls: Function): ErrorFamily[] {
  for (let c: Function | null = cls; c; c = Object.getPrototypeOf(c)) {
    const f = CLASSES.get(c);
    if (f) return f === 'jsec' ? ['jsec'] : familyChain(f);
  }
  return ['jsec'];
}

const BY_FAMILY: Record<ErrorFamily, typeof JsecError> = {
  jsec: JsecError,
  config: ConfigError,
  state: StateError,
  tls: TlsError,
  alert: AlertError,
  certificate: CertificateError,
  dtls: DtlsError,
  openssl: OpenSSLError,
};

/** The class that errors with `code` are instances of. */
export function classFor(code: ErrorCode): typeof JsecError {
  return BY_FAMILY[registry[code].family];
}

/**
 * Creates the error for a registered code, of its family's class.
 *
 * @throws never; an unregistered code yields `ERR_JSEC_INTERNAL`.
 */
export function createError(code: ErrorCode, message: string, props: JsecErrorProps = {}): JsecError {
  if (!isErrorCode(code)) {
    return new JsecError('ERR_JSEC_INTERNAL', `unregistered error code ${String(code)}: ${message}`, props);
  }
  const Cls = BY_FAMILY[registry[code].family];
  const err = new Cls(code, message, props);
  Error.captureStackTrace?.(err, createError);
  return err;
}

/** Whether `value` is a jsec error (of any copy of the package), optionally with `code`. */
export function isJsecError(value: unknown, code?: ErrorCode): value is JsecError {
  return value instanceof JsecError && (code === undefined || (value as JsecError).code === code);
}

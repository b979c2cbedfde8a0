/**
 * One mapping from the errors Node's TLS layer raises (Node codes such as
 * `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`, OpenSSL verify codes from
 * `authorizationError`, system errors) to jsec registry codes.
 *
 * @internal
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { createError, isErrorCode, isJsecError, registry, type ErrorCode, type JsecError } from '../errors/index.js';

/** TLS alert descriptions (RFC 8446 section 6, plus the older RFC 5246 / 6066 / 7301 ones), by number. */
export const ALERTS: Readonly<Record<number, string>> = Object.freeze({
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
});

const ALERT_BY_NAME: ReadonlyMap<string, number> = new Map([
  ...Object.entries(ALERTS).map(([n, name]) => [name.toUpperCase(), Number(n)] as const),
  ['USER_CANCELLED', 90], // OpenSSL's spelling
]);

/**
 * The alert a Node/OpenSSL error code reports as received, if any. OpenSSL
 * names a received fatal alert `SSL_R_<SSLV3|TLSV1|TLSV13>_ALERT_<NAME>`
 * (and a few `TLSV1_<NAME>` without `ALERT`); Node turns the reason into
 * `ERR_SSL_<REASON>`.
 */
export function alertFromCode(code: string | undefined, message?: string): { alert: number; alertName: string } | undefined {
  // OpenSSL 3.0 says "sslv3 alert ...", "tlsv1 alert ...", "tlsv13 alert ..."; 3.2+ says "ssl/tls alert ...".
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13|SSL\/TLS)_(ALERT_)?([A-Z_]+)$/.exec(code ?? '');
  if (!m) return undefined;
  let alert = ALERT_BY_NAME.get(m[2]!);
  // Without ALERT_ only the RFC 6066 extension alerts are alert reasons.
  if (alert !== undefined && !m[1] && alert < 110) alert = undefined;
  if (alert === undefined && m[1]) {
    // OpenSSL appends "SSL alert number N" to the text of a received alert.
    const n = /SSL alert number (\d+)/.exec(message ?? '');
    if (n && ALERTS[Number(n[1])] !== undefined) alert = Number(n[1]);
  }
  if (alert === undefined) return undefined;
  return { alert, alertName: ALERTS[alert]! };
}

const VERSION_CODES = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_VERSION_TOO_HIGH',
  'ERR_SSL_WRONG_SSL_VERSION',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_SSL_VERSION',
]);

const NO_SHARED_CODES = new Set([
  'ERR_SSL_NO_SHARED_CIPHER',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_NO_SHARED_SIGNATURE_ALGORITHMS',
  'ERR_SSL_NO_SHARED_GROUPS',
  'ERR_SSL_NO_SUITABLE_KEY_SHARE',
  'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM',
  'ERR_SSL_NO_SUITABLE_GROUPS',
]);

const BAD_RECORD_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_RECORD',
  'ERR_SSL_BAD_PACKET_LENGTH',
  'ERR_SSL_LENGTH_MISMATCH',
  'ERR_SSL_LENGTH_TOO_SHORT',
  'ERR_SSL_BAD_LENGTH',
  'ERR_SSL_UNEXPECTED_MESSAGE',
  'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
  'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
  'ERR_SSL_BAD_RECORD_TYPE',
  'ERR_SSL_UNKNOWN_ALERT_TYPE',
  'ERR_SSL_DECODE_ERROR',
  'ERR_SSL_BAD_EXTENSION',
  'ERR_SSL_BAD_HANDSHAKE_LENGTH',
  'ERR_SSL_BAD_CHANGE_CIPHER_SPEC',
]);

const TOO_LARGE_CODES = new Set(['ERR_SSL_EXCESSIVE_MESSAGE_SIZE', 'ERR_SSL_DATA_LENGTH_TOO_LONG', 'ERR_SSL_ENCRYPTED_LENGTH_TOO_LONG']);

const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED']);

const CONNECT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'EINVAL', 'ENOTSOCK', 'EAFNOSUPPORT']);

/** Context for {@link mapTlsError}. */
export interface MapContext {
  /** The side that saw the error. */
  readonly role: 'client' | 'server';
  /** The peer's leaf certificate, where already known. */
  readonly peerCertificate?: X509Certificate | undefined;
  /** The peer chain, leaf first, where known (for the depth of a verify error). */
  readonly chain?: readonly X509Certificate[] | undefined;
  /** Data fields added to the error (addresses, servername, ...). */
  readonly extra?: Record<string, unknown>;
}

/**
 * The depth (0 = leaf) of the certificate a verify code is about, computed
 * from the chain where the code names a property of one certificate.
 */
export function verifyDepth(code: string, chain: readonly X509Certificate[] | undefined, now = Date.now()): number | undefined {
  if (!chain || chain.length === 0) return code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 0 : undefined;
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 0;
    case 'CERT_HAS_EXPIRED': {
      const i = chain.findIndex((c) => Date.parse(c.validTo) < now);
      return i >= 0 ? i : undefined;
    }
    case 'CERT_NOT_YET_VALID': {
      const i = chain.findIndex((c) => Date.parse(c.validFrom) > now);
      return i >= 0 ? i : undefined;
    }
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const i = chain.findIndex((c, k) => k > 0 && c.subject === c.issuer);
      return i >= 0 ? i : chain.length - 1;
    }
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return chain.length - 1;
    default:
      return undefined;
  }
}

/**
 * Builds the certificate error for an OpenSSL verify code (as Node names it
 * in `authorizationError`) or a hostname failure.
 */
export function certificateError(verifyCode: string, ctx: MapContext, cause?: unknown): JsecError {
  const code: ErrorCode = isErrorCode(verifyCode) && registry[verifyCode].family === 'certificate' ? verifyCode : 'ERR_JSEC_CERT_VERIFY';
  const depth = verifyDepth(verifyCode, ctx.chain);
  const what = verifyCode === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'does not match the expected name' : `failed verification (${verifyCode})`;
  return createError(code, `The ${ctx.role === 'client' ? 'server' : 'client'} certificate ${what}`, {
    ...ctx.extra,
    verifyCode,
    depth,
    peerCertificate: ctx.peerCertificate,
    chain: ctx.chain,
    cause,
  });
}

function errCode(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Maps any error seen during a TLS handshake to a typed jsec error. jsec
 * errors pass through unchanged; everything else keeps the original as `cause`.
 */
export function mapTlsError(err: unknown, ctx: MapContext): JsecError {
  if (isJsecError(err)) return err;
  const code = errCode(err);
  const extra = { ...ctx.extra, cause: err };
  const message = (err as Error | undefined)?.message ?? String(err);
  const reason = (err as { reason?: unknown } | null)?.reason;
  const ssl = typeof reason === 'string' ? { opensslReason: reason } : {};
  if (code === undefined) return createError('ERR_JSEC_TLS_HANDSHAKE', `TLS handshake failed: ${message}`, extra);

  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return createError('ERR_TLS_HANDSHAKE_TIMEOUT', 'The TLS handshake did not finish within the handshake timeout', extra);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return certificateError(code, ctx, err);
  if (code === 'ECONNREFUSED') {
    const e = err as { address?: string; port?: number };
    return createError('ECONNREFUSED', `Connection refused by ${e.address ?? 'the peer'}${e.port ? `:${e.port}` : ''}`, { ...extra, address: e.address, port: e.port });
  }
  if (CLOSED_CODES.has(code)) return createError('ERR_JSEC_TLS_CLOSED_DURING_HANDSHAKE', 'The peer closed the connection before the TLS handshake completed', extra);
  if (CONNECT_CODES.has(code)) return createError('ERR_JSEC_TLS_CONNECT', `The transport could not be connected: ${message}`, extra);

  const alert = alertFromCode(code, message);
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') {
    return createError('ERR_JSEC_NO_PEER_CERTIFICATE', 'The client presented no certificate', { ...extra, ...ssl });
  }
  if (code === 'ERR_SSL_NO_APPLICATION_PROTOCOL') {
    return createError('ERR_JSEC_TLS_NO_APPLICATION_PROTOCOL', 'The client offered no ALPN protocol this server supports', { ...extra, ...ssl, alert: 120, alertName: 'no_application_protocol', direction: 'sent' });
  }
  if (VERSION_CODES.has(code) || alert?.alert === 70) {
    return createError('ERR_JSEC_TLS_PROTOCOL_VERSION', 'The peers share no protocol version allowed by the policy', { ...extra, ...ssl, ...alert, ...(alert ? { direction: 'received' } : {}) });
  }
  if (alert) {
    return createError('ERR_JSEC_TLS_ALERT', `The peer sent the fatal alert ${alert.alertName} (${alert.alert})`, { ...extra, ...ssl, ...alert, direction: 'received' });
  }
  if (NO_SHARED_CODES.has(code)) return createError('ERR_JSEC_TLS_NO_SHARED_CIPHER', 'The peers share no cipher suite, group or signature algorithm allowed by the policy', { ...extra, ...ssl });
  if (TOO_LARGE_CODES.has(code)) return createError('ERR_JSEC_TLS_PEER_TOO_LARGE', 'The peer sent a handshake message larger than allowed', { ...extra, ...ssl });
  if (BAD_RECORD_CODES.has(code)) return createError('ERR_JSEC_TLS_BAD_RECORD', 'The peer sent bytes that are not a valid TLS handshake', { ...extra, ...ssl });
  if (isErrorCode(code) && registry[code].family === 'certificate') return certificateError(code, ctx, err);
  return createError('ERR_JSEC_TLS_HANDSHAKE', `TLS handshake failed: ${message}`, { ...extra, ...ssl });
}

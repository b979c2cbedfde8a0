/**
 * `jsec connect`: connects, prints what was negotiated, the peer chain and
 * the verification verdict; optionally sends text and prints the echo.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { CertificateError, isJsecError } from '../errors/index.js';
import { connect, info } from '../tls/index.js';
import { decimal, EXIT, formatTarget, list, parse, parseTarget, readOptionFile, tlsVersion, UsageError } from './args.js';
import { certificateView, chainText, type CertificateView } from './format.js';

export const CONNECT_HELP = `Usage: jsec connect <target> [options]

Connects with TLS, verifies the server (trust store or --ca, and the host
name), and prints the protocol, cipher, ALPN, the peer chain (subject, issuer,
validity, SANs, SHA-256 fingerprint of each certificate) and the verdict.

Target: host:port, [IPv6]:port, or unix:/path/to/socket (port defaults to 8443).

Options:
  --ca FILE          trust these certificates (PEM) instead of the system store
  --servername N     name to send (SNI) and verify (default: the host; IP hosts
                     are checked against IP SANs and send no SNI)
  --alpn LIST        ALPN protocols to offer, comma-separated
  --min-version V    lowest TLS version: 1.2 or 1.3
  --max-version V    highest TLS version: 1.2 or 1.3
  --insecure         do NOT verify the server (maps to jsec's
                     dangerouslyDisableVerification; testing only)
  --send TEXT        send TEXT, wait for the same number of bytes back, print them
  --timeout S        seconds for the handshake and for the echo (default 10)
  --json             print the result as JSON
  -h, --help         this help

Exit codes: 0 connected and verified (or --insecure), 1 connection or
verification failed, 2 usage error.`;

interface ConnectReport {
  target: string;
  connected: boolean;
  protocol?: string | null;
  cipher?: { name: string; standardName: string };
  alpnProtocol?: string | false;
  servername?: string | undefined;
  resumed?: boolean;
  handshakeMs?: number | undefined;
  peerCertificates?: CertificateView[];
  verification: { verified: boolean; disabled: boolean; code?: string; message?: string; depth?: number };
  error?: { code: string; message: string; class: string };
  echo?: string;
}

function hint(code: string): string | undefined {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'the server is not trusted by this machine: pass --ca with the issuer (for jsec serve, the file it printed), or --insecure for a test';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'the certificate is not for this name: check the host, or pass --servername with a name the certificate lists';
    case 'CERT_HAS_EXPIRED':
      return 'the server certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'the server certificate is not valid yet (check the clocks)';
    case 'ECONNREFUSED':
      return 'nothing is listening there';
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return 'the server did not complete a TLS handshake: is it a TLS server?';
    case 'ERR_JSEC_TLS_BAD_RECORD':
      return 'the server did not answer with TLS: is it a TLS server?';
    default:
      return undefined;
  }
}

function readEcho(socket: TLSSocket, want: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve(Buffer.concat(parts));
    };
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got >= want) finish();
    };
    const onEnd = (): void => finish();
    const onError = (e: Error): void => finish(e);
    const timer = setTimeout(() => finish(Object.assign(new Error(`no echo within ${timeoutMs / 1000} s (${got} of ${want} bytes)`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}

function views(chain: readonly X509Certificate[] | undefined): CertificateView[] {
  return (chain ?? []).map((c) => certificateView(c));
}

function printReport(r: ConnectReport): void {
  const lines: string[] = [];
  if (r.connected) {
    lines.push(`connected:    ${r.target}`);
    lines.push(`protocol:     ${r.protocol ?? '-'}`);
    lines.push(`cipher:       ${r.cipher?.standardName ?? '-'}${r.cipher && r.cipher.name !== r.cipher.standardName ? ` (OpenSSL: ${r.cipher.name})` : ''}`);
    lines.push(`alpn:         ${r.alpnProtocol || '-'}`);
    lines.push(`servername:   ${r.servername ?? '- (none sent)'}`);
    lines.push(`resumed:      ${r.resumed ? 'yes' : 'no'}`);
    if (r.handshakeMs !== undefined) lines.push(`handshake:    ${r.handshakeMs.toFixed(1)} ms`);
  } else {
    lines.push(`target:       ${r.target}`);
  }
  const chain = r.peerCertificates ?? [];
  if (chain.length > 0) {
    lines.push(`peer chain (${chain.length} certificate${chain.length === 1 ? '' : 's'}, leaf first):`);
    lines.push(chainText(chain));
  }
  const v = r.verification;
  if (v.disabled) {
    lines.push(`verification: DISABLED (--insecure): the server's identity was NOT checked${v.code ? `; it would have failed with ${v.code}` : v.verified ? '; the chain would have verified' : ''}`);
  } else if (v.verified) {
    lines.push('verification: OK (trusted chain, name matches)');
  } else if (v.code !== undefined) {
    lines.push(`verification: FAILED ${v.code}${v.depth !== undefined ? ` at depth ${v.depth}` : ''}: ${v.message ?? ''}`);
  }
  if (r.error && !(v.code !== undefined && r.error.code === v.code)) lines.push(`error:        ${r.error.code}: ${r.error.message}`);
  const h = r.error ? hint(r.error.code) : undefined;
  if (h) lines.push(`hint:         ${h}`);
  if (r.echo !== undefined) lines.push(`echo:         ${r.echo}`);
  console.log(lines.join('\n'));
}

/** Runs `jsec connect`. */
export async function connectCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(
    'connect',
    argv,
    {
      ca: { type: 'string', multiple: true },
      servername: { type: 'string' },
      alpn: { type: 'string', multiple: true },
      'min-version': { type: 'string' },
      'max-version': { type: 'string' },
      insecure: { type: 'boolean' },
      send: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help === true) {
    console.log(CONNECT_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('connect', positionals.length === 0 ? 'missing target (host:port, [v6]:port or unix:/path)' : `expected one target, got ${positionals.length}`);
  const target = parseTarget('connect', positionals[0]!, 8443);
  const insecure = values.insecure === true;
  if (insecure && values.ca !== undefined) throw new UsageError('connect', '--insecure and --ca contradict each other');
  const timeoutMs = Math.round(decimal('connect', 'timeout', values.timeout, 10, 0.1, 3600) * 1000);
  const minVersion = tlsVersion('connect', 'min-version', values['min-version']);
  const maxVersion = tlsVersion('connect', 'max-version', values['max-version']);
  const alpn = list(values.alpn);
  const ca = (values.ca ?? []).map((f) => readOptionFile('connect', 'ca', f));
  const security = { ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}) };
  const options = {
    ...(target.kind === 'unix' ? { path: target.path } : { host: target.host, port: target.port }),
    ...(values.servername !== undefined ? { servername: values.servername } : {}),
    ...(ca.length > 0 ? { ca } : {}),
    ...(alpn.length > 0 ? { ALPNProtocols: alpn } : {}),
    ...(Object.keys(security).length > 0 ? { security } : {}),
    ...(insecure ? { dangerouslyDisableVerification: true } : {}),
    handshakeTimeout: timeoutMs,
  };
  const report: ConnectReport = { target: formatTarget(target), connected: false, verification: { verified: false, disabled: insecure } };
  if (insecure && values.json !== true) console.error('warning: --insecure: the server certificate is not verified; anyone in the path can impersonate the server');

  let socket: TLSSocket;
  try {
    socket = await connect(options);
  } catch (err) {
    const code = isJsecError(err) ? err.code : String((err as { code?: unknown }).code ?? 'ERR_UNKNOWN');
    const message = err instanceof Error ? err.message : String(err);
    report.error = { code, message, class: err instanceof Error ? err.name : typeof err };
    if (err instanceof CertificateError) {
      const e = err as CertificateError & { verifyCode?: string; depth?: number; chain?: readonly X509Certificate[]; peerCertificate?: X509Certificate };
      report.verification = { verified: false, disabled: false, code, message, ...(typeof e.depth === 'number' ? { depth: e.depth } : {}) };
      const chain = e.chain ?? (e.peerCertificate ? [e.peerCertificate] : []);
      report.peerCertificates = views(chain);
    }
    if (values.json === true) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    return EXIT.failure;
  }

  let exit: number = EXIT.ok;
  try {
    const i = info(socket);
    report.connected = true;
    report.protocol = i.protocol;
    report.cipher = { name: i.cipher.name, standardName: i.cipher.standardName };
    report.alpnProtocol = i.alpnProtocol;
    report.servername = i.servername;
    report.resumed = i.resumed;
    report.handshakeMs = i.handshakeDuration;
    report.peerCertificates = views(i.peerCertificates);
    report.verification = {
      verified: i.authorized,
      disabled: insecure,
      ...(i.authorized ? {} : { code: i.authorizationError ?? 'UNKNOWN', message: 'the chain did not verify' }),
    };
    if (values.send !== undefined) {
      const payload = Buffer.from(values.send, 'utf8');
      socket.write(payload);
      try {
        report.echo = (await readEcho(socket, payload.length, timeoutMs)).toString('utf8');
      } catch (err) {
        report.error = { code: String((err as { code?: unknown }).code ?? 'ERR_UNKNOWN'), message: (err as Error).message, class: (err as Error).name };
        exit = EXIT.failure;
      }
    }
  } finally {
    socket.end();
    socket.destroySoon();
  }
  if (values.json === true) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  return exit;
}

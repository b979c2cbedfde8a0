// Interop peers: the `openssl` and GnuTLS command-line tools as TLS servers
// and clients. Servers bind an ephemeral port; readiness is read from their
// output (and, for gnutls-serv, which only prints "port 0", the port is read
// from /proc). Every child is tracked and killed by killAll().
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const children = new Set();

/** IANA suite name -> GnuTLS cipher name. */
const GNUTLS_CIPHERS = Object.freeze({ AES_128_GCM: 'AES-128-GCM', AES_256_GCM: 'AES-256-GCM', CHACHA20_POLY1305: 'CHACHA20-POLY1305' });

/** The GnuTLS name of the bulk cipher of an IANA suite name. */
export function gnutlsCipher(standardName) {
  const key = Object.keys(GNUTLS_CIPHERS).find((k) => standardName.includes(k));
  if (!key) throw new Error(`no GnuTLS name for ${standardName}`);
  return GNUTLS_CIPHERS[key];
}

/** 'TLSv1.3' -> 'TLS1.3' (GnuTLS spelling). */
export const gnutlsVersion = (v) => v.replace('TLSv', 'TLS');

/** A GnuTLS priority string allowing exactly one version. */
export const gnutlsPriority = (v) => `NORMAL:-VERS-ALL:+VERS-${gnutlsVersion(v)}`;

/**
 * Starts a tool. `output()` is everything it printed so far (stdout and
 * stderr); `waitFor(re)` resolves with the first match of `re` in the output,
 * or rejects when the tool exits without printing it.
 */
export function startTool(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let text = '';
  const waiters = new Set();
  const check = () => {
    for (const w of waiters) {
      const m = w.re.exec(text);
      if (m) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      for (const w of waiters) w.reject(new Error(`${command} exited (${code ?? signal}) before printing ${w.re}:\n${text}`));
      waiters.clear();
      resolve({ code, signal });
    });
  });
  child.on('error', (err) => {
    text += `\nspawn error: ${err.message}`;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      text += chunk;
      check();
    });
  }
  child.stdin.on('error', () => {});
  return {
    child,
    exited,
    output: () => text,
    waitFor(re) {
      const m = re.exec(text);
      if (m) return Promise.resolve(m);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`${command} already exited:\n${text}`));
      return new Promise((resolve, reject) => waiters.add({ re, resolve, reject }));
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kills every tool still running (for `after`). */
export async function killAll() {
  await Promise.all([...children].map((child) => {
    const done = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGKILL');
    return done;
  }));
}

/** The IPv4 TCP ports `pid` listens on, from /proc (no external tool, no guessing). */
export function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // The descriptor closed meanwhile.
    }
  }
  const ports = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(Number.parseInt(f[1].split(':')[1], 16));
  }
  return ports;
}

/**
 * `openssl s_server -www` on an ephemeral port: answers `GET /` with a page
 * describing the session as it sees it. `identity` has `leafFile`, `keyFile`
 * and optionally `chainFile` (the intermediates).
 */
export async function opensslServer({ identity, version, extra = [] }) {
  const args = ['s_server', '-accept', '127.0.0.1:0', '-www', '-cert', identity.leafFile, '-key', identity.keyFile,
    version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2', ...extra];
  if (identity.chainFile) args.push('-cert_chain', identity.chainFile);
  const tool = startTool('openssl', args);
  const [, port] = await tool.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { ...tool, port: Number(port) };
}

/** `gnutls-serv` (HTTP mode: answers `GET /` with a session description) on an ephemeral port. */
export async function gnutlsServer({ identity, version, extra = [] }) {
  const tool = startTool('gnutls-serv', ['--port', '0', '--x509certfile', identity.certFile, '--x509keyfile', identity.keyFile,
    '--priority', gnutlsPriority(version), ...extra]);
  await tool.waitFor(/listening on IPv4 0\.0\.0\.0 port 0\.\.\.done/);
  const [port] = listeningPorts(tool.child.pid);
  if (!port) throw new Error(`gnutls-serv is not listening:\n${tool.output()}`);
  return { ...tool, port };
}

/** `openssl s_client` to a jsec server; it exits when the server closes. */
export function opensslClient({ port, version, caFile, identity }) {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error',
    '-verify_hostname', 'localhost', '-brief', version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2'];
  if (identity) args.push('-cert', identity.leafFile, '-key', identity.keyFile);
  if (identity?.chainFile) args.push('-cert_chain', identity.chainFile);
  return startTool('openssl', args);
}

/** `gnutls-cli` to a jsec server; it exits when the server closes. */
export function gnutlsClient({ port, version, caFile, identity }) {
  const args = ['--port', String(port), '--x509cafile', caFile, '--sni-hostname', 'localhost', '--verify-hostname', 'localhost',
    '--priority', gnutlsPriority(version)];
  if (identity) args.push('--x509certfile', identity.certFile, '--x509keyfile', identity.keyFile);
  return startTool('gnutls-cli', [...args, '127.0.0.1']);
}

// The jsec command line: serve + connect end to end, verification verdicts,
// address forms, versions, and usage errors (exit code 2).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate, generateSelfSigned } from 'jsec/cert';
import { runJsec, startServe } from '../helpers/cli-process.mjs';

const T = { timeout: 30_000 };

function field(stdout, name) {
  const m = new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(stdout);
  return m?.[1];
}

function ipv6Available() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('jsec serve + connect over TCP', { timeout: 90_000 }, () => {
  let server;
  before(async () => {
    server = await startServe(['--port', '0']);
  });
  after(async () => {
    await server?.stop();
  });

  it('prints a parseable address, the fingerprint and the connect command', T, () => {
    assert.match(server.address, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(server.address, '127.0.0.1:0');
    assert.match(server.output(), /^SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}$/m);
    assert.ok(server.caFile && existsSync(server.caFile));
    assert.ok(server.output().includes(`connect ${server.address} --ca ${server.caFile}`));
  });

  it('connects, verifies against --ca and echoes --send', T, async () => {
    const r = await runJsec(['connect', server.address, '--ca', server.caFile, '--send', 'hello jsec']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(field(r.stdout, 'protocol'), 'TLSv1.3');
    assert.match(field(r.stdout, 'verification'), /^OK/);
    assert.equal(field(r.stdout, 'echo'), 'hello jsec');
    assert.match(r.stdout, /\[0\] subject:\s+CN=localhost/);
    assert.match(r.stdout, /SANs:\s+DNS:localhost, IP:127\.0\.0\.1, IP:::1/);
    const fp = /^SHA-256 fingerprint: (\S+)$/m.exec(server.output())[1];
    assert.ok(r.stdout.includes(`sha256:   ${fp}`), 'the chain shows the fingerprint serve printed');
  });

  it('--json reports the same facts as data', T, async () => {
    const r = await runJsec(['connect', server.address, '--ca', server.caFile, '--json', '--max-version', '1.2', '--send', 'x']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.connected, true);
    assert.equal(j.protocol, 'TLSv1.2');
    assert.match(j.cipher.standardName, /^TLS_ECDHE_ECDSA_WITH_/);
    assert.equal(j.servername, undefined, 'an IP host sends no SNI');
    assert.deepEqual(j.verification, { verified: true, disabled: false });
    assert.equal(j.peerCertificates.length, 1);
    assert.equal(j.peerCertificates[0].subject, 'CN=localhost');
    assert.equal(j.echo, 'x');
  });

  it('fails verification of the self-signed server without --ca: exit 1 and the typed code', T, async () => {
    const r = await runJsec(['connect', server.address, '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.connected, false);
    assert.equal(j.verification.verified, false);
    assert.equal(j.verification.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(j.error.class, 'CertificateError');
    assert.equal(j.peerCertificates[0].subject, 'CN=localhost', 'the rejected chain is still shown');
    const text = await runJsec(['connect', server.address]);
    assert.equal(text.code, 1);
    assert.match(field(text.stdout, 'verification'), /^FAILED DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.match(field(text.stdout, 'hint'), /--ca/);
  });

  it('fails on a name the certificate does not list', T, async () => {
    const r = await runJsec(['connect', server.address, '--ca', server.caFile, '--servername', 'other.example', '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).verification.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('--insecure connects without verification and says so', T, async () => {
    const r = await runJsec(['connect', server.address, '--insecure', '--send', 'ok']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(field(r.stdout, 'verification'), /^DISABLED/);
    assert.match(r.stderr, /not verified/);
    assert.equal(field(r.stdout, 'echo'), 'ok');
  });

  it('logs each connection on the server side', T, async () => {
    await runJsec(['connect', server.address, '--ca', server.caFile, '--send', 'log me']);
    assert.match(server.output(), /connected: TLSv1\.3 TLS_/);
  });

  it('logs a garbage client with its typed code and keeps serving', T, async () => {
    const [host, port] = server.address.split(':');
    await new Promise((resolve) => {
      const s = net.connect(Number(port), host, () => s.write('GET / HTTP/1.0\r\n\r\n'));
      s.on('data', () => undefined);
      s.on('error', () => undefined);
      s.on('close', resolve);
    });
    await server.waitFor(/handshake failed: ERR_JSEC_TLS_BAD_RECORD/);
    const r = await runJsec(['connect', server.address, '--ca', server.caFile, '--send', 'still here']);
    assert.equal(r.code, 0);
    assert.equal(field(r.stdout, 'echo'), 'still here');
  });
});

describe('jsec serve + connect, other address forms', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsec-cli-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('over a Unix socket (unix:/path), with --servername', T, async () => {
    const path = join(dir, 'serve.sock');
    const server = await startServe(['--unix', path, '--quiet']);
    try {
      assert.equal(server.address, `unix:${path}`);
      const r = await runJsec(['connect', `unix:${path}`, '--ca', server.caFile, '--servername', 'localhost', '--send', 'via unix', '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.verification.verified, true);
      assert.equal(j.servername, 'localhost');
      assert.equal(j.echo, 'via unix');
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  it('over IPv6 ([::1]:port)', T, async (t) => {
    if (!(await ipv6Available())) return t.skip('no IPv6 loopback');
    const server = await startServe(['--host', '::1', '--port', '0', '--quiet', '--key-type', 'ed25519']);
    try {
      assert.match(server.address, /^\[::1\]:\d+$/);
      const r = await runJsec(['connect', server.address, '--ca', server.caFile, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.verification.verified, true);
      assert.match(j.peerCertificates[0].publicKey, /^Ed25519/);
    } finally {
      await server.stop();
    }
  });

  it('with --alpn on both sides and a TLS 1.3 minimum on the server', T, async () => {
    const server = await startServe(['--port', '0', '--alpn', 'h2,http/1.1', '--min-version', '1.3', '--quiet']);
    try {
      const ok = await runJsec(['connect', server.address, '--ca', server.caFile, '--alpn', 'http/1.1', '--json']);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal(JSON.parse(ok.stdout).alpnProtocol, 'http/1.1');
      const old = await runJsec(['connect', server.address, '--ca', server.caFile, '--max-version', '1.2', '--json']);
      assert.equal(old.code, 1);
      assert.equal(JSON.parse(old.stdout).error.code, 'ERR_JSEC_TLS_PROTOCOL_VERSION');
    } finally {
      await server.stop();
    }
  });

  it('serves --cert/--key files (a chain from a CA) and verifies with that CA as --ca', T, async () => {
    const root = await generateSelfSigned({ commonName: 'CLI Test Root', ca: true, san: [] });
    const leaf = await generate({ commonName: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'], issuer: { certificate: root.cert, key: root.key } });
    const files = { ca: join(dir, 'root.pem'), cert: join(dir, 'leaf.pem'), key: join(dir, 'leaf.key'), junk: join(dir, 'junk.pem') };
    writeFileSync(files.ca, root.cert);
    writeFileSync(files.cert, leaf.cert);
    writeFileSync(files.key, leaf.key);
    writeFileSync(files.junk, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    const server = await startServe(['--port', '0', '--cert', files.cert, '--key', files.key, '--quiet']);
    try {
      assert.equal(server.caFile, undefined, 'no certificate file is written for given material');
      const r = await runJsec(['connect', server.address, '--ca', files.ca, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.verification.verified, true);
      assert.equal(j.peerCertificates[0].issuer, 'CN=CLI Test Root');
      assert.equal(j.peerCertificates.at(-1).subject, 'CN=CLI Test Root', 'the verified chain ends at the trust anchor');
      const junk = await runJsec(['connect', server.address, '--ca', files.junk, '--json']);
      assert.equal(junk.code, 1, 'a --ca without a usable certificate never verifies the server');
      assert.ok(['ConfigError', 'CertificateError'].includes(JSON.parse(junk.stdout).error.class));
    } finally {
      await server.stop();
    }
  });

  it('closes on SIGINT with exit code 0 and removes the certificate file', T, async () => {
    const server = await startServe(['--port', '0', '--quiet']);
    assert.ok(existsSync(server.caFile));
    const { code } = await server.stop();
    assert.equal(code, 0);
    assert.equal(existsSync(dirname(server.caFile)), false);
    const r = await runJsec(['connect', server.address, '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'ECONNREFUSED', 'nothing listens any more');
  });

  it('reports a refused connection with its code', T, async () => {
    const port = await new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const r = await runJsec(['connect', `127.0.0.1:${port}`, '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'ECONNREFUSED');
  });
});

describe('jsec version and help', { timeout: 30_000 }, () => {
  it('version reports jsec, node and both OpenSSL versions', T, async () => {
    const r = await runJsec(['version', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.equal(v.node, process.version);
    assert.equal(v.nodeOpenssl, process.versions.openssl);
    assert.match(v.opensslCompiled, /OpenSSL 3\./);
    assert.match(v.opensslRunning, /OpenSSL 3\./);
    assert.match(v.jsec, /^\d+\.\d+\.\d+/);
    const text = await runJsec(['version']);
    assert.match(text.stdout, /^jsec \d/m);
    assert.match(text.stdout, /^OpenSSL running:/m);
  });

  it('help, and --help on every command, exit 0', T, async () => {
    for (const args of [['help'], ['--help'], ['help', 'serve'], ['serve', '--help'], ['connect', '-h'], ['bench', '--help'], ['version', '--help']]) {
      const r = await runJsec(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: jsec/m);
    }
  });
});

describe('jsec usage errors exit with 2', { timeout: 60_000 }, () => {
  const cases = [
    [],
    ['frobnicate'],
    ['help', 'frobnicate'],
    ['connect'],
    ['connect', 'a:1', 'b:2'],
    ['connect', '::1:8443'],
    ['connect', '[::1]8443'],
    ['connect', '[not-v6]:443'],
    ['connect', 'localhost:99999'],
    ['connect', 'localhost:http'],
    ['connect', 'unix:'],
    ['connect', 'localhost:1', '--bogus'],
    ['connect', 'localhost:1', '--insecure', '--ca', 'x.pem'],
    ['connect', 'localhost:1', '--min-version', '1.1'],
    ['connect', 'localhost:1', '--timeout', 'soon'],
    ['connect', 'localhost:1', '--ca', '/nonexistent/ca.pem'],
    ['serve', '--cert', '/nonexistent/c.pem', '--key', '/nonexistent/k.pem'],
    ['serve', '--cert', 'only-cert.pem'],
    ['serve', '--port', '70000'],
    ['serve', '--port', '-1'],
    ['serve', '--key-type', 'dsa'],
    ['serve', '--unix', '/tmp/x.sock', '--port', '1'],
    ['serve', 'stray'],
    ['version', '--bogus'],
  ];
  for (const args of cases) {
    it(`jsec ${args.join(' ') || '(nothing)'}`, T, async () => {
      const r = await runJsec(args);
      assert.equal(r.code, 2, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      if (args.length > 0) assert.match(r.stderr, /Run 'jsec help/);
    });
  }
});

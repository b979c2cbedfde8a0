// Interop with OpenSSL's and GnuTLS's own tools, each direction, RSA and
// ECDSA certificates, with and without client certificates; PSK against
// openssl s_server -psk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, listen } from 'jsec/dtls';
import { dtlsPki } from '../helpers/dtls-pki.mjs';

const pki = dtlsPki();
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_OPENSSL = has('openssl');
const HAVE_GNUTLS = has('gnutls-serv') && has('gnutls-cli');
const T = { timeout: 15_000 };

async function freeUdpPort() {
  const s = createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Spawns a tool; `waitFor(re)` resolves once stdout+stderr matched. Killed by `stop()`. */
function tool(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters = [];
  const onData = (d) => {
    out += d.toString('latin1');
    for (const w of [...waiters]) {
      if (w.re.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(out);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.stdin.on('error', () => {});
  let exited = false;
  child.on('exit', () => {
    exited = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`${cmd} exited before /${w.re.source}/ appeared:\n${out}`));
  });
  return {
    child,
    output: () => out,
    waitFor(re, ms = 8000) {
      if (re.test(out)) return Promise.resolve(out);
      if (exited) return Promise.reject(new Error(`${cmd} exited:\n${out}`));
      return new Promise((resolve, reject) => {
        const w = { re, resolve, reject };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`timed out waiting for /${re.source}/ from ${cmd}:\n${out}`));
          }
        }, ms).unref();
      });
    },
    async stop() {
      if (!exited) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

const KEYS = { rsa: pki.rsa, ecdsa: pki.ec };
const CLIENT_FILES = ['-cert', pki.path('client.crt'), '-key', pki.path('client.key')];

for (const [kind, material] of Object.entries(KEYS)) {
  for (const mtls of [false, true]) {
    const label = `${kind}${mtls ? ' + client certificate' : ''}`;

    test(`jsec client -> openssl s_server -dtls1_2 (${label})`, { ...T, skip: !HAVE_OPENSSL }, async () => {
      const port = await freeUdpPort();
      const args = ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', pki.path(`${kind === 'rsa' ? 'rsa' : 'ec'}.crt`), '-key', pki.path(`${kind === 'rsa' ? 'rsa' : 'ec'}.key`)];
      if (mtls) args.push('-Verify', '1', '-CAfile', pki.path('ca.crt'), '-verify_return_error');
      const srv = tool('openssl', args);
      try {
        await srv.waitFor(/ACCEPT/);
        const c = await connect('localhost', port, { ca: pki.ca, ...(mtls ? pki.client : {}) });
        assert.equal(c.info().protocol, 'DTLSv1.2');
        assert.match(c.info().cipher.name, kind === 'rsa' ? /RSA/ : /ECDSA/);
        await c.send('hello from jsec\n');
        await srv.waitFor(/hello from jsec/);
        if (mtls) assert.match(srv.output(), /CN\s*=\s*jsec test client/);
        srv.child.stdin.write('hello from openssl\n');
        assert.equal(String(await c.receive()), 'hello from openssl\n');
        await c.close();
      } finally {
        await srv.stop();
      }
    });

    test(`jsec client -> gnutls-serv --udp (${label})`, { ...T, skip: !HAVE_GNUTLS }, async () => {
      const port = await freeUdpPort();
      const f = kind === 'rsa' ? 'rsa' : 'ec';
      const args = ['--udp', '-p', String(port), '--x509certfile', pki.path(`${f}.crt`), '--x509keyfile', pki.path(`${f}.key`), '--echo'];
      if (mtls) args.push('--require-client-cert', '--verify-client-cert', '--x509cafile', pki.path('ca.crt'));
      const srv = tool('gnutls-serv', args);
      try {
        await srv.waitFor(/IPv4 .* port \d+\.\.\.done/); // printed once bound
        const c = await connect('127.0.0.1', port, { ca: pki.ca, ...(mtls ? pki.client : {}) });
        assert.equal(c.info().protocol, 'DTLSv1.2');
        await c.send('echo me');
        assert.equal(String(await c.receive()), 'echo me');
        await c.close();
      } finally {
        await srv.stop();
      }
    });

    test(`openssl s_client -dtls1_2 -> jsec server (${label})`, { ...T, skip: !HAVE_OPENSSL }, async () => {
      const server = await listen({ host: '127.0.0.1', ...material, ...(mtls ? { requestCert: 'require', ca: pki.ca } : {}) });
      const accepted = server.accept();
      server.on('connection', async (s) => {
        for await (const m of s) await s.send(`echo:${m}`);
      });
      const args = ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${server.address().port}`, '-CAfile', pki.path('ca.crt'), '-servername', 'localhost', '-verify_hostname', 'localhost', '-verify_return_error'];
      if (mtls) args.push(...CLIENT_FILES);
      const cli = tool('openssl', args);
      try {
        await cli.waitFor(/Verify return code: 0 \(ok\)/);
        const peer = await accepted;
        assert.equal(peer.info().authorized, mtls);
        if (mtls) assert.equal(peer.info().peerCertificates[0].subject, 'CN=jsec test client');
        cli.child.stdin.write('from s_client\n');
        await cli.waitFor(/echo:from s_client/);
      } finally {
        await cli.stop();
        await server.close();
      }
    });

    test(`gnutls-cli --udp -> jsec server (${label})`, { ...T, skip: !HAVE_GNUTLS }, async () => {
      const server = await listen({ host: '127.0.0.1', ...material, ...(mtls ? { requestCert: 'require', ca: pki.ca } : {}) });
      const accepted = server.accept();
      server.on('connection', async (s) => {
        for await (const m of s) await s.send(`echo:${m}`);
      });
      const args = ['--udp', '-p', String(server.address().port), '--x509cafile', pki.path('ca.crt'), 'localhost'];
      if (mtls) args.push('--x509certfile', pki.path('client.crt'), '--x509keyfile', pki.path('client.key'));
      const cli = tool('gnutls-cli', args);
      try {
        await cli.waitFor(/Handshake was completed/);
        const peer = await accepted;
        assert.equal(peer.info().authorized, mtls);
        cli.child.stdin.write('from gnutls\n');
        await cli.waitFor(/echo:from gnutls/);
      } finally {
        await cli.stop();
        await server.close();
      }
    });
  }
}

test('PSK: jsec client -> openssl s_server -dtls1_2 -psk', { ...T, skip: !HAVE_OPENSSL }, async () => {
  const port = await freeUdpPort();
  const key = '0123456789abcdef0123456789abcdef';
  const srv = tool('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-nocert', '-psk', key, '-psk_identity', 'sensor-17', '-cipher', 'PSK-AES128-GCM-SHA256']);
  try {
    await srv.waitFor(/ACCEPT/);
    const c = await connect('127.0.0.1', port, { psk: { identity: 'sensor-17', key } });
    assert.match(c.info().cipher.name, /PSK/);
    await c.send('psk hello\n');
    await srv.waitFor(/psk hello/);
    srv.child.stdin.write('psk reply\n');
    assert.equal(String(await c.receive()), 'psk reply\n');
    await c.close();
  } finally {
    await srv.stop();
  }
});

test('PSK: openssl s_client -psk -> jsec server; a wrong key never completes', { ...T, skip: !HAVE_OPENSSL }, async () => {
  const key = 'aabbccddeeff00112233445566778899';
  const server = await listen({ host: '127.0.0.1', pskKeys: { 'sensor-17': key }, handshakeTimeout: 1000 });
  try {
    server.on('connection', async (s) => {
      for await (const m of s) await s.send(`echo:${m}`);
    });
    const cli = tool('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${server.address().port}`, '-psk', key, '-psk_identity', 'sensor-17']);
    try {
      await cli.waitFor(/Cipher is .*PSK/);
      cli.child.stdin.write('psk in\n');
      await cli.waitFor(/echo:psk in/);
    } finally {
      await cli.stop();
    }
    // With the wrong key the client's Finished does not decrypt; DTLS drops
    // undecryptable records silently, so the server's handshake timeout ends it.
    const failed = new Promise((r) => server.once('peerError', r));
    const bad = tool('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${server.address().port}`, '-psk', '00112233', '-psk_identity', 'sensor-17']);
    try {
      const err = await failed;
      assert.equal(err.code, 'ERR_JSEC_DTLS_HANDSHAKE_TIMEOUT');
    } finally {
      await bad.stop();
    }
    assert.equal(server.stats().established, 1);
  } finally {
    await server.close();
  }
});

// node-dtls-client (the npm PSK client) against a jsec server. Not a
// dependency: runs when JSEC_NODE_DTLS_CLIENT names a prefix where
// `npm install --prefix <dir> node-dtls-client@1` ran.
const NDC = process.env.JSEC_NODE_DTLS_CLIENT;
test('PSK: node-dtls-client -> jsec server', { ...T, skip: !NDC && 'JSEC_NODE_DTLS_CLIENT not set' }, async () => {
  const { createRequire } = await import('node:module');
  const { dtls } = createRequire(`${NDC}/x.js`)('node-dtls-client');
  const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const server = await listen({ host: '127.0.0.1', pskKeys: { ndc: key } });
  try {
    const accepted = server.accept();
    server.on('connection', async (s) => {
      for await (const m of s) await s.send(`echo:${m}`);
    });
    const sock = dtls.createSocket({ type: 'udp4', address: '127.0.0.1', port: server.address().port, psk: { ndc: key }, timeout: 5000 });
    await new Promise((resolve, reject) => sock.once('connected', resolve).once('error', reject));
    const peer = await accepted;
    assert.equal(peer.info().pskIdentity, 'ndc');
    const reply = new Promise((r) => sock.once('message', r));
    sock.send(Buffer.from('from node-dtls-client'));
    assert.equal(String(await reply), 'echo:from node-dtls-client');
    sock.close();
  } finally {
    await server.close();
  }
});

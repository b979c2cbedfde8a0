// Interop with independent TLS implementations: the jsec client against
// `openssl s_server` and `gnutls-serv`, the jsec server against
// `openssl s_client` and `gnutls-cli`, for each TLS version, key type and
// default-policy suite. Each test asserts the negotiated version and cipher
// (and the server key type) from both sides: jsec's info() and the tool's own
// report. Then misissued servers: each yields its verification error code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CertificateError } from 'jsec/errors';
import { connect, info, listen } from 'jsec/tls';
import {
  gnutlsClient, gnutlsCipher, gnutlsServer, gnutlsVersion, killAll, opensslClient, opensslServer,
} from '../helpers/interop.mjs';
import { defaultSuites } from '../helpers/matrix.mjs';
import { getMatrixPki, KEY_TYPES } from '../helpers/matrix-pki.mjs';

const STANDARD = Object.freeze({
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
});

/** How each tool names the signature of a key type (openssl -brief "Signature type", GnuTLS description). */
const OPENSSL_SIGNATURE = { rsa: /^Signature type: RSA(-PSS)?$/m, p256: /^Signature type: ECDSA$/m, ed25519: /^Signature type: ed25519$/im };
const GNUTLS_SIGNATURE = { rsa: /\(RSA(-PSS-RSAE)?-SHA\d+\)/, p256: /\(ECDSA(-SECP256R1)?-SHA256\)/, ed25519: /\(EdDSA-Ed25519\)/ };

let pki;
before(async () => {
  pki = await getMatrixPki();
});
after(killAll);

/** The cases: every default suite with every key type it applies to, for both versions. */
function cases() {
  const out = [];
  for (const [version, suites] of Object.entries(defaultSuites())) {
    for (const suite of suites) {
      for (const keyType of Object.keys(KEY_TYPES)) {
        if (version === 'TLSv1.2' && suite.includes('-ECDSA-') !== (keyType !== 'rsa')) continue;
        out.push({ version, suite, keyType, standardName: STANDARD[suite] ?? suite });
      }
    }
  }
  return out;
}

function security({ version, suite }) {
  return { minVersion: version, maxVersion: version, ...(version === 'TLSv1.2' ? { ciphers: suite } : { ciphersuites: suite }) };
}

function assertClientView(socket, c) {
  const i = info(socket);
  assert.equal(i.protocol, c.version);
  assert.equal(i.cipher.standardName, c.standardName);
  assert.equal(i.peerCertificates[0].publicKey.asymmetricKeyType, KEY_TYPES[c.keyType].asymmetricKeyType);
  assert.equal(i.authorized, true);
}

async function httpGet(socket) {
  socket.end('GET / HTTP/1.0\r\n\r\n');
  let page = '';
  for await (const chunk of socket) page += chunk;
  return page.replace(/<[^>]*>/g, ' ').replace(/[ \t]+/g, ' ');
}

/**
 * A jsec server for one case: it asserts its own view of each connection,
 * answers the client's first line with that view and ends.
 */
async function jsecServer(c) {
  const server = await listen({ host: '127.0.0.1', port: 0, cert: pki.server[c.keyType].cert, key: pki.server[c.keyType].key, security: security(c) });
  const served = (async () => {
    const socket = await server.accept();
    const i = info(socket);
    socket.once('data', () => socket.end(`jsec saw ${i.protocol} ${i.cipher.standardName}\n`));
    await new Promise((resolve) => socket.once('close', resolve));
    return i;
  })();
  return { server, port: server.address().port, served };
}

const name = (c) => `${c.version} ${c.suite} ${KEY_TYPES[c.keyType].label}`;

describe('jsec client against openssl s_server', { concurrency: 4 }, () => {
  for (const c of cases()) {
    test(name(c), { timeout: 20_000 }, async () => {
      const peer = await opensslServer({ identity: pki.server[c.keyType], version: c.version });
      try {
        const socket = await connect({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: pki.ca, security: security(c) });
        assertClientView(socket, c);
        const page = await httpGet(socket);
        // s_server -www describes the session as it negotiated it.
        assert.match(page, new RegExp(`New, ${c.version.replace('.', '\\.')}, Cipher is ${c.suite}\\b`));
      } finally {
        await peer.kill();
      }
    });
  }
});

describe('jsec client against gnutls-serv', { concurrency: 4 }, () => {
  for (const c of cases()) {
    test(name(c), { timeout: 20_000 }, async () => {
      const peer = await gnutlsServer({ identity: pki.server[c.keyType], version: c.version });
      try {
        const socket = await connect({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: pki.ca, security: security(c) });
        assertClientView(socket, c);
        const page = await httpGet(socket);
        assert.match(page, new RegExp(`Protocol version: ${gnutlsVersion(c.version)}\\b`));
        assert.match(page, new RegExp(`Cipher ${gnutlsCipher(c.standardName)}\\b`));
        assert.match(page, GNUTLS_SIGNATURE[c.keyType]);
      } finally {
        await peer.kill();
      }
    });
  }
});

describe('jsec server against openssl s_client', { concurrency: 4 }, () => {
  for (const c of cases()) {
    test(name(c), { timeout: 20_000 }, async () => {
      const { server, port, served } = await jsecServer(c);
      try {
        const tool = opensslClient({ port, version: c.version, caFile: pki.caFile });
        await tool.waitFor(/^Verification: OK$/m);
        tool.child.stdin.write('hello\n');
        const exit = await tool.exited;
        const out = tool.output();
        assert.equal(exit.code, 0, out);
        assert.match(out, new RegExp(`^Protocol version: ${c.version.replace('.', '\\.')}$`, 'm'));
        assert.match(out, new RegExp(`^Ciphersuite: ${c.suite}$`, 'm'));
        assert.match(out, OPENSSL_SIGNATURE[c.keyType]);
        assert.match(out, new RegExp(`jsec saw ${c.version.replace('.', '\\.')} ${c.standardName}`));
        const seen = await served;
        assert.equal(seen.protocol, c.version);
        assert.equal(seen.cipher.standardName, c.standardName);
      } finally {
        await server.close();
      }
    });
  }
});

describe('jsec server against gnutls-cli', { concurrency: 4 }, () => {
  for (const c of cases()) {
    test(name(c), { timeout: 20_000 }, async () => {
      const { server, port, served } = await jsecServer(c);
      try {
        const tool = gnutlsClient({ port, version: c.version, caFile: pki.caFile });
        await tool.waitFor(/- Handshake was completed/);
        tool.child.stdin.write('hello\n');
        const exit = await tool.exited;
        const out = tool.output();
        assert.equal(exit.code, 0, out);
        assert.match(out, /- Status: The certificate is trusted\./);
        const description = /- Description: (.*)$/m.exec(out)?.[1] ?? '';
        assert.match(description, new RegExp(`^\\(${gnutlsVersion(c.version)}(-X\\.509)?\\)`));
        assert.match(description, new RegExp(`\\(${gnutlsCipher(c.standardName)}\\)$`));
        assert.match(description, GNUTLS_SIGNATURE[c.keyType]);
        assert.match(out, new RegExp(`jsec saw ${c.version.replace('.', '\\.')} ${c.standardName}`));
        const seen = await served;
        assert.equal(seen.protocol, c.version);
        assert.equal(seen.cipher.standardName, c.standardName);
      } finally {
        await server.close();
      }
    });
  }
});

/** How each tool prints a client certificate's key algorithm. */
const OPENSSL_KEY_ALGORITHM = { rsa: 'rsaEncryption', p256: 'id-ecPublicKey', ed25519: 'ED25519' };
const GNUTLS_KEY_ALGORITHM = { rsa: 'RSA', p256: 'EC/ECDSA', ed25519: 'EdDSA \\(Ed25519\\)' };

describe('mutual TLS with the tools', { concurrency: 4 }, () => {
  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    for (const keyType of Object.keys(KEY_TYPES)) {
      const label = `${version} client key ${KEY_TYPES[keyType].label}`;
      // The server key follows the client's, so each key type also authenticates the server once.
      const clientOptions = () => ({
        host: '127.0.0.1', servername: 'localhost', ca: pki.ca, cert: pki.client[keyType].cert, key: pki.client[keyType].key,
        security: { minVersion: version, maxVersion: version },
      });

      test(`jsec client with a certificate -> openssl s_server -Verify (${label})`, { timeout: 20_000 }, async () => {
        const peer = await opensslServer({ identity: pki.server[keyType], version, extra: ['-Verify', '1', '-CAfile', pki.caFile] });
        try {
          const socket = await connect({ ...clientOptions(), port: peer.port });
          assert.equal(info(socket).protocol, version);
          const page = await httpGet(socket);
          assert.match(page, /Verify return code: 0 \(ok\)/);
          assert.match(page, /^ ?Client certificate\s*$/m);
          assert.match(page, new RegExp(`Subject: CN ?= ?client-${keyType}\\b`));
          assert.match(page, new RegExp(`Public Key Algorithm: ${OPENSSL_KEY_ALGORITHM[keyType]}\\b`));
        } finally {
          await peer.kill();
        }
      });

      test(`jsec client with a certificate -> gnutls-serv --require-client-cert (${label})`, { timeout: 20_000 }, async () => {
        const peer = await gnutlsServer({ identity: pki.server[keyType], version, extra: ['--require-client-cert', '--x509cafile', pki.caFile] });
        try {
          const socket = await connect({ ...clientOptions(), port: peer.port });
          assert.equal(info(socket).protocol, version);
          const page = await httpGet(socket);
          assert.match(page, new RegExp(`Protocol version: ${gnutlsVersion(version)}\\b`));
          assert.match(page, new RegExp(`Subject: CN=client-${keyType}\\s+Subject Public Key Algorithm: ${GNUTLS_KEY_ALGORITHM[keyType]}`));
        } finally {
          await peer.kill();
        }
      });

      for (const [tool, makeClient, ready] of [
        ['openssl s_client', opensslClient, /^Verification: OK$/m],
        ['gnutls-cli', gnutlsClient, /- Handshake was completed/],
      ]) {
        test(`${tool} with a certificate -> jsec server with requestCert (${label})`, { timeout: 20_000 }, async () => {
          const server = await listen({
            host: '127.0.0.1', port: 0, cert: pki.server[keyType].cert, key: pki.server[keyType].key, requestCert: true, ca: pki.ca,
            security: { minVersion: version, maxVersion: version },
          });
          try {
            const served = server.accept().then((socket) => {
              const i = info(socket);
              socket.once('data', () => socket.end('ok\n'));
              return i;
            });
            const client = makeClient({ port: server.address().port, version, caFile: pki.caFile, identity: pki.client[keyType] });
            await client.waitFor(ready);
            client.child.stdin.write('hello\n');
            const seen = await served;
            assert.equal((await client.exited).code, 0, client.output());
            assert.equal(seen.protocol, version);
            assert.equal(seen.authorized, true);
            assert.equal(seen.peerCertificates[0].publicKey.asymmetricKeyType, KEY_TYPES[keyType].asymmetricKeyType);
            assert.match(seen.peerCertificates[0].subject, new RegExp(`CN=client-${keyType}`));
          } finally {
            await server.close();
          }
        });
      }
    }
  }
});

/** Misissued server certificates and the code each must produce. */
const MISISSUED = [
  ['expired', 'CERT_HAS_EXPIRED'],
  ['wrongHost', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['untrusted', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['untrustedWithRoot', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['untrustedLeafOnly', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
];

for (const [tool, start] of [['openssl s_server', opensslServer], ['gnutls-serv', gnutlsServer]]) {
  describe(`jsec client rejects misissued ${tool} certificates`, { concurrency: 3 }, () => {
    for (const [which, code] of MISISSUED) {
      for (const version of ['TLSv1.2', 'TLSv1.3']) {
        test(`${which} (${version}) -> ${code}`, { timeout: 20_000 }, async () => {
          const peer = await start({ identity: pki.misissued[which], version });
          try {
            const attempt = connect({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: pki.ca, security: { minVersion: version, maxVersion: version } });
            await assert.rejects(attempt, (err) => {
              assert.equal(err.code, code);
              assert.ok(err instanceof CertificateError, `${err.name} is a CertificateError`);
              return true;
            });
          } finally {
            await peer.kill();
          }
        });
      }
    }
  });
}

/** Misissued client certificates and the code the jsec server reports (host names are not checked for clients). */
const MISISSUED_CLIENTS = MISISSUED.filter(([which]) => which !== 'wrongHost');

for (const [tool, makeClient] of [['openssl s_client', opensslClient], ['gnutls-cli', gnutlsClient]]) {
  describe(`jsec server rejects misissued ${tool} client certificates`, { concurrency: 3 }, () => {
    for (const [which, code] of MISISSUED_CLIENTS) {
      for (const version of ['TLSv1.2', 'TLSv1.3']) {
        test(`${which} (${version}) -> ${code}`, { timeout: 20_000 }, async () => {
          const server = await listen({
            host: '127.0.0.1', port: 0, cert: pki.server.p256.cert, key: pki.server.p256.key, requestCert: true, ca: pki.ca,
            security: { minVersion: version, maxVersion: version },
          });
          try {
            const failed = new Promise((resolve) => server.once('handshakeError', (err) => resolve(err)));
            let accepted = false;
            server.accept().then(() => (accepted = true), () => {});
            const client = makeClient({ port: server.address().port, version, caFile: pki.caFile, identity: pki.misissued[which] });
            const err = await failed;
            assert.equal(err.code, code);
            assert.ok(err instanceof CertificateError, `${err.name} is a CertificateError`);
            // The tool is told (alert) and fails; the rejected connection never reaches accept().
            assert.notEqual((await client.exited).code, 0, client.output());
            assert.equal(accepted, false);
          } finally {
            await server.close();
          }
        });
      }
    }
  });
}

// The TLS matrix: generated cases over TLS version x cipher suite (of the
// default policy) x server key type x key-exchange group x ALPN x transport x
// verify mode x resumption. Every dimension is applied through jsec options and
// every case asserts the negotiated value of every dimension, from both sides.
//
// Servers are shared: one per (transport, verify mode, server key type); all
// the other dimensions are applied by the client, so a case costs one handshake.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createContext, info, listen, upgrade } from 'jsec/tls';
import { getMatrixPki, KEY_TYPES } from './matrix-pki.mjs';

/** IANA names of the TLS 1.2 suites (TLS 1.3 suites are named the same in OpenSSL and IANA). */
const STANDARD_NAMES = Object.freeze({
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
});

/** Key-exchange groups: the name jsec's `groups` takes, and the names OpenSSL reports for the ephemeral key. */
export const GROUPS = Object.freeze({
  X25519: ['x25519'],
  'P-256': ['prime256v1', 'secp256r1'],
  'P-384': ['secp384r1'],
  'P-521': ['secp521r1'],
  X448: ['x448'],
});

/** Whether OpenSSL's name for a key-exchange group (spelling varies across versions) is `group`. */
const isGroup = (name, group) => typeof name === 'string' && GROUPS[group].includes(name.toLowerCase());
export const TRANSPORTS = Object.freeze(['tcp', 'unix', 'starttls']);
/**
 * Verify modes: the client always verifies the server, by the name
 * `localhost` (sent as SNI) or, in `server-auth-ip`, by the IP address it
 * connects to (checked against the IP SANs, no SNI sent); `mtls-*` also has
 * the server verify a client certificate of that key type.
 */
export const VERIFY_MODES = Object.freeze(['server-auth', 'server-auth-ip', 'mtls-rsa', 'mtls-p256', 'mtls-ed25519']);

/** The verify modes a transport supports (a Unix socket has no IP address to verify). */
export const verifyModesFor = (transport) => VERIFY_MODES.filter((m) => transport !== 'unix' || m !== 'server-auth-ip');

const isMutual = (verifyMode) => verifyMode.startsWith('mtls-');
const SERVER_ALPN = ['h2', 'http/1.1'];

/** The suites of the default policy, read through the public API. */
export function defaultSuites() {
  const { security } = createContext();
  return { 'TLSv1.2': security.ciphers.split(':'), 'TLSv1.3': security.ciphersuites.split(':') };
}

/**
 * The connection settings a case is made of (everything but transport and
 * verify mode, which decide the shared server). TLS 1.2 suites apply to the
 * key type they authenticate with (ECDSA suites to P-256 and Ed25519 keys,
 * RSA suites to RSA keys). With TLS 1.2 an ECDSA certificate's curve must be
 * among the groups (RFC 8422, 5.1), so P-256 certificates (the server's, or
 * the client's under `mtls-p256`) pair with the P-256 group only.
 */
export function combos(verifyMode) {
  const out = [];
  for (const [version, suites] of Object.entries(defaultSuites())) {
    for (const suite of suites) {
      for (const keyType of Object.keys(KEY_TYPES)) {
        if (version === 'TLSv1.2' && suite.includes('-ECDSA-') !== (keyType !== 'rsa')) continue;
        for (const group of Object.keys(GROUPS)) {
          if (version === 'TLSv1.2' && (keyType === 'p256' || verifyMode === 'mtls-p256') && group !== 'P-256') continue;
          for (const alpn of [null, 'h2']) out.push({ version, suite, keyType, group, alpn });
        }
      }
    }
  }
  return out;
}

export function comboName({ version, suite, keyType, group, alpn }) {
  return `${version} ${suite} ${KEY_TYPES[keyType].label} ${group} alpn=${alpn ?? 'none'}`;
}

let socketDir;
function socketPath(name) {
  if (!socketDir) {
    socketDir = mkdtempSync(join(tmpdir(), 'jsec-matrix-'));
    process.once('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  }
  return join(socketDir, `${name}.sock`);
}

/** What a server reports about each connection it accepted: its own view of the negotiation. */
function serverView(socket) {
  const i = info(socket);
  const peer = i.peerCertificates[0];
  return {
    ownKeyType: socket.getX509Certificate().publicKey.asymmetricKeyType,
    protocol: i.protocol,
    cipher: i.cipher.standardName,
    peerKeyType: peer ? peer.publicKey.asymmetricKeyType : null,
    peerSubject: peer ? peer.subject : null,
    alpn: i.alpnProtocol,
    servername: i.servername ?? null,
    resumed: i.resumed,
  };
}

/** Answers a connection with the server's view (one JSON line) and ends it. */
function answer(socket) {
  socket.on('error', () => {});
  socket.end(`${JSON.stringify(serverView(socket))}\n`);
}

/**
 * A shared server for (transport, verify mode, key type): a jsec TLS server
 * (tcp, unix) or a plain server that upgrades after a STARTTLS line.
 */
export async function startServer(transport, verifyMode, keyType, name) {
  const pki = await getMatrixPki();
  const tlsOptions = {
    cert: pki.server[keyType].cert,
    key: pki.server[keyType].key,
    ALPNProtocols: SERVER_ALPN,
    ...(isMutual(verifyMode) ? { requestCert: true, ca: pki.ca } : {}),
  };
  const failures = [];
  if (transport !== 'starttls') {
    const where = transport === 'unix' ? { path: socketPath(name) } : { host: '127.0.0.1', port: 0 };
    const server = await listen({ ...where, ...tlsOptions });
    server.on('handshakeError', (err) => failures.push(err));
    const serving = (async () => {
      for await (const socket of server) answer(socket);
    })();
    return {
      failures,
      target: transport === 'unix' ? { path: where.path } : { host: '127.0.0.1', port: server.address().port },
      close: async () => {
        await server.close();
        await serving;
      },
    };
  }
  // One server context for every upgraded connection, as a STARTTLS server
  // would hold: its session ticket keys make resumption possible.
  const { cert, key, ...perConnection } = tlsOptions;
  const context = createContext({ role: 'server', cert, key, ...(perConnection.ca ? { ca: perConnection.ca } : {}) });
  delete perConnection.ca;
  const server = net.createServer(async (raw) => {
    raw.on('error', () => {});
    try {
      await expectLine(raw, 'STARTTLS');
      raw.write('220 ready\r\n');
      answer(await upgrade(raw, { ...perConnection, context, isServer: true }));
    } catch (err) {
      failures.push(err);
      raw.destroy();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    failures,
    target: { host: '127.0.0.1', port: server.address().port, starttls: true },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function expectLine(socket, expected) {
  let buffered = '';
  while (!buffered.includes('\r\n')) {
    const chunk = socket.read();
    if (chunk === null) {
      if (socket.readableEnded || socket.destroyed) throw new Error('closed before the STARTTLS line');
      await Promise.race([once(socket, 'readable'), once(socket, 'close')]);
      continue;
    }
    buffered += chunk.toString('latin1');
  }
  const [line] = buffered.split('\r\n');
  if (line !== expected) throw new Error(`expected ${expected}, got ${line}`);
}

/** The client options that apply a case's client-side dimensions. */
export async function clientOptions(combo, verifyMode) {
  const pki = await getMatrixPki();
  const security = { minVersion: combo.version, maxVersion: combo.version, groups: combo.group };
  if (combo.version === 'TLSv1.2') security.ciphers = combo.suite;
  else security.ciphersuites = combo.suite;
  const options = { ca: pki.ca, security };
  if (verifyMode !== 'server-auth-ip') options.servername = 'localhost';
  if (combo.alpn) options.ALPNProtocols = [combo.alpn];
  if (isMutual(verifyMode)) {
    const clientKey = verifyMode.slice('mtls-'.length);
    options.cert = pki.client[clientKey].cert;
    options.key = pki.client[clientKey].key;
  }
  return options;
}

async function open(target, options) {
  if (target.path) return connect({ path: target.path, ...options });
  if (!target.starttls) return connect({ host: target.host, port: target.port, ...options });
  const raw = net.connect({ host: target.host, port: target.port });
  await once(raw, 'connect');
  raw.write('STARTTLS\r\n');
  await expectLine(raw, '220 ready');
  return upgrade(raw, { ...options, host: target.host });
}

/** Reads a whole (short) stream. */
async function readAll(socket) {
  const chunks = [];
  for await (const chunk of socket) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One case: connects with the combo's options and asserts every dimension as
 * negotiated, seen from the client (info(), the ephemeral key) and from the
 * server (its view, sent over the connection).
 */
export async function runCase(server, combo, verifyMode, { resumed, session }) {
  const options = await clientOptions(combo, verifyMode);
  if (session) options.session = session;
  const socket = await open(server.target, options);
  // TLS 1.3 tickets arrive after the handshake, as 'session' events.
  let lastSession = socket.getSession();
  socket.on('session', (data) => (lastSession = data));
  try {
    const i = info(socket);
    const ephemeral = socket.getEphemeralKeyInfo();
    const expectedCipher = combo.version === 'TLSv1.2' ? STANDARD_NAMES[combo.suite] : combo.suite;
    assert.ok(expectedCipher, `no standard name known for ${combo.suite}`);
    const keyType = KEY_TYPES[combo.keyType].asymmetricKeyType;

    assert.equal(i.protocol, combo.version);
    assert.equal(i.cipher.standardName, expectedCipher);
    // A resumed handshake carries no certificate: info() reports the chain
    // verified when jsec's cache took the session. A session passed in by the
    // caller comes without its chain; the server's own view below still
    // asserts the key type.
    if (!session) {
      assert.ok(i.peerCertificates.length >= 2, 'the verified chain has leaf and intermediate');
      const peer = i.peerCertificates[0].publicKey;
      assert.equal(peer.asymmetricKeyType, keyType);
      if (combo.keyType === 'p256') assert.equal(peer.asymmetricKeyDetails.namedCurve, 'prime256v1');
      if (combo.keyType === 'rsa') assert.equal(peer.asymmetricKeyDetails.modulusLength, 2048);
    }
    // TLS 1.3 resumption uses (EC)DHE too (psk_dhe_ke). TLS 1.2 resumption has
    // no key exchange: OpenSSL 3.0 reports no ephemeral key, 3.5 the session's group.
    if (resumed && combo.version === 'TLSv1.2') {
      assert.ok(ephemeral?.name === undefined || isGroup(ephemeral.name, combo.group), `ephemeral key ${ephemeral?.name}`);
    } else {
      assert.ok(isGroup(ephemeral?.name, combo.group), `ephemeral key ${ephemeral?.name}, expected ${combo.group}`);
    }
    assert.equal(i.alpnProtocol, combo.alpn ?? false);
    assert.equal(i.resumed, resumed);
    assert.equal(i.authorized, true);

    const seen = JSON.parse(await readAll(socket));
    assert.equal(seen.ownKeyType, keyType);
    assert.equal(seen.protocol, combo.version);
    assert.equal(seen.cipher, expectedCipher);
    assert.equal(seen.alpn, combo.alpn ?? false);
    assert.equal(seen.resumed, resumed);
    // The SNI name the server received (none for an IP host). OpenSSL does not
    // report it on the server for a resumed TLS 1.2 session, whose ticket
    // does not carry it.
    if (!(resumed && combo.version === 'TLSv1.2')) assert.equal(seen.servername, verifyMode === 'server-auth-ip' ? null : 'localhost');
    if (!isMutual(verifyMode)) {
      assert.equal(seen.peerKeyType, null);
    } else {
      const clientKey = verifyMode.slice('mtls-'.length);
      assert.equal(seen.peerKeyType, KEY_TYPES[clientKey].asymmetricKeyType);
      assert.match(seen.peerSubject, new RegExp(`CN=client-${clientKey}`));
    }
    return lastSession;
  } finally {
    socket.destroy();
  }
}

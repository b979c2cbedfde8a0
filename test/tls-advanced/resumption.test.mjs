// Session resumption: client cache (automatic, keyed, single-use TLS 1.3
// tickets, pluggable store, dropped on failure), server ticket keys with
// rotation and grace, shared keys, the stateful cache, and interop with the
// openssl CLI. Matrix: {TLS 1.2, TLS 1.3} x {RSA, P-256}.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createContext, info, LruSessionStore, TicketKeys } from 'jsec/tls';
import { dial, freePort, MATRIX, only, pki, portOf, rejectionOf, roundTrip, run, server, waitPort } from './_util.mjs';
void rejectionOf;

const T = { timeout: 20_000 };

async function resumedSequence(srv, options, n = 2) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = await dial(srv, options);
    out.push(info(s).resumed);
    await roundTrip(s);
  }
  return out;
}

describe('resumption matrix', () => {
  for (const c of MATRIX) {
    test(`${c.name}: the second connection resumes by itself`, T, async () => {
      const srv = await server(c.keyType, c.version);
      const ctx = createContext({ ca: pki.ca, security: only(c.version) });
      const seq = await resumedSequence(srv, { context: ctx }, 3);
      assert.deepEqual(seq, [false, true, true]);
      const s = await dial(srv, { context: ctx });
      assert.equal(info(s).protocol, c.version);
      assert.equal(info(s).peerCertificates[0].subject, 'CN=localhost', 'a resumed session reports the verified chain');
      await roundTrip(s);
      await srv.close();
    });

    test(`${c.name}: negative: sessionStore false never resumes`, T, async () => {
      const srv = await server(c.keyType, c.version);
      const ctx = createContext({ ca: pki.ca, security: only(c.version) });
      assert.deepEqual(await resumedSequence(srv, { context: ctx, sessionStore: false }, 2), [false, false]);
      await srv.close();
    });
  }
});

describe('client session cache', () => {
  test('keys separate servername, ALPN and client identity', T, async () => {
    const srv = await server('P-256', 'TLSv1.3', { ALPNProtocols: ['a', 'b'] });
    const store = new LruSessionStore();
    await resumedSequence(srv, { sessionStore: store, ALPNProtocols: ['a'] }, 1);
    // Same server, another ALPN offer: a different key, so a full handshake.
    assert.deepEqual(await resumedSequence(srv, { sessionStore: store, ALPNProtocols: ['b'] }, 1), [false]);
    // Another client identity (client certificate) is another context id.
    assert.deepEqual(await resumedSequence(srv, { sessionStore: store, ALPNProtocols: ['a'], cert: pki.client.cert, key: pki.client.key }, 1), [false]);
    assert.deepEqual(await resumedSequence(srv, { sessionStore: store, ALPNProtocols: ['a'] }, 1), [true]);
    await srv.close();
  });

  test('TLS 1.3 tickets are single use; several are kept per server', T, async () => {
    const srv = await server('P-256', 'TLSv1.3');
    const puts = [];
    const taken = [];
    const inner = new LruSessionStore();
    const store = {
      take: (k) => { const e = inner.take(k); if (e) taken.push(e.session.toString('hex')); return e; },
      put: (k, e) => { puts.push(e.protocol); inner.put(k, e); },
      delete: (k) => inner.delete(k),
    };
    await roundTrip(await dial(srv, { sessionStore: store }));
    assert.ok(puts.length >= 2, `several tickets stored (${puts.length})`);
    assert.ok(puts.every((p) => p === 'TLSv1.3'));
    for (let i = 0; i < 3; i++) {
      const r = await dial(srv, { sessionStore: store });
      assert.equal(info(r).resumed, true, `resumption ${i} (${puts.length} tickets stored, ${taken.length} taken)`);
      await roundTrip(r);
    }
    assert.equal(taken.length, 3);
    assert.equal(new Set(taken).size, 3, 'no ticket was offered twice');
    await srv.close();
  });

  test('a corrupt or foreign session falls back to a full handshake', T, async () => {
    const srv = await server('P-256', 'TLSv1.2');
    const other = await server('RSA', 'TLSv1.2');
    const garbage = { take: () => ({ session: Buffer.from('not a session'), protocol: 'TLSv1.2', expires: Date.now() + 1e6 }), put() {}, delete() {} };
    const s = await dial(srv, { sessionStore: garbage });
    assert.equal(info(s).resumed, false);
    await roundTrip(s);
    // A real session from another server (other ticket keys) is not resumed.
    let foreign;
    await roundTrip(await dial(other, { sessionStore: { take: () => undefined, put: (k, e) => (foreign ??= e), delete() {} } }));
    assert.ok(foreign);
    const f = await dial(srv, { sessionStore: { take: () => foreign, put() {}, delete() {} } });
    assert.equal(info(f).resumed, false);
    await roundTrip(f);
    assert.equal(srv.errors.length, 0);
    // An explicit garbage session: OpenSSL cannot decode it, so a clean full handshake.
    const g = await dial(srv, { session: Buffer.from('garbage') });
    assert.equal(info(g).resumed, false);
    await roundTrip(g);
    await srv.close();
    await other.close();
  });

  test('a failed handshake drops the cached sessions of that server', T, async () => {
    const srv = await server('P-256', 'TLSv1.2');
    const store = new LruSessionStore();
    await resumedSequence(srv, { sessionStore: store }, 1);
    assert.equal(store.size, 1);
    const err = await rejectionOf(dial(srv, { sessionStore: store, pins: ['sha256/' + 'A'.repeat(43) + '='] }));
    assert.equal(err.code, 'ERR_JSEC_TLS_PIN_MISMATCH');
    assert.equal(store.size, 0);
    await srv.close();
  });
});

describe('server ticket keys', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    test(`${version}: rotation with grace (injected clock)`, T, async () => {
      let now = 10 * 3_600_000;
      const keys = new TicketKeys({ period: 3_600_000, grace: 1_800_000, now: () => now });
      const srv = await server('P-256', version, { ticketKeys: keys });
      const ctx = createContext({ ca: pki.ca, security: only(version) });
      const store = new LruSessionStore();
      const opts = { context: ctx, sessionStore: store };
      await resumedSequence(srv, opts, 1);
      const first = keys.currentKeyName();
      now += 3_600_000 + 60_000; // rotated, within grace of the old key
      assert.notEqual(keys.currentKeyName(), first);
      assert.deepEqual(await resumedSequence(srv, opts, 1), [true], 'an old key decrypts within grace');
      now += 10 * 3_600_000; // far beyond grace: every stored ticket is dead
      assert.deepEqual(await resumedSequence(srv, opts, 1), [false], 'negative: beyond grace the ticket is refused');
      await srv.close();
    });
  }

  test('keys shared through exportSecret resume across servers; other secrets do not', T, async () => {
    const a = new TicketKeys();
    const b = new TicketKeys({ secret: a.exportSecret() });
    const c = new TicketKeys();
    const sa = await server('P-256', 'TLSv1.2', { ticketKeys: a });
    const sb = await server('P-256', 'TLSv1.2', { ticketKeys: b });
    const sc = await server('P-256', 'TLSv1.2', { ticketKeys: c });
    // Sessions are keyed by port, so carry the session over explicitly.
    let saved;
    const s1 = await dial(sa, { sessionStore: { take: () => undefined, put: (k, e) => (saved = e.session), delete() {} } });
    await roundTrip(s1);
    const s2 = await dial(sb, { session: saved });
    assert.equal(info(s2).resumed, true);
    await roundTrip(s2);
    const s3 = await dial(sc, { session: saved });
    assert.equal(info(s3).resumed, false);
    await roundTrip(s3);
    for (const s of [sa, sb, sc]) await s.close();
    assert.throws(() => new TicketKeys({ secret: Buffer.alloc(8) }), { code: 'ERR_INVALID_ARG_VALUE' });
    a.close();
    assert.throws(() => a.exportSecret(), { code: 'ERR_JSEC_CLOSED' });
  });

  test('TLS 1.2 stateful session cache (tickets off) resumes by session ID', T, async () => {
    const srv = await server('RSA', 'TLSv1.2', { security: { ...only('TLSv1.2'), sessionTickets: false } });
    const ctx = createContext({ ca: pki.ca, security: { ...only('TLSv1.2'), sessionTickets: false } });
    assert.deepEqual(await resumedSequence(srv, { context: ctx }, 2), [false, true]);
    await srv.close();
  });
});

describe('resumption interop with the openssl CLI', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3']) {
    const flag = version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2';
    test(`${version}: openssl s_client -sess_out / -sess_in against a jsec server`, T, async () => {
      const srv = await server('P-256', version);
      const sess = join(pki.dir, `sess-${version}.pem`);
      writeFileSync(join(pki.dir, 'root.pem'), pki.root.cert);
      const common = ['s_client', '-connect', `127.0.0.1:${portOf(srv)}`, '-servername', 'localhost', '-CAfile', join(pki.dir, 'root.pem'), flag, '-verify_return_error'];
      const a = await run('openssl', [...common, '-sess_out', sess], { input: 'x', keepOpen: 300 });
      assert.match(a.out, /Verify return code: 0/);
      const b = await run('openssl', [...common, '-sess_in', sess], { input: 'x', keepOpen: 300 });
      assert.match(b.out, /Reused, TLSv1\.[23]/, 'openssl resumed against jsec');
      await srv.close();
    });

    test(`${version}: jsec client resumes against openssl s_server`, T, async () => {
      const port = await freePort();
      writeFileSync(join(pki.dir, 'srv.pem'), pki.leaves['P-256'].cert + pki.root.cert);
      writeFileSync(join(pki.dir, 'srv.key'), pki.leaves['P-256'].key);
      const { spawn } = await import('node:child_process');
      const p = spawn('openssl', ['s_server', '-accept', String(port), '-4', '-cert', join(pki.dir, 'srv.pem'), '-key', join(pki.dir, 'srv.key'), flag, '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        await waitPort(port);
        const ctx = createContext({ ca: pki.ca, security: only(version) });
        const seq = [];
        for (let i = 0; i < 2; i++) {
          const s = await dial(port, { context: ctx });
          seq.push(info(s).resumed);
          // A TLS 1.3 ticket comes after the handshake; a connection that
          // lives until the server closes it has received it.
          const closed = new Promise((resolve) => s.once('close', resolve));
          s.end();
          await closed;
        }
        assert.deepEqual(seq, [false, true]);
      } finally {
        p.kill();
      }
    });
  }
});

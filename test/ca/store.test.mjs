// The CA file store: atomic saves (temp file, fsync, rename) that never leave
// a half-written state, proven with an injected file system that fails mid-write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CertificateAuthority, FileCaStore } from 'jsec/ca';
import { JsecError } from 'jsec/errors';

const dir = mkdtempSync(join(tmpdir(), 'jsec-ca-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** node:fs/promises with hooks: `failWrite` writes half the data then throws; `failRename` throws on rename. */
function faultyFs({ failWrite = false, failRename = false, failSync = false } = {}) {
  const calls = [];
  return {
    calls,
    async open(path, flags, mode) {
      calls.push(['open', path, flags]);
      const h = await fsp.open(path, flags, mode);
      return {
        async writeFile(data) {
          if (failWrite) {
            await h.writeFile(data.slice(0, Math.floor(data.length / 2)));
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          }
          return h.writeFile(data);
        },
        async sync() {
          if (failSync) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          return h.sync();
        },
        close: () => h.close(),
      };
    },
    async rename(a, b) {
      calls.push(['rename', a, b]);
      if (failRename) throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
      return fsp.rename(a, b);
    },
    unlink: (p) => fsp.unlink(p),
    readFile: (p, e) => fsp.readFile(p, e),
  };
}

test('save and open round-trip; the file is private (0600)', async () => {
  const path = join(dir, 'ca.json');
  const ca = await CertificateAuthority.createRoot({ commonName: 'stored' });
  const leaf = await ca.issue('client', { commonName: 'a' });
  await ca.save(path, { passphrase: 'pw' });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const back = await CertificateAuthority.open(path, { passphrase: 'pw' });
  assert.ok(back.certificate.equals(ca.certificate));
  assert.deepEqual(back.issued.map((r) => r.serialNumber), [leaf.certificate.serialNumber]);
  await assert.rejects(CertificateAuthority.open(path), { code: 'ERR_JSEC_CA_PASSPHRASE' });
  await assert.rejects(CertificateAuthority.open(join(dir, 'missing.json')), (e) => e instanceof JsecError && e.code === 'ERR_JSEC_CA_STORE');
  writeFileSync(join(dir, 'garbage.json'), '{ not json');
  await assert.rejects(CertificateAuthority.open(join(dir, 'garbage.json')), { code: 'ERR_JSEC_CA_STATE' });
  await ca.close();
  await back.close();
});

for (const fault of ['failWrite', 'failSync', 'failRename']) {
  test(`a crash during save (${fault}) leaves the previous state intact and no temp file`, async () => {
    const sub = mkdtempSync(join(dir, `${fault}-`));
    const path = join(sub, 'ca.json');
    const ca = await CertificateAuthority.createRoot({ commonName: fault });
    await ca.issue('client', { commonName: 'first' });
    await new FileCaStore(path).save(ca);
    const before = readFileSync(path, 'utf8');

    await ca.issue('client', { commonName: 'second' });
    const fs = faultyFs({ [fault]: true });
    const store = new FileCaStore(path, { fs });
    await assert.rejects(store.save(ca), (e) => e instanceof JsecError && e.code === 'ERR_JSEC_CA_STORE' && e.cause?.code !== undefined);
    // The temp file was in the same directory as the target and is gone.
    const opened = fs.calls.find((c) => c[0] === 'open');
    assert.equal(join(opened[1], '..'), sub);
    assert.equal(opened[2], 'wx');
    assert.deepEqual(readdirSync(sub), ['ca.json']);
    assert.equal(readFileSync(path, 'utf8'), before);
    const old = await CertificateAuthority.open(path);
    assert.equal(old.issued.length, 1);
    // The same store saves fine once the fault is gone.
    await new FileCaStore(path).save(ca);
    assert.equal((await CertificateAuthority.open(path)).issued.length, 2);
    await ca.close();
    await old.close();
  });
}

test('a process killed (SIGKILL) in the middle of writing leaves the previous state; the next save sweeps its temp file', { timeout: 30_000 }, async () => {
  const sub = mkdtempSync(join(dir, 'sigkill-'));
  const path = join(sub, 'ca.json');
  const ca = await CertificateAuthority.createRoot({ commonName: 'killed' });
  await ca.issue('client', { commonName: 'first' });
  await new FileCaStore(path).save(ca);
  const before = readFileSync(path, 'utf8');
  // Another process opens the CA, issues, and dies after writing half of the new state to disk.
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import * as fsp from 'node:fs/promises';
      import { CertificateAuthority, FileCaStore } from 'jsec/ca';
      const path = ${JSON.stringify(path)};
      const ca = await new FileCaStore(path).load();
      await ca.issue('client', { commonName: 'second' });
      const fs = {
        async open(p, flags, mode) {
          const h = await fsp.open(p, flags, mode);
          return {
            async writeFile(data) {
              await h.writeFile(data.slice(0, data.length >> 1));
              await h.sync();
              process.stdout.write(p + '\\n');
              process.kill(process.pid, 'SIGKILL');
              await new Promise(() => {});
            },
            sync: () => h.sync(),
            close: () => h.close(),
          };
        },
        rename: (a, b) => fsp.rename(a, b),
        unlink: (p) => fsp.unlink(p),
        readFile: (p, e) => fsp.readFile(p, e),
      };
      await new FileCaStore(path, { fs }).save(ca);
      process.exit(3);
      `,
    ],
    { cwd: join(dirname(fileURLToPath(import.meta.url)), '..', '..'), encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const temp = child.stdout.trim();
  // The half-written file exists (nothing could clean up), but it is not the state.
  const half = readFileSync(temp, 'utf8');
  assert.ok(half.length > 0);
  assert.throws(() => JSON.parse(half), SyntaxError);
  assert.deepEqual(readdirSync(sub).sort(), ['ca.json', temp.slice(sub.length + 1)].sort());
  assert.equal(readFileSync(path, 'utf8'), before);
  const old = await CertificateAuthority.open(path);
  assert.equal(old.issued.length, 1);
  // The next successful save removes the dead process's temporary file.
  await old.issue('client', { commonName: 'again' });
  await new FileCaStore(path).save(old);
  assert.deepEqual(readdirSync(sub), ['ca.json']);
  assert.equal((await CertificateAuthority.open(path)).issued.length, 2);
  await ca.close();
  await old.close();
});

test('concurrent saves through one store are serialised and the last one wins', async () => {
  const path = join(dir, 'concurrent.json');
  const ca = await CertificateAuthority.createRoot({ commonName: 'concurrent' });
  const store = new FileCaStore(path);
  const saves = [];
  for (let i = 0; i < 5; i++) {
    await ca.issue('client', { commonName: `c${i}` });
    saves.push(store.save(ca));
  }
  await Promise.all(saves);
  const back = await store.load();
  assert.equal(back.issued.length, 5);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  await ca.close();
  await back.close();
});

test('bad arguments', async () => {
  assert.throws(() => new FileCaStore(''), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => new FileCaStore(join(dir, 'x'), { fss: {} }), { code: 'ERR_JSEC_UNKNOWN_OPTION' });
  await assert.rejects(new FileCaStore(join(dir, 'x')).save({}), { code: 'ERR_INVALID_ARG_TYPE' });
  const closed = await CertificateAuthority.createRoot({ commonName: 'closed' });
  await closed.close();
  await assert.rejects(new FileCaStore(join(dir, 'x')).save(closed), { code: 'ERR_JSEC_INVALID_STATE' });
});

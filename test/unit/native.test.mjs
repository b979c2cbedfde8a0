// The addon is built against Node's own OpenSSL headers and resolves every
// OpenSSL symbol from the running node binary, never from a system libcrypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { versions } from 'jsec';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const addon = join(root, 'build', 'Release', 'jsec.node');

test('versions() reports the compiled and the running OpenSSL', () => {
  const v = versions();
  assert.match(v.compiled, /^OpenSSL 3\.\d+\.\d+/);
  assert.match(v.running, /^OpenSSL 3\.\d+\.\d+/);
  // The running library is the one node reports.
  assert.ok(v.running.startsWith(`OpenSSL ${process.versions.openssl.replace(/\+.*$/, '')}`), `${v.running} vs ${process.versions.openssl}`);
  assert.equal(v.node, process.versions.openssl);
  assert.ok(Object.isFrozen(v));
});

test('OpenSSL symbols resolve from the node executable, not a shared libcrypto/libssl', () => {
  const { providers } = versions();
  // dladdr names the object that defines the symbol; node's own exports
  // (Node-API) come from the same object.
  assert.equal(providers.libcrypto, providers.node, `libcrypto symbols from ${providers.libcrypto}`);
  assert.equal(providers.libssl, providers.node, `libssl symbols from ${providers.libssl}`);
  assert.doesNotMatch(providers.libcrypto, /libcrypto|libssl/);
  // And no OpenSSL shared library is mapped into this process at all.
  const maps = readFileSync('/proc/self/maps', 'utf8');
  assert.doesNotMatch(maps, /lib(crypto|ssl)\.so/);
});

test('the addon links no OpenSSL library', () => {
  const out = execFileSync('ldd', [addon], { encoding: 'utf8' });
  assert.doesNotMatch(out, /lib(crypto|ssl)/);
});

test('the addon was compiled against the OpenSSL headers that ship with node', () => {
  // node-gyp's dependency files list every header each object included.
  const depsDir = join(root, 'build', 'Release', '.deps', 'Release', 'obj.target', 'jsec', 'native');
  assert.ok(existsSync(depsDir), 'dependency files exist');
  const files = readdirSync(depsDir, { recursive: true }).map(String).filter((f) => f.endsWith('.o.d'));
  assert.ok(files.length > 0);
  let opensslHeaders = 0;
  for (const f of files) {
    const text = readFileSync(join(depsDir, f), 'utf8');
    for (const h of text.match(/\S*\/openssl\/[\w.]+\.h/g) ?? []) {
      opensslHeaders++;
      assert.match(h, /\/include\/node\/openssl\//, `${f} includes ${h}`);
    }
  }
  assert.ok(opensslHeaders > 0, 'at least one OpenSSL header was included');
});

test('without a build, the loader throws ERR_JSEC_NATIVE_LOAD listing what it tried and what to do', () => {
  // An installed copy of the package whose addon was never built.
  const dir = mkdtempSync(join(tmpdir(), 'jsec-noaddon-'));
  try {
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const script = `
      const m = await import(${JSON.stringify(join(dir, 'dist', 'index.js'))});
      try { m.versions(); console.log(JSON.stringify({ loaded: true })); }
      catch (e) { console.log(JSON.stringify({ code: e.code, name: e.name, tried: e.tried, message: e.message, isJsec: e instanceof m.JsecError })); }
    `;
    const env = { ...process.env };
    delete env.JSEC_NATIVE_PATH;
    const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env }));
    assert.equal(r.code, 'ERR_JSEC_NATIVE_LOAD');
    assert.equal(r.name, 'JsecError');
    assert.equal(r.isJsec, true);
    assert.equal(r.tried.length, 2);
    assert.match(r.message, /Possible solutions/);

    // JSEC_NATIVE_PATH points the same copy at a built addon.
    const ok = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...env, JSEC_NATIVE_PATH: addon } }));
    assert.equal(ok.loaded, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

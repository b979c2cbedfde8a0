// Node 20's KeyObject JWK export can deadlock when a garbage collection
// during the export finalises the generation job that made the key (the job
// takes the key's lock, already held by the export). jsec never exports JWK
// from a freshly generated key there; these rounds used to hang a process
// within a few thousand certificates. They run in a child process so that a
// hang fails this test (by the child's timeout) instead of stalling the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('generate-then-export rounds never hang (Node 20 JWK export deadlock)', { timeout: 120_000 }, () => {
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import { generateSelfSignedSync, generateSelfSigned } from 'jsec/cert';
      import { generateKeySync, exportRawKey } from 'jsec/crypto';
      let n = 0;
      for (let i = 0; i < 6000; i++) n += generateSelfSignedSync().certificate.serialNumber.length > 0 ? 1 : 0;
      for (let i = 0; i < 1000; i++) n += (await generateSelfSigned()).privateKey.type === 'private' ? 1 : 0;
      for (let i = 0; i < 1500; i++) n += generateKeySync('ec', { format: 'jwk' }).privateKey.d.length > 0 ? 1 : 0;
      for (let i = 0; i < 1500; i++) n += exportRawKey(generateKeySync('ed25519').privateKey).length === 32 ? 1 : 0;
      process.stdout.write(String(n));
      `,
    ],
    { cwd: root, encoding: 'utf8', timeout: 100_000 },
  );
  assert.equal(child.signal, null, `the child hung and was killed (${child.signal}); stderr: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, String(6000 + 1000 + 1500 + 1500));
});

test('a sync-generated key signs its certificate and reads back as the matching KeyObject and PEM', async () => {
  const { generateSelfSignedSync, generateSync, verifySignature } = await import('jsec/cert');
  const { KeyObject, createPublicKey, createPrivateKey, sign, verify } = await import('node:crypto');
  for (const keyType of ['ec-p256', 'ec-p384', 'ed25519', 'ed448', 'rsa-2048']) {
    const root = generateSelfSignedSync({ keyType, ca: true, commonName: `root ${keyType}` });
    assert.ok(verifySignature(root.certificate, root.certificate), keyType);
    assert.ok(root.privateKey instanceof KeyObject && root.privateKey.type === 'private', keyType);
    assert.equal(root.privateKey, root.privateKey, 'made once');
    const spki = (k) => createPublicKey(k).export({ type: 'spki', format: 'der' });
    assert.deepEqual(spki(root.privateKey), spki(root.cert), keyType);
    assert.deepEqual(spki(createPrivateKey(root.key)), spki(root.cert), keyType);
    const alg = keyType.startsWith('ed') ? null : 'sha256';
    assert.ok(verify(alg, Buffer.from('m'), createPublicKey(root.cert), sign(alg, Buffer.from('m'), root.privateKey)), keyType);
    const leaf = generateSync({ keyType, commonName: 'leaf', issuer: { certificate: root.certificate, key: root.privateKey } });
    assert.ok(verifySignature(leaf.certificate, root.certificate), keyType);
    assert.deepEqual(spki(leaf.privateKey), spki(leaf.cert), keyType);
  }
});

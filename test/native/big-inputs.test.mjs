// Regression tests for size_t -> int truncation of inputs larger than 2 GiB
// (AEAD, CMS). They allocate about 8 GiB and take tens of seconds, and a
// container's memory limit is not visible to os.freemem(), so they run only
// when asked: JSEC_TEST_BIG=1 npm test -- big-inputs (see README, Tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { freemem } from 'node:os';
import * as c from 'jsec/crypto';
import { smallPki } from '../helpers/test-pki.mjs';

const MiB = 1024 * 1024;
const BIG =
  process.env.JSEC_TEST_BIG !== '1'
    ? 'opt-in: set JSEC_TEST_BIG=1 (allocates about 8 GiB)'
    : freemem() > 12 * 1024 * MiB
      ? false
      : 'needs 12 GiB of free memory';

test('AEAD over more than 2^31 bytes: ciphertext and tag match node:crypto fed in slices', { timeout: 60_000, skip: BIG }, () => {
  const key = Buffer.alloc(32, 7);
  const nonce = Buffer.alloc(12, 9);
  const size = 2 ** 31 + 16;
  const pt = Buffer.alloc(size, 0x5a);
  const sealed = c.encrypt('aes-256-gcm', key, nonce, pt);
  const ref = createCipheriv('aes-256-gcm', key, nonce);
  const slice = 2 ** 30;
  for (let off = 0; off < size; off += slice) {
    const part = ref.update(pt.subarray(off, Math.min(size, off + slice)));
    if (off === 0 || off + slice >= size) assert.equal(part.equals(sealed.ciphertext.subarray(off, off + part.length)), true, `slice at ${off}`);
  }
  ref.final();
  assert.deepEqual(sealed.tag, ref.getAuthTag());
  const opened = c.decrypt('aes-256-gcm', key, nonce, sealed.ciphertext, sealed.tag);
  assert.equal(opened.equals(pt), true);
});

test('CMS signing of content larger than a memory BIO can hold is ERR_OUT_OF_RANGE, never a signature over nothing', { timeout: 60_000, skip: BIG }, async () => {
  const pki = await smallPki();
  const data = Buffer.alloc(0x60000000, 1);
  let code;
  try {
    c.cmsSignSync(data, { certificate: pki.server.cert, privateKey: pki.server.key, detached: true });
  } catch (err) {
    code = err.code;
  } finally {
    await pki.close();
  }
  assert.equal(code, 'ERR_OUT_OF_RANGE');
});

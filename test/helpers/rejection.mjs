// The error a promise rejects with, for tests that assert codes.
import assert from 'node:assert/strict';

/** The rejection of `promise`; fails the test when it resolves (destroying what it resolved to). */
export async function rejectionOf(promise) {
  try {
    const s = await promise;
    s?.destroy?.();
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

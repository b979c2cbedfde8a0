// Table-driven test over every registered error code: class by family,
// code, `cause`, data fields, and instanceof across two copies of the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from 'jsec/errors';

// A second, independent copy of the same module (a distinct module instance,
// as when two versions of jsec are installed side by side).
const copyUrl = new URL(import.meta.resolve('jsec/errors'));
copyUrl.search = '?second-copy';
const other = await import(copyUrl.href);

const FAMILY_CLASS = {
  jsec: 'JsecError',
  config: 'ConfigError',
  state: 'StateError',
  tls: 'TlsError',
  alert: 'AlertError',
  certificate: 'CertificateError',
  dtls: 'DtlsError',
  openssl: 'OpenSSLError',
};
const ALL_CLASSES = Object.values(FAMILY_CLASS);

test('the second copy is a distinct module instance', () => {
  assert.notEqual(other.JsecError, errors.JsecError);
  assert.notEqual(other.createError, errors.createError);
});

test('the registry is frozen and every entry is well formed', () => {
  assert.ok(Object.isFrozen(errors.registry));
  const codes = Object.keys(errors.registry);
  assert.ok(codes.length >= 40, `only ${codes.length} codes`);
  for (const code of codes) {
    const spec = errors.registry[code];
    assert.match(code, /^(ERR_[A-Z0-9_]+|[A-Z][A-Z0-9_]+)$/, code);
    assert.ok(spec.family in FAMILY_CLASS, `${code}: family ${spec.family}`);
    assert.ok(spec.description.length > 10, `${code}: description`);
    if (!spec.node) assert.match(code, /^ERR_JSEC_/, `${code}: a code that is not Node's must be ERR_JSEC_*`);
  }
});

for (const code of Object.keys(errors.registry)) {
  test(`error ${code}`, () => {
    const { family } = errors.registry[code];
    const clsName = FAMILY_CLASS[family];
    const cause = new Error('root cause');
    const err = errors.createError(code, `message for ${code}`, { cause, depth: 2 });

    assert.equal(err.code, code);
    assert.equal(err.name, clsName);
    assert.equal(err.message, `message for ${code}`);
    assert.equal(err.cause, cause);
    assert.equal(err.depth, 2);
    assert.ok(err instanceof Error);
    assert.ok(err.stack.startsWith(`${clsName}: message for ${code}`));
    assert.equal(errors.classFor(code), errors[clsName]);

    // instanceof: its own class and the base, in this copy and in the other copy.
    for (const mod of [errors, other]) {
      assert.ok(err instanceof mod.JsecError, 'instanceof JsecError');
      assert.ok(err instanceof mod[clsName], `instanceof ${clsName}`);
      assert.ok(mod.isJsecError(err, code));
      for (const name of ALL_CLASSES) {
        if (name === clsName || name === 'JsecError') continue;
        const isParent = clsName === 'AlertError' && name === 'TlsError';
        assert.equal(err instanceof mod[name], isParent, `${code} instanceof ${name}`);
      }
    }
    // An error made by the other copy is recognised by this one.
    const foreign = other.createError(code, 'x');
    assert.ok(foreign instanceof errors[clsName]);
    assert.ok(foreign instanceof errors.JsecError);

    // Data fields are read-only and appear in toJSON.
    assert.throws(() => {
      'use strict';
      err.code = 'OTHER';
    }, TypeError);
    assert.deepEqual(JSON.parse(JSON.stringify(err)).code, code);
  });
}

test('plain errors and look-alikes are not jsec errors', () => {
  assert.equal(new Error('x') instanceof errors.JsecError, false);
  assert.equal({ code: 'ERR_JSEC_CLOSED' } instanceof errors.JsecError, false);
  assert.equal(errors.isJsecError(null), false);
  assert.equal(errors.isJsecError(errors.createError('ERR_JSEC_CLOSED', 'x'), 'ERR_JSEC_INTERNAL'), false);
});

test('an unregistered code becomes ERR_JSEC_INTERNAL rather than an untyped error', () => {
  const err = errors.createError('NOT_A_CODE', 'x');
  assert.equal(err.code, 'ERR_JSEC_INTERNAL');
  assert.ok(err instanceof errors.JsecError);
});

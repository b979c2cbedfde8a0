// The one option validator and the one defaults file (internal modules,
// imported from the build by path: they are not part of the public API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from 'jsec/errors';

const { validateOptions, closest, editDistance, deepFreeze } = await import('../../dist/config/validate.js');
const { DEFAULTS, defaults } = await import('../../dist/config/defaults.js');

const schema = {
  host: { type: 'string' },
  port: { type: 'number', integer: true, min: 0, max: 65535 },
  minVersion: { type: 'string', enum: ['TLSv1.2', 'TLSv1.3'] },
  rejectUnauthorized: { type: 'boolean' },
  ca: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }, { type: 'array', of: { type: 'oneOf', rules: [{ type: 'string' }, { type: 'bytes' }] } }] },
  security: { type: 'object', schema: { ciphers: { type: 'string' }, sessionTimeout: { type: 'number', min: 0 } } },
  signal: { type: 'signal' },
};

test('valid options pass and undefined values are dropped', () => {
  const out = validateOptions('t', { host: 'a', port: 443, ca: ['x', Buffer.from('y')], security: { ciphers: 'X' }, rejectUnauthorized: undefined, signal: new AbortController().signal }, schema);
  assert.deepEqual(Object.keys(out).sort(), ['ca', 'host', 'port', 'security', 'signal']);
  assert.deepEqual(validateOptions('t', undefined, schema), {});
  assert.deepEqual(validateOptions('t', null, schema), {});
});

const bad = [
  ['non-object options', 'str', 'ERR_INVALID_ARG_TYPE', 'options'],
  ['array options', [], 'ERR_INVALID_ARG_TYPE', 'options'],
  ['wrong type', { host: 1 }, 'ERR_INVALID_ARG_TYPE', 'host'],
  ['NaN', { port: NaN }, 'ERR_INVALID_ARG_TYPE', 'port'],
  ['out of range', { port: 70000 }, 'ERR_OUT_OF_RANGE', 'port'],
  ['not an integer', { port: 1.5 }, 'ERR_OUT_OF_RANGE', 'port'],
  ['enum', { minVersion: 'TLSv1.1' }, 'ERR_INVALID_ARG_VALUE', 'minVersion'],
  ['nested wrong type', { security: { sessionTimeout: '5' } }, 'ERR_INVALID_ARG_TYPE', 'security.sessionTimeout'],
  ['nested unknown', { security: { cipher: 'x' } }, 'ERR_JSEC_UNKNOWN_OPTION', 'security.cipher'],
  ['array element', { ca: ['ok', 5] }, 'ERR_INVALID_ARG_TYPE', 'ca'],
  ['not a signal', { signal: {} }, 'ERR_INVALID_ARG_TYPE', 'signal'],
];
for (const [name, options, code, option] of bad) {
  test(`rejects ${name} with ${code}`, () => {
    assert.throws(() => validateOptions('t', options, schema), (err) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, code);
      assert.ok(String(err.option).startsWith(option), `${err.option} vs ${option}`);
      return true;
    });
  });
}

test('unknown option names are rejected with the closest valid name', () => {
  const cases = [
    ['hots', 'host'],
    ['minversion', 'minVersion'],
    ['rejectUnauthorised', 'rejectUnauthorized'],
    ['securty', 'security'],
    ['prot', 'port'],
  ];
  for (const [typo, suggestion] of cases) {
    assert.throws(() => validateOptions('t', { [typo]: 1 }, schema), (err) => {
      assert.equal(err.code, 'ERR_JSEC_UNKNOWN_OPTION');
      assert.equal(err.option, typo);
      assert.equal(err.suggestion, suggestion);
      return true;
    });
  }
  assert.throws(() => validateOptions('t', { completelyUnrelated: 1 }, schema), (err) => err.code === 'ERR_JSEC_UNKNOWN_OPTION' && err.suggestion === undefined);
});

test('enum errors suggest the closest value', () => {
  assert.throws(() => validateOptions('t', { minVersion: 'TLSv1.3 ' }, schema), (err) => err.suggestion === 'TLSv1.3');
});

test('edit distance and closest', () => {
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('abc', 'acb'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closest('zzzzzz', ['host']), undefined);
});

test('deepFreeze freezes plain objects and arrays but leaves buffers alone', () => {
  const buf = Buffer.from('x');
  const o = deepFreeze({ a: { b: [1, { c: 2 }] }, buf });
  assert.ok(Object.isFrozen(o.a.b[1]));
  assert.ok(!Object.isFrozen(buf));
});

test('every default has a value and a one-line reason', () => {
  let count = 0;
  const walk = (table, prefix) => {
    for (const [k, v] of Object.entries(table)) {
      if (v && typeof v === 'object' && 'reason' in v) {
        count++;
        assert.equal(typeof v.reason, 'string');
        assert.ok(v.reason.length > 10 && !v.reason.includes('\n'), `${prefix}${k}`);
        const mod = prefix.split('.')[0];
        assert.equal(defaults[mod][k], v.value, `${prefix}${k}`);
      } else walk(v, `${prefix}${k}.`);
    }
  };
  walk(DEFAULTS, '');
  assert.ok(count > 10);
  assert.ok(Object.isFrozen(defaults.tls));
  assert.equal(defaults.tls.minVersion, 'TLSv1.2');
  assert.equal(defaults.tls.rejectUnauthorized, true);
});

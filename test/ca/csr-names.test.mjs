// jsec/ca signCsr name policy: nothing is admitted by default, string patterns
// are exact or one-label wildcards, RegExps must match the whole name and
// give the same answer on every call.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { CertificateAuthority } from 'jsec/ca';
import { generateCsrSync } from 'jsec/cert';
import { CertificateError, ConfigError } from 'jsec/errors';

let ca;
// One requester key for every CSR here: key generation is not what is tested.
const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

before(async () => {
  ca = await CertificateAuthority.createRoot({ commonName: 'Names Test Root' });
});
after(async () => {
  await ca?.close();
});

const refusedName = (e) => e instanceof CertificateError && e.code === 'ERR_JSEC_CA_POLICY' && e.rule === 'name';
const csrFor = (dns, commonName = dns) => generateCsrSync({ key, commonName, san: [`DNS:${dns}`] }).csr;
const sanOf = (cert) => cert.subjectAltNames.map((g) => g.value);

describe('signCsr allow.names', () => {
  test('the default admits no name: a SAN, or a CN taken from the CSR, is refused', async () => {
    await assert.rejects(ca.signCsr(csrFor('app.example.com')), refusedName);
    await assert.rejects(ca.signCsr(csrFor('app.example.com'), { allow: {} }), refusedName);
    await assert.rejects(ca.signCsr(csrFor('app.example.com'), { allow: { names: [] } }), refusedName);
    const person = generateCsrSync({ key, commonName: 'Jane Doe' }).csr;
    await assert.rejects(ca.signCsr(person, { profile: 'client' }), refusedName);
    // The CN becoming the SAN of a server certificate is a name too, even with the subject overridden.
    const cnOnly = generateCsrSync({ key, commonName: 'cn-only.example.com' }).csr;
    await assert.rejects(ca.signCsr(cnOnly, { commonName: 'chosen by the CA' }), refusedName);
    // When the CA supplies the subject and SANs, nothing of the CSR's names is used: no name to allow.
    const chosen = await ca.signCsr(csrFor('evil.attacker.test'), { commonName: 'chosen.example.com', san: ['DNS:chosen.example.com'] });
    assert.deepEqual(sanOf(chosen), ['chosen.example.com']);
    assert.equal(chosen.subject.entries.find((e) => e.type === 'CN').value, 'chosen.example.com');
    // 'any' restores admitting every name.
    assert.deepEqual(sanOf(await ca.signCsr(csrFor('anything.attacker.test'), { allow: { names: 'any' } })), ['anything.attacker.test']);
  });

  test('a string is the exact name (case-insensitive); "*." admits exactly one more label', async () => {
    const exact = { allow: { names: ['App.Example.com'] } };
    assert.deepEqual(sanOf(await ca.signCsr(csrFor('app.example.com'), exact)), ['app.example.com']);
    await assert.rejects(ca.signCsr(csrFor('app.example.com.attacker.test'), exact), refusedName);
    const wild = { allow: { names: ['*.example.com'] } };
    assert.deepEqual(sanOf(await ca.signCsr(csrFor('www.example.com'), wild)), ['www.example.com']);
    assert.deepEqual(sanOf(await ca.signCsr(csrFor('*.example.com'), wild)), ['*.example.com']);
    for (const name of ['evil.example.com.attacker.test', 'a.b.example.com', 'example.com', 'wwwexample.com', 'x.example.com.', '*.b.example.com']) {
      await assert.rejects(ca.signCsr(csrFor(name, 'ok.example.com'), wild), refusedName, name);
    }
    // Every SAN and the CN must be admitted: one bad SAN refuses the request.
    const mixed = generateCsrSync({ key, commonName: 'www.example.com', san: ['DNS:www.example.com', 'DNS:www.attacker.test'] }).csr;
    await assert.rejects(ca.signCsr(mixed, wild), refusedName);
    const badCn = generateCsrSync({ key, commonName: 'www.attacker.test', san: ['DNS:www.example.com'] }).csr;
    await assert.rejects(ca.signCsr(badCn, wild), refusedName);
  });

  test('an attacker name that merely contains an allowed pattern is refused (RegExps match the whole name)', async () => {
    const attacker = csrFor('evil.example.com.attacker.test');
    for (const pattern of [/example\.com/, /[a-z]+\.example\.com/, /.*\.example\.com/i, /^[a-z]+\.example\.com/]) {
      await assert.rejects(ca.signCsr(attacker, { allow: { names: [pattern] } }), refusedName, String(pattern));
    }
    assert.deepEqual(sanOf(await ca.signCsr(csrFor('evil.example.com'), { allow: { names: [/[a-z]+\.example\.com/] } })), ['evil.example.com']);
    // Alternation is anchored as a whole, not only its first and last branch.
    await assert.rejects(ca.signCsr(attacker, { allow: { names: [/a\.test|evil\.example\.com/] } }), refusedName);
  });

  test('g and y flags give the same answer on repeated calls and leave the RegExp untouched', async () => {
    for (const pattern of [/www\.example\.com/g, /www\.example\.com/y, /WWW\.EXAMPLE\.COM/gi]) {
      const policy = { allow: { names: [pattern] } };
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(sanOf(await ca.signCsr(csrFor('www.example.com'), policy)), ['www.example.com'], `${pattern} call ${i}`);
        await assert.rejects(ca.signCsr(csrFor('www.example.com.attacker.test', 'www.example.com'), policy), refusedName);
      }
      assert.equal(pattern.lastIndex, 0);
    }
  });

  test('bad patterns are configuration errors', async () => {
    const csr = csrFor('www.example.com');
    const config = (code) => (e) => e instanceof ConfigError && e.code === code;
    for (const names of [['foo.*.com'], ['*'], ['*.'], ['**.example.com'], ['*.*.example.com']]) {
      await assert.rejects(ca.signCsr(csr, { allow: { names } }), config('ERR_INVALID_ARG_VALUE'), JSON.stringify(names));
    }
    await assert.rejects(ca.signCsr(csr, { allow: { names: 'all' } }), config('ERR_INVALID_ARG_VALUE'));
    await assert.rejects(ca.signCsr(csr, { allow: { names: [42] } }), config('ERR_INVALID_ARG_TYPE'));
    await assert.rejects(ca.signCsr(csr, { allow: { names: [''] } }), config('ERR_INVALID_ARG_VALUE'));
  });
});

/**
 * The CSR signing policy: which parts of a certificate signing request a CA
 * copies into the certificate, what it refuses, and what it overrides.
 *
 * @module
 */
import { createError } from '../errors/index.js';
import type { Csr } from '../cert/csr.js';
import type { GeneralName, GeneralNameInput } from '../cert/names.js';
import { EXTENDED_KEY_USAGE, ekuName } from '../cert/names.js';
import type { NativeGeneralNameInput } from '../native/binding.js';
import { normalizeSan } from '../cert/names.js';
import { PROFILE_SPECS, type IssueProfile, type SanType } from './profiles.js';

/** What a CSR may ask for. Anything not allowed is refused (`ERR_JSEC_CA_POLICY`), never silently granted. */
export interface CsrAllowance {
  /** SAN types the CSR may carry. Default: by profile (server: dns, ip; client: dns, ip, email, uri; email: email; codeSigning: email, uri). */
  sanTypes?: readonly SanType[];
  /**
   * The names the CA may certify: every SAN value the CSR asks for, and its subject CN when the subject
   * is taken from the CSR, must be admitted, or the request is refused (rule `name`).
   * - `'any'`: every name (only for a CA whose requesters may each be certified for anything).
   * - a list: a string admits the name equal to it (case-insensitively); a string `*.example.com`
   *   also admits every name with exactly one more label (`a.example.com`, not `a.b.example.com`
   *   nor `example.com`); a RegExp must match the whole name (it is anchored, and `g`, `y` and `m`
   *   are dropped, so `/example\.com/` admits `example.com` only and never `example.com.evil.test`).
   *
   * Default: no name at all, so a CSR that carries a SAN or (with the subject taken from it) a CN is
   * refused. Earlier versions admitted any name by default and tested RegExps unanchored; pass
   * `names: 'any'` for the old default.
   */
  names?: 'any' | readonly (string | RegExp)[];
  /** Extended key usages the CSR may request (names or OIDs). Default: those of the profile. */
  extendedKeyUsage?: readonly string[];
  /** Allow a CSR asking for CA:TRUE (the certificate becomes a CA). Default false. */
  ca?: boolean;
  /** Largest path length granted to a CA request (and the one given when it asks for none). Default 0. */
  maxPathLength?: number;
  /** Further extensions (dotted OIDs) copied verbatim from the CSR. Default none; other extensions are dropped, critical ones refused. */
  extensions?: readonly string[];
}

/** The outcome of applying a policy: what goes into the certificate. @internal */
export interface PolicyResult {
  san: NativeGeneralNameInput[];
  extendedKeyUsage: string[];
  ca: { pathLength: number } | null;
  extra: { oid: string; critical: boolean; value: Buffer }[];
}

/** OIDs the builder writes itself; a CSR's copies of them are handled above, never copied raw. */
const HANDLED = new Set([
  '2.5.29.17', // subjectAltName
  '2.5.29.37', // extendedKeyUsage
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
]);

function refuse(rule: string, message: string): never {
  throw createError('ERR_JSEC_CA_POLICY', message, { rule });
}

function sanValue(g: GeneralName): string {
  return typeof g.value === 'string' ? g.value : '';
}

/** A name test compiled from `allow.names`. */
type NameTest = (value: string) => boolean;

/** One DNS label where a `*.` pattern has its star: letters, digits, hyphen, underscore. */
const LABEL = /^[A-Za-z0-9_-]+$/;

function stringTest(pattern: string): NameTest {
  const exact = pattern.toLowerCase();
  if (!exact.startsWith('*.')) return (value) => value.toLowerCase() === exact;
  const suffix = exact.slice(1); // ".example.com"
  return (value) => {
    const v = value.toLowerCase();
    if (v === exact) return true;
    return v.length > suffix.length && v.endsWith(suffix) && LABEL.test(v.slice(0, -suffix.length));
  };
}

function regexTest(pattern: RegExp): NameTest {
  // A fresh, anchored, stateless copy: `g`/`y` would make test() depend on the
  // previous call (lastIndex), `m` would let ^/$ match at a line break inside the name.
  const whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gym]/g, ''));
  return (value) => whole.test(value);
}

/**
 * Compiles `allow.names` into one test; `undefined` admits nothing.
 *
 * @throws ConfigError `ERR_INVALID_ARG_VALUE` for a string pattern with a `*` anywhere but a leading `*.` label.
 * @internal
 */
export function compileNames(names: CsrAllowance['names']): NameTest {
  if (names === 'any') return () => true;
  if (names === undefined) return () => false;
  const tests = names.map((n, i): NameTest => {
    if (n instanceof RegExp) return regexTest(n);
    const rest = n.startsWith('*.') ? n.slice(2) : n;
    if (rest.includes('*') || rest.length === 0 || rest.startsWith('.') || rest.endsWith('.')) {
      throw createError('ERR_INVALID_ARG_VALUE', `The "allow.names[${i}]" option ${JSON.stringify(n)} must be a name or "*." followed by a name`, {
        option: `allow.names[${i}]`,
      });
    }
    return stringTest(n);
  });
  return (value) => tests.some((t) => t(value));
}

function ekuOid(name: string): string {
  return (EXTENDED_KEY_USAGE as Record<string, string>)[name] ?? name;
}

/**
 * Applies a policy to a CSR (whose signature has been checked).
 *
 * @param sanOverride - SANs replacing the CSR's (already normalised), if given.
 * @param ekuOverride - EKUs replacing the CSR's, if given.
 * @param subjectFromCsr - whether the certificate's subject is the CSR's (its CN is then a name to allow).
 * @throws CertificateError `ERR_JSEC_CA_POLICY` (with `rule`) for anything the policy does not allow.
 */
export function applyPolicy(
  csr: Csr,
  profile: IssueProfile,
  allow: CsrAllowance,
  sanOverride: NativeGeneralNameInput[] | undefined,
  ekuOverride: readonly string[] | undefined,
  subjectFromCsr = true,
): PolicyResult {
  const spec = PROFILE_SPECS[profile];
  const nameAllowed = compileNames(allow.names);

  // Basic constraints: CA:TRUE only when allowed.
  let ca: PolicyResult['ca'] = null;
  const bc = csr.basicConstraints;
  if (bc?.ca) {
    if (!allow.ca) refuse('ca', 'The CSR asks for a CA certificate (basicConstraints CA:TRUE) and the policy does not allow it');
    const max = allow.maxPathLength ?? 0;
    const asked = bc.pathLength ?? max;
    if (asked > max) refuse('pathLength', `The CSR asks for path length ${asked}; the policy allows at most ${max}`);
    ca = { pathLength: asked };
  }

  // Subject alternative names: type and value must be allowed.
  let san: NativeGeneralNameInput[];
  if (sanOverride) san = sanOverride;
  else {
    const types = allow.sanTypes ?? spec.sanTypes;
    const input: GeneralNameInput[] = [];
    for (const g of csr.subjectAltNames) {
      if (!(types as readonly string[]).includes(g.type)) refuse('sanType', `The CSR asks for a SAN of type ${g.type}, which the policy does not allow`);
      const value = sanValue(g);
      if (!nameAllowed(value)) refuse('name', `The CSR asks for the name ${JSON.stringify(value)}, which the policy does not allow`);
      input.push({ type: g.type as SanType, value });
    }
    san = normalizeSan(input, 'csr.subjectAltName');
  }
  const cn = csr.subject.entries.filter((e) => e.type === 'CN').at(-1)?.value;
  const refuseCn = (): never => refuse('name', `The CSR subject CN ${JSON.stringify(cn)} is not allowed by the policy`);
  if (subjectFromCsr && cn !== undefined && !nameAllowed(cn)) refuseCn();
  // Server and email certificates are matched by SAN only: without one, the CN becomes it.
  if (san.length === 0 && spec.needsSan && !bc?.ca) {
    if (cn !== undefined && !nameAllowed(cn)) refuseCn();
    try {
      if (cn === undefined) throw new Error('no CN');
      san = normalizeSan([profile === 'email' ? { type: 'email', value: cn } : cn], 'csr.subject.CN');
    } catch {
      refuse('san', `The ${profile} profile needs a subject alternative name, and the CSR has neither one nor a CN usable as one`);
    }
  }

  // Extended key usage: what the CSR asks must be allowed; none asked → the profile's.
  let extendedKeyUsage: string[];
  if (ekuOverride) extendedKeyUsage = [...ekuOverride];
  else {
    const allowed = new Set((allow.extendedKeyUsage ?? spec.eku).map(ekuOid));
    const asked = csr.extendedKeyUsage.map(ekuOid);
    for (const oid of asked) if (!allowed.has(oid)) refuse('extendedKeyUsage', `The CSR asks for extended key usage ${ekuName(oid)}, which the policy does not allow`);
    extendedKeyUsage = asked.length > 0 ? asked : ca ? [] : [...spec.eku];
  }

  // Other extensions: copied when listed, refused when critical, otherwise dropped.
  const copy = new Set(allow.extensions ?? []);
  const extra: PolicyResult['extra'] = [];
  for (const e of csr.extensions) {
    if (HANDLED.has(e.oid)) continue;
    if (copy.has(e.oid)) extra.push({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value) });
    else if (e.critical) refuse('extension', `The CSR carries the critical extension ${e.oid}, which the policy does not copy`);
  }
  return { san, extendedKeyUsage, ca, extra };
}

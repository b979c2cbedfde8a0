/**
 * Display helpers: certificates and chains as text and as JSON.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { Certificate, type GeneralName } from '../cert/index.js';

/** A certificate as the CLI shows it. */
export interface CertificateView {
  readonly subject: string;
  readonly issuer: string;
  readonly selfIssued: boolean;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subjectAltNames: readonly string[];
  readonly publicKey: string;
  readonly signatureAlgorithm: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
}

function sanText(g: GeneralName): string {
  switch (g.type) {
    case 'dns':
      return `DNS:${g.value}`;
    case 'ip':
      return `IP:${g.value}`;
    case 'email':
      return `email:${g.value}`;
    case 'uri':
      return `URI:${g.value}`;
    case 'registeredId':
      return `RID:${g.value}`;
    case 'dirName':
      return `DirName:${g.value.text}`;
    default:
      return `${g.type}:(binary)`;
  }
}

function keyText(k: { type: string; bits: number; curve?: string }): string {
  if (k.type === 'ec') return `EC ${k.curve ?? ''} (${k.bits} bits)`.replace('  ', ' ');
  if (k.type === 'rsa' || k.type === 'rsa-pss') return `${k.type.toUpperCase()} ${k.bits} bits`;
  return k.type.charAt(0).toUpperCase() + k.type.slice(1);
}

/** The display form of a certificate (a jsec Certificate, node X509Certificate or PEM). */
export function certificateView(input: Certificate | X509Certificate | string): CertificateView {
  const c = Certificate.from(input);
  return {
    subject: c.subject.text,
    issuer: c.issuer.text,
    selfIssued: c.subject.text === c.issuer.text,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    subjectAltNames: c.subjectAltNames.map(sanText),
    publicKey: keyText(c.publicKey),
    signatureAlgorithm: c.signatureAlgorithm,
    serialNumber: c.serialNumber,
    fingerprint256: c.fingerprint256,
  };
}

/** Renders a chain, leaf first, indented. */
export function chainText(chain: readonly CertificateView[], indent = '  '): string {
  const lines: string[] = [];
  chain.forEach((v, i) => {
    const pad = `${indent}${' '.repeat(String(i).length + 3)}`;
    lines.push(`${indent}[${i}] subject:  ${v.subject}`);
    lines.push(`${pad}issuer:   ${v.issuer}${v.selfIssued ? ' (self-issued)' : ''}`);
    lines.push(`${pad}validity: ${v.notBefore} .. ${v.notAfter}`);
    lines.push(`${pad}SANs:     ${v.subjectAltNames.length > 0 ? v.subjectAltNames.join(', ') : '(none)'}`);
    lines.push(`${pad}key:      ${v.publicKey}, signed with ${v.signatureAlgorithm}`);
    lines.push(`${pad}sha256:   ${v.fingerprint256}`);
  });
  return lines.join('\n');
}

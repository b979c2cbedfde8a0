/**
 * `jsec version`: jsec, node, and the OpenSSL jsec was compiled against and
 * the one running.
 *
 * @module
 */
import { versions } from '../index.js';
import { EXIT, parse } from './args.js';
import { packageVersion } from './package.js';

export const VERSION_HELP = `Usage: jsec version [--json]

Prints the jsec version, the node version, the OpenSSL version jsec's addon was
compiled against (node's own headers) and the OpenSSL running in this process.`;

/** Runs `jsec version`. */
export function version(argv: readonly string[]): number {
  const { values } = parse('version', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help === true) {
    console.log(VERSION_HELP);
    return EXIT.ok;
  }
  const v = versions();
  const data = { jsec: packageVersion(), node: v.nodeVersion, opensslCompiled: v.compiled, opensslRunning: v.running, nodeOpenssl: v.node };
  if (values.json === true) {
    console.log(JSON.stringify(data, null, 2));
    return EXIT.ok;
  }
  console.log(`jsec ${data.jsec}`);
  console.log(`node ${data.node}`);
  console.log(`OpenSSL compiled against: ${data.opensslCompiled}`);
  console.log(`OpenSSL running:          ${data.opensslRunning} (process.versions.openssl ${data.nodeOpenssl})`);
  return EXIT.ok;
}

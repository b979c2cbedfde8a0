#!/usr/bin/env node
// The DTLS benchmark is part of `jsec bench` (transports udp and dtls; see
// docs/bench.md). This wrapper runs exactly that:
//
//   node scripts/bench-dtls.mjs [--peers N] [any jsec bench option]
//
// is `jsec bench --transports udp,dtls [--clients N] [options]`: datagram echo
// (raw node:dgram and jsec/dtls, plus node-dtls-client with --node-dtls-client DIR
// or JSEC_NODE_DTLS_CLIENT) and DTLS handshake latency (jsec server and
// openssl s_server). Build first (npm run build).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2).map((a) => (a === '--peers' ? '--clients' : a.startsWith('--peers=') ? `--clients=${a.slice(8)}` : a));
const cli = fileURLToPath(new URL('../dist/cli/jsec.js', import.meta.url));
const r = spawnSync(process.execPath, [cli, 'bench', '--transports', 'udp,dtls', ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

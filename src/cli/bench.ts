/**
 * `jsec bench`: the benchmark command.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { BENCH_DEFAULTS, KEY_TYPES, PARALLEL_MODES, TLS_VERSIONS, TRANSPORTS, type BenchOptions, type Transport } from '../bench/options.js';
import { byteSize, choice, decimal, EXIT, integer, list, parse, UsageError } from './args.js';

export const BENCH_HELP = `Usage: jsec bench [options]

Echo workload (each client writes a chunk and reads it back, repeatedly) over
tcp, unix, tls and unix-tls, with jsec and raw node:tls measured side by side,
plus a handshake-rate comparison: jsec connect vs node:tls with a shared
SecureContext vs the naive tls.connect({ ca }) per connection. Over udp and
dtls: echo of datagrams (each peer keeps --window in flight) with raw
node:dgram as the baseline, and DTLS handshake latency against a jsec server
and against openssl s_server (when the openssl command exists); with
node-dtls-client available, its PSK client against the same jsec PSK server as
a jsec PSK client. Every arm runs once per round, in alternating order
(A B C, C B A, ...), and the ratios are computed per round.

--workload resume (not in the default run; about 75 s): full against
resumed handshakes for TLS 1.2 and 1.3 (session tickets), --resume-clients
concurrent clients, jsec (against a node:tls server, and jsec listen + connect)
against raw node:tls doing the same work, with the CPU time per handshake of
the client and the server thread.

Options:
  --transports LIST   tcp,unix,tls,unix-tls,udp,dtls (default: all)
  --clients N         concurrent clients / connect loops (default ${BENCH_DEFAULTS.clients})
  --duration S        seconds per measurement (default ${BENCH_DEFAULTS.duration})
  --rounds N          rounds (default ${BENCH_DEFAULTS.rounds})
  --chunk-size BYTES  bytes per echo write, e.g. 65536 or 64k (default ${BENCH_DEFAULTS.chunkSize})
  --datagram-size B   udp/dtls: bytes per datagram on the wire, the DTLS MTU (default ${BENCH_DEFAULTS.datagramSize})
  --window N          udp/dtls: datagrams in flight per peer (default ${BENCH_DEFAULTS.window})
  --node-dtls-client DIR
                      a prefix where 'npm install --prefix DIR node-dtls-client' ran
                      (default: $JSEC_NODE_DTLS_CLIENT, else node-dtls-client if it
                      resolves from jsec, else no node-dtls-client arms)
  --tls-version V     pin TLS 1.2 or 1.3 (default: the 1.2..1.3 range, which negotiates 1.3)
  --key-type T        ${KEY_TYPES.join(' | ')} (default ${BENCH_DEFAULTS.keyType})
  --parallel MODE     async: one event loop; worker: servers in a worker thread;
                      threads: servers in a worker, clients over --threads workers
                      (default ${BENCH_DEFAULTS.parallel})
  --threads N         client worker threads with --parallel threads (default ${BENCH_DEFAULTS.threads})
  --workload LIST     echo,handshake,resume (default: echo,handshake)
  --resume-clients N  concurrent clients of the resume workload (default ${BENCH_DEFAULTS.resumeClients})
  --warmup S          unrecorded warm-up seconds per arm (default ${BENCH_DEFAULTS.warmup})
  --only LIST         keep arms whose name contains one of these (e.g. tls/,handshake)
  --json              print the JSON result on stdout instead of the text report
  --markdown          print a compact Markdown summary instead of the text report
  --output FILE       also write the JSON result to FILE
  --html FILE         also write an HTML page with charts to FILE
  --quiet             no progress lines on stderr
  -h, --help          this help

Throughput is (bytes sent + bytes received) / s in MB/s (10^6 bytes);
datagram rates count datagrams echoed back per second.
A default run takes about a minute and a half on two cores.`;

/** Parses `jsec bench` arguments into options (exported for tests). */
export function benchOptions(argv: readonly string[]): { options: BenchOptions; json: boolean; markdown: boolean; output: string | undefined; html: string | undefined; quiet: boolean; help: boolean } {
  const { values } = parse('bench', argv, {
    transports: { type: 'string', multiple: true },
    clients: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    'chunk-size': { type: 'string' },
    'tls-version': { type: 'string' },
    'key-type': { type: 'string' },
    parallel: { type: 'string' },
    threads: { type: 'string' },
    workload: { type: 'string', multiple: true },
    'resume-clients': { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string', multiple: true },
    'datagram-size': { type: 'string' },
    window: { type: 'string' },
    'node-dtls-client': { type: 'string' },
    json: { type: 'boolean' },
    markdown: { type: 'boolean' },
    output: { type: 'string' },
    html: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const transports = list(values.transports);
  for (const t of transports) choice('bench', 'transports', t, TRANSPORTS);
  const workloads = list(values.workload);
  for (const w of workloads) choice('bench', 'workload', w, ['echo', 'handshake', 'resume'] as const);
  const options: BenchOptions = {
    transports: transports.length > 0 ? [...new Set(transports as Transport[])] : BENCH_DEFAULTS.transports,
    clients: integer('bench', 'clients', values.clients, BENCH_DEFAULTS.clients, 1, 1000),
    duration: decimal('bench', 'duration', values.duration, BENCH_DEFAULTS.duration, 0.1, 3600),
    rounds: integer('bench', 'rounds', values.rounds, BENCH_DEFAULTS.rounds, 1, 100),
    chunkSize: byteSize('bench', 'chunk-size', values['chunk-size'], BENCH_DEFAULTS.chunkSize, 1, 16 * 1024 * 1024),
    tlsVersion: choice('bench', 'tls-version', values['tls-version']?.replace(/^tlsv?/i, ''), TLS_VERSIONS),
    keyType: choice('bench', 'key-type', values['key-type'], KEY_TYPES) ?? BENCH_DEFAULTS.keyType,
    parallel: choice('bench', 'parallel', values.parallel, PARALLEL_MODES) ?? BENCH_DEFAULTS.parallel,
    threads: integer('bench', 'threads', values.threads, BENCH_DEFAULTS.threads, 1, 64),
    echo: workloads.length === 0 || workloads.includes('echo'),
    handshake: workloads.length === 0 || workloads.includes('handshake'),
    resume: workloads.includes('resume'),
    resumeClients: integer('bench', 'resume-clients', values['resume-clients'], BENCH_DEFAULTS.resumeClients, 1, 1000),
    warmup: decimal('bench', 'warmup', values.warmup, BENCH_DEFAULTS.warmup, 0, 60),
    only: list(values.only),
    datagramSize: byteSize('bench', 'datagram-size', values['datagram-size'], BENCH_DEFAULTS.datagramSize, 256, 65507),
    window: integer('bench', 'window', values.window, BENCH_DEFAULTS.window, 1, 4096),
    nodeDtlsClient: values['node-dtls-client'] === undefined || values['node-dtls-client'] === '' ? undefined : values['node-dtls-client'],
  };
  if (values.json === true && values.markdown === true) throw new UsageError('bench', '--json and --markdown are alternatives');
  return { options, json: values.json === true, markdown: values.markdown === true, output: values.output, html: values.html, quiet: values.quiet === true, help: values.help === true };
}

/** Runs `jsec bench`. */
export async function bench(argv: readonly string[]): Promise<number> {
  const { options, json, markdown, output, html, quiet, help } = benchOptions(argv);
  if (help) {
    console.log(BENCH_HELP);
    return EXIT.ok;
  }
  const { runBench } = await import('../bench/run.js');
  const { renderHtml, renderMarkdown, renderReport } = await import('../bench/report.js');
  const { plan } = await import('../bench/options.js');
  // Optimistic about the optional DTLS peers here; the run itself reports what it found.
  if (plan(options, { openssl: true, nodeDtlsClient: true }).arms.length === 0) throw new UsageError('bench', 'the options select no arm to measure');
  if (options.nodeDtlsClient !== undefined) {
    const { loadNodeDtlsClient } = await import('../bench/clients.js');
    try {
      await loadNodeDtlsClient(options.nodeDtlsClient);
    } catch {
      throw new UsageError('bench', `--node-dtls-client: node-dtls-client does not load from '${options.nodeDtlsClient}' (npm install --prefix DIR node-dtls-client)`);
    }
  }
  const result = await runBench(options, quiet ? {} : { log: (line) => console.error(line) });
  const text = JSON.stringify(result, null, 2);
  if (output !== undefined) writeFileSync(output, `${text}\n`);
  if (html !== undefined) writeFileSync(html, renderHtml(result));
  console.log(json ? text : markdown ? renderMarkdown(result) : renderReport(result));
  return EXIT.ok;
}

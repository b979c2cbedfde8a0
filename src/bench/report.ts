/**
 * The readable text report of a {@link BenchResult}.
 *
 * @module
 */
import type { ArmResult, BenchResult, ComparisonResult, EchoRun, EchoSummary, HandshakeSummary, ResumeSummary } from './run.js';

const DATAGRAM = new Set(['udp', 'dtls']);

function isDatagramArm(a: ArmResult): boolean {
  return DATAGRAM.has(a.transport);
}

/** Message bytes per datagram of an arm (from its first run). */
function messageBytes(a: ArmResult): number {
  return (a.runs[0] as EchoRun | undefined)?.datagrams?.messageBytes ?? Number.NaN;
}

const HANDSHAKE_LEGEND: Record<string, string> = {
  'handshake/dtls-jsec': 'jsec/dtls connect (certificate, verified) to a jsec/dtls listen server, cookie exchange included; one loop',
  'handshake/dtls-openssl': 'jsec/dtls connect (certificate, verified) to openssl s_server -dtls1_2 (cookie exchange on); one loop',
  'handshake/dtls-jsec-psk': 'jsec/dtls connect with a PSK to a jsec/dtls PSK server; one loop',
  'handshake/dtls-ndc': 'node-dtls-client (PSK) to the same jsec/dtls PSK server; one loop',
};

function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}

/** 1234567 -> "1.23 MB" (decimal units, like the MB/s figures). */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightFrom = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function negotiated(a: ArmResult): string {
  return a.negotiated.protocol === null ? '-' : `${a.negotiated.protocol} ${a.negotiated.cipher ?? ''}`.trim();
}

/** "< 1x" or ">= 0.95x". */
function goalLabel(c: ComparisonResult): string {
  if (c.goal === undefined) return '';
  return `${c.goalDirection === 'below' ? '<' : '>='} ${c.goal}x`;
}

/** "met", "NOT met", or "NOT met (arm check failed)". */
function verdict(c: ComparisonResult, notMet = 'NOT met'): string {
  if (c.met === undefined) return '';
  if (c.met) return 'met';
  return c.armsOk === false ? `${notMet} (arm check failed)` : notMet;
}

function resumeArms(r: BenchResult): Array<ArmResult & { summary: ResumeSummary }> {
  return r.arms.filter((a): a is ArmResult & { summary: ResumeSummary } => a.summary.kind === 'resume');
}

function us(s: { median: number } | null): string {
  return s === null ? '-' : fixed(s.median, 0);
}

function percent(f: number): string {
  return Number.isFinite(f) ? `${(100 * f).toFixed(1)}%` : '-';
}

const RESUME_LEGEND = [
  'node-*: tls.connect with one shared SecureContext; -resumed keeps, per client, the last session from the \'session\' event and passes it as `session`;',
  'jsec-*: jsec connect (-full: security.sessionCacheSize 0; -resumed: defaults, its automatic session cache), both against the node:tls server;',
  'jsec-e2e-*: the same jsec clients against a jsec listen server (tickets with rotating keys); jsec-e2e-store-resumed: jsec connect with a',
  'sessionStore keeping 1000 tickets per server (the default keeps 4). Servers issue session tickets (TLS 1.2 too: tickets, not',
  'session IDs); every connection sends one byte and reads the echo before closing, so TLS 1.3 tickets have arrived. CPU us/handshake: process = all',
  'threads; client = the client thread(s); server = the server worker thread.',
];

/** The header's client count: the echo/handshake clients, and the resumption workload's own count when it ran. */
function clientsLabel(r: BenchResult): string {
  const o = r.options;
  const others = r.arms.some((a) => a.workload !== 'resume');
  const resume = r.arms.some((a) => a.workload === 'resume');
  return [others ? `${o.clients} client(s)` : '', resume ? `${o.resumeClients} resumption client(s)` : ''].filter(Boolean).join(', ');
}

function versionLabel(r: BenchResult): string {
  return r.options.tlsVersion === undefined ? 'TLS 1.2..1.3 (policy default)' : `TLS ${r.options.tlsVersion} pinned`;
}

/** Renders the report. */
export function renderReport(r: BenchResult): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `jsec bench: ${clientsLabel(r)}, ${o.duration} s per measurement, ${o.rounds} round(s) in alternating order, ` +
      `chunk ${o.chunkSize} B, ${versionLabel(r)}, ${o.keyType} certificate, parallel=${o.parallel}`,
  );
  out.push(`node ${r.environment.node}, OpenSSL ${r.environment.openssl}, ${r.environment.cpus} CPU(s) (${r.environment.cpuModel}), ${r.environment.platform}/${r.environment.arch}; ran ${r.elapsedSeconds.toFixed(1)} s`);
  out.push(`load average (1/5/15 min) at start ${r.environment.loadAverage.start.join(' ')}, at end ${r.environment.loadAverage.end.join(' ')}`);
  if (r.arms.some((a) => a.transport === 'dtls')) {
    out.push(`DTLS peers: openssl CLI ${r.environment.opensslCli ?? 'not found'}; node-dtls-client ${r.environment.nodeDtlsClient ?? 'not available (set JSEC_NODE_DTLS_CLIENT or --node-dtls-client)'}`);
  }

  const dgram = r.arms.filter((a) => a.workload === 'echo' && isDatagramArm(a));
  const echo = r.arms.filter((a) => a.workload === 'echo' && !isDatagramArm(a));
  if (dgram.length > 0) {
    out.push(
      '',
      `Datagram echo (${o.clients} peers, ${o.window} datagrams in flight each, ${o.datagramSize}-byte datagrams on the wire; datagrams/s = datagrams echoed back per second; MB/s = message bytes sent + received)`,
    );
    out.push(
      table(
        ['arm', 'datagrams/s median', 'rounds min..max', 'MB/s median', 'message B', 'handshake ms p50', 'p95', 'lost-window refills', 'connected', 'failed', 'negotiated'],
        dgram.map((a) => {
          const s = a.summary as EchoSummary;
          return [
            a.name,
            fixed(s.datagramsPerSecond?.median ?? Number.NaN, 0),
            `${fixed(s.datagramsPerSecond?.min ?? Number.NaN, 0)}..${fixed(s.datagramsPerSecond?.max ?? Number.NaN, 0)}`,
            fixed(s.throughputMBps.median, 1),
            fixed(messageBytes(a), 0),
            fixed(s.handshakeMs.median, 2),
            fixed(s.handshakeMs.p95, 2),
            String(s.stalls ?? 0),
            String(s.connected),
            String(s.failed),
            negotiated(a),
          ];
        }),
      ),
    );
    out.push('  udp: node:dgram client and echo server; dtls/jsec: jsec/dtls connect and listen (certificate); dtls/jsec-psk, dtls/ndc: jsec/dtls and node-dtls-client with a PSK, same jsec server');
  }
  if (echo.length > 0) {
    out.push('', 'Echo throughput (MB/s = 10^6 bytes/s, bytes sent + received by the clients)');
    out.push(
      table(
        ['arm', 'MB/s median', 'rounds min..max', 'client mean', 'client median', 'client p95', 'slowest..fastest client', 'negotiated'],
        echo.map((a) => {
          const s = a.summary as EchoSummary;
          return [
            a.name,
            fixed(s.throughputMBps.median, 1),
            `${fixed(s.throughputMBps.min, 1)}..${fixed(s.throughputMBps.max, 1)}`,
            fixed(s.perClientMBps.mean, 1),
            fixed(s.perClientMBps.median, 1),
            fixed(s.perClientMBps.p95, 1),
            `${fixed(s.perClientMBps.min, 1)}..${fixed(s.perClientMBps.max, 1)}`,
            negotiated(a),
          ];
        }),
      ),
    );
    out.push('', 'Echo connections (handshake = connect call to a usable, verified socket)');
    out.push(
      table(
        ['arm', 'handshake ms mean', 'p50', 'p95', 'bytes', 'iterations', 'connected', 'failed'],
        echo.map((a) => {
          const s = a.summary as EchoSummary;
          return [a.name, fixed(s.handshakeMs.mean, 2), fixed(s.handshakeMs.median, 2), fixed(s.handshakeMs.p95, 2), humanBytes(s.bytes), String(s.iterations), String(s.connected), String(s.failed)];
        }),
      ),
    );
  }

  const hs = r.arms.filter((a) => a.workload === 'handshake');
  if (hs.length > 0) {
    out.push('', `Handshake rate (${o.clients} concurrent connect loops for TLS, one for DTLS; full handshakes except handshake/jsec-resume)`);
    out.push(
      table(
        ['arm', 'handshakes/s median', 'rounds min..max', 'latency ms mean', 'p50', 'p95', 'p99', 'handshakes', 'failed', 'resumed'],
        hs.map((a) => {
          const s = a.summary as HandshakeSummary;
          return [
            a.name,
            fixed(s.handshakesPerSecond.median, 0),
            `${fixed(s.handshakesPerSecond.min, 0)}..${fixed(s.handshakesPerSecond.max, 0)}`,
            fixed(s.latencyMs.mean, 2),
            fixed(s.latencyMs.median, 2),
            fixed(s.latencyMs.p95, 2),
            fixed(s.latencyMs.p99, 2),
            String(s.handshakes),
            String(s.failed),
            String(s.resumed),
          ];
        }),
      ),
    );
    const legend: Record<string, string> = {
      jsec: 'jsec connect, defaults (context cached for identical options; session cache on, offers sessions this server cannot resume)',
      'jsec-nocache': 'jsec connect with security.sessionCacheSize: 0',
      node: 'node:tls tls.connect with one shared tls.createSecureContext',
      naive: 'node:tls tls.connect({ ca, ... }), a new context per connection',
    };
    const describe = (a: ArmResult): string =>
      HANDSHAKE_LEGEND[a.name] ??
      (a.name.endsWith('-e2e')
        ? 'jsec listen server and jsec connect client'
        : a.name.endsWith('-resume')
          ? 'jsec connect, defaults, against a node:tls server that issues session tickets (resumption)'
          : `${legend[a.impl] ?? a.impl}; node:tls server`);
    for (const a of hs) out.push(`  ${a.name}: ${describe(a)}`);
  }

  const resume = resumeArms(r);
  if (resume.length > 0) {
    out.push('', `Resumption (${o.resumeClients} concurrent clients; full vs resumed handshakes; both ends pinned to the arm's TLS version; per-thread CPU: ${r.environment.threadCpu ?? 'not measurable here'})`);
    out.push(
      table(
        ['arm', 'handshakes/s median', 'rounds min..max', 'latency ms p50', 'p95', 'resumed', 'CPU us/handshake process', 'client', 'server', 'handshakes', 'negotiated', 'check'],
        resume.map((a) => {
          const s = a.summary;
          return [
            a.name,
            fixed(s.handshakesPerSecond.median, 0),
            `${fixed(s.handshakesPerSecond.min, 0)}..${fixed(s.handshakesPerSecond.max, 0)}`,
            fixed(s.latencyMs.median, 2),
            fixed(s.latencyMs.p95, 2),
            percent(s.resumedFraction),
            us(s.cpuPerHandshakeUs.process),
            us(s.cpuPerHandshakeUs.clientThread),
            us(s.cpuPerHandshakeUs.serverThread),
            String(s.handshakes),
            negotiated(a),
            s.check.ok ? 'ok' : 'FAILED',
          ];
        }),
        1,
      ),
    );
    for (const line of RESUME_LEGEND) out.push(`  ${line}`);
    for (const a of resume) for (const p of a.summary.check.problems) out.push(`  ${a.name} FAILED: ${p}`);
  }

  if (r.comparisons.length > 0) {
    out.push('', 'Ratios (computed per round within the same run; median, interquartile range and min..max over rounds;');
    out.push('"per CPU-s" divides by the process CPU time instead of wall time, which other load on the machine disturbs less; goals apply to the wall-clock median;');
    if (resume.length > 0) out.push('CPU per handshake ratios: the first column is process CPU, "per CPU-s" the client and server threads only)');
    else out[out.length - 1] = `${out[out.length - 1]!.slice(0, -1)})`;
    out.push(
      table(
        ['ratio', 'median', 'q1..q3', 'min..max', 'per CPU-s median', 'q1..q3', 'goal', ''],
        r.comparisons.map((c) => [
          c.name,
          `${fixed(c.median, 3)}x`,
          `${fixed(c.q1, 3)}..${fixed(c.q3, 3)}`,
          `${fixed(c.min, 3)}..${fixed(c.max, 3)}`,
          `${fixed(c.perCpu.median, 3)}x`,
          `${fixed(c.perCpu.q1, 3)}..${fixed(c.perCpu.q3, 3)}`,
          goalLabel(c),
          verdict(c),
        ]),
      ),
    );
  }
  return out.join('\n');
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** A compact Markdown summary (for a README or a pull request): medians and ratios. */
export function renderMarkdown(r: BenchResult): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `${clientsLabel(r)}, ${o.rounds} rounds x ${o.duration} s per arm, chunk ${o.chunkSize} B, ${versionLabel(r)}, ${o.keyType}, parallel=${o.parallel}; ` +
      `node ${r.environment.node}, OpenSSL ${r.environment.openssl}, ${r.environment.cpus} CPUs, load ${r.environment.loadAverage.start[0]}..${r.environment.loadAverage.end[0]}`,
    '',
  );
  const dgram = r.arms.filter((a) => a.workload === 'echo' && isDatagramArm(a));
  if (dgram.length > 0) {
    out.push(
      mdTable(
        [`datagram echo arm (${o.datagramSize} B datagrams, window ${o.window})`, 'datagrams/s (median)', 'MB/s', 'message B', 'handshake ms p50 / p95', 'negotiated'],
        dgram.map((a) => {
          const s = a.summary as EchoSummary;
          return [`\`${a.name}\``, fixed(s.datagramsPerSecond?.median ?? Number.NaN, 0), fixed(s.throughputMBps.median, 1), fixed(messageBytes(a), 0), `${fixed(s.handshakeMs.median, 2)} / ${fixed(s.handshakeMs.p95, 2)}`, negotiated(a)];
        }),
      ),
      '',
    );
  }
  const echo = r.arms.filter((a) => a.workload === 'echo' && !isDatagramArm(a));
  if (echo.length > 0) {
    out.push(
      mdTable(
        ['echo arm', 'MB/s (median of rounds)', 'client p95 MB/s', 'handshake ms p50 / p95', 'negotiated'],
        echo.map((a) => {
          const s = a.summary as EchoSummary;
          return [`\`${a.name}\``, fixed(s.throughputMBps.median, 0), fixed(s.perClientMBps.p95, 0), `${fixed(s.handshakeMs.median, 2)} / ${fixed(s.handshakeMs.p95, 2)}`, negotiated(a)];
        }),
      ),
      '',
    );
  }
  const hs = r.arms.filter((a) => a.workload === 'handshake');
  if (hs.length > 0) {
    out.push(
      mdTable(
        ['handshake arm', 'handshakes/s (median)', 'latency ms p50 / p95 / p99', 'resumed'],
        hs.map((a) => {
          const s = a.summary as HandshakeSummary;
          return [`\`${a.name}\``, fixed(s.handshakesPerSecond.median, 0), `${fixed(s.latencyMs.median, 2)} / ${fixed(s.latencyMs.p95, 2)} / ${fixed(s.latencyMs.p99, 2)}`, String(s.resumed)];
        }),
      ),
      '',
    );
  }
  const resume = resumeArms(r);
  if (resume.length > 0) {
    out.push(
      mdTable(
        [`resumption arm (${o.resumeClients} clients)`, 'handshakes/s (median)', 'latency ms p50 / p95', 'resumed', 'CPU us/handshake: process / client / server', 'negotiated', 'check'],
        resume.map((a) => {
          const s = a.summary;
          return [
            `\`${a.name}\``,
            fixed(s.handshakesPerSecond.median, 0),
            `${fixed(s.latencyMs.median, 2)} / ${fixed(s.latencyMs.p95, 2)}`,
            percent(s.resumedFraction),
            `${us(s.cpuPerHandshakeUs.process)} / ${us(s.cpuPerHandshakeUs.clientThread)} / ${us(s.cpuPerHandshakeUs.serverThread)}`,
            negotiated(a),
            s.check.ok ? 'ok' : `**failed**: ${s.check.problems.join('; ')}`,
          ];
        }),
      ),
      '',
    );
  }
  if (r.comparisons.length > 0) {
    out.push(
      mdTable(
        ['ratio', 'median (q1..q3)', 'per CPU-second (q1..q3)', 'goal'],
        r.comparisons.map((c) => [
          c.name.replace(/\|/g, '\\|'),
          `${fixed(c.median, 2)}x (${fixed(c.q1, 2)}..${fixed(c.q3, 2)})`,
          `${fixed(c.perCpu.median, 2)}x (${fixed(c.perCpu.q1, 2)}..${fixed(c.perCpu.q3, 2)})`,
          c.goal === undefined ? '' : `${goalLabel(c)} ${verdict(c, '**not met**')}`,
        ]),
      ),
    );
  }
  return out.join('\n');
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly note?: string;
}

/** A horizontal bar chart with a whisker per bar (low..high) and an optional reference line. */
function svgBars(title: string, unit: string, bars: readonly Bar[], reference?: { value: number; label: string }): string {
  const width = 760;
  const labelW = 260;
  const row = 26;
  const top = 28;
  const height = top + bars.length * row + 24;
  const max = Math.max(...bars.map((b) => (Number.isFinite(b.high) ? b.high : b.value)), reference?.value ?? 0) * 1.1 || 1;
  const x = (v: number): number => labelW + (Math.max(0, v) / max) * (width - labelW - 90);
  const parts: string[] = [`<text x="0" y="16" font-weight="bold">${esc(title)}</text>`];
  bars.forEach((b, i) => {
    const y = top + i * row;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${Math.max(1, x(b.value) - labelW).toFixed(1)}" height="16" fill="#4a7ab5"/>`);
    if (Number.isFinite(b.low) && Number.isFinite(b.high)) {
      parts.push(`<line x1="${x(b.low).toFixed(1)}" x2="${x(b.high).toFixed(1)}" y1="${y + 11}" y2="${y + 11}" stroke="#222" stroke-width="1.5"/>`);
    }
    parts.push(`<text x="${(x(Number.isFinite(b.high) ? b.high : b.value) + 6).toFixed(1)}" y="${y + 15}">${esc(`${fixed(b.value, b.value < 10 ? 3 : 0)} ${unit}${b.note ? ` ${b.note}` : ''}`)}</text>`);
  });
  if (reference) {
    const rx = x(reference.value).toFixed(1);
    parts.push(`<line x1="${rx}" x2="${rx}" y1="${top - 4}" y2="${height - 18}" stroke="#c33" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${rx}" y="${height - 4}" fill="#c33" text-anchor="middle">${esc(reference.label)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

/**
 * A self-contained HTML page: the charts (medians with min..max or q1..q3
 * whiskers) and the text report.
 */
export function renderHtml(r: BenchResult): string {
  const charts: string[] = [];
  const dgram = r.arms.filter((a) => a.workload === 'echo' && isDatagramArm(a));
  if (dgram.length > 0) {
    charts.push(
      svgBars(
        'Datagram echo, datagrams/s (median of rounds; whisker: min..max)',
        '/s',
        dgram.map((a) => {
          const s = (a.summary as EchoSummary).datagramsPerSecond;
          return { label: a.name, value: s?.median ?? Number.NaN, low: s?.min ?? Number.NaN, high: s?.max ?? Number.NaN };
        }),
      ),
    );
  }
  const echo = r.arms.filter((a) => a.workload === 'echo' && !isDatagramArm(a));
  if (echo.length > 0) {
    charts.push(
      svgBars(
        'Echo throughput, MB/s (median of rounds; whisker: min..max)',
        'MB/s',
        echo.map((a) => {
          const s = (a.summary as EchoSummary).throughputMBps;
          return { label: a.name, value: s.median, low: s.min, high: s.max };
        }),
      ),
    );
  }
  const hs = r.arms.filter((a) => a.workload === 'handshake');
  if (hs.length > 0) {
    charts.push(
      svgBars(
        'Handshakes per second (median of rounds; whisker: min..max)',
        '/s',
        hs.map((a) => {
          const s = (a.summary as HandshakeSummary).handshakesPerSecond;
          return { label: a.name, value: s.median, low: s.min, high: s.max };
        }),
      ),
    );
  }
  const resume = resumeArms(r);
  if (resume.length > 0) {
    charts.push(
      svgBars(
        'Resumption: handshakes per second (median of rounds; whisker: min..max)',
        '/s',
        resume.map((a) => {
          const s = a.summary.handshakesPerSecond;
          return { label: a.name, value: s.median, low: s.min, high: s.max, ...(a.summary.check.ok ? {} : { note: '(check FAILED)' }) };
        }),
      ),
      svgBars(
        'Resumption: process CPU microseconds per handshake (median of rounds; whisker: min..max)',
        'us',
        resume.map((a) => {
          const s = a.summary.cpuPerHandshakeUs.process;
          return { label: a.name, value: s.median, low: s.min, high: s.max };
        }),
      ),
    );
  }
  if (r.comparisons.length > 0) {
    charts.push(
      svgBars(
        'Ratios (median of per-round ratios; whisker: q1..q3; dashed: 1.0x)',
        'x',
        r.comparisons.map((c) => ({ label: c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name, value: c.median, low: c.q1, high: c.q3, ...(c.goal !== undefined ? { note: `(goal ${goalLabel(c)}: ${verdict(c, 'not met')})` } : {}) })),
        { value: 1, label: '1.0x' },
      ),
    );
  }
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>jsec bench</title>',
    '<style>body{font-family:sans-serif;margin:2em;max-width:70em}pre{font-size:12px;overflow-x:auto;background:#f6f6f6;padding:1em}svg{display:block;margin:1.5em 0}</style>',
    '</head><body>',
    `<h1>jsec bench</h1><p>${esc(r.startedAt)}; node ${esc(r.environment.node)}, OpenSSL ${esc(r.environment.openssl)}, ${r.environment.cpus} CPU(s)</p>`,
    ...charts,
    `<h2>Report</h2><pre>${esc(renderReport(r))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}

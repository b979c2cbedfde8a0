// THE list of deliberate differences between a `net` socket and a jsec TLS
// socket, as observed by the stream conformance suite. docs/conformance.md
// shows the same list (a test checks it names every entry, in order) with the
// notes on how a TLS socket is made; the suite applies each entry to `net`'s trace to get
// the trace TLS must produce, and fails when an entry no longer occurs (so
// the list cannot go stale).
//
// Each entry: `id`, `title`, `reason`, `scenario` (exact scenario name),
// `transports` (TLS transports it applies to) and `apply(trace)`, which turns
// the baseline `net` trace into the expected TLS trace.

const TCP_TLS = ['tls/tcp', 'tls1.2/tcp', 'tls/starttls'];

export const DIFFERENCES = Object.freeze([
  {
    id: 'reset-and-destroy',
    title: '`resetAndDestroy()` throws `ERR_INVALID_HANDLE_TYPE` on a TLS socket over TCP',
    reason:
      "Node's `net.Socket.resetAndDestroy()` needs the socket's own handle to be a TCP handle (it sets SO_LINGER 0 " +
      "on it); a `tls.TLSSocket`'s handle is the TLS wrap around the TCP handle, so Node throws, exactly as it does " +
      'for a Unix socket. The peer then sees an ordinary close. Node has no public way to reset the TCP connection ' +
      'under a TLS socket, and jsec hands out Node\'s own TLSSocket unchanged.',
    scenario: 'resetAndDestroy()',
    transports: TCP_TLS,
    apply: (trace) => ({
      ...trace,
      // The client sees an orderly close (and ends its side) instead of ECONNRESET.
      client: {
        ...trace.client,
        events: ['end', 'finish', 'close(false)'],
        final: { ...trace.client.final, readableEnded: true, writableEnded: true, writableFinished: true },
      },
      server: { ...trace.server, events: ['#threw ERR_INVALID_HANDLE_TYPE', 'close(false)'] },
    }),
  },
]);

/** The differences that apply to `scenario` on `transport`. */
export function differencesFor(scenario, transport) {
  return DIFFERENCES.filter((d) => d.scenario === scenario && d.transports.includes(transport));
}

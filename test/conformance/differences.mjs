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
const ALL_TLS = ['tls/tcp', 'tls1.2/tcp', 'tls/unix', 'tls/starttls'];

const replaceEvent = (events, from, to) => events.map((e) => (e === from ? to : e));

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
  {
    id: 'server-timeout-zero',
    title: "An accepted TLS socket reports `timeout` 0 where net's reports `undefined`",
    reason:
      'The server-side handshake timeout is armed with `socket.setTimeout(handshakeTimeout)` and disarmed with ' +
      '`setTimeout(0)` once the handshake completed, which leaves the `timeout` property at 0. Both values mean ' +
      '"no idle timeout": no `timeout` event fires until the application calls `setTimeout()`, as the same scenario shows.',
    scenario: 'setTimeout fires on an idle socket',
    transports: ALL_TLS,
    apply: (trace) => ({
      ...trace,
      server: { ...trace.server, events: replaceEvent(trace.server.events, '#initial timeout undefined', '#initial timeout 0') },
    }),
  },
]);

/** The differences that apply to `scenario` on `transport`. */
export function differencesFor(scenario, transport) {
  return DIFFERENCES.filter((d) => d.scenario === scenario && d.transports.includes(transport));
}

/**
 * The `jsec` command: dispatches to the subcommands and maps failures to
 * exit codes (0 success, 1 operation failed, 2 usage error).
 *
 * @module
 */
import { EXIT, UsageError } from './args.js';

export const MAIN_HELP = `Usage: jsec <command> [options]

Commands:
  serve      TLS echo server (generates a self-signed certificate in memory when
             no --cert/--key is given)
  connect    connect to a TLS server; print protocol, cipher, ALPN, the peer
             chain and the verification verdict
  bench      echo and handshake benchmark: jsec vs node:tls, TLS vs TCP
  version    jsec, node and OpenSSL versions (compiled against and running)
  help       this help, or 'jsec help <command>'

Try:
  npx jsec serve                       # in one terminal
  npx jsec connect 127.0.0.1:8443 ...  # the command serve prints

Exit codes: 0 success, 1 failure (connection, verification), 2 usage error.`;

async function helpFor(command: string | undefined): Promise<string> {
  switch (command) {
    case undefined:
    case 'help':
      return MAIN_HELP;
    case 'serve':
      return (await import('./serve.js')).SERVE_HELP;
    case 'connect':
      return (await import('./connect.js')).CONNECT_HELP;
    case 'bench':
      return (await import('./bench.js')).BENCH_HELP;
    case 'version':
      return (await import('./version.js')).VERSION_HELP;
    default:
      throw new UsageError('help', `unknown command '${command}'`);
  }
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(await helpFor(rest[0]));
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '--version':
      case '-v':
      case 'version':
        return (await import('./version.js')).version(rest);
      case 'serve':
        return await (await import('./serve.js')).serve(rest);
      case 'connect':
        return await (await import('./connect.js')).connectCommand(rest);
      case 'bench':
        return await (await import('./bench.js')).bench(rest);
      default:
        throw new UsageError('', `unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`jsec${err.command ? ` ${err.command}` : ''}: ${err.message}`);
      console.error(`Run 'jsec help${err.command && err.command !== 'help' ? ` ${err.command}` : ''}' for usage.`);
      return EXIT.usage;
    }
    const code = (err as { code?: unknown }).code;
    console.error(`jsec${command ? ` ${command}` : ''}: ${typeof code === 'string' ? `${code}: ` : ''}${err instanceof Error ? err.message : String(err)}`);
    return EXIT.failure;
  }
}

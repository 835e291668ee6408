import { Command, CommanderError, Option } from 'commander';
import { registerConnections } from './commands/connections/connections.command';
import { registerConnectorTypes } from './commands/connector-types/connector-types.command';
import { registerDatastores } from './commands/datastores/datastores.command';
import { registerKeys } from './commands/keys/keys.command';
import { registerOps } from './commands/ops/ops.command';
import { Runner } from './commands/runner';
import { registerSecretsManagers } from './commands/secrets-managers/secrets-managers.command';
import { ADDRESS_ENV, DEFAULT_ADDRESS, DEFAULT_TIMEOUT_MS, type CliIo } from './context';
import { CliErrorCode } from './errors/cli-error';
import { EXIT_CODES_HELP, ExitCode, exitCodeFor } from './errors/exit-codes';
import { positiveInteger } from './input/key-value';
import { DEFAULT_TLS_FILES } from './client/tls';

/** `plumbline` with its global options and one command group per feature. */
export function buildProgram(io: CliIo, runner: Runner): Command {
  const program = new Command('plumbline')
    .description('Plumbline CLI: a thin gRPC client of the controlplane API')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .option('--address <host:port>', `controlplane address (env ${ADDRESS_ENV}, default ${DEFAULT_ADDRESS})`)
    .option('--ca <path>', `CA certificate PEM (env PLUMBLINE_TLS_CA, default ${DEFAULT_TLS_FILES.ca})`)
    .option('--cert <path>', `client certificate PEM (env PLUMBLINE_TLS_CERT, default ${DEFAULT_TLS_FILES.cert})`)
    .option('--key <path>', `client private key PEM (env PLUMBLINE_TLS_KEY, default ${DEFAULT_TLS_FILES.key})`)
    .option('--insecure', 'plaintext, for a controlplane started with PLUMBLINE_INSECURE_DEV=true')
    .option('--json', 'print the API response as JSON (errors as one JSON object on stderr)')
    .addOption(
      new Option('--timeout <ms>', `deadline per call (default ${DEFAULT_TIMEOUT_MS}; none for keys rotate)`).argParser(
        positiveInteger('--timeout'),
      ),
    )
    .addHelpText(
      'after',
      `\nDefault certificate paths are relative to the working directory (\`pnpm plumbline\` runs in the repository root, where \`pnpm pki\` writes .pki/).\n${EXIT_CODES_HELP}`,
    );
  registerConnectorTypes(program, runner);
  registerConnections(program, runner);
  registerDatastores(program, runner);
  registerSecretsManagers(program, runner);
  registerKeys(program, runner);
  registerOps(program, runner);
  return program;
}

/** Runs one command line (`argv` without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const runner = new Runner(io);
  const program = buildProgram(io, runner);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return runner.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version print and succeed; every other parse failure is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      return exitCodeFor(CliErrorCode.Usage);
    }
    // Errors inside commands are reported by the runner; this is one thrown while parsing (a flag's parser).
    return runner.report(error, { json: argv.includes('--json'), address: DEFAULT_ADDRESS, timeoutMs: DEFAULT_TIMEOUT_MS });
  }
}

import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { CallOptions, ServiceClient, ServiceDesc } from '@plumbline/grpc';
import { ControlplaneClient, clientCredentials } from './client';
import { toJsonText } from './output/json';

/** The process around the CLI, injectable for tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export const ADDRESS_ENV = 'PLUMBLINE_ADDRESS';
export const DEFAULT_ADDRESS = 'localhost:50051';
/** Deadline of a unary call unless `--timeout` says otherwise; streams have none by default. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The options every command accepts (before or after the command name). */
export interface GlobalOptions {
  address?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  json?: boolean;
  timeout?: number;
}

/** What a command handler works with: its clients, the output and the global flags. */
export class CommandContext {
  readonly address: string;
  readonly json: boolean;
  private readonly controlplane: ControlplaneClient;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.address = options.address ?? (io.env[ADDRESS_ENV]?.trim() || DEFAULT_ADDRESS);
    this.json = options.json === true;
    this.controlplane = new ControlplaneClient(this.address, () => clientCredentials(options, io.env, io.cwd));
  }

  client<S extends GenServiceMethods>(service: ServiceDesc<S>): ServiceClient<S> {
    return this.controlplane.service(service);
  }

  /** Options for a unary call: `--timeout` or the default deadline. */
  unary(): CallOptions {
    return { timeoutMs: this.options.timeout ?? DEFAULT_TIMEOUT_MS };
  }

  /** Options for a server stream: a deadline only when `--timeout` is given. */
  streaming(): CallOptions {
    return this.options.timeout === undefined ? {} : { timeoutMs: this.options.timeout };
  }

  /** The deadline in force for a unary call, for messages. */
  get timeoutMs(): number {
    return this.options.timeout ?? DEFAULT_TIMEOUT_MS;
  }

  print(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  printLines(lines: readonly string[]): void {
    for (const line of lines) this.print(line);
  }

  printJson<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
    this.print(toJsonText(schema, message));
  }

  /** Notes for people (prompts, warnings): stderr, so stdout stays parseable. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  close(): void {
    this.controlplane.close();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

/** The repository root, from either src/ or dist/ of this library. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  /** Every line the process wrote to stdout and stderr so far (for leak checks). */
  readonly output: string[];
  readonly child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  name: 'controlplane' | 'dataplane';
  env: NodeJS.ProcessEnv;
  /** How long to wait for the "listening" log line. */
  timeoutMs?: number;
}

/**
 * Starts a built service (`services/<name>/dist/main.js`) as a real process and
 * resolves once it logs that its gRPC server listens, with the bound port.
 */
export function startServiceProcess(options: StartOptions): Promise<ServiceProcess> {
  const script = resolve(REPO_ROOT, 'services', options.name, 'dist', 'main.js');
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH, PLUMBLINE_LOG_LEVEL: 'debug', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exited = false;
  const exitPromise = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exited) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exitPromise;
    clearTimeout(timer);
  };

  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      rejectStart(new Error(`${options.name} did not start in time; output:\n${output.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    const onLine = (line: string) => {
      output.push(line);
      if (!line.includes('gRPC server listening')) return;
      try {
        const port = (JSON.parse(line) as { port?: unknown }).port;
        if (typeof port === 'number') {
          clearTimeout(timer);
          resolveStart({ name: options.name, port, output, child, stop });
        }
      } catch {
        // not a JSON log line
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectStart(
        new Error(`${options.name} exited (code ${code}, signal ${signal}) before listening; output:\n${output.join('\n')}`),
      );
    });
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Blackhole {
  readonly host: '127.0.0.1';
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Binds 127.0.0.1:0, listens with backlog 0 and never accepts; then fills the
 * accept queue itself. Linux drops SYNs to a listener whose accept queue is
 * full, so every further connect just hangs: no RST, no answer.
 */
const SCRIPT = `
import socket, sys, time
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(0)
port = server.getsockname()[1]
fillers = []
for _ in range(3):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setblocking(False)
    try:
        client.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fillers.append(client)
time.sleep(0.2)
print(port, flush=True)
sys.stdin.read()
`;

/**
 * A loopback port whose connection attempts are silently dropped: what a
 * firewall that drops packets looks like to a client. Needs `python3`; the
 * helper process exits when `close()` is called or this process dies (stdin).
 */
export async function startBlackhole(python = process.env.PLUMBLINE_TEST_PYTHON ?? 'python3'): Promise<Blackhole> {
  const child: ChildProcess = spawn(python, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`blackhole helper did not start: ${stderr}`)), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${python} for the blackhole helper: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`blackhole helper exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(Number(line));
    });
  });
  return {
    host: '127.0.0.1',
    port,
    close: async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

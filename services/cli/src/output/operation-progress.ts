import { Presets, SingleBar } from 'cli-progress';
import { controlplane } from '@plumbline/proto';
import { toJsonText } from './json';
import type { ProgressMode } from './progress';

/** Shows a watched operation as it changes. */
export interface OperationProgress {
  update(operation: controlplane.Operation): void;
  stop(): void;
}

const status = (operation: controlplane.Operation) =>
  controlplane.OperationStatus[operation.status]?.toLowerCase() ?? 'unknown';

export function formatOperationLine(operation: controlplane.Operation): string {
  const progress = operation.progressTotal > 0n ? ` ${operation.progressDone}/${operation.progressTotal}` : '';
  const message = operation.progressMessage ? ` ${operation.progressMessage}` : '';
  const error = operation.error ? ` ${operation.error.code}: ${operation.error.message}` : '';
  return `${status(operation)} (attempt ${operation.attempt})${progress}${message}${error}`;
}

export function createOperationProgress(mode: ProgressMode, stream: NodeJS.WritableStream): OperationProgress {
  switch (mode) {
    case 'json':
      return {
        update: (operation) => stream.write(`${toJsonText(controlplane.OperationSchema, operation, false)}\n`),
        stop: () => undefined,
      };
    case 'lines':
      return { update: (operation) => stream.write(`${formatOperationLine(operation)}\n`), stop: () => undefined };
    case 'bar': {
      const bar = new SingleBar(
        { stream, format: '{status} [{bar}] {value}/{total} {message}', hideCursor: true },
        Presets.shades_classic,
      );
      let started = false;
      let last: controlplane.Operation | undefined;
      return {
        update(operation) {
          last = operation;
          const total = Math.max(1, Number(operation.progressTotal));
          const payload = { status: status(operation), message: operation.progressMessage };
          if (!started) {
            bar.start(total, Number(operation.progressDone), payload);
            started = true;
          } else bar.setTotal(total);
          bar.update(Number(operation.progressDone), payload);
        },
        stop() {
          if (started) bar.stop();
          if (last) stream.write(`${formatOperationLine(last)}\n`);
        },
      };
    }
  }
}

import { Presets, SingleBar } from 'cli-progress';
import { controlplane } from '@plumbline/proto';
import { toJsonText } from './json';

/** Shows key-rotation progress as it streams in. */
export interface RotationProgress {
  update(message: controlplane.RotateKeysResponse): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'json';

/** A live bar on a terminal, one plain line per message otherwise, one JSON object per message with --json. */
export function progressModeFor(options: { json: boolean; tty: boolean }): ProgressMode {
  if (options.json) return 'json';
  return options.tty ? 'bar' : 'lines';
}

export function formatRotationLine(message: controlplane.RotateKeysResponse): string {
  const state = message.done ? 'done' : 'rotating';
  return `${state}: primary ${message.primaryVersion}, ${message.reencrypted} re-encrypted, ${message.remaining} remaining`;
}

export function createRotationProgress(mode: ProgressMode, stream: NodeJS.WritableStream): RotationProgress {
  switch (mode) {
    case 'json':
      return {
        update: (message) => stream.write(`${toJsonText(controlplane.RotateKeysResponseSchema, message, false)}\n`),
        stop: () => undefined,
      };
    case 'lines':
      return { update: (message) => stream.write(`${formatRotationLine(message)}\n`), stop: () => undefined };
    case 'bar':
      return barProgress(stream);
  }
}

function barProgress(stream: NodeJS.WritableStream): RotationProgress {
  const bar = new SingleBar(
    {
      stream,
      format: 're-encrypting under {primary} [{bar}] {percentage}% | {value}/{total} secret values | {remaining} remaining',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  let last: controlplane.RotateKeysResponse | undefined;
  return {
    update(message) {
      last = message;
      const done = Number(message.reencrypted);
      const total = done + Number(message.remaining);
      // Nothing to re-encrypt: no bar, the final line says so.
      if (total === 0) return;
      const payload = { primary: message.primaryVersion, remaining: String(message.remaining) };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
      }
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
      if (last?.done) stream.write(`${formatRotationLine(last)}\n`);
    },
  };
}

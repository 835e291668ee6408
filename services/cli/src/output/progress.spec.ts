import { create } from '@bufbuild/protobuf';
import { Writable } from 'node:stream';
import { controlplane } from '@plumbline/proto';
import { createRotationProgress, formatRotationLine, progressModeFor } from './progress';

function sink(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const message = (reencrypted: bigint, remaining: bigint, done = false) =>
  create(controlplane.RotateKeysResponseSchema, { primaryVersion: 'k2', reencrypted, remaining, done });

describe(progressModeFor.name, () => {
  it('draws a bar only on a terminal without --json', () => {
    expect(progressModeFor({ json: false, tty: true })).toBe('bar');
    expect(progressModeFor({ json: false, tty: false })).toBe('lines');
    expect(progressModeFor({ json: true, tty: true })).toBe('json');
  });
});

describe(createRotationProgress.name, () => {
  it('prints one plain line per message when not on a terminal', () => {
    const out = sink();
    const sut = createRotationProgress('lines', out.stream);
    sut.update(message(0n, 10n));
    sut.update(message(10n, 0n, true));
    sut.stop();
    expect(out.text()).toBe(
      'rotating: primary k2, 0 re-encrypted, 10 remaining\ndone: primary k2, 10 re-encrypted, 0 remaining\n',
    );
  });

  it('prints one JSON object per message with --json', () => {
    const out = sink();
    const sut = createRotationProgress('json', out.stream);
    sut.update(message(4n, 6n));
    sut.update(message(10n, 0n, true));
    sut.stop();
    const lines = out.text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { primaryVersion: 'k2', reencrypted: '4', remaining: '6', done: false },
      { primaryVersion: 'k2', reencrypted: '10', remaining: '0', done: true },
    ]);
  });

  it('draws a bar and ends with the final line', () => {
    const out = sink();
    const sut = createRotationProgress('bar', out.stream);
    sut.update(message(5n, 5n));
    sut.update(message(10n, 0n, true));
    sut.stop();
    expect(out.text()).toContain('done: primary k2, 10 re-encrypted, 0 remaining');
  });
});

describe(formatRotationLine.name, () => {
  it('says rotating until done', () => {
    expect(formatRotationLine(message(1n, 2n))).toBe('rotating: primary k2, 1 re-encrypted, 2 remaining');
  });
});

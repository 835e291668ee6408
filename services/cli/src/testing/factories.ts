import * as grpc from '@grpc/grpc-js';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { GrpcStatusError } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../context';

const { StepName, StepStatus, TestErrorCode } = dataplane;

export function passedStep(name: dataplane.StepName, durationMs = 2): dataplane.TestStep {
  return create(dataplane.TestStepSchema, { name, status: StepStatus.PASSED, durationMs, message: `${StepName[name]} ok` });
}

/** DNS passes, TCP is refused, the rest is skipped: the shape of a wrong port. */
export function refusedResult(): dataplane.ConnectionTestResult {
  return create(dataplane.ConnectionTestResultSchema, {
    ok: false,
    errorCode: TestErrorCode.CONNECTION_REFUSED,
    summary: 'connection refused by 127.0.0.1:1',
    durationMs: 5,
    steps: [
      passedStep(StepName.DNS_RESOLVE, 1),
      {
        name: StepName.TCP_CONNECT,
        status: StepStatus.FAILED,
        durationMs: 3,
        errorCode: TestErrorCode.CONNECTION_REFUSED,
        message: 'connection refused by 127.0.0.1:1',
        hint: 'check the port; allow 10.0.0.5 in the firewall',
      },
      { name: StepName.TLS, status: StepStatus.SKIPPED },
      { name: StepName.AUTHENTICATE, status: StepStatus.SKIPPED },
    ],
  });
}

export function okResult(): dataplane.ConnectionTestResult {
  return create(dataplane.ConnectionTestResultSchema, {
    ok: true,
    durationMs: 12,
    steps: [
      passedStep(StepName.DNS_RESOLVE),
      passedStep(StepName.TCP_CONNECT),
      { name: StepName.TLS, status: StepStatus.NOT_APPLICABLE, message: 'ssl_mode=disable' },
      passedStep(StepName.AUTHENTICATE),
    ],
  });
}

/** What grpc-js hands a client for a failed call: code, details and trailers. */
export function serviceError(
  code: grpc.status,
  details: string,
  detail?: MessageInitShape<typeof controlplane.ErrorDetailSchema>,
): grpc.ServiceError {
  const metadata = detail
    ? (GrpcStatusError.withDetail(code, details, controlplane.ErrorDetailSchema, create(controlplane.ErrorDetailSchema, detail)).toStatus()
        .metadata ?? new grpc.Metadata())
    : new grpc.Metadata();
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata });
}

export interface CapturedIo extends CliIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  out(): string;
  err(): string;
}

/** In-memory stdio for running the CLI inside a test. */
export function captureIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (lines: string[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
  const stdout = sink(out);
  const stderr = sink(err);
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  return {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

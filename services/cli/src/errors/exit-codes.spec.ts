import * as grpc from '@grpc/grpc-js';
import { refusedResult, serviceError } from '../testing/factories';
import { CliError, CliErrorCode } from './cli-error';
import { EXIT_CODES_HELP, ExitCode, exitCodeFor } from './exit-codes';
import { exitCodeOf, failureCauseOf } from './report';

const grpcCodes = Object.values(grpc.status).filter((value): value is grpc.status => typeof value === 'number');

describe(exitCodeFor.name, () => {
  it.each([
    [grpc.status.OK, ExitCode.Ok],
    [CliErrorCode.TestFailed, ExitCode.Failed],
    [CliErrorCode.Incomplete, ExitCode.Failed],
    [grpc.status.FAILED_PRECONDITION, ExitCode.Failed],
    [grpc.status.ABORTED, ExitCode.Failed],
    [grpc.status.ALREADY_EXISTS, ExitCode.Failed],
    [grpc.status.UNIMPLEMENTED, ExitCode.Failed],
    [CliErrorCode.Usage, ExitCode.Usage],
    [CliErrorCode.UnreadableFile, ExitCode.Usage],
    [CliErrorCode.MissingCertificate, ExitCode.Usage],
    [grpc.status.INVALID_ARGUMENT, ExitCode.Usage],
    [grpc.status.NOT_FOUND, ExitCode.NotFound],
    [CliErrorCode.NotFound, ExitCode.NotFound],
    [grpc.status.UNAVAILABLE, ExitCode.Unreachable],
    [grpc.status.DEADLINE_EXCEEDED, ExitCode.Unreachable],
    [grpc.status.UNAUTHENTICATED, ExitCode.Auth],
    [grpc.status.PERMISSION_DENIED, ExitCode.Auth],
    [grpc.status.INTERNAL, ExitCode.Internal],
    [grpc.status.UNKNOWN, ExitCode.Internal],
    [grpc.status.DATA_LOSS, ExitCode.Internal],
  ])('maps %s to %s', (cause, expected) => {
    expect(exitCodeFor(cause)).toBe(expected);
  });

  it('maps every gRPC status and every CLI failure to a documented code', () => {
    const documented = [...EXIT_CODES_HELP.matchAll(/^ {2}(\d+) /gm)].map((match) => Number(match[1]));
    for (const cause of [...grpcCodes, ...Object.values(CliErrorCode)]) {
      expect(documented).toContain(exitCodeFor(cause));
    }
    expect(grpcCodes).toHaveLength(17);
  });

  it('documents every exit code it can return', () => {
    const documented = [...EXIT_CODES_HELP.matchAll(/^ {2}(\d+) /gm)].map((match) => Number(match[1])).sort((a, b) => a - b);
    const codes = Object.values(ExitCode).filter((value): value is number => typeof value === 'number');
    expect(documented).toEqual(codes.sort((a, b) => a - b));
  });
});

describe(failureCauseOf.name, () => {
  it('takes the code of a CLI error', () => {
    expect(failureCauseOf(new CliError(CliErrorCode.MissingCertificate, 'x'))).toBe(CliErrorCode.MissingCertificate);
  });

  it('takes the status of a call', () => {
    expect(failureCauseOf(serviceError(grpc.status.NOT_FOUND, 'no such connection', { reason: 'CONNECTION_NOT_FOUND' }))).toBe(
      grpc.status.NOT_FOUND,
    );
  });

  it('counts an unreachable data source found by a create as a failed test, not as an unreachable controlplane', () => {
    const sut = serviceError(grpc.status.UNAVAILABLE, 'connection test failed', {
      reason: 'CONNECTION_TEST_FAILED',
      testResult: refusedResult(),
    });
    expect(failureCauseOf(sut)).toBe(CliErrorCode.TestFailed);
    expect(exitCodeOf(sut)).toBe(ExitCode.Failed);
  });

  it('keeps UNAVAILABLE without a check (dataplane or controlplane unreachable) as "cannot reach"', () => {
    expect(exitCodeOf(serviceError(grpc.status.UNAVAILABLE, 'dataplane unavailable', { reason: 'DATAPLANE_UNAVAILABLE' }))).toBe(
      ExitCode.Unreachable,
    );
    expect(exitCodeOf(serviceError(grpc.status.UNAVAILABLE, 'No connection established'))).toBe(ExitCode.Unreachable);
  });

  it('treats anything else as internal', () => {
    expect(exitCodeOf(new TypeError('boom'))).toBe(ExitCode.Internal);
  });
});

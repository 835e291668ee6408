import * as grpc from '@grpc/grpc-js';
import { refusedResult, serviceError } from '../testing/factories';
import { CliError, CliErrorCode } from './cli-error';
import { describeFailure, failureJson } from './report';

const context = { address: 'localhost:50051', timeoutMs: 60_000 };

describe(describeFailure.name, () => {
  it('shows the message, status, reason and blocking rows of a delete in use', () => {
    const sut = describeFailure(
      serviceError(grpc.status.FAILED_PRECONDITION, "connection 'pg' is used by 2 datastore(s): a, b; delete or move them first", {
        reason: 'CONNECTION_IN_USE',
        field: 'id',
        blockingIds: ['d1', 'd2'],
      }),
      context,
    );
    expect(sut).toEqual([
      "error: connection 'pg' is used by 2 datastore(s): a, b; delete or move them first [FAILED_PRECONDITION]",
      '  reason: CONNECTION_IN_USE',
      '  field: id',
      '  blocked by: d1, d2',
    ]);
  });

  it('names the field of a bad property', () => {
    const sut = describeFailure(
      serviceError(grpc.status.INVALID_ARGUMENT, 'port must be an integer between 1 and 65535', {
        reason: 'INVALID_PROPERTY',
        field: 'new_connection.properties.port',
      }),
      context,
    );
    expect(sut).toContain('  field: new_connection.properties.port');
    expect(sut).toContain('  reason: INVALID_PROPERTY');
  });

  it('lists the steps of a failed connection test', () => {
    const sut = describeFailure(
      serviceError(grpc.status.FAILED_PRECONDITION, 'connection test failed: refused', {
        reason: 'CONNECTION_TEST_FAILED',
        testResult: refusedResult(),
      }),
      context,
    ).join('\n');
    expect(sut).toContain('  connection test:');
    expect(sut).toMatch(/✘ TCP_CONNECT +3 ms {2}CONNECTION_REFUSED: connection refused by 127\.0\.0\.1:1/);
    expect(sut).toContain('hint: check the port');
  });

  it("summarises each datastore that failed an edit's re-verification", () => {
    const sut = describeFailure(
      serviceError(grpc.status.FAILED_PRECONDITION, 'the edit fails for 1 of 2 datastores', {
        reason: 'CONNECTION_VERIFICATION_FAILED',
        datastoreFailures: [{ datastoreId: 'd1', datastoreName: 'sales', testResult: refusedResult() }],
      }),
      context,
    );
    expect(sut).toContain('  ✘ datastore sales (d1): connection refused by 127.0.0.1:1');
  });

  it('says how to reach the controlplane when the call never got there', () => {
    const sut = describeFailure(
      serviceError(grpc.status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED. Resolution note: '),
      context,
    );
    expect(sut[0]).toBe('error: No connection established. Last error: connect ECONNREFUSED. [UNAVAILABLE]');
    expect(sut.join('\n')).toContain('cannot reach the controlplane at localhost:50051');
    expect(sut.join('\n')).toContain('--insecure');
  });

  it('names the deadline on a timeout', () => {
    expect(describeFailure(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), context).join('\n')).toContain(
      'no answer within 60000 ms',
    );
  });

  it('prints a CLI error with its hints', () => {
    expect(describeFailure(new CliError(CliErrorCode.MissingCertificate, 'cannot read x', ['run pnpm pki']), context)).toEqual([
      'error: cannot read x',
      '  run pnpm pki',
    ]);
  });
});

describe(failureJson.name, () => {
  it('carries the status, exit code and typed detail', () => {
    const sut = failureJson(
      serviceError(grpc.status.FAILED_PRECONDITION, 'in use', { reason: 'CONNECTION_IN_USE', blockingIds: ['d1'] }),
    );
    expect(sut).toEqual({
      error: {
        status: 'FAILED_PRECONDITION',
        message: 'in use',
        exitCode: 1,
        detail: { reason: 'CONNECTION_IN_USE', blockingIds: ['d1'] },
      },
    });
  });

  it('carries a CLI failure', () => {
    expect(failureJson(new CliError(CliErrorCode.Usage, '--name is required'))).toEqual({
      error: { status: 'USAGE', message: '--name is required', exitCode: 2 },
    });
  });

});

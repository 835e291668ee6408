import { dataplane } from '@plumbline/proto';
import { ConfigError, StepError } from '../probe';
import { OperationError, OperationErrorCode } from './errors';
import { operationFailure } from './failures';
import { OperationRun } from './run';

describe(operationFailure.name, () => {
  const secret = 'Pl4nted-s3cret';
  let run: OperationRun;
  beforeEach(() => {
    run = new OperationRun({ deadline: Date.now() + 10_000 });
  });
  afterEach(() => run.dispose());
  const none = () => undefined;

  it.each([
    [dataplane.TestErrorCode.CONNECTION_REFUSED, OperationErrorCode.UNAVAILABLE],
    [dataplane.TestErrorCode.AUTHENTICATION_FAILED, OperationErrorCode.PERMISSION_DENIED],
    [dataplane.TestErrorCode.DATABASE_NOT_FOUND, OperationErrorCode.NOT_FOUND],
    [dataplane.TestErrorCode.TIMEOUT, OperationErrorCode.DEADLINE_EXCEEDED],
  ])('maps the connection diagnosis %s to %s, scrubbing secrets', (code, expected) => {
    const sut = operationFailure(new StepError(code, `failed with ${secret}`, `hint ${secret}`), run, [secret], none);
    expect(sut).toMatchObject({ code: expected, message: 'failed with ***', hint: 'hint ***' });
  });

  it('maps a configuration error to INVALID_ARGUMENT', () => {
    const sut = operationFailure(new ConfigError('port', "connection property 'port' is not a number", 'use 1-65535'), run, [], none);
    expect(sut.code).toBe(OperationErrorCode.INVALID_ARGUMENT);
  });

  it('lets the dialect classify driver errors, else QUERY_FAILED with the scrubbed text', () => {
    const classified = new OperationError(OperationErrorCode.PERMISSION_DENIED, 'denied');
    expect(operationFailure(new Error('x'), run, [], () => classified)).toMatchObject({ code: OperationErrorCode.PERMISSION_DENIED });
    expect(operationFailure(new Error(`syntax near ${secret}`), run, [secret], none)).toMatchObject({
      code: OperationErrorCode.QUERY_FAILED,
      message: 'the database rejected a statement: syntax near ***',
    });
  });

  it('reports the stop, not its consequence, once the run was aborted', () => {
    const caller = new AbortController();
    const aborted = new OperationRun({ deadline: Date.now() + 10_000, signal: caller.signal });
    caller.abort();
    try {
      expect(operationFailure(new Error('Connection terminated'), aborted, [], none).code).toBe(OperationErrorCode.ABORTED);
    } finally {
      aborted.dispose();
    }
  });
});

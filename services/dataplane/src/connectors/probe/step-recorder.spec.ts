import { dataplane } from '@plumbline/proto';
import { ConfigError } from './config';
import {
  configurationFailure,
  notApplicable,
  passed,
  runSteps,
  SQL_TEST_PLAN,
  StepError,
  type RunStepsOptions,
} from './step-recorder';

const { StepName, StepStatus, TestErrorCode } = dataplane;

const statuses = (result: dataplane.ConnectionTestResult) =>
  result.steps.map((s) => `${StepName[s.name]}:${StepStatus[s.status]}`);

const options = (overrides: Partial<RunStepsOptions> = {}): RunStepsOptions => ({
  deadline: Date.now() + 5_000,
  secrets: [],
  ...overrides,
});

const PLAN = [StepName.DNS_RESOLVE, StepName.TCP_CONNECT, StepName.TLS];

describe(runSteps.name, () => {
  it('records every step as passed, timed, and returns the summary', async () => {
    const sut = await runSteps(PLAN, options(), async (step) => {
      const ip = await step(StepName.DNS_RESOLVE, async () => passed('resolved', undefined, '10.0.0.1'));
      await step(StepName.TCP_CONNECT, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return passed(`connected to ${ip}`);
      });
      await step(StepName.TLS, async () => notApplicable('ssl_mode is disable'));
      return 'all good';
    });

    expect(statuses(sut)).toEqual(['DNS_RESOLVE:PASSED', 'TCP_CONNECT:PASSED', 'TLS:NOT_APPLICABLE']);
    expect(sut).toMatchObject({ ok: true, errorCode: TestErrorCode.UNSPECIFIED, summary: 'all good' });
    expect(sut.steps[1]?.message).toBe('connected to 10.0.0.1');
    expect(sut.steps[0]?.durationMs).toBeGreaterThanOrEqual(1);
    expect(sut.steps[1]?.durationMs).toBeGreaterThanOrEqual(19);
    expect(sut.durationMs).toBeGreaterThanOrEqual(sut.steps[1]?.durationMs ?? 0);
  });

  it('stops at the first failure and skips the rest', async () => {
    const later = jest.fn();
    const sut = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => passed('ok'));
      await step(StepName.TCP_CONNECT, async () => {
        throw new StepError(TestErrorCode.CONNECTION_REFUSED, 'db:5432 refused', 'check the port');
      });
      later();
      return 'unreachable';
    });

    expect(later).not.toHaveBeenCalled();
    expect(statuses(sut)).toEqual(['DNS_RESOLVE:PASSED', 'TCP_CONNECT:FAILED', 'TLS:SKIPPED']);
    expect(sut).toMatchObject({ ok: false, errorCode: TestErrorCode.CONNECTION_REFUSED });
    expect(sut.steps[1]).toMatchObject({ message: 'db:5432 refused', hint: 'check the port' });
    expect(sut.summary).toBe('TCP connection failed: db:5432 refused');
  });

  it('fails the running step with TIMEOUT at the deadline and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const sut = await runSteps(PLAN, options({ deadline: Date.now() + 50 }), async (step) => {
      await step(
        StepName.DNS_RESOLVE,
        (context) => {
          signal = context.signal;
          return new Promise<never>(() => undefined);
        },
        { onTimeout: () => new StepError(TestErrorCode.TIMEOUT, 'no answer from db', 'allow 10.0.0.9 → db') },
      );
      return 'never';
    });

    expect(signal?.aborted).toBe(true);
    expect(statuses(sut)).toEqual(['DNS_RESOLVE:FAILED', 'TCP_CONNECT:SKIPPED', 'TLS:SKIPPED']);
    expect(sut.steps[0]).toMatchObject({ errorCode: TestErrorCode.TIMEOUT, hint: 'allow 10.0.0.9 → db' });
    expect(sut.steps[0]?.durationMs).toBeGreaterThanOrEqual(40);
  });

  it('does not start a step once the deadline has passed', async () => {
    const work = jest.fn(async () => passed('too late'));
    const sut = await runSteps(PLAN, options({ deadline: Date.now() - 1 }), async (step) => {
      await step(StepName.DNS_RESOLVE, work);
      return 'never';
    });

    expect(work).not.toHaveBeenCalled();
    expect(sut.steps[0]).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TIMEOUT });
  });

  it('reports a caller cancellation as TIMEOUT without waiting for the deadline', async () => {
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 20);
    const sut = await runSteps(PLAN, options({ signal: caller.signal }), async (step) => {
      await step(StepName.DNS_RESOLVE, () => new Promise<never>(() => undefined));
      return 'never';
    });

    expect(sut.steps[0]).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TIMEOUT });
    expect(sut.steps[0]?.message).toContain('cancelled');
  });

  it('classifies foreign errors with the step classifier, else as INTERNAL', async () => {
    const classified = await runSteps(PLAN, options(), async (step) => {
      await step(
        StepName.DNS_RESOLVE,
        async () => {
          throw Object.assign(new Error('boom'), { code: 'ENOTFOUND' });
        },
        { classify: () => new StepError(TestErrorCode.DNS_FAILURE, 'no such host', 'check the name') },
      );
      return 'never';
    });
    const unclassified = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => {
        throw new Error('kaput');
      });
      return 'never';
    });

    expect(classified.errorCode).toBe(TestErrorCode.DNS_FAILURE);
    expect(unclassified.errorCode).toBe(TestErrorCode.INTERNAL);
    expect(unclassified.steps[0]?.message).toContain('kaput');
  });

  it('reports a failure at an earlier step when the error says so, skipping the running one', async () => {
    const sut = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => passed('ok'));
      await step(StepName.TCP_CONNECT, async () => passed('negotiated later'));
      await step(StepName.TLS, async () => {
        throw new StepError(TestErrorCode.TLS_FAILED, 'certificate not trusted', 'set ssl_ca', {
          reportAt: StepName.TCP_CONNECT,
        });
      });
      return 'never';
    });

    expect(statuses(sut)).toEqual(['DNS_RESOLVE:PASSED', 'TCP_CONNECT:FAILED', 'TLS:SKIPPED']);
    expect(sut.errorCode).toBe(TestErrorCode.TLS_FAILED);
  });

  it('turns an error thrown between steps into an INTERNAL failure of the next step', async () => {
    const sut = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => passed('ok'));
      throw new Error('bug between steps');
    });

    expect(statuses(sut)).toEqual(['DNS_RESOLVE:PASSED', 'TCP_CONNECT:FAILED', 'TLS:SKIPPED']);
    expect(sut.errorCode).toBe(TestErrorCode.INTERNAL);
  });

  it('is not ok when the body ends before running every step', async () => {
    const sut = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => passed('ok'));
      return 'done early';
    });

    expect(sut).toMatchObject({ ok: false, errorCode: TestErrorCode.INTERNAL });
  });

  it('refuses steps out of plan order', async () => {
    const sut = await runSteps(PLAN, options(), async (step) => {
      await step(StepName.TLS, async () => passed('ok'));
      await step(StepName.DNS_RESOLVE, async () => passed('ok'));
      return 'never';
    });

    expect(sut.errorCode).toBe(TestErrorCode.INTERNAL);
  });

  it('scrubs secrets from messages, hints and the summary', async () => {
    const sut = await runSteps(PLAN, options({ secrets: ['s3cret'] }), async (step) => {
      await step(StepName.DNS_RESOLVE, async () => passed('saw s3cret', 'hint s3cret'));
      await step(StepName.TCP_CONNECT, async () => {
        throw new Error('driver said password "s3cret" is wrong');
      });
      return 'never';
    });

    expect(JSON.stringify(sut)).not.toContain('s3cret');
    expect(sut.steps[0]?.hint).toBe('hint ***');
  });
});

describe(configurationFailure.name, () => {
  it('skips every step and names the property', () => {
    const sut = configurationFailure(
      SQL_TEST_PLAN,
      new ConfigError('port', "connection property 'port' must be an integer", 'use 5432'),
      [],
      performance.now(),
    );

    expect(sut.ok).toBe(false);
    expect(sut.errorCode).toBe(TestErrorCode.INVALID_CONFIGURATION);
    expect(sut.steps.map((s) => s.status)).toEqual(SQL_TEST_PLAN.map(() => StepStatus.SKIPPED));
    expect(sut.summary).toContain("'port'");
  });
});

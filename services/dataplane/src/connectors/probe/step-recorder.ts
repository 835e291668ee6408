import { create } from '@bufbuild/protobuf';
import { dataplane } from '@plumbline/proto';
import { ConfigError } from './config';
import { errorMessageOf } from './errors';
import { scrub, secretValuesOf } from './scrub';

const { StepName, StepStatus, TestErrorCode } = dataplane;

/** The steps of a connectivity check against a SQL database, in order. */
export const SQL_TEST_PLAN: readonly dataplane.StepName[] = [
  StepName.DNS_RESOLVE,
  StepName.TCP_CONNECT,
  StepName.TLS,
  StepName.AUTHENTICATE,
  StepName.SCOPE_PROBE,
  StepName.PRIVILEGE_PROBE,
];

const STEP_LABELS: Record<dataplane.StepName, string> = {
  [StepName.UNSPECIFIED]: 'Check',
  [StepName.DNS_RESOLVE]: 'DNS resolution',
  [StepName.TCP_CONNECT]: 'TCP connection',
  [StepName.TLS]: 'TLS',
  [StepName.AUTHENTICATE]: 'Authentication',
  [StepName.SCOPE_PROBE]: 'Scope check',
  [StepName.PRIVILEGE_PROBE]: 'Privilege check',
};

export function stepLabel(name: dataplane.StepName): string {
  return STEP_LABELS[name];
}

export interface StepErrorOptions {
  /**
   * Report the failure at this earlier step instead of the one running: e.g. a
   * certificate rejected during the driver's login belongs to TLS. The running
   * step is then reported SKIPPED, since it never got to do its own work.
   */
  readonly reportAt?: dataplane.StepName;
}

/** A classified step failure. Its message and hint are shown to people (scrubbed). */
export class StepError extends Error {
  constructor(
    readonly code: dataplane.TestErrorCode,
    message: string,
    readonly hint: string,
    readonly options: StepErrorOptions = {},
  ) {
    super(message);
    this.name = StepError.name;
  }
}

/** What a step's work sees: the time it has left and a signal to stop. */
export interface StepContext {
  /** Epoch ms by which the whole check must end. */
  readonly deadline: number;
  /** Aborted when the deadline passes or the caller goes away: stop and release resources. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline, at least 1 (drivers treat 0 as "no timeout"). */
  remainingMs(): number;
}

type SuccessStatus = dataplane.StepStatus.PASSED | dataplane.StepStatus.NOT_APPLICABLE;

export interface StepOutcome<T> {
  readonly status: SuccessStatus;
  readonly message: string;
  readonly hint: string;
  readonly value: T;
}

export function passed(message: string, hint?: string): StepOutcome<undefined>;
export function passed<T>(message: string, hint: string | undefined, value: T): StepOutcome<T>;
export function passed<T>(message: string, hint?: string, value?: T): StepOutcome<T | undefined> {
  return { status: StepStatus.PASSED, message, hint: hint ?? '', value };
}

export function notApplicable(message: string): StepOutcome<undefined>;
export function notApplicable<T>(message: string, value: T): StepOutcome<T>;
export function notApplicable<T>(message: string, value?: T): StepOutcome<T | undefined> {
  return { status: StepStatus.NOT_APPLICABLE, message, hint: '', value };
}

export interface StepOptions {
  /** Turns anything other than a StepError thrown by the work into one (driver errors). */
  readonly classify?: (error: unknown) => StepError;
  /** Describes running out of time in this step (the default names the step only). */
  readonly onTimeout?: () => StepError;
}

/** Runs one step: resolves with its value, or records the failure and stops the check. */
export type RunStep = <T>(
  name: dataplane.StepName,
  work: (context: StepContext) => Promise<StepOutcome<T>>,
  options?: StepOptions,
) => Promise<T>;

export interface RunStepsOptions {
  /** Epoch ms by which the whole check must end. */
  readonly deadline: number;
  /** The caller going away (gRPC cancellation). */
  readonly signal?: AbortSignal;
  /** Values removed from every message, hint and summary. */
  readonly secrets: readonly string[];
  /** `performance.now()` when the check began (defaults to now), for the total duration. */
  readonly startedAt?: number;
}

/** Thrown through the connector's body after a failure was recorded; never escapes runSteps. */
class Halt extends Error {}

/** setTimeout's largest delay; a larger one fires immediately. */
const MAX_TIMER_MS = 2_147_483_647;

const elapsedMs = (since: number) => Math.ceil(performance.now() - since);

/**
 * Runs a connector's checks as recorded steps and builds the verdict.
 *
 * `body` calls `step(name, work)` for each step of `plan`, in order, and
 * returns the one-line summary of a success. Each step is timed (ms, rounded up,
 * so a step that ran reports at least 1) and bounded by the deadline: when it
 * passes, the step's signal aborts and the step fails with TIMEOUT. The first
 * failure stops the body; every step after it is SKIPPED. Nothing here throws:
 * an unexpected error becomes an INTERNAL failure. Every text is scrubbed of
 * `secrets` on the way out.
 */
export async function runSteps(
  plan: readonly dataplane.StepName[],
  options: RunStepsOptions,
  body: (step: RunStep) => Promise<string>,
): Promise<dataplane.ConnectionTestResult> {
  const startedAt = options.startedAt ?? performance.now();
  const records = new Map<dataplane.StepName, dataplane.TestStep>();
  let failure: dataplane.TestStep | undefined;
  let nextIndex = 0;

  const record = (name: dataplane.StepName, durationMs: number, error: StepError) => {
    const target = error.options.reportAt !== undefined && records.has(error.options.reportAt) ? error.options.reportAt : name;
    const earlier = records.get(target);
    failure = create(dataplane.TestStepSchema, {
      name: target,
      status: StepStatus.FAILED,
      durationMs: (earlier?.durationMs ?? 0) + durationMs,
      errorCode: error.code,
      message: error.message,
      hint: error.hint,
    });
    // Steps after the one that failed did not happen, as far as the verdict goes.
    const targetIndex = plan.indexOf(target);
    for (const later of plan.slice(targetIndex + 1)) records.delete(later);
    records.set(target, failure);
  };

  const step: RunStep = async (name, work, stepOptions = {}) => {
    if (failure) throw new Halt();
    const index = plan.indexOf(name, nextIndex);
    if (index < 0) throw new Error(`step ${stepLabel(name)} is not in the plan or runs out of order`);
    nextIndex = index + 1;

    const began = performance.now();
    const budgetMs = options.deadline - Date.now();
    const controller = new AbortController();
    let timedOut = false;
    const abort = (byDeadline: boolean) => {
      timedOut = timedOut || byDeadline;
      controller.abort();
    };
    const onCallerAbort = () => abort(false);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => abort(true), Math.min(Math.max(options.deadline - Date.now(), 0), MAX_TIMER_MS));
    const context: StepContext = {
      deadline: options.deadline,
      signal: controller.signal,
      remainingMs: () => Math.max(1, options.deadline - Date.now()),
    };

    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new Halt()), { once: true });
    });
    stopped.catch(() => undefined);
    // Out of time already: fail now rather than start work that cannot finish.
    if (options.signal?.aborted) abort(false);
    else if (options.deadline <= Date.now()) abort(true);
    try {
      const running = controller.signal.aborted ? stopped : Promise.resolve().then(() => work(context));
      // The work may still settle after the deadline won the race.
      running.catch(() => undefined);
      const outcome = await Promise.race([running, stopped]);
      records.set(
        name,
        create(dataplane.TestStepSchema, {
          name,
          status: outcome.status,
          durationMs: elapsedMs(began),
          message: outcome.message,
          hint: outcome.hint,
        }),
      );
      return outcome.value;
    } catch (error) {
      let classified: StepError;
      if (controller.signal.aborted) {
        classified = timedOut
          ? (stepOptions.onTimeout?.() ?? defaultTimeout(name, budgetMs))
          : new StepError(
              TestErrorCode.TIMEOUT,
              `the check was cancelled by the caller during ${stepLabel(name).toLowerCase()}`,
              'the caller gave up (deadline or cancellation): run the test again with a longer timeout',
            );
      } else if (error instanceof StepError) {
        classified = error;
      } else {
        classified = stepOptions.classify?.(error) ?? internalError(error);
      }
      record(name, elapsedMs(began), classified);
      throw new Halt();
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  let summary = '';
  try {
    summary = await body(step);
  } catch (error) {
    if (!(error instanceof Halt) && !failure) {
      const pending = plan.find((name) => !records.has(name)) ?? plan[plan.length - 1] ?? StepName.UNSPECIFIED;
      record(pending, 0, internalError(error));
    }
  }

  const steps = plan.map(
    (name) => records.get(name) ?? create(dataplane.TestStepSchema, { name, status: StepStatus.SKIPPED }),
  );
  const unfinished = !failure && steps.some((s) => s.status === StepStatus.SKIPPED);
  const clean = (text: string) => scrub(text, options.secrets);
  for (const s of steps) {
    s.message = clean(s.message);
    s.hint = clean(s.hint);
  }
  const failed = steps.find((s) => s.status === StepStatus.FAILED);
  return create(dataplane.ConnectionTestResultSchema, {
    ok: !failed && !unfinished,
    steps,
    errorCode: failed?.errorCode ?? (unfinished ? TestErrorCode.INTERNAL : TestErrorCode.UNSPECIFIED),
    summary: failed
      ? `${stepLabel(failed.name)} failed: ${failed.message}`
      : unfinished
        ? 'the connector ended the check before running every step'
        : clean(summary),
    durationMs: elapsedMs(startedAt),
  });
}

function defaultTimeout(name: dataplane.StepName, budgetMs: number): StepError {
  return new StepError(
    TestErrorCode.TIMEOUT,
    `${stepLabel(name)} did not finish within the remaining ${Math.max(0, Math.round(budgetMs))} ms`,
    'run the test again with a longer timeout; if it keeps timing out, check the network path to the server',
  );
}

/** An error nobody classified: its text is kept (scrubbed later) because it is all we know. */
export function internalError(error: unknown): StepError {
  const text = errorMessageOf(error);
  return new StepError(
    TestErrorCode.INTERNAL,
    `unexpected error: ${text}`,
    'this is likely a Plumbline bug or an unusual server answer; report it with this message',
  );
}

/**
 * The verdict when the target's properties are unusable: no step ran (all
 * SKIPPED), the error code is INVALID_CONFIGURATION and the summary names the
 * property and what to do.
 */
export function configurationFailure(
  plan: readonly dataplane.StepName[],
  error: ConfigError,
  secrets: readonly string[],
  startedAt: number,
): dataplane.ConnectionTestResult {
  return create(dataplane.ConnectionTestResultSchema, {
    ok: false,
    steps: plan.map((name) => create(dataplane.TestStepSchema, { name, status: StepStatus.SKIPPED })),
    errorCode: TestErrorCode.INVALID_CONFIGURATION,
    summary: scrub(`invalid configuration: ${error.message} (${error.hint})`, secrets),
    durationMs: elapsedMs(startedAt),
  });
}

/** What a SQL connector's `test` starts with: its parsed config and the step-run options, or the verdict already. */
export type PreparedTest<C> =
  | { readonly config: C; readonly run: RunStepsOptions; readonly verdict?: undefined }
  | { readonly verdict: Promise<dataplane.ConnectionTestResult> };

/**
 * Reads the target with `parse`; a ConfigError becomes the INVALID_CONFIGURATION
 * verdict (no step runs), any other error an INTERNAL one. Secret property
 * values are collected here so every later message is scrubbed of them.
 */
export function prepareTest<C>(
  target: { readonly properties: Readonly<Record<string, string>> },
  options: { readonly deadline: number; readonly signal?: AbortSignal },
  parse: () => C,
): PreparedTest<C> {
  const startedAt = performance.now();
  const secrets = secretValuesOf(target.properties);
  const run: RunStepsOptions = { deadline: options.deadline, signal: options.signal, secrets, startedAt };
  try {
    return { config: parse(), run };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { verdict: Promise.resolve(configurationFailure(SQL_TEST_PLAN, error, secrets, startedAt)) };
    }
    return { verdict: runSteps(SQL_TEST_PLAN, run, () => Promise.reject(error)) };
  }
}

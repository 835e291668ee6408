import { type RunOptions } from '../connector';
import { type StepContext } from '../probe';
import { OperationError, OperationErrorCode } from './errors';

export type { RunOptions };

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One operation's time and cancellation: a signal that fires at the deadline
 * or when the caller aborts (sessions close their connection on it, ending a
 * running statement), and a checkpoint called between statements.
 */
export class OperationRun {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(private readonly options: RunOptions) {
    options.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (options.signal?.aborted) this.controller.abort();
    this.timer = setTimeout(
      () => this.controller.abort(),
      Math.min(Math.max(options.deadline - Date.now(), 0), MAX_TIMER_MS),
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get deadline(): number {
    return this.options.deadline;
  }

  /** Milliseconds left, at least 1 (drivers read 0 as "no limit"). */
  remainingMs(): number {
    return Math.max(1, this.options.deadline - Date.now());
  }

  /** What stopped the run, as the error to throw; undefined while it may go on. */
  stopReason(): OperationError | undefined {
    if (this.options.signal?.aborted) {
      return new OperationError(OperationErrorCode.ABORTED, 'the operation was aborted by the caller');
    }
    if (this.controller.signal.aborted || Date.now() >= this.options.deadline) {
      return new OperationError(
        OperationErrorCode.DEADLINE_EXCEEDED,
        'the operation did not finish before its deadline',
        'run it again with a longer deadline, or profile a sample (sampleFraction / recordLimit)',
      );
    }
    return undefined;
  }

  /** Throws when aborted or out of time; call between statements. */
  checkpoint(): void {
    const reason = this.stopReason();
    if (reason) throw reason;
  }

  /**
   * Waits for one statement, but no longer than the run: rejects with the stop
   * reason as soon as the run is aborted or out of time (a driver may not
   * settle a query whose connection was destroyed), and also when the answer
   * arrives after the deadline (a server may end an interrupted statement
   * with a result instead of an error).
   */
  async guard<T>(statement: Promise<T>): Promise<T> {
    statement.catch(() => undefined);
    let onAbort = () => undefined as void;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.stopReason() ?? new OperationError(OperationErrorCode.ABORTED, 'the operation was stopped'));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => undefined);
    try {
      if (this.signal.aborted) onAbort();
      const result = await Promise.race([statement, stopped]);
      this.checkpoint();
      return result;
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  report(phase: string, completed: number, total: number, message: string): void {
    this.options.progress?.({ phase, completed, total, message });
  }

  /** The probe machinery's view (connect with the `test` method's code path). */
  stepContext(): StepContext {
    return { deadline: this.options.deadline, signal: this.signal, remainingMs: () => this.remainingMs() };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Runs `work` within an OperationRun that is always disposed. */
export async function withRun<T>(options: RunOptions, work: (run: OperationRun) => Promise<T>): Promise<T> {
  const run = new OperationRun(options);
  try {
    run.checkpoint();
    return await work(run);
  } finally {
    run.dispose();
  }
}

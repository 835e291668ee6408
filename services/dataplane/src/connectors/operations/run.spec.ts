import { OperationErrorCode } from './errors';
import { OperationRun, withRun } from './run';

describe(OperationRun.name, () => {
  it('passes checkpoints while there is time and reports progress', () => {
    const progress = jest.fn();
    const sut = new OperationRun({ deadline: Date.now() + 10_000, progress });
    try {
      expect(() => sut.checkpoint()).not.toThrow();
      sut.report('aggregate', 1, 3, 'profiling');
      expect(progress).toHaveBeenCalledWith({ phase: 'aggregate', completed: 1, total: 3, message: 'profiling' });
      expect(sut.remainingMs()).toBeGreaterThan(9_000);
    } finally {
      sut.dispose();
    }
  });

  it('stops with ABORTED when the caller aborts, and fires its signal', () => {
    const caller = new AbortController();
    const sut = new OperationRun({ deadline: Date.now() + 10_000, signal: caller.signal });
    try {
      caller.abort();
      expect(sut.signal.aborted).toBe(true);
      expect(() => sut.checkpoint()).toThrow(expect.objectContaining({ code: OperationErrorCode.ABORTED }));
    } finally {
      sut.dispose();
    }
  });

  it('stops with DEADLINE_EXCEEDED at the deadline, and fires its signal', async () => {
    const sut = new OperationRun({ deadline: Date.now() + 30 });
    try {
      await new Promise((resolve) => sut.signal.addEventListener('abort', resolve));
      expect(sut.stopReason()?.code).toBe(OperationErrorCode.DEADLINE_EXCEEDED);
    } finally {
      sut.dispose();
    }
  });

  it('guard gives up on a statement that never settles once the run stops', async () => {
    const caller = new AbortController();
    const sut = new OperationRun({ deadline: Date.now() + 10_000, signal: caller.signal });
    try {
      const pending = sut.guard(new Promise(() => undefined));
      setTimeout(() => caller.abort(), 10);
      await expect(pending).rejects.toMatchObject({ code: OperationErrorCode.ABORTED });
      await expect(sut.guard(Promise.resolve(1))).rejects.toMatchObject({ code: OperationErrorCode.ABORTED });
    } finally {
      sut.dispose();
    }
  });

  it('guard rejects an answer that arrives after the deadline', async () => {
    const sut = new OperationRun({ deadline: Date.now() + 20 });
    try {
      const late = new Promise((resolve) => setTimeout(() => resolve('late'), 60));
      await expect(sut.guard(late)).rejects.toMatchObject({ code: OperationErrorCode.DEADLINE_EXCEEDED });
    } finally {
      sut.dispose();
    }
  });
});

describe(withRun.name, () => {
  it('does not start work that is already aborted', async () => {
    const caller = new AbortController();
    caller.abort();
    const work = jest.fn();
    await expect(withRun({ deadline: Date.now() + 1_000, signal: caller.signal }, work)).rejects.toMatchObject({
      code: OperationErrorCode.ABORTED,
    });
    expect(work).not.toHaveBeenCalled();
  });
});

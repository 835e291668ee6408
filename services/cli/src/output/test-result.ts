import { dataplane } from '@plumbline/proto';
import { enumName } from './format';

const { StepStatus, StepName, TestErrorCode } = dataplane;

export const MARK = { passed: '✔', failed: '✘', other: '·' } as const;

function mark(status: dataplane.StepStatus): string {
  switch (status) {
    case StepStatus.PASSED:
      return MARK.passed;
    case StepStatus.FAILED:
      return MARK.failed;
    default:
      return MARK.other;
  }
}

function statusWord(step: dataplane.TestStep): string {
  switch (step.status) {
    case StepStatus.SKIPPED:
      return 'skipped';
    case StepStatus.NOT_APPLICABLE:
      return 'not applicable';
    default:
      return '';
  }
}

/** One line per step (`✔ TCP_CONNECT  3 ms  message`), plus the hint under a failed one. */
export function formatSteps(result: dataplane.ConnectionTestResult, indent = ''): string[] {
  const width = Math.max(0, ...result.steps.map((step) => enumName(StepName, step.name).length));
  const lines: string[] = [];
  for (const step of result.steps) {
    const failed = step.status === StepStatus.FAILED;
    const code = failed && step.errorCode !== TestErrorCode.UNSPECIFIED ? `${enumName(TestErrorCode, step.errorCode)}: ` : '';
    const text = [statusWord(step), `${code}${step.message}`].filter((part) => part.trim() !== '').join(' — ');
    lines.push(
      `${indent}${mark(step.status)} ${enumName(StepName, step.name).padEnd(width)} ${String(step.durationMs).padStart(6)} ms  ${text}`.trimEnd(),
    );
    if (failed && step.hint !== '') lines.push(`${indent}    hint: ${step.hint}`);
  }
  return lines;
}

/** `✔ ok (42 ms)` or `✘ FAILED CONNECTION_REFUSED: summary`. */
export function formatVerdict(result: dataplane.ConnectionTestResult, indent = ''): string {
  if (result.ok) return `${indent}${MARK.passed} ok (${result.durationMs} ms)${result.summary ? ` — ${result.summary}` : ''}`;
  const code = result.errorCode !== TestErrorCode.UNSPECIFIED ? ` ${enumName(TestErrorCode, result.errorCode)}` : '';
  return `${indent}${MARK.failed} FAILED${code} (${result.durationMs} ms)${result.summary ? `: ${result.summary}` : ''}`;
}

export function formatTestResult(result: dataplane.ConnectionTestResult, indent = ''): string[] {
  return [...formatSteps(result, indent), formatVerdict(result, indent)];
}

import { okResult, refusedResult } from '../testing/factories';
import { formatSteps, formatTestResult, formatVerdict } from './test-result';

describe(formatSteps.name, () => {
  it('marks passed, failed and skipped steps with name, duration and message, and the hint under a failure', () => {
    expect(formatSteps(refusedResult())).toEqual([
      '✔ DNS_RESOLVE       1 ms  DNS_RESOLVE ok',
      '✘ TCP_CONNECT       3 ms  CONNECTION_REFUSED: connection refused by 127.0.0.1:1',
      '    hint: check the port; allow 10.0.0.5 in the firewall',
      '· TLS               0 ms  skipped',
      '· AUTHENTICATE      0 ms  skipped',
    ]);
  });

  it('says when a step does not apply', () => {
    expect(formatSteps(okResult())).toContain('· TLS               0 ms  not applicable — ssl_mode=disable');
  });

  it('indents every line', () => {
    expect(formatSteps(okResult(), '  ').every((line) => line.startsWith('  '))).toBe(true);
  });
});

describe(formatVerdict.name, () => {
  it('says ok with the duration', () => {
    expect(formatVerdict(okResult())).toBe('✔ ok (12 ms)');
  });

  it('names the failure code and the summary', () => {
    expect(formatVerdict(refusedResult())).toBe('✘ FAILED CONNECTION_REFUSED (5 ms): connection refused by 127.0.0.1:1');
  });
});

describe(formatTestResult.name, () => {
  it('ends the steps with the verdict', () => {
    const sut = formatTestResult(refusedResult());
    expect(sut.at(-1)).toContain('FAILED');
    expect(sut).toHaveLength(6);
  });
});

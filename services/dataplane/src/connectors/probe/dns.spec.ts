import { dataplane } from '@plumbline/proto';
import { configuredDnsServers, DNS_SERVERS_ENV, parseDnsServers, resolveHost } from './dns';
import { StepError, type StepContext } from './step-recorder';

const context: StepContext = {
  deadline: Date.now() + 5_000,
  signal: new AbortController().signal,
  remainingMs: () => 5_000,
};

describe(parseDnsServers.name, () => {
  it('accepts ip and ip:port entries, v4 and v6', () => {
    expect(parseDnsServers('10.0.0.2, 127.0.0.1:5353,::1,[::1]:53')).toEqual([
      '10.0.0.2',
      '127.0.0.1:5353',
      '::1',
      '[::1]:53',
    ]);
  });

  it.each(['dns.example', '10.0.0.2:99999', '10.0.0:53'])('rejects %p', (value) => {
    expect(() => parseDnsServers(value)).toThrow(DNS_SERVERS_ENV);
  });

  it('reads the environment, unset meaning the system resolver', () => {
    expect(configuredDnsServers({})).toBeUndefined();
    expect(configuredDnsServers({ [DNS_SERVERS_ENV]: '127.0.0.1:53' })).toEqual(['127.0.0.1:53']);
  });
});

describe(resolveHost.name, () => {
  it('does not resolve an IP literal', async () => {
    const sut = await resolveHost('10.1.2.3', context, {});

    expect(sut.value).toEqual({ ip: '10.1.2.3', addresses: ['10.1.2.3'] });
    expect(sut.message).toContain('is an IP address');
  });

  it('fails with INTERNAL naming the variable when PLUMBLINE_DNS_SERVERS is malformed', async () => {
    const sut = resolveHost('db.example', context, { [DNS_SERVERS_ENV]: 'not-an-ip' });

    await expect(sut).rejects.toBeInstanceOf(StepError);
    await expect(sut).rejects.toMatchObject({ code: dataplane.TestErrorCode.INTERNAL });
  });
});

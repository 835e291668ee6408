import { Endpoint, hostPort, sourceAddressFor } from './endpoint';

describe(hostPort.name, () => {
  it('brackets IPv6 literals', () => {
    expect(hostPort('db.example', 5432)).toBe('db.example:5432');
    expect(hostPort('::1', 5432)).toBe('[::1]:5432');
  });
});

describe(sourceAddressFor.name, () => {
  it('names the local address that routes to the target (loopback here; no packet is sent)', async () => {
    await expect(sourceAddressFor('127.0.0.1', 5432)).resolves.toBe('127.0.0.1');
  });

  it('returns undefined for something that is not an IP', async () => {
    await expect(sourceAddressFor('db.example', 5432)).resolves.toBeUndefined();
  });
});

describe(Endpoint.name, () => {
  it('describes itself with and without a resolved address and builds the firewall rule', () => {
    const named = new Endpoint('db.example', 5432, '10.0.0.5', '10.1.2.3');
    const literal = new Endpoint('10.0.0.5', 5432, '10.0.0.5', undefined);

    expect(named.described).toBe('db.example:5432 (10.0.0.5)');
    expect(named.allowRule).toBe('allow 10.1.2.3 → db.example:5432 (10.0.0.5) in the firewall / security group');
    expect(literal.described).toBe('10.0.0.5:5432');
    expect(literal.allowRule).toContain("allow this dataplane's address → 10.0.0.5:5432");
  });
});

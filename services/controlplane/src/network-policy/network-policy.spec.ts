import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { NetworkPolicy, type Resolver } from './network-policy';
import { NetworkPolicyError, NetworkPolicyErrorCode } from './network-policy.errors';

/** A resolver answering from a table; unknown names fail like NXDOMAIN. */
function fakeResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<string[]> => {
    calls.push(hostname);
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return Object.assign(resolve, { calls });
}

async function rejection(promise: Promise<unknown>): Promise<NetworkPolicyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NetworkPolicyError) return error;
    throw error;
  }
  throw new Error('expected a NetworkPolicyError');
}

describe(NetworkPolicy.name, () => {
  const resolve = fakeResolver({
    'db.example': ['10.0.0.5'],
    'vault.example': ['192.0.2.10', '2001:db8::10'],
    'sneaky.example': ['192.0.2.11', '169.254.169.254'],
    'metadata.example': ['fd00:ec2::254'],
    'mapped.example': ['::ffff:169.254.169.254'],
    localhost: ['127.0.0.1', '::1'],
  });

  describe('defaults', () => {
    const sut = new NetworkPolicy({ resolve });

    it.each([
      'http://127.0.0.1:8200/v1/auth',
      'https://localhost/x',
      'http://[::1]:8080/',
      'https://vault.example:8200/v1/secret/data/db?version=2',
      'db.example',
      '10.1.2.3',
      '2001:db8::1',
    ])('allows %s', async (target) => {
      await expect(sut.check(target, 'login_url')).resolves.toBeUndefined();
    });

    it.each([
      ['http://169.254.169.254/latest/meta-data/', '169.254.0.0/16'],
      ['169.254.170.2', '169.254.0.0/16'],
      ['http://[fe80::1]/', 'fe80::/10'],
      ['http://100.100.100.200/latest/meta-data', '100.100.100.200/32'],
      ['http://[fd00:ec2::254]/', 'fd00:ec2::254/128'],
      ['http://[::ffff:169.254.169.254]/', '169.254.0.0/16'],
      ['http://[64:ff9b::169.254.169.254]/', '64:ff9b::a9fe:0/112'],
      ['http://0xa9.254.169.254/', '169.254.0.0/16'],
    ])('denies %s', async (target, range) => {
      const error = await rejection(sut.check(target, 'secret_url'));
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect(error.field).toBe('secret_url');
      expect(error.message).toContain(`is in ${range}`);
      expect(error.message).toContain('PLUMBLINE_NETWORK_ALLOW');
    });

    it('denies a host when any one of its addresses is denied', async () => {
      const error = await rejection(sut.check('https://sneaky.example/token', 'login_url'));
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect(error.message).toBe(
        'login_url: address 169.254.169.254 (sneaky.example) is in 169.254.0.0/16, which the network policy denies ' +
          '(add it to PLUMBLINE_NETWORK_ALLOW to allow it)',
      );
    });

    it('matches an IPv4-mapped answer as IPv4 and an IPv6 metadata answer', async () => {
      expect((await rejection(sut.check('mapped.example', 'properties.host'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect((await rejection(sut.check('metadata.example', 'properties.host'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
    });

    it.each(['http://metadata.google.internal/computeMetadata/v1/', 'metadata', 'http://instance-data./latest', 'METADATA.google.internal'])(
      'denies the metadata host name %s without resolving it',
      async (target) => {
        const before = resolve.calls.length;
        const error = await rejection(sut.check(target, 'secret_url'));
        expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
        expect(error.message).toMatch(/^secret_url: host [a-z.-]+ is denied by the network policy/);
        expect(resolve.calls.length).toBe(before);
      },
    );

    it.each(['', 'http://', 'not a host', 'https://exa mple.com/'])('rejects %j as an invalid URL', async (target) => {
      const error = await rejection(sut.check(target, 'login_url'));
      expect(error.code).toBe(NetworkPolicyErrorCode.INVALID_URL);
      expect(error.field).toBe('login_url');
    });

    it('reports a host that does not resolve', async () => {
      const error = await rejection(sut.check('https://nowhere.example/', 'login_url'));
      expect(error.code).toBe(NetworkPolicyErrorCode.UNRESOLVABLE_HOST);
      expect(error.message).toBe('login_url: host nowhere.example does not resolve');
    });

    it('never puts the path or query of a URL in a message', async () => {
      const error = await rejection(sut.check('http://169.254.169.254/v1/secret?token=planted-token-123', 'secret_url'));
      expect(JSON.stringify(error) + error.message).not.toContain('planted-token-123');
    });
  });

  describe(NetworkPolicy.fromEnv.name, () => {
    it('lets PLUMBLINE_NETWORK_ALLOW override the defaults by CIDR, address or host name', async () => {
      const sut = NetworkPolicy.fromEnv(
        { PLUMBLINE_NETWORK_ALLOW: ' 169.254.170.0/24, fd00:ec2::254 ,Metadata.Google.Internal', PLUMBLINE_NETWORK_DENY: '' },
        resolve,
      );
      await expect(sut.check('http://169.254.170.2/v2/credentials', 'login_url')).resolves.toBeUndefined();
      await expect(sut.check('http://[fd00:ec2::254]/', 'login_url')).resolves.toBeUndefined();
      await expect(sut.check('http://metadata.google.internal/', 'login_url')).resolves.toBeUndefined();
      expect((await rejection(sut.check('http://169.254.169.254/', 'login_url'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
    });

    it('adds PLUMBLINE_NETWORK_DENY ranges and host names to the defaults', async () => {
      const sut = NetworkPolicy.fromEnv({ PLUMBLINE_NETWORK_DENY: '10.0.0.0/8,vault.example,2001:db8::/32' }, resolve);
      expect((await rejection(sut.check('db.example', 'properties.host'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect((await rejection(sut.check('https://vault.example/', 'login_url'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect((await rejection(sut.check('2001:db8::5', 'properties.host'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect((await rejection(sut.check('http://169.254.169.254/', 'login_url'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      await expect(sut.check('localhost', 'properties.host')).resolves.toBeUndefined();
    });

    it('lets an allowed CIDR win over a configured deny', async () => {
      const sut = NetworkPolicy.fromEnv({ PLUMBLINE_NETWORK_DENY: '10.0.0.0/8', PLUMBLINE_NETWORK_ALLOW: '10.0.0.5' }, resolve);
      await expect(sut.check('db.example', 'properties.host')).resolves.toBeUndefined();
      expect((await rejection(sut.check('10.0.0.6', 'properties.host'))).code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
    });

    it('refuses a malformed entry at start-up, naming the variable and the position', () => {
      expect(() => NetworkPolicy.fromEnv({ PLUMBLINE_NETWORK_DENY: '10.0.0.0/8, 10.0.0.0/99' })).toThrow(
        expect.objectContaining({
          code: NetworkPolicyErrorCode.INVALID_POLICY,
          field: 'PLUMBLINE_NETWORK_DENY',
          message: 'PLUMBLINE_NETWORK_DENY entry 2 is not a CIDR, an IP address or a host name',
        }),
      );
    });
  });

  describe('guardedLookup', () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    function connectVia(sut: NetworkPolicy, host: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host, port, lookup: sut.guardedLookup('login_url') });
        socket.on('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.on('error', reject);
      });
    }

    it('connects when the name resolves to allowed addresses', async () => {
      const sut = new NetworkPolicy({ resolve: fakeResolver({ 'vault.test': ['127.0.0.1'] }) });
      await expect(connectVia(sut, 'vault.test')).resolves.toBeUndefined();
    });

    it('fails the connection when the name now resolves to a denied address (DNS rebinding)', async () => {
      let answers = 0;
      const sut = new NetworkPolicy({ resolve: async () => (answers++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']) });
      await sut.check('http://rebind.test/', 'login_url');
      const error = await rejection(connectVia(sut, 'rebind.test'));
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
    });
  });
});

import { createServer, type AddressInfo } from 'node:net';
import {
  createCa,
  issueCertificate,
  startApiGatewayFake,
  startAzureKeyVaultFake,
  startVaultFake,
  type ApiGatewayFake,
  type AzureKeyVaultFake,
  type CertificateAuthority,
  type VaultFake,
} from '@plumbline/testing';
import { NetworkPolicy } from '../network-policy/network-policy';
import { NetworkPolicyError, NetworkPolicyErrorCode } from '../network-policy/network-policy.errors';
import { HttpSecretsClient, type SecretsManagerConfig } from './http-secrets-client';
import { SecretsManagerError, SecretsManagerErrorCode } from './secrets-manager.errors';

// Planted values: none may ever show up in an error.
const VAULT_PASSWORD = 'vault-pw-PLANTED-3f9a1c';
const CLIENT_SECRET = 'client-secret-PLANTED-77d2e0';
const DB_PASSWORD = 'db-password-PLANTED-b41e6d';
const ROTATED_PASSWORD = 'db-password-ROTATED-0c5a92';
const BODY_MARKER = 'response-body-PLANTED-e8812f';

const FAST = { timeoutMs: 2000, retries: 2, backoffMs: 5 };

async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(HttpSecretsClient.name, () => {
  let vault: VaultFake;
  let gateway: ApiGatewayFake;
  let azure: AzureKeyVaultFake;
  let sut: HttpSecretsClient;

  const vaultConfig = (overrides: Partial<SecretsManagerConfig> = {}): SecretsManagerConfig => ({
    loginUrl: vault.loginUrl('plumbline'),
    credentialsPayload: JSON.stringify({ password: VAULT_PASSWORD }),
    tokenPath: '$.auth.client_token',
    secretUrl: vault.secretUrl('databases/orders'),
    tokenHeader: 'X-Vault-Token',
    dataPath: '$.data.data',
    ...overrides,
  });

  const gatewayConfig = (): SecretsManagerConfig => ({
    loginUrl: gateway.loginUrl,
    credentialsPayload: JSON.stringify({ client_id: 'plumbline', client_secret: CLIENT_SECRET }),
    tokenPath: '$.access.token',
    secretUrl: gateway.secretUrl('orders-db'),
    tokenHeader: 'x-api-token',
    dataPath: '$.result.secret',
  });

  const azureConfig = (): SecretsManagerConfig => ({
    loginUrl: azure.loginUrl,
    credentialsPayload: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: 'plumbline-app',
      client_secret: CLIENT_SECRET,
      scope: 'https://vault.azure.net/.default',
    }),
    tokenPath: '$.access_token',
    secretUrl: azure.secretUrl('orders-db'),
    tokenHeader: 'Authorization',
    dataPath: '$.value',
  });

  /** Asserts nothing secret is in the error: not its message, not any enumerable property. */
  function expectNoSecrets(error: Error): void {
    const text = `${error.message}\n${JSON.stringify(error)}\n${String(error.stack)}`;
    const planted = [
      VAULT_PASSWORD,
      CLIENT_SECRET,
      DB_PASSWORD,
      ROTATED_PASSWORD,
      BODY_MARKER,
      ...vault.issuedTokens(),
      ...gateway.issuedTokens(),
      ...azure.issuedTokens(),
    ];
    for (const value of planted) expect(text).not.toContain(value);
    expect(text).not.toContain('permission denied');
  }

  beforeAll(async () => {
    vault = await startVaultFake({
      users: { plumbline: VAULT_PASSWORD },
      secrets: { 'databases/orders': { username: 'orders_app', password: DB_PASSWORD, port: 5432, ssl: true } },
    });
    gateway = await startApiGatewayFake({
      clients: { plumbline: CLIENT_SECRET },
      secrets: { 'orders-db': { db_user: 'orders_app', db_password: DB_PASSWORD } },
    });
    azure = await startAzureKeyVaultFake({
      clients: { 'plumbline-app': CLIENT_SECRET },
      secrets: { 'orders-db': { user: 'orders_app', pass: DB_PASSWORD } },
    });
    sut = new HttpSecretsClient(new NetworkPolicy(), FAST);
  });

  afterAll(async () => {
    await Promise.all([vault.close(), gateway.close(), azure.close()]);
  });

  afterEach(() => {
    for (const fake of [vault, gateway, azure]) fake.stopHanging();
  });

  describe('three response shapes, configured only through JSONPaths', () => {
    it('reads a Vault KV v2 secret, turning numbers and booleans into strings', async () => {
      await expect(sut.fetchData(vaultConfig())).resolves.toEqual({
        username: 'orders_app',
        password: DB_PASSWORD,
        port: '5432',
        ssl: 'true',
      });
    });

    it('reads an API Gateway-style secret', async () => {
      await expect(sut.fetchData(gatewayConfig())).resolves.toEqual({ db_user: 'orders_app', db_password: DB_PASSWORD });
    });

    it('reads an Azure Key Vault-style secret', async () => {
      await expect(sut.fetchData(azureConfig())).resolves.toEqual({ user: 'orders_app', pass: DB_PASSWORD });
    });

    it('fails on one shape with the JSONPaths of another', async () => {
      const error = await rejection(
        sut.fetchData({ ...gatewayConfig(), tokenPath: '$.auth.client_token', dataPath: '$.data.data' }),
        SecretsManagerError,
      );
      expect(error.code).toBe(SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH);
    });

    it('reports only the sorted key names when testing an integration', async () => {
      const result = await sut.testIntegration(vaultConfig());
      expect(result).toEqual({ keys: ['password', 'port', 'ssl', 'username'] });
      expect(JSON.stringify(result)).not.toContain(DB_PASSWORD);
    });
  });

  describe('no cache', () => {
    it.each([
      ['Vault', () => vault, () => vaultConfig(), 'databases/orders', 'password'],
      ['API Gateway', () => gateway, () => gatewayConfig(), 'orders-db', 'db_password'],
      ['Azure Key Vault', () => azure, () => azureConfig(), 'orders-db', 'pass'],
    ] as const)('picks up a secret rotated in %s on the next call', async (_name, fake, config, secret, key) => {
      const before = await sut.fetchData(config());
      const logins = fake().requestCount('login');
      const reads = fake().requestCount('secret');

      fake().setSecret(secret, { ...before, [key]: ROTATED_PASSWORD });
      const after = await sut.fetchData(config());

      expect(before[key]).toBe(DB_PASSWORD);
      expect(after[key]).toBe(ROTATED_PASSWORD);
      expect(fake().requestCount('login')).toBe(logins + 1);
      expect(fake().requestCount('secret')).toBe(reads + 1);
      fake().setSecret(secret, before);
    });
  });

  describe('retries', () => {
    it('retries a 5xx login and succeeds after failNext(2, 503)', async () => {
      const logins = vault.requestCount('login');
      vault.failNext(2, 503);
      await expect(sut.fetchData(vaultConfig())).resolves.toHaveProperty('password', DB_PASSWORD);
      expect(vault.requestCount('login')).toBe(logins + 3);
    });

    it('retries a 5xx secret fetch without logging in again', async () => {
      const logins = vault.requestCount('login');
      const reads = vault.requestCount('secret');
      vault.failNext(2, 502, 'secret');
      await expect(sut.fetchData(vaultConfig())).resolves.toHaveProperty('password', DB_PASSWORD);
      expect(vault.requestCount('login')).toBe(logins + 1);
      expect(vault.requestCount('secret')).toBe(reads + 3);
    });

    it('gives up after the retries with LOGIN_UNREACHABLE and the last status', async () => {
      const logins = vault.requestCount('login');
      vault.failNext(3, 503, 'login');
      const error = await rejection(sut.fetchData(vaultConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_UNREACHABLE);
      expect(error.field).toBe('login_url');
      expect(error.details).toEqual({ status: 503, attempts: 3 });
      expect(error.message).toBe(`login failed: 127.0.0.1:${vault.port} answered HTTP 503 (3 attempts)`);
      expect(vault.requestCount('login')).toBe(logins + 3);
      expectNoSecrets(error);
    });

    it('never retries a 4xx', async () => {
      const logins = vault.requestCount('login');
      const error = await rejection(
        sut.fetchData(vaultConfig({ credentialsPayload: JSON.stringify({ password: `wrong-${VAULT_PASSWORD}` }) })),
        SecretsManagerError,
      );
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_REFUSED);
      expect(vault.requestCount('login')).toBe(logins + 1);
    });
  });

  describe('deadlines', () => {
    it('gives up on a server that never answers, once per attempt', async () => {
      const client = new HttpSecretsClient(new NetworkPolicy(), { timeoutMs: 200, retries: 1, backoffMs: 5 });
      const logins = vault.requestCount('login');
      vault.hangNext(undefined, 'login');
      const started = performance.now();
      const error = await rejection(client.fetchData(vaultConfig()), SecretsManagerError);
      const elapsed = performance.now() - started;

      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_UNREACHABLE);
      expect(error.message).toBe(`login failed: 127.0.0.1:${vault.port} did not answer within 200 ms (2 attempts)`);
      expect(vault.requestCount('login')).toBe(logins + 2);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(2000);
    });

    it('applies the deadline to the secret fetch too', async () => {
      const client = new HttpSecretsClient(new NetworkPolicy(), { timeoutMs: 150, retries: 0 });
      vault.hangNext(undefined, 'secret');
      const error = await rejection(client.fetchData(vaultConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.SECRET_UNREACHABLE);
      expect(error.message).toBe(`secret fetch failed: 127.0.0.1:${vault.port} did not answer within 150 ms`);
      expectNoSecrets(error);
    });
  });

  describe('TLS', () => {
    let ca: CertificateAuthority;
    let tlsVault: VaultFake;

    beforeAll(async () => {
      ca = await createCa({ commonName: 'Secrets test CA', validDays: 1 });
      const certificate = await issueCertificate(ca, { identity: 'vault', validDays: 1 });
      tlsVault = await startVaultFake({
        users: { plumbline: VAULT_PASSWORD },
        secrets: { 'databases/orders': { password: DB_PASSWORD } },
        tls: { certPem: certificate.certPem, keyPem: certificate.keyPem },
      });
    });
    afterAll(async () => {
      await tlsVault.close();
    });

    const tlsConfig = (caBundle?: string): SecretsManagerConfig => ({
      ...vaultConfig(),
      loginUrl: tlsVault.loginUrl('plumbline'),
      secretUrl: tlsVault.secretUrl('databases/orders'),
      ...(caBundle === undefined ? {} : { caBundle }),
    });

    it('trusts a server signed by the configured CA bundle', async () => {
      expect(tlsVault.url).toMatch(/^https:/);
      await expect(sut.fetchData(tlsConfig(ca.certPem))).resolves.toEqual({ password: DB_PASSWORD });
    });

    it('refuses a server whose CA is not in the bundle, without retrying', async () => {
      const other = await createCa({ commonName: 'Some other CA', validDays: 1 });
      const logins = tlsVault.requestCount();
      const error = await rejection(sut.fetchData(tlsConfig(other.certPem)), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_UNREACHABLE);
      expect(error.message).toMatch(
        new RegExp(`^login failed: 127\\.0\\.0\\.1:${tlsVault.port} presented a TLS certificate that is not trusted \\([A-Z_]+\\); check ca_bundle$`),
      );
      expect(error.details.attempts).toBe(1);
      expect(tlsVault.requestCount()).toBe(logins);
    });

    it('refuses a private CA when no bundle is configured (system roots only)', async () => {
      const error = await rejection(sut.fetchData(tlsConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_UNREACHABLE);
      expect(error.message).toContain('not trusted');
    });
  });

  describe('network policy', () => {
    it('refuses a link-local secret URL before any request', async () => {
      const requests = vault.requestCount();
      const error = await rejection(
        sut.fetchData(vaultConfig({ secretUrl: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' })),
        NetworkPolicyError,
      );
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect(error.field).toBe('secret_url');
      expect(error.message).toContain('169.254.0.0/16');
      expect(vault.requestCount()).toBe(requests);
    });

    it('refuses a metadata host name as the login URL', async () => {
      const error = await rejection(
        sut.fetchData(vaultConfig({ loginUrl: 'http://metadata.google.internal/computeMetadata/v1/' })),
        NetworkPolicyError,
      );
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect(error.field).toBe('login_url');
    });

    it('checks the address actually connected to, so a rebinding name is refused', async () => {
      let answers = 0;
      const client = new HttpSecretsClient(
        new NetworkPolicy({ resolve: async () => (answers++ < 2 ? ['127.0.0.1'] : ['169.254.169.254']) }),
        FAST,
      );
      const requests = vault.requestCount();
      const config = vaultConfig({
        loginUrl: `http://vault.test:${vault.port}/v1/auth/userpass/login/plumbline`,
        secretUrl: `http://vault.test:${vault.port}/v1/secret/data/databases/orders`,
      });
      const error = await rejection(client.fetchData(config), NetworkPolicyError);
      expect(error.code).toBe(NetworkPolicyErrorCode.DENIED_ADDRESS);
      expect(error.field).toBe('login_url');
      expect(vault.requestCount()).toBe(requests);
    });

    it('resolves host names through the policy resolver', async () => {
      const client = new HttpSecretsClient(new NetworkPolicy({ resolve: async () => ['127.0.0.1'] }), FAST);
      const config = vaultConfig({
        loginUrl: `http://vault.test:${vault.port}/v1/auth/userpass/login/plumbline`,
        secretUrl: `http://vault.test:${vault.port}/v1/secret/data/databases/orders`,
      });
      await expect(client.fetchData(config)).resolves.toHaveProperty('password', DB_PASSWORD);
    });
  });

  describe('errors a person can act on, with no secret in them', () => {
    it('LOGIN_REFUSED names the status', async () => {
      const error = await rejection(
        sut.fetchData(vaultConfig({ credentialsPayload: JSON.stringify({ password: `x${VAULT_PASSWORD}` }) })),
        SecretsManagerError,
      );
      expect(error).toBeInstanceOf(SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_REFUSED);
      expect(error.field).toBe('login_url');
      expect(error.details.status).toBe(403);
      expect(error.message).toBe(`login refused: POST 127.0.0.1:${vault.port} answered HTTP 403`);
      expectNoSecrets(error);
    });

    it('LOGIN_UNREACHABLE names the network error after retrying', async () => {
      const port = await closedPort();
      const error = await rejection(
        sut.fetchData(vaultConfig({ loginUrl: `http://127.0.0.1:${port}/v1/auth/userpass/login/plumbline` })),
        SecretsManagerError,
      );
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_UNREACHABLE);
      expect(error.message).toBe(`login failed: 127.0.0.1:${port} is unreachable (ECONNREFUSED) (3 attempts)`);
      expectNoSecrets(error);
    });

    it('TOKEN_PATH_NO_MATCH when the path matches nothing', async () => {
      const error = await rejection(sut.fetchData(vaultConfig({ tokenPath: '$.auth.token' })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH);
      expect(error.field).toBe('token_path');
      expect(error.message).toBe('token path $.auth.token matched nothing in the login response');
      expectNoSecrets(error);
    });

    it('TOKEN_PATH_NO_MATCH when the path matches something other than a string', async () => {
      const error = await rejection(sut.fetchData(vaultConfig({ tokenPath: '$.auth' })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH);
      expect(error.message).toBe('token path $.auth matched an object in the login response, not a non-empty string');
      expectNoSecrets(error);
    });

    it('SECRET_FETCH_REFUSED names the status for an unknown secret', async () => {
      const error = await rejection(sut.fetchData(vaultConfig({ secretUrl: vault.secretUrl('nope') })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.SECRET_FETCH_REFUSED);
      expect(error.field).toBe('secret_url');
      expect(error.details.status).toBe(404);
      expect(error.message).toBe(`secret fetch refused: GET 127.0.0.1:${vault.port} answered HTTP 404`);
      expectNoSecrets(error);
    });

    it('SECRET_FETCH_REFUSED for a token sent in the wrong header, without retrying', async () => {
      const reads = vault.requestCount('secret');
      const error = await rejection(sut.fetchData(vaultConfig({ tokenHeader: 'X-Other-Token' })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.SECRET_FETCH_REFUSED);
      expect(error.details.status).toBe(403);
      expect(vault.requestCount('secret')).toBe(reads + 1);
      expectNoSecrets(error);
    });

    it('SECRET_UNREACHABLE names the network error', async () => {
      const port = await closedPort();
      const error = await rejection(
        sut.fetchData(vaultConfig({ secretUrl: `http://127.0.0.1:${port}/v1/secret/data/databases/orders` })),
        SecretsManagerError,
      );
      expect(error.code).toBe(SecretsManagerErrorCode.SECRET_UNREACHABLE);
      expect(error.field).toBe('secret_url');
      expect(error.message).toBe(`secret fetch failed: 127.0.0.1:${port} is unreachable (ECONNREFUSED) (3 attempts)`);
      expectNoSecrets(error);
    });

    it('DATA_PATH_NO_MATCH when the path matches nothing', async () => {
      const error = await rejection(sut.fetchData(vaultConfig({ dataPath: '$.data.secrets' })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.DATA_PATH_NO_MATCH);
      expect(error.field).toBe('data_path');
      expect(error.message).toBe('data path $.data.secrets matched nothing in the secret response');
      expectNoSecrets(error);
    });

    it('DATA_PATH_NO_MATCH when the path matches a single value instead of key/value pairs', async () => {
      const error = await rejection(sut.fetchData(vaultConfig({ dataPath: '$.data.data.password' })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.DATA_PATH_NO_MATCH);
      expect(error.message).toBe(
        'data path $.data.data.password matched a string in the secret response, not an object of keys and values',
      );
      expectNoSecrets(error);
    });

    it('INVALID_RESPONSE when a response is not JSON, without quoting it', async () => {
      vault.replyNext(1, { status: 200, body: `<html>${BODY_MARKER} ${VAULT_PASSWORD}</html>`, contentType: 'text/html' }, 'login');
      const error = await rejection(sut.fetchData(vaultConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.INVALID_RESPONSE);
      expect(error.field).toBe('login_url');
      expect(error.message).toBe(`login response from 127.0.0.1:${vault.port} is not JSON`);
      expectNoSecrets(error);
    });

    it('INVALID_RESPONSE for a response larger than the limit', async () => {
      const client = new HttpSecretsClient(new NetworkPolicy(), { ...FAST, maxResponseBytes: 64 });
      const error = await rejection(client.fetchData(vaultConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.INVALID_RESPONSE);
      expect(error.message).toBe(`login response from 127.0.0.1:${vault.port} is larger than 64 bytes`);
      expectNoSecrets(error);
    });

    it('INVALID_RESPONSE naming the key that holds a nested object', async () => {
      vault.setSecret('nested', { password: DB_PASSWORD, tls: { cert: BODY_MARKER } });
      const error = await rejection(sut.fetchData(vaultConfig({ secretUrl: vault.secretUrl('nested') })), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.INVALID_RESPONSE);
      expect(error.field).toBe('data_path');
      expect(error.details.key).toBe('tls');
      expect(error.message).toBe(
        'key "tls" of the secret data holds an object; only strings, numbers and booleans can be referenced',
      );
      expectNoSecrets(error);
    });

    it('does not follow redirects', async () => {
      vault.replyNext(1, { status: 307, body: '' }, 'login');
      const error = await rejection(sut.fetchData(vaultConfig()), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.LOGIN_REFUSED);
      expect(error.message).toBe(`login refused: POST 127.0.0.1:${vault.port} answered HTTP 307 (redirects are not followed)`);
    });

    it.each([
      ['credentials_payload', { credentialsPayload: `{"password": "${VAULT_PASSWORD}"` }, 'credentials_payload: is not valid JSON'],
      ['login_url', { loginUrl: `not a url ${VAULT_PASSWORD}` }, 'login_url: not a valid URL'],
      ['secret_url', { secretUrl: 'ftp://127.0.0.1/secret' }, 'secret_url: must be an http or https URL'],
      [
        'login_url',
        { loginUrl: `http://admin:${VAULT_PASSWORD}@127.0.0.1/` },
        'login_url: must not carry credentials (user:password@); put them in the credentials payload',
      ],
      ['token_path', { tokenPath: 'auth.client_token' }, 'token_path: must be a JSONPath starting with $'],
      [
        'data_path',
        { dataPath: '$..[?(@.password)]' },
        'data_path: filter and script expressions are not allowed; use a plain path such as $.data.data',
      ],
      ['token_header', { tokenHeader: 'X Vault Token' }, 'token_header: is not a valid HTTP header name'],
      ['token_header', { tokenHeader: 'Host' }, 'token_header: cannot be Host'],
      ['ca_bundle', { caBundle: 'not a certificate' }, 'ca_bundle: holds no PEM certificate (-----BEGIN CERTIFICATE-----)'],
      [
        'ca_bundle',
        { caBundle: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
        'ca_bundle: certificate 1 of 1 does not parse',
      ],
    ])('INVALID_CONFIGURATION for %s, before any request', async (field, overrides, message) => {
      const requests = vault.requestCount();
      const error = await rejection(sut.fetchData(vaultConfig(overrides)), SecretsManagerError);
      expect(error.code).toBe(SecretsManagerErrorCode.INVALID_CONFIGURATION);
      expect(error.field).toBe(field);
      expect(error.message).toBe(message);
      expect(vault.requestCount()).toBe(requests);
      expectNoSecrets(error);
    });
  });
});

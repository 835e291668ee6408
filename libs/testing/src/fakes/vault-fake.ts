import { randomUUID } from 'node:crypto';
import { JsonFakeServer, type FakeReply, type SecretsFakeOptions, type SecretsManagerFake } from './http-fake';
import { SecretStore, headerValue, isRecord, type SecretsFakeData } from './secret-store';

export interface VaultFakeOptions extends SecretsFakeOptions {
  /** userpass users: name → password. */
  readonly users: Readonly<Record<string, string>>;
  /** KV v2 secrets under the `secret/` mount: path (may contain `/`) → data. */
  readonly secrets?: Readonly<Record<string, SecretsFakeData>>;
}

export interface VaultFake extends SecretsManagerFake {
  /** `<url>/v1/auth/userpass/login/<user>`. */
  loginUrl(user: string): string;
  /** `<url>/v1/secret/data/<path>`. */
  secretUrl(path: string): string;
  /** Writes a new version of a KV v2 secret (rotation). */
  setSecret(path: string, data: SecretsFakeData): void;
  /** Invalidates every token issued so far. */
  revokeTokens(): void;
}

const LOGIN = /^\/v1\/auth\/userpass\/login\/([^/]+)$/;
const KV_READ = /^\/v1\/secret\/data\/(.+)$/;

function envelope(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...fields,
  };
}

const PERMISSION_DENIED: FakeReply = { status: 403, json: { errors: ['permission denied'] } };

/**
 * A HashiCorp Vault look-alike on loopback: userpass login
 * (`POST /v1/auth/userpass/login/:user` with `{"password": ...}` →
 * `auth.client_token`) and KV v2 reads (`GET /v1/secret/data/:path` with
 * `X-Vault-Token` → `data.data`, `data.metadata.version`). Bad password or
 * token: 403 `{"errors":["permission denied"]}`; unknown path: 404 `{"errors":[]}`.
 */
export async function startVaultFake(options: VaultFakeOptions): Promise<VaultFake> {
  const store = new SecretStore(options.secrets);
  const users = new Map(Object.entries(options.users));

  const server = await JsonFakeServer.start(
    options,
    (method, path) => (LOGIN.test(path) ? 'login' : KV_READ.test(path) ? 'secret' : 'other'),
    (request) => {
      const login = LOGIN.exec(request.path);
      if (login && request.method === 'POST') {
        const user = login[1] as string;
        const password = isRecord(request.body) ? request.body['password'] : undefined;
        if (typeof password !== 'string' || users.get(user) !== password) return PERMISSION_DENIED;
        const token = store.issueToken('hvs.');
        return {
          status: 200,
          json: envelope({
            auth: {
              client_token: token,
              accessor: randomUUID(),
              policies: ['default'],
              token_policies: ['default'],
              metadata: { username: user },
              lease_duration: 2764800,
              renewable: true,
              entity_id: randomUUID(),
              token_type: 'service',
              orphan: true,
            },
          }),
        };
      }
      const read = KV_READ.exec(request.path);
      if (read && request.method === 'GET') {
        if (!store.isValidToken(headerValue(request.headers['x-vault-token']))) return PERMISSION_DENIED;
        const secret = store.get(read[1] as string);
        if (!secret) return { status: 404, json: { errors: [] } };
        return {
          status: 200,
          json: envelope({
            data: {
              data: secret.data,
              metadata: {
                created_time: secret.createdTime,
                custom_metadata: null,
                deletion_time: '',
                destroyed: false,
                version: secret.version,
              },
            },
          }),
        };
      }
      return { status: 404, json: { errors: [] } };
    },
    () => store.issuedTokens(),
  );
  return Object.assign(server, {
    loginUrl: (user: string) => `${server.url}/v1/auth/userpass/login/${encodeURIComponent(user)}`,
    secretUrl: (path: string) => `${server.url}/v1/secret/data/${path.split('/').map(encodeURIComponent).join('/')}`,
    setSecret: (path: string, data: SecretsFakeData) => store.set(path, data),
    revokeTokens: () => store.revokeTokens(),
  });
}

import { randomBytes } from 'node:crypto';
import { JsonFakeServer, type SecretsFakeOptions, type SecretsManagerFake } from './http-fake';
import { SecretStore, headerValue, isRecord, type SecretsFakeData } from './secret-store';

export interface AzureKeyVaultFakeOptions extends SecretsFakeOptions {
  /** App registrations: client id → client secret. */
  readonly clients: Readonly<Record<string, string>>;
  /** Secrets by name → data (served as an object under `value`). */
  readonly secrets?: Readonly<Record<string, SecretsFakeData>>;
  /** Tenant id in the token path (default `tenant-1`). */
  readonly tenant?: string;
}

export interface AzureKeyVaultFake extends SecretsManagerFake {
  /** `<url>/<tenant>/oauth2/v2.0/token`. */
  readonly loginUrl: string;
  /** `<url>/secrets/<name>?api-version=7.4`. */
  secretUrl(name: string): string;
  setSecret(name: string, data: SecretsFakeData): void;
  revokeTokens(): void;
}

/**
 * An Azure Key Vault look-alike (with the token endpoint of Entra ID on the
 * same server). `POST /<tenant>/oauth2/v2.0/token` with JSON
 * `{"client_id", "client_secret", ...}` → `{"token_type": "Bearer",
 * "expires_in", "access_token"}`; `GET /secrets/:name` with
 * `Authorization: <token>` (a `Bearer ` prefix is accepted too) →
 * `{"value": {...}, "id": "https://.../secrets/<name>/<version>", "attributes"}`.
 * Unlike the real service, `value` is an object so `$.value` yields the keys.
 */
export async function startAzureKeyVaultFake(options: AzureKeyVaultFakeOptions): Promise<AzureKeyVaultFake> {
  const store = new SecretStore(options.secrets);
  const clients = new Map(Object.entries(options.clients));
  const tenant = options.tenant ?? 'tenant-1';
  const tokenPath = `/${tenant}/oauth2/v2.0/token`;
  const secretPrefix = '/secrets/';
  /** Azure-style version ids, one per (name, version). */
  const versions = new Map<string, string>();

  const server = await JsonFakeServer.start(
    options,
    (_method, path) => (path === tokenPath ? 'login' : path.startsWith(secretPrefix) ? 'secret' : 'other'),
    (request) => {
      if (request.path === tokenPath && request.method === 'POST') {
        const body = isRecord(request.body) ? request.body : {};
        const id = body['client_id'];
        const secret = body['client_secret'];
        if (typeof id !== 'string' || typeof secret !== 'string' || clients.get(id) !== secret) {
          return {
            status: 401,
            json: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] },
          };
        }
        return {
          status: 200,
          json: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: store.issueToken('eyJ0eXAi.') },
        };
      }
      if (request.path.startsWith(secretPrefix) && request.method === 'GET') {
        const header = headerValue(request.headers['authorization']);
        const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
        if (!store.isValidToken(token)) {
          return { status: 401, json: { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } } };
        }
        const name = request.path.slice(secretPrefix.length).split('/')[0] as string;
        const secret = store.get(name);
        if (!secret) {
          return {
            status: 404,
            json: { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` } },
          };
        }
        const versionKey = `${name}#${secret.version}`;
        const version = versions.get(versionKey) ?? randomBytes(16).toString('hex');
        versions.set(versionKey, version);
        const seconds = Math.floor(Date.parse(secret.createdTime) / 1000);
        return {
          status: 200,
          json: {
            value: secret.data,
            id: `https://fake-vault.vault.azure.net/secrets/${name}/${version}`,
            attributes: { enabled: true, created: seconds, updated: seconds, recoveryLevel: 'Recoverable+Purgeable' },
            tags: {},
          },
        };
      }
      return { status: 404, json: { error: { code: 'NotFound', message: 'Not found' } } };
    },
    () => store.issuedTokens(),
  );
  return Object.assign(server, {
    loginUrl: `${server.url}${tokenPath}`,
    secretUrl: (name: string) => `${server.url}${secretPrefix}${encodeURIComponent(name)}?api-version=7.4`,
    setSecret: (name: string, data: SecretsFakeData) => store.set(name, data),
    revokeTokens: () => store.revokeTokens(),
  });
}

import { randomUUID } from 'node:crypto';
import { JsonFakeServer, type SecretsFakeOptions, type SecretsManagerFake } from './http-fake';
import { SecretStore, headerValue, isRecord, type SecretsFakeData } from './secret-store';

export interface ApiGatewayFakeOptions extends SecretsFakeOptions {
  /** API clients: client id → client secret. */
  readonly clients: Readonly<Record<string, string>>;
  /** Secrets by name → data. */
  readonly secrets?: Readonly<Record<string, SecretsFakeData>>;
  /** The API Gateway stage prefixing every path (default `prod`). */
  readonly stage?: string;
}

export interface ApiGatewayFake extends SecretsManagerFake {
  /** The login URL: `<url>/<stage>/auth`. */
  readonly loginUrl: string;
  /** The URL of one secret: `<url>/<stage>/secrets/<name>`. */
  secretUrl(name: string): string;
  setSecret(name: string, data: SecretsFakeData): void;
  revokeTokens(): void;
}

/** The header carrying the token. */
export const API_GATEWAY_TOKEN_HEADER = 'x-api-token';

/**
 * A secrets API behind an AWS API Gateway-style front: `POST /<stage>/auth`
 * with `{"client_id", "client_secret"}` → `{"access": {"token", "expires_in"}}`;
 * `GET /<stage>/secrets/:name` with `x-api-token` →
 * `{"result": {"name", "versionId", "secret": {...}}, "requestId"}`.
 * Errors look like API Gateway's: 401 `{"message":"Unauthorized"}`,
 * 403 `{"message":"Forbidden"}`, 404 `{"message":"Secret not found"}`.
 */
export async function startApiGatewayFake(options: ApiGatewayFakeOptions): Promise<ApiGatewayFake> {
  const store = new SecretStore(options.secrets);
  const clients = new Map(Object.entries(options.clients));
  const stage = options.stage ?? 'prod';
  const loginPath = `/${stage}/auth`;
  const secretPrefix = `/${stage}/secrets/`;

  const server = await JsonFakeServer.start(
    options,
    (_method, path) => (path === loginPath ? 'login' : path.startsWith(secretPrefix) ? 'secret' : 'other'),
    (request) => {
      if (request.path === loginPath && request.method === 'POST') {
        const body = isRecord(request.body) ? request.body : {};
        const id = body['client_id'];
        const secret = body['client_secret'];
        if (typeof id !== 'string' || typeof secret !== 'string' || clients.get(id) !== secret) {
          return { status: 401, json: { message: 'Unauthorized' } };
        }
        return { status: 200, json: { access: { token: store.issueToken('agw-'), expires_in: 900 }, requestId: randomUUID() } };
      }
      if (request.path.startsWith(secretPrefix) && request.method === 'GET') {
        if (!store.isValidToken(headerValue(request.headers[API_GATEWAY_TOKEN_HEADER]))) {
          return { status: 403, json: { message: 'Forbidden' } };
        }
        const name = request.path.slice(secretPrefix.length);
        const secret = store.get(name);
        if (!secret) return { status: 404, json: { message: 'Secret not found' } };
        return {
          status: 200,
          json: { result: { name, versionId: `v${secret.version}`, secret: secret.data }, requestId: randomUUID() },
        };
      }
      return { status: 404, json: { message: 'Not Found' } };
    },
    () => store.issuedTokens(),
  );
  return Object.assign(server, {
    loginUrl: `${server.url}${loginPath}`,
    secretUrl: (name: string) => `${server.url}${secretPrefix}${encodeURIComponent(name)}`,
    setSecret: (name: string, data: SecretsFakeData) => store.set(name, data),
    revokeTokens: () => store.revokeTokens(),
  });
}

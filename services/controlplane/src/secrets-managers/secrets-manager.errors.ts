export enum SecretsManagerErrorCode {
  /** The login endpoint answered with a non-2xx status other than 5xx (the status is in `status`). */
  LOGIN_REFUSED = 'LOGIN_REFUSED',
  /** The login endpoint could not be reached, timed out, or kept answering 5xx. */
  LOGIN_UNREACHABLE = 'LOGIN_UNREACHABLE',
  /** The token JSONPath matched nothing, or matched something that is not a non-empty string. */
  TOKEN_PATH_NO_MATCH = 'TOKEN_PATH_NO_MATCH',
  /** The secret endpoint answered with a non-2xx status other than 5xx (the status is in `status`). */
  SECRET_FETCH_REFUSED = 'SECRET_FETCH_REFUSED',
  /** The secret endpoint could not be reached, timed out, or kept answering 5xx. */
  SECRET_UNREACHABLE = 'SECRET_UNREACHABLE',
  /** The data JSONPath matched nothing, or matched something that is not an object. */
  DATA_PATH_NO_MATCH = 'DATA_PATH_NO_MATCH',
  /** A response is not JSON, is too large, or holds data that cannot become string properties. */
  INVALID_RESPONSE = 'INVALID_RESPONSE',
  /** The integration's own fields are unusable (URL, JSON payload, JSONPath, header name, CA bundle). */
  INVALID_CONFIGURATION = 'INVALID_CONFIGURATION',
  /** No integration with that id. */
  NOT_FOUND = 'SECRETS_MANAGER_NOT_FOUND',
  /** Another integration has that name. */
  NAME_TAKEN = 'SECRETS_MANAGER_NAME_TAKEN',
  /** A connection still uses the integration. */
  IN_USE = 'SECRETS_MANAGER_IN_USE',
}

/**
 * The secrets-manager feature's only error. `field` names the integration
 * field to look at (`login_url`, `secret_url`, `credentials_payload`,
 * `token_path`, `token_header`, `data_path`, `ca_bundle`). Messages name hosts,
 * statuses, JSONPaths and key names; never the credentials payload, a token, a
 * response body, a URL path or query, or a secret value.
 */
export class SecretsManagerError extends Error {
  constructor(
    readonly code: SecretsManagerErrorCode,
    readonly field: string,
    message: string,
    readonly details: {
      /** The HTTP status, for *_REFUSED and for *_UNREACHABLE after repeated 5xx. */
      readonly status?: number;
      /** How many attempts were made, for *_UNREACHABLE. */
      readonly attempts?: number;
      /** The offending key of the secret data, for INVALID_RESPONSE about a value. */
      readonly key?: string;
    } = {},
  ) {
    super(message);
    this.name = SecretsManagerError.name;
  }
}

import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { JSONPath } from 'jsonpath-plus';
import { Agent, request } from 'undici';
import { NetworkPolicy } from '../network-policy/network-policy';
import { NetworkPolicyError, NetworkPolicyErrorCode } from '../network-policy/network-policy.errors';
import { SecretsManagerError, SecretsManagerErrorCode } from './secrets-manager.errors';

/** One integration as the client needs it (decrypted). */
export interface SecretsManagerConfig {
  /** POSTed with the credentials payload. */
  loginUrl: string;
  /** JSON text sent as the login body. Secret. */
  credentialsPayload: string;
  /** JSONPath to the token in the login response, e.g. `$.auth.client_token`. */
  tokenPath: string;
  /** Fetched with GET and the token header. */
  secretUrl: string;
  /** The header carrying the token, e.g. `X-Vault-Token`. */
  tokenHeader: string;
  /** Put before the token in the header, e.g. `Bearer ` for `Authorization`. */
  tokenPrefix?: string;
  /** JSONPath to the key/value object in the secret response, e.g. `$.data.data`. */
  dataPath: string;
  /** PEM certificates trusted instead of the system roots, for a private CA. */
  caBundle?: string;
}

export interface HttpSecretsClientOptions {
  /** Deadline of one HTTP attempt, connect to last byte (default 5000). */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, a network error or a deadline (default 2). Never after a 4xx. */
  retries?: number;
  /** First backoff; doubles each retry, with jitter (default 100). */
  backoffMs?: number;
  /** Largest response body accepted (default 1 MiB). */
  maxResponseBytes?: number;
}

/** Which of the two calls is being made: drives field names, codes and wording. */
interface Step {
  readonly field: 'login_url' | 'secret_url';
  readonly name: string;
  readonly refused: SecretsManagerErrorCode;
  readonly unreachable: SecretsManagerErrorCode;
}

const LOGIN: Step = {
  field: 'login_url',
  name: 'login',
  refused: SecretsManagerErrorCode.LOGIN_REFUSED,
  unreachable: SecretsManagerErrorCode.LOGIN_UNREACHABLE,
};
const SECRET: Step = {
  field: 'secret_url',
  name: 'secret fetch',
  refused: SecretsManagerErrorCode.SECRET_FETCH_REFUSED,
  unreachable: SecretsManagerErrorCode.SECRET_UNREACHABLE,
};

type Attempt =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly retryable: boolean };

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the HTTP stack owns; a token cannot go there. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'keep-alive', 'te', 'trailer']);
/** Visible ASCII and inner spaces: what a token may be to travel in a header. */
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Certificate verification failures: retrying cannot help. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface ValidConfig {
  readonly loginUrl: URL;
  readonly secretUrl: URL;
  readonly payload: string;
  readonly tokenPath: string;
  readonly tokenHeader: string;
  readonly tokenPrefix: string;
  readonly dataPath: string;
  readonly ca: string | undefined;
}

function invalid(field: string, message: string): SecretsManagerError {
  return new SecretsManagerError(SecretsManagerErrorCode.INVALID_CONFIGURATION, field, `${field}: ${message}`);
}

function validUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, 'not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(field, 'must be an http or https URL');
  if (url.username || url.password) throw invalid(field, 'must not carry credentials (user:password@); put them in the credentials payload');
  return url;
}

function validJsonPath(value: string, field: string): string {
  const path = value.trim();
  if (!path.startsWith('$')) throw invalid(field, 'must be a JSONPath starting with $');
  if (path.length > 1024) throw invalid(field, 'is longer than 1024 characters');
  if (/\?\(|\[\s*\(/.test(path)) throw invalid(field, 'filter and script expressions are not allowed; use a plain path such as $.data.data');
  return path;
}

function validCaBundle(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const blocks = value.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw invalid('ca_bundle', 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw invalid('ca_bundle', `certificate ${index + 1} of ${blocks.length} does not parse`);
    }
  }
  try {
    createSecureContext({ ca: value });
  } catch {
    throw invalid('ca_bundle', 'is not usable as a TLS trust store');
  }
  return value;
}

/** Every check that needs no network, so a bad integration fails before any request. */
export function validateSecretsManagerConfig(config: SecretsManagerConfig): ValidConfig {
  const loginUrl = validUrl(config.loginUrl, 'login_url');
  const secretUrl = validUrl(config.secretUrl, 'secret_url');
  try {
    JSON.parse(config.credentialsPayload);
  } catch {
    // Never the parser's message: it quotes the payload.
    throw invalid('credentials_payload', 'is not valid JSON');
  }
  const tokenHeader = config.tokenHeader.trim();
  if (!HEADER_NAME.test(tokenHeader)) throw invalid('token_header', 'is not a valid HTTP header name');
  if (RESERVED_HEADERS.has(tokenHeader.toLowerCase())) throw invalid('token_header', `cannot be ${tokenHeader}`);
  const tokenPrefix = config.tokenPrefix ?? '';
  if (tokenPrefix !== '' && !/^[\x20-\x7e]*$/.test(tokenPrefix)) throw invalid('token_prefix', 'must be printable ASCII');
  return {
    loginUrl,
    secretUrl,
    payload: config.credentialsPayload,
    tokenPath: validJsonPath(config.tokenPath, 'token_path'),
    tokenHeader,
    tokenPrefix,
    dataPath: validJsonPath(config.dataPath, 'data_path'),
    ca: validCaBundle(config.caBundle),
  };
}

/** The first value `path` selects in `json`, or `undefined`. */
function firstMatch(path: string, json: unknown, field: string): { found: boolean; value: unknown } {
  if (typeof json !== 'object' || json === null) return { found: false, value: undefined };
  let matches: unknown;
  try {
    matches = JSONPath({ path, json, wrap: true, eval: false });
  } catch {
    throw invalid(field, 'cannot be evaluated');
  }
  if (!Array.isArray(matches) || matches.length === 0) return { found: false, value: undefined };
  return { found: true, value: matches[0] };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function policyErrorIn(error: unknown): NetworkPolicyError | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof NetworkPolicyError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Logs in to a secrets manager over HTTP and fetches one secret's key/value
 * data, with no cache: every call goes to the secrets manager, so a rotated
 * secret is picked up on the next use.
 *
 * Login: POST `loginUrl` with the credentials payload; token = first match of
 * `tokenPath`. Fetch: GET `secretUrl` with `<tokenHeader>: <token>`; data =
 * first match of `dataPath`, an object whose values are strings, numbers or
 * booleans. Both URLs pass the {@link NetworkPolicy} before any request and
 * again at connect time (DNS rebinding). TLS is always verified (against
 * `caBundle` when set); redirects are not followed; each attempt has a
 * deadline; 5xx, network errors and deadlines are retried with exponential
 * backoff, 4xx never.
 *
 * Throws {@link SecretsManagerError}, or {@link NetworkPolicyError}
 * (DENIED_ADDRESS, field `login_url`/`secret_url`) when the policy refuses a URL.
 */
export class HttpSecretsClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxResponseBytes: number;
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly policy: NetworkPolicy,
    options: HttpSecretsClientOptions = {},
  ) {
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.backoffMs = Math.max(0, options.backoffMs ?? 100);
    this.maxResponseBytes = Math.max(1, options.maxResponseBytes ?? 1024 * 1024);
  }

  /** Logs in, fetches, and returns the secret's data as strings. */
  async fetchData(config: SecretsManagerConfig): Promise<Record<string, string>> {
    const valid = validateSecretsManagerConfig(config);
    await this.checkPolicy(valid.loginUrl, LOGIN);
    await this.checkPolicy(valid.secretUrl, SECRET);

    const loginResponse = await this.call(LOGIN, valid.loginUrl, this.agent(valid.ca, LOGIN), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: valid.payload,
    });
    const token = this.token(loginResponse, valid.tokenPath);
    const secretResponse = await this.call(SECRET, valid.secretUrl, this.agent(valid.ca, SECRET), {
      method: 'GET',
      headers: { accept: 'application/json', [valid.tokenHeader]: `${valid.tokenPrefix}${token}` },
    });
    return this.data(secretResponse, valid.dataPath);
  }

  /** Logs in and fetches like {@link fetchData}, and reports only the key names, sorted. */
  async testIntegration(config: SecretsManagerConfig): Promise<{ keys: string[] }> {
    const data = await this.fetchData(config);
    return { keys: Object.keys(data).sort() };
  }

  private async checkPolicy(url: URL, step: Step): Promise<void> {
    try {
      await this.policy.check(url.href, step.field);
    } catch (error) {
      if (error instanceof NetworkPolicyError && error.code === NetworkPolicyErrorCode.UNRESOLVABLE_HOST) {
        throw new SecretsManagerError(step.unreachable, step.field, `${step.name} failed: host ${url.hostname} does not resolve`);
      }
      throw error;
    }
  }

  /**
   * Keep-alive connection pools, one per trust bundle and call: reusing a
   * connection saves a TCP (and TLS) handshake per use. Only connections are
   * pooled: every use still logs in and fetches afresh, and the policy's
   * lookup guard runs on every new connection.
   */
  private agent(ca: string | undefined, step: Step): Agent {
    const key = `${step.field}\u0000${ca ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        keepAliveTimeout: 10_000,
        connections: 16,
        connect: { ...(ca ? { ca } : {}), rejectUnauthorized: true, lookup: this.policy.guardedLookup(step.field) },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection (on shutdown). */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  /** Runs one call with retries and returns its parsed JSON body. */
  private async call(
    step: Step,
    url: URL,
    dispatcher: Agent,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<unknown> {
    const attempts = this.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, dispatcher, init);
      if (outcome.kind === 'ok') return this.parse(step, url, outcome.text);
      if (outcome.kind === 'invalid') {
        throw new SecretsManagerError(SecretsManagerErrorCode.INVALID_RESPONSE, step.field, `${step.name} response from ${url.host} ${outcome.reason}`);
      }

      const transient = outcome.kind === 'status' ? outcome.status >= 500 : outcome.retryable;
      if (transient && attempt < attempts) {
        const delay = this.backoffMs * 2 ** (attempt - 1);
        await sleep(delay / 2 + (Math.random() * delay) / 2);
        continue;
      }
      if (outcome.kind === 'status' && outcome.status < 500) {
        const hint = outcome.status >= 300 && outcome.status < 400 ? ' (redirects are not followed)' : '';
        throw new SecretsManagerError(
          step.refused,
          step.field,
          `${step.name} refused: ${init.method} ${url.host} answered HTTP ${outcome.status}${hint}`,
          { status: outcome.status },
        );
      }
      const reason = outcome.kind === 'status' ? `answered HTTP ${outcome.status}` : outcome.reason;
      const tries = attempt === 1 ? '' : ` (${attempt} attempts)`;
      throw new SecretsManagerError(step.unreachable, step.field, `${step.name} failed: ${url.host} ${reason}${tries}`, {
        ...(outcome.kind === 'status' ? { status: outcome.status } : {}),
        attempts: attempt,
      });
    }
  }

  private async attempt(
    url: URL,
    dispatcher: Agent,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await request(url, { ...init, dispatcher, signal: controller.signal, maxRedirections: 0 });
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        return { kind: 'status', status: response.statusCode };
      }
      const text = await readCapped(response.body, this.maxResponseBytes);
      if (text === undefined) {
        response.body.destroy();
        return { kind: 'invalid', reason: `is larger than ${this.maxResponseBytes} bytes` };
      }
      return { kind: 'ok', text };
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'failed', reason: `did not answer within ${this.timeoutMs} ms`, retryable: true };
      const denied = policyErrorIn(error);
      if (denied) throw denied;
      const code = errorCode(error);
      if (code && TLS_VERIFY_CODES.has(code)) {
        return { kind: 'failed', reason: `presented a TLS certificate that is not trusted (${code}); check ca_bundle`, retryable: false };
      }
      if (code && (code.startsWith('ERR_SSL_') || code === 'EPROTO')) {
        return { kind: 'failed', reason: `TLS handshake failed (${code})`, retryable: false };
      }
      // The code only: messages of lower layers are not vetted for secrets.
      return { kind: 'failed', reason: `is unreachable (${code ?? 'network error'})`, retryable: true };
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(step: Step, url: URL, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      // Never the parser's message: it quotes the body.
      throw new SecretsManagerError(
        SecretsManagerErrorCode.INVALID_RESPONSE,
        step.field,
        `${step.name} response from ${url.host} is not JSON`,
      );
    }
  }

  private token(response: unknown, path: string): string {
    const match = firstMatch(path, response, 'token_path');
    if (!match.found) {
      throw new SecretsManagerError(
        SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH,
        'token_path',
        `token path ${path} matched nothing in the login response`,
      );
    }
    if (typeof match.value !== 'string' || match.value === '') {
      throw new SecretsManagerError(
        SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH,
        'token_path',
        `token path ${path} matched ${kindOf(match.value)} in the login response, not a non-empty string`,
      );
    }
    if (!HEADER_VALUE.test(match.value)) {
      throw new SecretsManagerError(
        SecretsManagerErrorCode.INVALID_RESPONSE,
        'token_path',
        `the token matched by ${path} contains characters that cannot be sent in an HTTP header`,
      );
    }
    return match.value;
  }

  private data(response: unknown, path: string): Record<string, string> {
    const match = firstMatch(path, response, 'data_path');
    if (!match.found) {
      throw new SecretsManagerError(
        SecretsManagerErrorCode.DATA_PATH_NO_MATCH,
        'data_path',
        `data path ${path} matched nothing in the secret response`,
      );
    }
    const value = match.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SecretsManagerError(
        SecretsManagerErrorCode.DATA_PATH_NO_MATCH,
        'data_path',
        `data path ${path} matched ${kindOf(value)} in the secret response, not an object of keys and values`,
      );
    }
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]): [string, string] => {
      if (typeof item === 'string') return [key, item];
      if (typeof item === 'number' || typeof item === 'boolean') return [key, String(item)];
      throw new SecretsManagerError(
        SecretsManagerErrorCode.INVALID_RESPONSE,
        'data_path',
        `key ${JSON.stringify(key)} of the secret data holds ${kindOf(item)}; only strings, numbers and booleans can be referenced`,
        { key },
      );
    });
    // fromEntries defines own properties, so a key named "__proto__" stays data.
    return Object.fromEntries(entries);
  }
}

import { isIP } from 'node:net';
import { SSL_MODES, type SslMode } from './tls';

/**
 * Reading a connector target's properties. The controlplane validates input
 * against the catalog before it gets here; these checks only make sure a bad
 * target becomes an INVALID_CONFIGURATION verdict naming the property instead
 * of a crash. Only non-secret values are ever echoed.
 */

/** The input named a property that is missing or malformed; the check cannot start. */
export class ConfigError extends Error {
  constructor(
    /** The offending property: `port`, or `scope.database` for a scope property. */
    readonly property: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = ConfigError.name;
  }
}

type Source = Readonly<Record<string, string>>;

/** Where a property lives, for messages: `property 'port'` or `scope property 'database'`. */
export type PropertyKind = 'property' | 'scope';

function qualified(kind: PropertyKind, key: string): string {
  return kind === 'scope' ? `scope.${key}` : key;
}

function described(kind: PropertyKind, key: string): string {
  return kind === 'scope' ? `scope property '${key}'` : `connection property '${key}'`;
}

/** The trimmed value, or undefined when absent or blank. */
export function optionalString(source: Source, key: string): string | undefined {
  const value = Object.hasOwn(source, key) ? source[key]?.trim() : undefined;
  return value ? value : undefined;
}

export function requiredString(source: Source, key: string, kind: PropertyKind = 'property'): string {
  const value = optionalString(source, key);
  if (value === undefined) {
    throw new ConfigError(qualified(kind, key), `${described(kind, key)} is required`, `set '${key}'`);
  }
  return value;
}

/** A secret or otherwise verbatim value: not trimmed, empty allowed. Never echoed. */
export function rawString(source: Source, key: string): string {
  return Object.hasOwn(source, key) ? (source[key] ?? '') : '';
}

export function portProperty(source: Source, key: string, defaultPort: number): number {
  const text = optionalString(source, key);
  if (text === undefined) return defaultPort;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(
      key,
      `${described('property', key)} must be an integer from 1 to 65535, got '${text}'`,
      `use the server's TCP port (default ${defaultPort})`,
    );
  }
  return port;
}

/**
 * A host name or IP literal, without a port or scheme. IPv6 literals may come
 * bracketed (`[::1]`); the brackets are removed.
 */
export function hostProperty(source: Source, key = 'host'): string {
  const text = requiredString(source, key);
  const unbracketed = /^\[(.*)\]$/.exec(text)?.[1] ?? text;
  if (isIP(unbracketed)) return unbracketed;
  const problem = text.includes('://')
    ? 'must not include a scheme'
    : text.includes(':')
      ? 'must not include a port'
      : /[\s/@]/.test(text)
        ? 'must be a host name or IP address'
        : text.length > 253
          ? 'is longer than 253 characters'
          : undefined;
  if (problem) {
    throw new ConfigError(
      key,
      `${described('property', key)} ${problem}, got '${text}'`,
      "give only the server's host name or IP address; the port has its own property",
    );
  }
  return text;
}

export function sslModeProperty(source: Source, key: string, defaultMode: SslMode): SslMode {
  const text = optionalString(source, key);
  if (text === undefined) return defaultMode;
  const mode = SSL_MODES.find((m) => m === text);
  if (!mode) {
    throw new ConfigError(
      key,
      `${described('property', key)} must be one of ${SSL_MODES.join(', ')}, got '${text}'`,
      `use ${defaultMode} unless the server requires stricter TLS`,
    );
  }
  return mode;
}

/** An optional PEM certificate bundle. */
export function pemProperty(source: Source, key: string): string | undefined {
  const text = optionalString(source, key);
  if (text === undefined) return undefined;
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(
      key,
      `${described('property', key)} is not a PEM certificate`,
      'paste the CA certificate including the -----BEGIN CERTIFICATE----- line',
    );
  }
  return text;
}

/** An empty auth method means the connector's default. */
export function checkAuthMethod(authMethod: string, supported: readonly string[]): void {
  if (authMethod === '' || supported.includes(authMethod)) return;
  throw new ConfigError(
    'auth_method',
    `auth method '${authMethod}' is not supported by this connector`,
    `use one of: ${supported.join(', ')}`,
  );
}

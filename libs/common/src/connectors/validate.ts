import { isIP, isIPv4, isIPv6 } from 'node:net';
import {
  findConnectorType,
  listConnectorTypes,
  type AuthMethodId,
  type AuthMethodSchema,
  type ConnectorId,
  type ConnectorKind,
  type ConnectorType,
  type PropertySchema,
  type StringFormat,
} from './catalog';
import { ValidationError, ValidationErrorCode, type ValidationIssue } from './errors';

/** What secret properties read back as; sent back on update, it keeps the stored value. */
export const SECRET_MASK = '********';

/**
 * `create`: the input is the whole property set; every required property must be
 * present and the mask is not a value.
 * `update`: the input is an UpdateConnection request's property set; a secret
 * property that is omitted or sent as the mask keeps its stored value (listed in
 * `keptSecrets`, left out of `properties`). Merge the stored secrets in and
 * validate the result again in `create` mode before using it.
 */
export type ValidationMode = 'create' | 'update';

export interface ConnectionPropertiesInput {
  connector: string;
  /** Empty or absent: the connector's default auth method. */
  authMethod?: string;
  properties: Record<string, string>;
}

export interface ValidatedConnection {
  connector: ConnectorId;
  kind: ConnectorKind;
  authMethod: AuthMethodId;
  /** Normalized values in catalog order: trimmed (non-secret), defaults applied, numbers and booleans canonical. */
  properties: Record<string, string>;
  /** Update mode only: secret properties whose stored value stays. */
  keptSecrets: string[];
}

/** Validates and normalizes a connection's properties against the catalog; throws ValidationError. */
export function validateConnectionProperties(
  input: ConnectionPropertiesInput,
  mode: ValidationMode,
): ValidatedConnection {
  const connector = requireConnector(input.connector);
  const auth = requireAuthMethod(connector, input.authMethod);
  const schemas = [...connector.properties, ...auth.properties];
  const issues: ValidationIssue[] = [];
  const properties: Record<string, string> = {};
  const keptSecrets: string[] = [];

  for (const schema of schemas) {
    const raw = own(input.properties, schema.name);
    const field = `properties.${schema.name}`;
    if (schema.secret && raw === SECRET_MASK) {
      if (mode === 'update') keptSecrets.push(schema.name);
      else
        issues.push({
          code: ValidationErrorCode.INVALID_PROPERTY,
          field,
          message: `${field}: the mask ${SECRET_MASK} is what a stored secret reads back as, not a value; send the secret`,
        });
      continue;
    }
    if (schema.secret && mode === 'update' && isAbsent(schema, raw)) {
      keptSecrets.push(schema.name);
      continue;
    }
    const checked = checkProperty(schema, raw, field);
    if ('issue' in checked) issues.push(checked.issue);
    else if (checked.value !== undefined) properties[schema.name] = checked.value;
  }

  for (const group of connector.exactlyOneOf ?? []) {
    const set = group.filter((name) => properties[name] !== undefined);
    const names = group.join(', ');
    const [first = '', second = ''] = set.length === 0 ? group : set;
    if (set.length === 0 && !issues.some((issue) => group.some((name) => issue.field === `properties.${name}`))) {
      issues.push({
        code: ValidationErrorCode.MISSING_PROPERTY,
        field: `properties.${first}`,
        message: `properties.${first}: set one of ${names}`,
      });
    } else if (set.length > 1) {
      issues.push({
        code: ValidationErrorCode.INVALID_PROPERTY,
        field: `properties.${second}`,
        message: `properties.${second}: set only one of ${names}`,
      });
    }
  }

  issues.push(...unknownProperties(input.properties, schemas, 'properties', connector, auth));
  throwIfAny(issues);
  return { connector: connector.id, kind: connector.kind, authMethod: auth.id, properties, keptSecrets };
}

/** Validates and normalizes a datastore scope (database, schema, root_path, ...); throws ValidationError. */
export function validateScope(connector: string, scope: Record<string, string>): Record<string, string> {
  const type = requireConnector(connector);
  const issues: ValidationIssue[] = [];
  const result: Record<string, string> = {};
  for (const schema of type.scopeProperties) {
    const checked = checkProperty(schema, own(scope, schema.name), `scope.${schema.name}`);
    if ('issue' in checked) issues.push(checked.issue);
    else if (checked.value !== undefined) result[schema.name] = checked.value;
  }
  issues.push(...unknownProperties(scope, type.scopeProperties, 'scope', type));
  throwIfAny(issues);
  return result;
}

/** The connection property schemas of a connector and auth method (shared ones first). */
export function connectionPropertySchemas(connector: string, authMethod?: string): readonly PropertySchema[] {
  const type = requireConnector(connector);
  return [...type.properties, ...requireAuthMethod(type, authMethod).properties];
}

/** Names of the properties to encrypt at rest and mask on read. */
export function secretPropertyNames(connector: string, authMethod?: string): string[] {
  return connectionPropertySchemas(connector, authMethod)
    .filter((schema) => schema.secret)
    .map((schema) => schema.name);
}

/** The connector's kind; throws UNKNOWN_CONNECTOR. */
export function connectorKind(id: string): ConnectorKind {
  return requireConnector(id).kind;
}

// ---------------------------------------------------------------------------

function requireConnector(id: string): ConnectorType {
  const type = findConnectorType(id);
  if (type === undefined) {
    throw ValidationError.of(
      ValidationErrorCode.UNKNOWN_CONNECTOR,
      'connector',
      `connector: ${quote(id)} is not a known connector (known: ${listConnectorTypes()
        .map((known) => known.id)
        .join(', ')})`,
    );
  }
  return type;
}

function requireAuthMethod(connector: ConnectorType, id: string | undefined): AuthMethodSchema {
  const wanted = id === undefined || id === '' ? connector.defaultAuthMethod : id;
  const auth = connector.authMethods.find((method) => method.id === wanted);
  if (auth === undefined) {
    throw ValidationError.of(
      ValidationErrorCode.UNSUPPORTED_AUTH_METHOD,
      'auth_method',
      `auth_method: ${quote(wanted)} is not supported by ${connector.id} (supported: ${connector.authMethods
        .map((method) => method.id)
        .join(', ')})`,
    );
  }
  return auth;
}

function throwIfAny(issues: ValidationIssue[]): void {
  const [first, ...rest] = issues;
  if (first !== undefined) throw new ValidationError([first, ...rest]);
}

/** Own, string-keyed lookup: `constructor` or `__proto__` never reach Object.prototype. */
function own(values: Record<string, string>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
}

function isAbsent(schema: PropertySchema, raw: unknown): boolean {
  return raw === undefined || raw === '' || (!schema.secret && typeof raw === 'string' && raw.trim() === '');
}

function unknownProperties(
  values: Record<string, string>,
  schemas: readonly PropertySchema[],
  prefix: 'properties' | 'scope',
  connector: ConnectorType,
  auth?: AuthMethodSchema,
): ValidationIssue[] {
  const known = new Set(schemas.map((schema) => schema.name));
  return Object.keys(values)
    .filter((name) => !known.has(name))
    .map((name) => {
      const field = `${prefix}.${clip(name)}`;
      const otherAuth = connector.authMethods.find(
        (method) => method !== auth && method.properties.some((schema) => schema.name === name),
      );
      const where =
        prefix === 'properties'
          ? `${connector.id} with auth method ${auth?.id ?? connector.defaultAuthMethod}`
          : `a ${connector.id} datastore scope`;
      let hint = '';
      if (prefix === 'properties' && otherAuth !== undefined) hint = ` (it belongs to auth method ${otherAuth.id})`;
      else if (prefix === 'properties' && connector.scopeProperties.some((schema) => schema.name === name))
        hint = ' (it is a datastore scope property)';
      else if (prefix === 'scope' && connector.properties.some((schema) => schema.name === name))
        hint = ' (it is a connection property)';
      return { code: ValidationErrorCode.UNKNOWN_PROPERTY, field, message: `${field} is not a property of ${where}${hint}` };
    });
}

type Checked = { value: string | undefined } | { issue: ValidationIssue };

function checkProperty(schema: PropertySchema, raw: unknown, field: string): Checked {
  if (raw !== undefined && typeof raw !== 'string') {
    return invalid(field, 'must be text');
  }
  const value = raw === undefined ? '' : schema.secret ? raw : raw.trim();
  const result = isAbsent(schema, raw) ? '' : checkValue(schema, value);
  // Absent, empty, or normalized to nothing (a root_path of "/").
  if (result === '') {
    if (schema.defaultValue !== undefined) return { value: schema.defaultValue };
    if (schema.required) {
      return {
        issue: {
          code: ValidationErrorCode.MISSING_PROPERTY,
          field,
          message: `${field} is required (${schema.label})`,
        },
      };
    }
    return { value: undefined };
  }
  if (typeof result === 'string') return { value: result };
  // Secret values, and multi-line PEM or JSON, are never quoted back.
  const shown = schema.secret || schema.type === 'pem' || schema.type === 'json' ? undefined : value;
  return invalid(field, result.problem, shown);
}

function invalid(field: string, problem: string, shown?: string): { issue: ValidationIssue } {
  const quoted = shown === undefined ? '' : ` (${quote(shown)})`;
  return { issue: { code: ValidationErrorCode.INVALID_PROPERTY, field, message: `${field}${quoted}: ${problem}` } };
}

/** The normalized value, or what is wrong with it (never containing the value). */
function checkValue(schema: PropertySchema, value: string): string | { problem: string } {
  switch (schema.type) {
    case 'string': {
      if (schema.format === undefined) return value;
      const format = FORMATS[schema.format];
      if (!format.test(value)) return { problem: `must be ${format.hint}` };
      return format.normalize?.(value) ?? value;
    }
    case 'integer': {
      const min = schema.min ?? Number.MIN_SAFE_INTEGER;
      const max = schema.max ?? Number.MAX_SAFE_INTEGER;
      const range = `an integer from ${min} to ${max}`;
      if (!/^[+-]?\d{1,16}$/.test(value)) return { problem: `must be ${range}` };
      const number = Number(value);
      if (!Number.isSafeInteger(number) || number < min || number > max) return { problem: `must be ${range}` };
      return String(number);
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      return lower === 'true' || lower === 'false' ? lower : { problem: 'must be true or false' };
    }
    case 'enum': {
      const match = schema.allowedValues.find((allowed) => allowed.toLowerCase() === value.toLowerCase());
      return match ?? { problem: `must be one of ${schema.allowedValues.join(', ')}` };
    }
    case 'url':
      return checkUrl(value);
    case 'pem':
      return isPem(value) ? value : { problem: 'must be PEM text (-----BEGIN …----- base64 -----END …-----)' };
    case 'json':
      return isJsonObject(value) ? value : { problem: 'must be a JSON object' };
  }
}

function checkUrl(value: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute http(s) URL' };
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    return { problem: 'must be an absolute http(s) URL' };
  }
  // Credentials in a URL would be stored in the clear with the non-secret properties.
  if (url.username !== '' || url.password !== '') {
    return { problem: 'must not contain a user name or password; use the auth method’s secret properties' };
  }
  return value;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_HEADER = /^[A-Za-z][A-Za-z0-9-]*:.*$/;

/** Syntax only: one or more well-formed blocks with matching labels and a base64 body. */
function isPem(value: string): boolean {
  const blocks = [...value.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || blocks.length !== value.split('-----BEGIN ').length - 1) return false;
  return blocks.every(([, begin, body = '', end]) => {
    if (begin !== end) return false;
    // Legacy encrypted keys carry RFC 1421 headers (Proc-Type, DEK-Info) before the base64.
    const base64 = body
      .split(/\r?\n/)
      .filter((line) => !PEM_HEADER.test(line.trim()))
      .join('')
      .replace(/\s+/g, '');
    return isCanonicalBase64(base64);
  });
}

function isCanonicalBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && BASE64.test(value);
}

function isJsonObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    // The parser's message quotes the input: never pass it on.
    return false;
  }
}

const DNS_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}\\.?$)${DNS_LABEL}(?:\\.${DNS_LABEL})*\\.?$`);

function isHostname(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (value.startsWith('[') && value.endsWith(']')) return isIPv6(value.slice(1, -1));
  // Dotted digits that are not an IPv4 address (1.2.3.999) are a typo, not a name.
  if (/^[\d.]+$/.test(value)) return isIPv4(value);
  return DNS_NAME.test(value);
}

function isHostPort(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed) return isIPv6(bracketed[1] ?? '') && isPort(bracketed[2]);
  if (isIPv6(value)) return true;
  const [host = '', port, ...rest] = value.split(':');
  return rest.length === 0 && isHostname(host) && isPort(port);
}

function isPort(port: string | undefined): boolean {
  if (port === undefined) return true;
  const number = Number(port);
  return /^\d{1,5}$/.test(port) && number >= 1 && number <= 65535;
}

interface Format {
  test(value: string): boolean;
  /** Said after "must be". */
  hint: string;
  normalize?(value: string): string;
}

const FORMATS: { readonly [K in StringFormat]: Format } = {
  hostname: {
    test: isHostname,
    hint: 'a host name or IP address without scheme, port or path (e.g. db.example.com)',
  },
  host_port: { test: isHostPort, hint: 'host or host:port (e.g. kdc.example.com:88)' },
  base64: {
    test: (value) => isCanonicalBase64(value.replace(/\s+/g, '')),
    hint: 'base64 text',
  },
  uuid: {
    test: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
    hint: 'a UUID (e.g. 8c2b4f1e-1a2b-4c3d-9e8f-0123456789ab)',
  },
  snowflake_account: {
    test: (value) =>
      /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9])?$/.test(value) && !/snowflakecomputing/i.test(value),
    hint: 'an account identifier such as myorg-myaccount or xy12345.eu-west-1, without https:// or .snowflakecomputing.com',
  },
  aws_region: {
    test: (value) => /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(value),
    hint: 'an AWS region such as eu-west-1',
  },
  s3_bucket: {
    test: (value) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) && !value.includes('..') && !isIPv4(value),
    hint: 'an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens',
  },
  s3_uri: {
    test: (value) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[^\s]*)?$/.test(value),
    hint: 'an S3 location such as s3://bucket/prefix/',
  },
  gcs_bucket: {
    test: (value) =>
      /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(value) &&
      (value.includes('.') ? value.split('.').every((part) => part.length > 0 && part.length <= 63) : value.length <= 63),
    hint: 'a Cloud Storage bucket name: 3-63 lower-case letters, digits, hyphens, underscores and dots',
  },
  azure_storage_account: {
    test: (value) => /^[a-z0-9]{3,24}$/.test(value),
    hint: 'a storage account name: 3-24 lower-case letters and digits',
  },
  azure_container: {
    test: (value) => /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/.test(value) && !value.includes('--'),
    hint: 'a container name: 3-63 lower-case letters, digits and single hyphens',
  },
  url_path: {
    test: (value) => /^\/[^\s?#]*$/.test(value),
    hint: 'a URL path starting with / (e.g. /sql/1.0/warehouses/1a2b3c4d5e6f7a8b)',
  },
  path_prefix: {
    test: (value) =>
      !/[\\\p{Cc}]/u.test(value) &&
      !value.includes('://') &&
      value.split('/').every((segment) => segment !== '.' && segment !== '..'),
    hint: 'a folder path such as raw/events, without scheme, backslashes or . / .. segments',
    normalize: (value) => value.split('/').filter((segment) => segment !== '').join('/'),
  },
};

function quote(value: string): string {
  return JSON.stringify(clip(value));
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

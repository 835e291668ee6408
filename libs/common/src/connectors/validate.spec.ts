import { generateKeyPairSync } from 'node:crypto';
import {
  ConnectorKind,
  listConnectorTypes,
  type AuthMethodSchema,
  type ConnectorType,
  type PropertySchema,
} from './catalog';
import { ValidationError, ValidationErrorCode } from './errors';
import {
  SECRET_MASK,
  connectionPropertySchemas,
  connectorKind,
  secretPropertyNames,
  validateConnectionProperties,
  validateScope,
  type ConnectionPropertiesInput,
} from './validate';

// ---------------------------------------------------------------------------
// Factories: example values derived from the catalog itself, so a new connector
// or auth method is covered without touching this file.

const PEM_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: 'acme-analytics',
  private_key_id: 'abc123',
  private_key: PEM_KEY,
  client_email: 'plumbline@acme-analytics.iam.gserviceaccount.com',
});

function exampleValue(schema: PropertySchema): string {
  if (schema.example !== undefined) return schema.example;
  if (schema.defaultValue !== undefined) return schema.defaultValue;
  if (schema.format === 'base64') return Buffer.from(`example ${schema.name} bytes`).toString('base64');
  switch (schema.type) {
    case 'string':
      return schema.secret ? `Ex4mple ${schema.name} value!` : `example_${schema.name}`;
    case 'integer':
      return String(schema.min ?? 1);
    case 'boolean':
      return 'true';
    case 'enum':
      return schema.allowedValues[0] ?? '';
    case 'url':
      return 'https://example.com/';
    case 'pem':
      return PEM_KEY;
    case 'json':
      return SERVICE_ACCOUNT;
  }
}

/** Every property (or only required ones), keeping one per exactlyOneOf group. */
function exampleProperties(
  connector: ConnectorType,
  auth: AuthMethodSchema,
  which: 'all' | 'required',
): Record<string, string> {
  const skipped = new Set((connector.exactlyOneOf ?? []).flatMap((group) => group.slice(1)));
  const chosen = new Set((connector.exactlyOneOf ?? []).map((group) => group[0]));
  return Object.fromEntries(
    [...connector.properties, ...auth.properties]
      .filter((schema) => !skipped.has(schema.name))
      .filter((schema) => which === 'all' || (schema.required && schema.defaultValue === undefined) || chosen.has(schema.name))
      .map((schema) => [schema.name, exampleValue(schema)]),
  );
}

function exampleScope(connector: ConnectorType, which: 'all' | 'required'): Record<string, string> {
  return Object.fromEntries(
    connector.scopeProperties
      .filter((schema) => which === 'all' || (schema.required && schema.defaultValue === undefined))
      .map((schema) => [schema.name, exampleValue(schema)]),
  );
}

const postgresFactory = (properties: Record<string, string> = {}): ConnectionPropertiesInput => ({
  connector: 'postgresql',
  authMethod: 'basic',
  properties: { host: 'db.example.com', username: 'reader', password: 'pw', ...properties },
});

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const without = (record: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => key !== name));

const connectorAuthPairs = listConnectorTypes().flatMap((connector) =>
  connector.authMethods.map((auth) => [connector.id, auth.id, connector, auth] as const),
);

// ---------------------------------------------------------------------------

describe(validateConnectionProperties.name, () => {
  describe.each(connectorAuthPairs)('%s with %s', (connectorId, authId, connector, auth) => {
    it('accepts an example with every property', () => {
      const properties = exampleProperties(connector, auth, 'all');
      const sut = validateConnectionProperties({ connector: connectorId, authMethod: authId, properties }, 'create');
      expect(sut).toMatchObject({ connector: connectorId, kind: connector.kind, authMethod: authId, keptSecrets: [] });
      expect(Object.keys(sut.properties).sort()).toEqual(Object.keys(properties).sort());
    });

    it('accepts only the required properties and fills in the defaults', () => {
      const properties = exampleProperties(connector, auth, 'required');
      const sut = validateConnectionProperties({ connector: connectorId, authMethod: authId, properties }, 'create');
      for (const schema of [...connector.properties, ...auth.properties]) {
        if (schema.defaultValue !== undefined) expect(sut.properties[schema.name]).toBe(schema.defaultValue);
        if (schema.required) expect(sut.properties[schema.name]).toBeDefined();
      }
    });

    it('in update mode keeps every secret that is masked or omitted', () => {
      const secrets = secretPropertyNames(connectorId, authId);
      const properties = exampleProperties(connector, auth, 'all');
      for (const [index, name] of secrets.entries()) {
        if (index % 2 === 0) properties[name] = SECRET_MASK;
        else delete properties[name];
      }
      const sut = validateConnectionProperties({ connector: connectorId, authMethod: authId, properties }, 'update');
      expect(sut.keptSecrets).toEqual(secrets);
      for (const name of secrets) expect(sut.properties[name]).toBeUndefined();
    });

    it('reports each missing required property by name', () => {
      const properties = exampleProperties(connector, auth, 'required');
      for (const name of Object.keys(properties)) {
        const error = caught(() =>
          validateConnectionProperties(
            { connector: connectorId, authMethod: authId, properties: without(properties, name) },
            'create',
          ),
        );
        expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, `properties.${name}`]);
      }
    });
  });

  describe.each(listConnectorTypes().map((connector) => [connector.id, connector] as const))(
    '%s scope',
    (connectorId, connector) => {
      it('accepts an example scope', () => {
        const scope = exampleScope(connector, 'all');
        expect(Object.keys(validateScope(connectorId, scope)).sort()).toEqual(Object.keys(scope).sort());
      });

      it('accepts the required scope and fills in the defaults', () => {
        const sut = validateScope(connectorId, exampleScope(connector, 'required'));
        for (const schema of connector.scopeProperties) {
          if (schema.defaultValue !== undefined) expect(sut[schema.name]).toBe(schema.defaultValue);
        }
      });

      it('uses the default auth method when none is given', () => {
        const auth = connector.authMethods.find((method) => method.id === connector.defaultAuthMethod);
        const properties = exampleProperties(connector, auth as AuthMethodSchema, 'required');
        for (const authMethod of [undefined, '']) {
          const sut = validateConnectionProperties({ connector: connectorId, authMethod, properties }, 'create');
          expect(sut.authMethod).toBe(connector.defaultAuthMethod);
        }
      });
    },
  );

  it('normalizes values: trims non-secrets, canonical integers, booleans and enum case', () => {
    const sut = validateConnectionProperties(
      postgresFactory({ host: '  db.example.com ', port: '+05433', ssl_mode: 'VERIFY-FULL', password: '  pw  ' }),
      'create',
    );
    expect(sut.properties).toEqual({
      host: 'db.example.com',
      port: '5433',
      ssl_mode: 'verify-full',
      username: 'reader',
      password: '  pw  ',
    });
    const sqlserver = validateConnectionProperties(
      { connector: 'sqlserver', properties: { host: '10.0.0.7', encrypt: 'FALSE', username: 'sa', password: 'x' } },
      'create',
    );
    expect(sqlserver.properties).toMatchObject({ encrypt: 'false', trust_server_certificate: 'false', port: '1433' });
  });

  it('applies the postgresql defaults', () => {
    const sut = validateConnectionProperties(postgresFactory(), 'create');
    expect(sut).toMatchObject({ kind: ConnectorKind.JDBC, authMethod: 'basic' });
    expect(sut.properties).toMatchObject({ port: '5432', ssl_mode: 'prefer' });
    expect(sut.properties.ssl_ca).toBeUndefined();
  });

  it.each(['db.example.com', 'localhost', '127.0.0.1', '::1', '[2001:db8::1]', 'my_host.internal'])(
    'accepts the host %s',
    (host) => {
      expect(validateConnectionProperties(postgresFactory({ host }), 'create').properties.host).toBe(host);
    },
  );

  it('in update mode still requires non-secret required properties', () => {
    const error = caught(() =>
      validateConnectionProperties(
        { connector: 'postgresql', properties: { username: 'reader', password: SECRET_MASK } },
        'update',
      ),
    );
    expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'properties.host']);
  });

  describe(ValidationErrorCode.UNKNOWN_CONNECTOR, () => {
    it.each(['mongodb', '', 'PostgreSQL', '__proto__', 'constructor'])('refuses %j', (connector) => {
      const error = caught(() => validateConnectionProperties({ connector, properties: {} }, 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.UNKNOWN_CONNECTOR, 'connector']);
    });

    it('is also what the helpers answer', () => {
      for (const call of [
        () => validateScope('mongodb', {}),
        () => secretPropertyNames('mongodb', 'basic'),
        () => connectorKind('mongodb'),
        () => connectionPropertySchemas('mongodb'),
      ]) {
        expect(caught(call).code).toBe(ValidationErrorCode.UNKNOWN_CONNECTOR);
      }
    });
  });

  describe(ValidationErrorCode.UNSUPPORTED_AUTH_METHOD, () => {
    it.each([
      ['postgresql', 'keypair'],
      ['s3', 'basic'],
      ['synapse', 'kerberos'],
      ['mysql', 'magic'],
    ])('refuses %s with %s', (connector, authMethod) => {
      const error = caught(() => validateConnectionProperties({ connector, authMethod, properties: {} }, 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.UNSUPPORTED_AUTH_METHOD, 'auth_method']);
      expect(error.message).toContain(`"${authMethod}" is not supported by ${connector}`);
    });
  });

  describe(ValidationErrorCode.MISSING_PROPERTY, () => {
    it.each(['', '   '])('treats the empty value %j as missing', (host) => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ host }), 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'properties.host']);
    });

    it('requires one of oracle service_name and sid', () => {
      const error = caught(() =>
        validateConnectionProperties(
          { connector: 'oracle', properties: { host: 'ora', username: 'u', password: 'p' } },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'properties.service_name']);
      expect(error.message).toContain('set one of service_name, sid');
    });

    it('requires a secret in create mode', () => {
      const error = caught(() =>
        validateConnectionProperties(
          { connector: 'snowflake', authMethod: 'keypair', properties: { account: 'xy12345.eu-west-1', username: 'u' } },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'properties.private_key']);
    });

    it('reports every problem and leads with the first', () => {
      const error = caught(() =>
        validateConnectionProperties(
          { connector: 'postgresql', properties: { port: 'x', ssl_mode: 'sometimes', username: 'u', hostname: 'h' } },
          'create',
        ),
      );
      expect(error.issues.map((issue) => [issue.code, issue.field])).toEqual([
        [ValidationErrorCode.MISSING_PROPERTY, 'properties.host'],
        [ValidationErrorCode.INVALID_PROPERTY, 'properties.port'],
        [ValidationErrorCode.INVALID_PROPERTY, 'properties.ssl_mode'],
        [ValidationErrorCode.UNKNOWN_PROPERTY, 'properties.hostname'],
      ]);
      expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'properties.host']);
    });

    it('names the scope field', () => {
      const error = caught(() => validateScope('postgresql', { schema: 'sales' }));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.MISSING_PROPERTY, 'scope.database']);
    });
  });

  describe(ValidationErrorCode.INVALID_PROPERTY, () => {
    it.each([
      ['port', 'abc', 'an integer from 1 to 65535'],
      ['port', '0', 'an integer from 1 to 65535'],
      ['port', '65536', 'an integer from 1 to 65535'],
      ['port', '54.32', 'an integer from 1 to 65535'],
      ['port', '99999999999999999999', 'an integer from 1 to 65535'],
      ['ssl_mode', 'sometimes', 'one of disable, prefer, require, verify-ca, verify-full'],
      ['host', 'postgres://db.example.com:5432/app', 'a host name or IP address'],
      ['host', 'db.example.com:5432', 'a host name or IP address'],
      ['host', '1.2.3.999', 'a host name or IP address'],
      ['host', 'db example', 'a host name or IP address'],
      ['ssl_ca', 'not a certificate', 'PEM text'],
      ['ssl_ca', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----', 'PEM text'],
      ['ssl_ca', '-----BEGIN CERTIFICATE-----\nAAAA\n', 'PEM text'],
      ['ssl_ca', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----', 'PEM text'],
    ])('refuses postgresql %s = %j', (name, value, hint) => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ [name]: value }), 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, `properties.${name}`]);
      expect(error.message).toContain(hint);
    });

    it('quotes a bad non-secret value', () => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ port: 'abc' }), 'create'));
      expect(error.message).toBe('properties.port ("abc"): must be an integer from 1 to 65535');
    });

    it.each([
      ['ftp://login.example.com/token', 'http(s) URL'],
      ['login.example.com/token', 'http(s) URL'],
      ['https://client:secret@login.example.com/token', 'must not contain a user name or password'],
    ])('refuses the token_url %j', (tokenUrl, hint) => {
      const error = caught(() =>
        validateConnectionProperties(
          {
            connector: 'snowflake',
            authMethod: 'oauth_m2m',
            properties: { account: 'myorg-acct', client_id: 'id', client_secret: 's', token_url: tokenUrl },
          },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, 'properties.token_url']);
      expect(error.message).toContain(hint);
    });

    it.each(['https://acct.snowflakecomputing.com', 'acct.snowflakecomputing.com', 'my account'])(
      'refuses the snowflake account %j',
      (account) => {
        const error = caught(() =>
          validateConnectionProperties(
            { connector: 'snowflake', authMethod: 'basic', properties: { account, username: 'u', password: 'p' } },
            'create',
          ),
        );
        expect(error.field).toBe('properties.account');
      },
    );

    it.each(['[1, 2]', '"text"', '{"type": "service_account"'])('refuses the service account JSON %j', (json) => {
      const error = caught(() =>
        validateConnectionProperties(
          { connector: 'gcs', properties: { bucket: 'acme-lake', service_account_json: json } },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([
        ValidationErrorCode.INVALID_PROPERTY,
        'properties.service_account_json',
      ]);
      expect(error.message).toBe('properties.service_account_json: must be a JSON object');
    });

    it('refuses both oracle service_name and sid', () => {
      const error = caught(() =>
        validateConnectionProperties(
          { connector: 'oracle', properties: { host: 'ora', service_name: 'A', sid: 'B', username: 'u', password: 'p' } },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, 'properties.sid']);
    });

    it('refuses the mask as a secret value on create', () => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ password: SECRET_MASK }), 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, 'properties.password']);
    });

    it('refuses a value that is not text', () => {
      const properties = { ...postgresFactory().properties, port: 5432 } as unknown as Record<string, string>;
      const error = caught(() => validateConnectionProperties({ connector: 'postgresql', properties }, 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, 'properties.port']);
    });

    it.each([
      ['s3', { root_path: '../other-bucket' }],
      ['s3', { root_path: 's3://bucket/raw' }],
      ['adls', { root_path: 'raw\\events' }],
    ])('refuses the %s scope %j', (connector, scope) => {
      const error = caught(() => validateScope(connector, scope));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, 'scope.root_path']);
    });
  });

  describe(ValidationErrorCode.UNKNOWN_PROPERTY, () => {
    it('refuses a property the connector does not have', () => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ hostname: 'db' }), 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.UNKNOWN_PROPERTY, 'properties.hostname']);
    });

    it('says when the property belongs to another auth method', () => {
      const error = caught(() =>
        validateConnectionProperties(
          {
            connector: 'snowflake',
            authMethod: 'basic',
            properties: { account: 'myorg-acct', username: 'u', password: 'p', private_key: PEM_KEY },
          },
          'create',
        ),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.UNKNOWN_PROPERTY, 'properties.private_key']);
      expect(error.message).toContain('belongs to auth method keypair');
      expect(error.message).not.toContain('PRIVATE KEY');
    });

    it('says when a connection property is really a scope property, and back', () => {
      const inProperties = caught(() => validateConnectionProperties(postgresFactory({ database: 'app' }), 'create'));
      expect(inProperties.message).toContain('datastore scope property');
      const inScope = caught(() => validateScope('postgresql', { database: 'app', host: 'db' }));
      expect([inScope.code, inScope.field]).toEqual([ValidationErrorCode.UNKNOWN_PROPERTY, 'scope.host']);
      expect(inScope.message).toContain('connection property');
    });

    it.each(['__proto__', 'constructor', 'toString'])('refuses the key %j', (key) => {
      const properties = JSON.parse(`{"host":"db","username":"u","password":"p","${key}":"x"}`) as Record<string, string>;
      const error = caught(() => validateConnectionProperties({ connector: 'postgresql', properties }, 'create'));
      expect([error.code, error.field]).toEqual([ValidationErrorCode.UNKNOWN_PROPERTY, `properties.${key}`]);
    });
  });

  describe('secret values in errors', () => {
    const SECRET = 'Sup3rSecretValue-xyzzy';
    const badSecretValue = (schema: PropertySchema): string | undefined => {
      if (schema.type === 'pem') return `-----BEGIN PRIVATE KEY-----\n${SECRET}!\n-----END PRIVATE KEY-----`;
      if (schema.type === 'json') return `{"private_key": "${SECRET}"`;
      if (schema.format === 'base64') return `${SECRET}!`;
      return undefined; // free text: no value is invalid
    };
    const secretCases = connectorAuthPairs.flatMap(([connectorId, authId, connector, auth]) =>
      auth.properties
        .filter((schema) => schema.secret && badSecretValue(schema) !== undefined)
        .map((schema) => [`${connectorId}/${authId}/${schema.name}`, connector, auth, schema] as const),
    );

    it('covers at least the pem, json and base64 secrets', () => {
      expect(secretCases.map(([name]) => name)).toEqual(
        expect.arrayContaining([
          'snowflake/keypair/private_key',
          'bigquery/service_principal/service_account_json',
          'sqlserver/kerberos/keytab',
          'adls/shared_key/account_key',
        ]),
      );
    });

    it.each(secretCases)('never echoes a bad %s', (_, connector, auth, schema) => {
      const properties = { ...exampleProperties(connector, auth, 'all'), [schema.name]: badSecretValue(schema) ?? '' };
      const error = caught(() =>
        validateConnectionProperties({ connector: connector.id, authMethod: auth.id, properties }, 'create'),
      );
      expect([error.code, error.field]).toEqual([ValidationErrorCode.INVALID_PROPERTY, `properties.${schema.name}`]);
      for (const text of [error.message, JSON.stringify(error.issues), String(error.stack)]) {
        expect(text).not.toContain(SECRET);
      }
    });

    it('never echoes the value of an unknown property or a property sent as a non-string', () => {
      const error = caught(() => validateConnectionProperties(postgresFactory({ passwd: SECRET }), 'create'));
      expect(error.message).not.toContain(SECRET);
    });
  });
});

describe(secretPropertyNames.name, () => {
  it.each([
    ['postgresql', 'basic', ['password']],
    ['postgresql', undefined, ['password']],
    ['snowflake', 'keypair', ['private_key', 'private_key_passphrase']],
    ['snowflake', 'oauth_m2m', ['client_secret']],
    ['databricks', 'basic', ['access_token']],
    ['sqlserver', 'kerberos', ['keytab']],
    ['s3', 'shared_key', ['secret_access_key']],
    ['adls', 'shared_key', ['account_key']],
    ['gcs', undefined, ['service_account_json']],
  ])('%s with %s → %j', (connector, authMethod, expected) => {
    expect(secretPropertyNames(connector, authMethod)).toEqual(expected);
  });

  it('refuses an auth method the connector lacks', () => {
    expect(caught(() => secretPropertyNames('postgresql', 'kerberos')).code).toBe(
      ValidationErrorCode.UNSUPPORTED_AUTH_METHOD,
    );
  });
});

describe(connectorKind.name, () => {
  it.each([
    ['postgresql', ConnectorKind.JDBC],
    ['s3', ConnectorKind.DFS],
    ['databricks_unity_catalog', ConnectorKind.NATIVE],
  ])('%s is %s', (id, kind) => {
    expect(connectorKind(id)).toBe(kind);
  });
});

describe(validateScope.name, () => {
  it('normalizes a root path', () => {
    expect(validateScope('s3', { root_path: '/raw//events/' })).toEqual({ root_path: 'raw/events' });
    expect(validateScope('s3', { root_path: '/' })).toEqual({});
    expect(validateScope('gcs', {})).toEqual({});
  });

  it('applies defaults and trims', () => {
    expect(validateScope('postgresql', { database: ' app ' })).toEqual({ database: 'app', schema: 'public' });
  });
});

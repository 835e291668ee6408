import {
  AUTH_METHOD_IDS,
  CONNECTOR_IDS,
  ConnectorKind,
  findConnectorType,
  isConnectorId,
  listConnectorTypes,
  type ConnectorType,
  type PropertySchema,
} from './catalog';

const connectors = listConnectorTypes().map((connector) => [connector.id, connector] as const);
const names = (schemas: readonly PropertySchema[]) => schemas.map((schema) => schema.name);
const everyProperty = (connector: ConnectorType) => [
  ...connector.properties,
  ...connector.authMethods.flatMap((method) => method.properties),
  ...connector.scopeProperties,
];

describe('connector catalog', () => {
  it('lists every connector id once, in CONNECTOR_IDS order', () => {
    expect(listConnectorTypes().map((connector) => connector.id)).toEqual([...CONNECTOR_IDS]);
  });

  it('gives each connector its kind', () => {
    const byKind = (kind: ConnectorKind) =>
      listConnectorTypes()
        .filter((connector) => connector.kind === kind)
        .map((connector) => connector.id);
    expect(byKind(ConnectorKind.JDBC)).toEqual([
      'postgresql',
      'mysql',
      'snowflake',
      'bigquery',
      'oracle',
      'sqlserver',
      'redshift',
      'databricks',
      'athena',
      'synapse',
      'teradata',
      'hive',
    ]);
    expect(byKind(ConnectorKind.DFS)).toEqual(['s3', 'adls', 'gcs']);
    expect(byKind(ConnectorKind.NATIVE)).toEqual(['databricks_unity_catalog']);
  });

  it('has dataplane drivers for postgresql and mysql only', () => {
    expect(listConnectorTypes().filter((connector) => connector.driverAvailable).map((c) => c.id)).toEqual([
      'postgresql',
      'mysql',
    ]);
  });

  it('finds connectors by id and nothing else', () => {
    expect(findConnectorType('postgresql')?.label).toBe('PostgreSQL');
    for (const id of ['', 'PostgreSQL', 'mongodb', 'constructor', '__proto__', 'toString']) {
      expect(findConnectorType(id)).toBeUndefined();
      expect(isConnectorId(id)).toBe(false);
    }
  });

  it('is frozen', () => {
    const sut = listConnectorTypes();
    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut[0]?.properties[0])).toBe(true);
    expect(Object.isFrozen(sut[0]?.authMethods[0]?.properties)).toBe(true);
  });

  it('keeps the property names the dataplane postgresql connector reads', () => {
    const sut = findConnectorType('postgresql');
    expect(names(sut?.properties ?? [])).toEqual(['host', 'port', 'ssl_mode', 'ssl_ca']);
    expect(sut?.properties.find((schema) => schema.name === 'ssl_mode')).toMatchObject({
      type: 'enum',
      allowedValues: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'],
      defaultValue: 'prefer',
    });
    expect(sut?.authMethods.map((method) => [method.id, names(method.properties)])).toEqual([
      ['basic', ['username', 'password']],
    ]);
    expect(sut?.scopeProperties).toEqual([
      expect.objectContaining({ name: 'database', required: true }),
      expect.objectContaining({ name: 'schema', required: true, defaultValue: 'public' }),
    ]);
  });

  describe.each(connectors)('%s', (_, connector) => {
    it('names a supported default auth method and known, distinct auth method ids', () => {
      const ids = connector.authMethods.map((method) => method.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(AUTH_METHOD_IDS).toContain(id);
      expect(ids).toContain(connector.defaultAuthMethod);
    });

    it('never reuses a property name within one connection or scope', () => {
      for (const method of connector.authMethods) {
        const connection = names([...connector.properties, ...method.properties]);
        expect(new Set(connection).size).toBe(connection.length);
      }
      const scope = names(connector.scopeProperties);
      expect(new Set(scope).size).toBe(scope.length);
    });

    it('has well-formed property schemas', () => {
      for (const schema of everyProperty(connector)) {
        const where = `${connector.id}.${schema.name}`;
        expect([where, /^[a-z][a-z0-9_]*$/.test(schema.name)]).toEqual([where, true]);
        expect([where, schema.label.length > 0 && schema.description.length > 0]).toEqual([where, true]);
        expect([where, schema.type === 'enum' ? schema.allowedValues.length > 1 : schema.allowedValues.length]).toEqual(
          [where, schema.type === 'enum' ? true : 0],
        );
        if (schema.type === 'enum' && schema.defaultValue !== undefined) {
          expect(schema.allowedValues).toContain(schema.defaultValue);
        }
        if (schema.secret) expect([where, schema.defaultValue]).toEqual([where, undefined]);
        if (schema.format !== undefined) expect([where, schema.type]).toEqual([where, 'string']);
        if (schema.min !== undefined || schema.max !== undefined) expect([where, schema.type]).toEqual([where, 'integer']);
        if (schema.format !== undefined && schema.format !== 'base64') {
          expect([where, schema.example ?? schema.defaultValue]).not.toEqual([where, undefined]);
        }
      }
    });

    it('keeps scope properties non-secret', () => {
      expect(connector.scopeProperties.filter((schema) => schema.secret)).toEqual([]);
    });

    it('has a scope', () => {
      expect(connector.scopeProperties.length).toBeGreaterThan(0);
    });

    it('only groups optional connection properties in exactlyOneOf', () => {
      for (const group of connector.exactlyOneOf ?? []) {
        for (const name of group) {
          expect(connector.properties.find((schema) => schema.name === name)).toMatchObject({ required: false });
        }
      }
    });
  });
});

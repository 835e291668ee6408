/**
 * The connector catalog: every connector Plumbline knows, the auth methods each
 * supports and the properties each needs. It is the one source of truth for
 * validating input (validate.ts), for knowing which properties are secret
 * (encrypted at rest, masked on read) and for answering `ListConnectorTypes`.
 *
 * The shapes map 1:1 onto the proto messages `ConnectorType`,
 * `AuthMethodSchema` and `PropertySchema` (plumbline.controlplane.v1). Fields
 * marked "validation only" are not on the wire.
 */

/** PropertySchema.type on the wire. */
export type PropertyType = 'string' | 'integer' | 'boolean' | 'enum' | 'pem' | 'json' | 'url';

/** ConnectionKind on the wire (CONNECTION_KIND_<kind>). */
export enum ConnectorKind {
  JDBC = 'JDBC',
  DFS = 'DFS',
  NATIVE = 'NATIVE',
}

export const AUTH_METHOD_IDS = ['basic', 'keypair', 'service_principal', 'oauth_m2m', 'shared_key', 'kerberos'] as const;
export type AuthMethodId = (typeof AUTH_METHOD_IDS)[number];

export const CONNECTOR_IDS = [
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
  's3',
  'adls',
  'gcs',
  'databricks_unity_catalog',
] as const;
export type ConnectorId = (typeof CONNECTOR_IDS)[number];

/**
 * Named checks for `string` properties (validation only). validate.ts holds the
 * check and the human hint for each.
 */
export type StringFormat =
  | 'hostname'
  | 'host_port'
  | 'base64'
  | 'uuid'
  | 'snowflake_account'
  | 'aws_region'
  | 's3_bucket'
  | 's3_uri'
  | 'gcs_bucket'
  | 'azure_storage_account'
  | 'azure_container'
  | 'url_path'
  | 'path_prefix';

export interface PropertySchema {
  readonly name: string;
  readonly label: string;
  /**
   * The property always has a value once validated: the caller must send it,
   * unless `defaultValue` fills it in.
   */
  readonly required: boolean;
  /** Encrypted at rest, masked on read, never echoed in an error. */
  readonly secret: boolean;
  readonly type: PropertyType;
  /** The choices of an `enum` property; empty otherwise. */
  readonly allowedValues: readonly string[];
  /** Applied when the property is absent or empty. Never set on a secret. */
  readonly defaultValue?: string;
  readonly description: string;
  /** Validation only: inclusive bounds of an `integer` property. */
  readonly min?: number;
  readonly max?: number;
  /** Validation only: the shape a `string` property must have. */
  readonly format?: StringFormat;
  /** A realistic value (UI placeholder; the specs validate every example). Never a real secret. */
  readonly example?: string;
}

export interface AuthMethodSchema {
  readonly id: AuthMethodId;
  readonly label: string;
  /** Properties this auth method adds to the connector's shared ones. */
  readonly properties: readonly PropertySchema[];
}

export interface ConnectorType {
  readonly id: ConnectorId;
  readonly label: string;
  readonly kind: ConnectorKind;
  /** Properties every auth method shares (host, port, ...). */
  readonly properties: readonly PropertySchema[];
  readonly authMethods: readonly AuthMethodSchema[];
  /** Used when a request leaves the auth method empty. */
  readonly defaultAuthMethod: AuthMethodId;
  /** Datastore scope properties (database, schema, root_path). Never secret. */
  readonly scopeProperties: readonly PropertySchema[];
  /** False when the dataplane has no driver yet (tests answer UNIMPLEMENTED). */
  readonly driverAvailable: boolean;
  /**
   * Validation only: groups of optional connection properties of which exactly
   * one must be set (e.g. Oracle's service_name or sid).
   */
  readonly exactlyOneOf?: readonly (readonly string[])[];
}

// ---------------------------------------------------------------------------
// Property builders: keep the table below readable.

/** Anything but name, label and type; `description` here overrides the builder's. */
type PropertyOptions = Partial<Omit<PropertySchema, 'name' | 'label' | 'type'>>;

function property(
  type: PropertyType,
  name: string,
  label: string,
  description: string,
  options: PropertyOptions = {},
): PropertySchema {
  return { name, label, type, description, required: true, secret: false, allowedValues: [], ...options };
}
const text = (name: string, label: string, description: string, options?: PropertyOptions) =>
  property('string', name, label, description, options);
const secretText = (name: string, label: string, description: string, options?: PropertyOptions) =>
  property('string', name, label, description, { secret: true, ...options });
const optional = { required: false } as const;

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];

const host = (example: string, description = 'Host name or IP address of the server.') =>
  text('host', 'Host', description, { format: 'hostname', example });
const port = (defaultPort: number) =>
  property('integer', 'port', 'Port', 'TCP port of the server.', {
    defaultValue: String(defaultPort),
    min: 1,
    max: 65535,
  });
const sslMode = (defaultMode: string, description: string) =>
  property('enum', 'ssl_mode', 'TLS mode', description, { allowedValues: SSL_MODES, defaultValue: defaultMode });
const sslCa = () =>
  property(
    'pem',
    'ssl_ca',
    'CA certificate',
    'PEM bundle of the CA(s) that signed the server certificate, for verify-ca / verify-full. Empty = system trust store.',
    optional,
  );
const username = (example = 'plumbline_reader') =>
  text('username', 'User name', 'The database user Plumbline logs in as.', { example });
const password = (options: PropertyOptions = {}) => secretText('password', 'Password', 'The user’s password.', options);
const basic = (options: { passwordOptional?: boolean } = {}): AuthMethodSchema => ({
  id: 'basic',
  label: 'User name and password',
  properties: [
    username(),
    password(
      options.passwordOptional
        ? { required: false, description: 'The user’s password; empty for accounts the server trusts without one.' }
        : {},
    ),
  ],
});
const awsAccessKey = (description: string): PropertySchema[] => [
  text('access_key_id', 'Access key ID', description, { example: 'AKIAIOSFODNN7EXAMPLE' }),
  secretText('secret_access_key', 'Secret access key', 'The secret half of the access key.'),
];
const entraServicePrincipal = (): AuthMethodSchema => ({
  id: 'service_principal',
  label: 'Microsoft Entra service principal',
  properties: [
    text('tenant_id', 'Tenant ID', 'Directory (tenant) ID or primary domain of the Entra tenant.', {
      example: 'contoso.onmicrosoft.com',
    }),
    text('client_id', 'Client ID', 'Application (client) ID of the service principal.', {
      format: 'uuid',
      example: '8c2b4f1e-1a2b-4c3d-9e8f-0123456789ab',
    }),
    secretText('client_secret', 'Client secret', 'A client secret of the application registration.'),
  ],
});
const oauthM2m = (label: string, clientIdDescription: string, extra: PropertySchema[] = []): AuthMethodSchema => ({
  id: 'oauth_m2m',
  label,
  properties: [
    text('client_id', 'Client ID', clientIdDescription, { example: '4d3c2b1a-0f9e-4d8c-a7b6-5e4d3c2b1a09' }),
    secretText('client_secret', 'Client secret', 'The OAuth client secret.'),
    ...extra,
  ],
});
const kerberos = (extra: PropertySchema[] = []): AuthMethodSchema => ({
  id: 'kerberos',
  label: 'Kerberos (keytab)',
  properties: [
    text('principal', 'Principal', 'The Kerberos principal Plumbline authenticates as.', {
      example: 'svc_plumbline@EXAMPLE.COM',
    }),
    secretText('keytab', 'Keytab', 'The principal’s keytab file, base64-encoded (`base64 -w0 svc.keytab`).', {
      format: 'base64',
    }),
    text('realm', 'Realm', 'The Kerberos realm, usually upper case.', { example: 'EXAMPLE.COM' }),
    text('kdc', 'KDC', 'Key distribution center as host or host:port (port 88 by default).', {
      format: 'host_port',
      example: 'kdc.example.com:88',
    }),
    ...extra,
  ],
});
const serviceAccount = (label: string): AuthMethodSchema => ({
  id: 'service_principal',
  label,
  properties: [
    property('json', 'service_account_json', 'Service account key', 'The service account’s JSON key file.', {
      secret: true,
    }),
  ],
});
const database = (options: PropertyOptions = {}) =>
  text('database', 'Database', 'The database to read.', { example: 'analytics', ...options });
const schema = (options: PropertyOptions = {}) =>
  text('schema', 'Schema', 'The schema to read.', { example: 'sales', ...options });
const rootPath = (where: string) =>
  text('root_path', 'Root path', `Folder inside the ${where} that holds the data; empty = the whole ${where}.`, {
    required: false,
    format: 'path_prefix',
    example: 'raw/events',
  });
const encrypt = () =>
  property('boolean', 'encrypt', 'Encrypt', 'Use TLS for the connection.', { defaultValue: 'true' });
const trustServerCertificate = () =>
  property(
    'boolean',
    'trust_server_certificate',
    'Trust server certificate',
    'Skip validation of the server certificate. Only for test servers with self-signed certificates.',
    { defaultValue: 'false' },
  );

// ---------------------------------------------------------------------------
// The catalog. TypeScript insists on exactly one entry per ConnectorId.

type ConnectorDefinition = Omit<ConnectorType, 'id'>;

const DEFINITIONS: { readonly [K in ConnectorId]: ConnectorDefinition } = {
  postgresql: {
    label: 'PostgreSQL',
    kind: ConnectorKind.JDBC,
    properties: [
      host('db.example.com'),
      port(5432),
      sslMode('prefer', 'libpq sslmode: how strictly to require and verify TLS.'),
      sslCa(),
    ],
    authMethods: [basic({ passwordOptional: true })],
    defaultAuthMethod: 'basic',
    scopeProperties: [database(), schema({ defaultValue: 'public' })],
    driverAvailable: true,
  },
  mysql: {
    label: 'MySQL / MariaDB',
    kind: ConnectorKind.JDBC,
    properties: [
      host('mysql.example.com'),
      port(3306),
      sslMode(
        'prefer',
        'How strictly to require and verify TLS (MySQL ssl-mode DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY).',
      ),
      sslCa(),
    ],
    authMethods: [basic({ passwordOptional: true })],
    defaultAuthMethod: 'basic',
    scopeProperties: [database()],
    driverAvailable: true,
  },
  snowflake: {
    label: 'Snowflake',
    kind: ConnectorKind.JDBC,
    properties: [
      text('account', 'Account identifier', 'The account identifier, without .snowflakecomputing.com.', {
        format: 'snowflake_account',
        example: 'xy12345.eu-west-1',
      }),
      text('warehouse', 'Warehouse', 'Virtual warehouse that runs Plumbline’s queries; the user’s default when empty.', {
        required: false,
        example: 'PLUMBLINE_WH',
      }),
      text('role', 'Role', 'Role to use; the user’s default role when empty.', { required: false, example: 'PLUMBLINE' }),
    ],
    authMethods: [
      {
        id: 'keypair',
        label: 'Key pair',
        properties: [
          username('PLUMBLINE_SVC'),
          property('pem', 'private_key', 'Private key', 'PKCS#8 private key whose public key is set on the user.', {
            secret: true,
          }),
          secretText('private_key_passphrase', 'Private key passphrase', 'Passphrase of an encrypted private key.', {
            required: false,
          }),
        ],
      },
      basic(),
      oauthM2m('OAuth client credentials', 'Client ID registered with the OAuth authorization server.', [
        property('url', 'token_url', 'Token URL', 'The authorization server’s token endpoint.', {
          example: 'https://login.example.com/oauth2/v1/token',
        }),
        text('oauth_scope', 'OAuth scope', 'Scope to request, e.g. session:role:PLUMBLINE.', {
          required: false,
          example: 'session:role:PLUMBLINE',
        }),
      ]),
    ],
    // Snowflake is retiring password-only sign-in for service users.
    defaultAuthMethod: 'keypair',
    scopeProperties: [database({ example: 'ANALYTICS' }), schema({ example: 'PUBLIC' })],
    driverAvailable: false,
  },
  bigquery: {
    label: 'Google BigQuery',
    kind: ConnectorKind.JDBC,
    properties: [
      text('project_id', 'Project ID', 'Project that runs (and pays for) Plumbline’s queries.', {
        example: 'acme-analytics',
      }),
      text('location', 'Location', 'Processing location of the datasets (e.g. US, EU, europe-west1); auto when empty.', {
        required: false,
        example: 'EU',
      }),
    ],
    authMethods: [serviceAccount('Service account')],
    defaultAuthMethod: 'service_principal',
    scopeProperties: [
      text('dataset', 'Dataset', 'The dataset to read.', { example: 'sales' }),
      text('project', 'Dataset project', 'Project that holds the dataset; the connection’s project when empty.', {
        required: false,
        example: 'acme-shared-data',
      }),
    ],
    driverAvailable: false,
  },
  oracle: {
    label: 'Oracle Database',
    kind: ConnectorKind.JDBC,
    properties: [
      host('oracle.example.com'),
      port(1521),
      text('service_name', 'Service name', 'Database service name; set this or the SID.', {
        required: false,
        example: 'ORCLPDB1',
      }),
      text('sid', 'SID', 'System identifier of older, non-CDB databases; set this or the service name.', {
        required: false,
        example: 'ORCL',
      }),
      property('enum', 'protocol', 'Protocol', 'TCP, or TCPS for TLS.', {
        allowedValues: ['tcp', 'tcps'],
        defaultValue: 'tcp',
      }),
    ],
    authMethods: [basic()],
    defaultAuthMethod: 'basic',
    scopeProperties: [schema({ example: 'SALES' })],
    driverAvailable: false,
    exactlyOneOf: [['service_name', 'sid']],
  },
  sqlserver: {
    label: 'Microsoft SQL Server',
    kind: ConnectorKind.JDBC,
    properties: [host('sql.example.com'), port(1433), encrypt(), trustServerCertificate()],
    authMethods: [basic(), entraServicePrincipal(), kerberos()],
    defaultAuthMethod: 'basic',
    scopeProperties: [database(), schema({ defaultValue: 'dbo' })],
    driverAvailable: false,
  },
  redshift: {
    label: 'Amazon Redshift',
    kind: ConnectorKind.JDBC,
    properties: [
      host('examplecluster.abc123xyz789.eu-west-1.redshift.amazonaws.com', 'Cluster or serverless workgroup endpoint.'),
      port(5439),
      sslMode('require', 'How strictly to require and verify TLS.'),
    ],
    authMethods: [
      basic(),
      {
        id: 'service_principal',
        label: 'IAM credentials',
        properties: [
          ...awsAccessKey('Access key of an IAM user allowed to get cluster credentials.'),
          text('region', 'Region', 'AWS region of the cluster.', { format: 'aws_region', example: 'eu-west-1' }),
          text('cluster_identifier', 'Cluster identifier', 'Provisioned cluster id; empty for Redshift Serverless.', {
            required: false,
            example: 'examplecluster',
          }),
          text('db_user', 'Database user', 'Database user to get credentials for; the IAM identity when empty.', {
            required: false,
            example: 'plumbline_reader',
          }),
        ],
      },
    ],
    defaultAuthMethod: 'basic',
    scopeProperties: [database({ example: 'dev' }), schema({ defaultValue: 'public' })],
    driverAvailable: false,
  },
  databricks: {
    label: 'Databricks SQL',
    kind: ConnectorKind.JDBC,
    properties: [
      host('adb-1234567890123456.7.azuredatabricks.net', 'Workspace host name (Server hostname).'),
      port(443),
      text('http_path', 'HTTP path', 'HTTP path of the SQL warehouse or cluster.', {
        format: 'url_path',
        example: '/sql/1.0/warehouses/1a2b3c4d5e6f7a8b',
      }),
    ],
    authMethods: [
      oauthM2m('OAuth machine-to-machine', 'Application ID of the Databricks service principal.'),
      {
        id: 'basic',
        label: 'Personal access token',
        properties: [secretText('access_token', 'Access token', 'A Databricks personal access token.')],
      },
    ],
    defaultAuthMethod: 'oauth_m2m',
    scopeProperties: [
      text('catalog', 'Catalog', 'Unity Catalog catalog; the workspace default when empty.', {
        required: false,
        example: 'main',
      }),
      schema(),
    ],
    driverAvailable: false,
  },
  athena: {
    label: 'Amazon Athena',
    kind: ConnectorKind.JDBC,
    properties: [
      text('region', 'Region', 'AWS region of the Athena workgroup.', { format: 'aws_region', example: 'eu-west-1' }),
      text('workgroup', 'Workgroup', 'Athena workgroup that runs Plumbline’s queries.', { defaultValue: 'primary' }),
      text(
        's3_output_location',
        'Query result location',
        'S3 location for query results; the workgroup’s setting when empty.',
        { required: false, format: 's3_uri', example: 's3://acme-athena-results/plumbline/' },
      ),
    ],
    authMethods: [
      {
        id: 'service_principal',
        label: 'IAM access key',
        properties: awsAccessKey('Access key of an IAM user allowed to query Athena and read its S3 data.'),
      },
    ],
    defaultAuthMethod: 'service_principal',
    scopeProperties: [
      text('catalog', 'Data catalog', 'The data catalog.', { defaultValue: 'AwsDataCatalog' }),
      database({ description: 'The Glue database to read.', example: 'sales' }),
    ],
    driverAvailable: false,
  },
  synapse: {
    label: 'Azure Synapse Analytics',
    kind: ConnectorKind.JDBC,
    properties: [
      host('acme-ws.sql.azuresynapse.net', 'Dedicated or serverless SQL endpoint of the workspace.'),
      port(1433),
      encrypt(),
      trustServerCertificate(),
    ],
    authMethods: [entraServicePrincipal(), basic()],
    defaultAuthMethod: 'service_principal',
    scopeProperties: [database({ example: 'sqlpool01' }), schema({ defaultValue: 'dbo' })],
    driverAvailable: false,
  },
  teradata: {
    label: 'Teradata Vantage',
    kind: ConnectorKind.JDBC,
    properties: [
      host('teradata.example.com'),
      port(1025),
      property('boolean', 'encrypt_data', 'Encrypt data', 'Encrypt traffic with the database (ENCRYPTDATA).', {
        defaultValue: 'true',
      }),
    ],
    authMethods: [basic()],
    defaultAuthMethod: 'basic',
    scopeProperties: [database({ description: 'The database (Teradata’s schema) to read.' })],
    driverAvailable: false,
  },
  hive: {
    label: 'Apache Hive',
    kind: ConnectorKind.JDBC,
    properties: [
      host('hiveserver2.example.com', 'HiveServer2 host name.'),
      port(10000),
      property('enum', 'transport', 'Transport', 'HiveServer2 transport mode.', {
        allowedValues: ['binary', 'http'],
        defaultValue: 'binary',
      }),
      text('http_path', 'HTTP path', 'Endpoint path for the http transport.', { required: false, example: 'cliservice' }),
      property('boolean', 'ssl', 'TLS', 'Connect with TLS.', { defaultValue: 'false' }),
    ],
    authMethods: [
      basic(),
      kerberos([
        text('server_principal', 'HiveServer2 principal', 'Kerberos principal of HiveServer2.', {
          example: 'hive/_HOST@EXAMPLE.COM',
        }),
      ]),
    ],
    defaultAuthMethod: 'basic',
    scopeProperties: [database({ defaultValue: 'default' })],
    driverAvailable: false,
  },
  s3: {
    label: 'Amazon S3',
    kind: ConnectorKind.DFS,
    properties: [
      text('bucket', 'Bucket', 'Bucket name.', { format: 's3_bucket', example: 'acme-data-lake' }),
      text('region', 'Region', 'Region of the bucket.', { defaultValue: 'us-east-1' }),
      property('url', 'endpoint', 'Endpoint', 'Endpoint of an S3-compatible store (MinIO, Ceph, R2); empty for AWS.', {
        required: false,
        example: 'https://minio.example.com:9000',
      }),
      property('boolean', 'force_path_style', 'Path-style addressing', 'Address the bucket in the URL path.', {
        defaultValue: 'false',
      }),
    ],
    authMethods: [
      {
        id: 'shared_key',
        label: 'Access key',
        properties: awsAccessKey('Access key with read access to the bucket.'),
      },
    ],
    defaultAuthMethod: 'shared_key',
    scopeProperties: [rootPath('bucket')],
    driverAvailable: false,
  },
  adls: {
    label: 'Azure Data Lake Storage Gen2',
    kind: ConnectorKind.DFS,
    properties: [
      text('account_name', 'Storage account', 'Name of the storage account.', {
        format: 'azure_storage_account',
        example: 'acmedatalake',
      }),
      text('container', 'Container', 'Container (file system) name.', { format: 'azure_container', example: 'raw' }),
      text('endpoint_suffix', 'Endpoint suffix', 'DNS suffix of the DFS endpoint; change for sovereign clouds.', {
        defaultValue: 'dfs.core.windows.net',
        format: 'hostname',
      }),
    ],
    authMethods: [
      entraServicePrincipal(),
      {
        id: 'shared_key',
        label: 'Account key',
        properties: [secretText('account_key', 'Account key', 'A storage account access key.', { format: 'base64' })],
      },
    ],
    defaultAuthMethod: 'service_principal',
    scopeProperties: [rootPath('container')],
    driverAvailable: false,
  },
  gcs: {
    label: 'Google Cloud Storage',
    kind: ConnectorKind.DFS,
    properties: [text('bucket', 'Bucket', 'Bucket name.', { format: 'gcs_bucket', example: 'acme-data-lake' })],
    authMethods: [serviceAccount('Service account')],
    defaultAuthMethod: 'service_principal',
    scopeProperties: [rootPath('bucket')],
    driverAvailable: false,
  },
  databricks_unity_catalog: {
    label: 'Databricks Unity Catalog',
    kind: ConnectorKind.NATIVE,
    properties: [
      property('url', 'workspace_url', 'Workspace URL', 'URL of the Databricks workspace.', {
        example: 'https://adb-1234567890123456.7.azuredatabricks.net',
      }),
      text('catalog', 'Catalog', 'The Unity Catalog catalog.', { example: 'main' }),
    ],
    authMethods: [oauthM2m('OAuth machine-to-machine', 'Application ID of the Databricks service principal.')],
    defaultAuthMethod: 'oauth_m2m',
    scopeProperties: [schema()],
    driverAvailable: false,
  },
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof RegExp)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const CATALOG: readonly ConnectorType[] = deepFreeze(CONNECTOR_IDS.map((id) => ({ id, ...DEFINITIONS[id] })));
const BY_ID: ReadonlyMap<string, ConnectorType> = new Map(CATALOG.map((connector) => [connector.id, connector]));

/** Every connector, in catalog order (the `ListConnectorTypes` answer). Frozen. */
export function listConnectorTypes(): readonly ConnectorType[] {
  return CATALOG;
}

/** The connector with this id, or undefined. */
export function findConnectorType(id: string): ConnectorType | undefined {
  return BY_ID.get(id);
}

export function isConnectorId(id: string): id is ConnectorId {
  return BY_ID.has(id);
}

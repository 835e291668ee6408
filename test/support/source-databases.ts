import { randomBytes } from 'node:crypto';
import { mysqlAdmin, postgresAdmin, uniqueName, type ControlplaneClients, type ScratchPostgres } from '@plumbline/testing';
import { Client } from 'pg';

/** A PostgreSQL source made for one test file: a database, two schemas with data, and a reader role. */
export interface PostgresSource {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  drop(): Promise<void>;
}

export function plantedSecret(label: string): string {
  return `plb-${label}-${randomBytes(9).toString('hex')}`;
}

async function seedPostgres(admin: Client, database: string, user: string, password: string): Promise<void> {
  await admin.query(`CREATE ROLE "${user}" LOGIN PASSWORD '${password}'`);
  await admin.query(`CREATE DATABASE "${database}" OWNER postgres`);
}

async function seedSchemas(client: Client, user: string): Promise<void> {
  await client.query(`
    CREATE SCHEMA sales;
    CREATE SCHEMA marketing;
    CREATE SCHEMA restricted;
    CREATE TABLE sales.orders (id int PRIMARY KEY, amount numeric, note text);
    INSERT INTO sales.orders VALUES (1, 10.5, 'first'), (2, NULL, 'ünïcode');
    CREATE TABLE marketing.campaigns (id int PRIMARY KEY, name text);
    CREATE TABLE restricted.payroll (id int PRIMARY KEY, salary numeric);
    GRANT CONNECT ON DATABASE current_database_placeholder TO "${user}";
    GRANT USAGE ON SCHEMA sales, marketing, restricted TO "${user}";
    GRANT SELECT ON ALL TABLES IN SCHEMA sales, marketing TO "${user}";
  `.replace('current_database_placeholder', `"${(await client.query('SELECT current_database() AS d')).rows[0].d}"`));
}

/** On the shared local server (trust auth on loopback: the password is stored but not checked). */
export async function createLocalPostgresSource(): Promise<PostgresSource> {
  const database = uniqueName('plb_src');
  const user = uniqueName('plb_reader');
  const password = plantedSecret('pg-local');
  await postgresAdmin((admin) => seedPostgres(admin, database, user, password));
  await postgresAdmin((client) => seedSchemas(client, user), database);
  return {
    host: '127.0.0.1',
    port: 5432,
    database,
    user,
    password,
    drop: () =>
      postgresAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS "${user}"`);
      }),
  };
}

/** On a scratch cluster with SCRAM password auth, where a wrong password is refused. */
/** A datastore on the source's `sales` schema, with a connection of its own. */
export async function salesDatastore(api: ControlplaneClients, source: PostgresSource, name: string): Promise<string> {
  const { datastore } = await api.datastores.createDatastore({
    name,
    connection: {
      case: 'newConnection',
      value: {
        name: `${name}-pg`,
        connector: 'postgresql',
        properties: { host: source.host, port: String(source.port), username: source.user, password: source.password },
      },
    },
    scope: { database: source.database, schema: 'sales' },
  });
  return datastore!.id;
}

export async function createScratchPostgresSource(cluster: ScratchPostgres): Promise<PostgresSource> {
  const database = uniqueName('plb_src');
  const user = uniqueName('plb_reader');
  const password = plantedSecret('pg-scram');
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await seedPostgres(admin, database, user, password);
  } finally {
    await admin.end();
  }
  const client = new Client({ connectionString: cluster.url.replace(/\/postgres$/, `/${database}`) });
  await client.connect();
  try {
    await seedSchemas(client, user);
  } finally {
    await client.end();
  }
  return { host: cluster.host, port: cluster.port, database, user, password, drop: async () => undefined };
}

export interface MysqlSource {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  drop(): Promise<void>;
}

/** On the shared local MariaDB, which checks passwords of the users it stores. */
export async function createMysqlSource(): Promise<MysqlSource> {
  const database = uniqueName('plb_src');
  const user = uniqueName('plb_reader');
  const password = plantedSecret('mysql');
  await mysqlAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE \`${database}\``);
    await admin.query(`CREATE TABLE \`${database}\`.customers (id int PRIMARY KEY, email varchar(200))`);
    await admin.query(`INSERT INTO \`${database}\`.customers VALUES (1, 'a@example.com'), (2, NULL)`);
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT SELECT ON \`${database}\`.* TO '${user}'@'${host}'`);
    }
  });
  return {
    host: '127.0.0.1',
    port: 3306,
    database,
    user,
    password,
    drop: () =>
      mysqlAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
        for (const host of ['%', 'localhost', '127.0.0.1']) await admin.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      }),
  };
}

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { serviceUrl } from './test-services';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database for one test file, dropped afterwards. */
export async function createPostgresDatabase(prefix = 'plumbline_test'): Promise<TestDatabase> {
  const adminUrl = await serviceUrl('postgres');
  const name = uniqueName(prefix);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh MariaDB/MySQL database for one test file, dropped afterwards. */
export async function createMysqlDatabase(prefix = 'plumbline_test'): Promise<TestDatabase> {
  const adminUrl = await serviceUrl('mysql');
  const name = uniqueName(prefix);
  const admin = await createConnection(adminUrl);
  try {
    await admin.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const client = await createConnection(adminUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs SQL as the PostgreSQL superuser (role and grant set-up in tests). */
export async function postgresAdmin<T>(work: (client: Client) => Promise<T>, database?: string): Promise<T> {
  const url = await serviceUrl('postgres');
  const client = new Client({ connectionString: database ? withDatabase(url, database) : url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs SQL as the MariaDB/MySQL root user. */
export async function mysqlAdmin<T>(
  work: (client: Awaited<ReturnType<typeof createConnection>>) => Promise<T>,
): Promise<T> {
  const client = await createConnection({ uri: await serviceUrl('mysql'), multipleStatements: true });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

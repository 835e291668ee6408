import { type RowDataPacket } from 'mysql2';
import { OperationError, OperationErrorCode } from '../operations/errors';
import { containerId } from '../operations/identity';
import { toCount, toText } from '../operations/values';
import {
  type CatalogContainer,
  type CatalogField,
  type ContainerKind,
  type ForeignKey,
  type SyncResult,
  type UniqueKey,
} from '../operations/types';
import { type MysqlSession } from './mysql.session';
import { normalizeMysqlType } from './mysql.types';

const KINDS: Readonly<Record<string, ContainerKind>> = {
  'BASE TABLE': 'table',
  'SYSTEM VERSIONED': 'table',
  VIEW: 'view',
};

/** Tables and views of one database with their columns (`?` pair narrows to one table). */
export const MYSQL_COLUMNS_SQL = `
SELECT t.TABLE_NAME AS container, t.TABLE_TYPE AS table_type, c.COLUMN_NAME AS field,
       c.ORDINAL_POSITION AS ordinal, c.COLUMN_TYPE AS column_type, c.DATA_TYPE AS data_type,
       c.IS_NULLABLE AS is_nullable
  FROM information_schema.TABLES t
  LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
 WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')
   AND (? IS NULL OR t.TABLE_NAME = ?)
 ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION`;

/** Primary key and unique indexes, columns in order (prefix and functional parts are dropped later). */
export const MYSQL_UNIQUE_KEYS_SQL = `
SELECT TABLE_NAME AS container, INDEX_NAME AS name, COLUMN_NAME AS field, SUB_PART AS sub_part
  FROM information_schema.STATISTICS
 WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0 AND (? IS NULL OR TABLE_NAME = ?)
 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

export const MYSQL_FOREIGN_KEYS_SQL = `
SELECT TABLE_NAME AS container, CONSTRAINT_NAME AS name, COLUMN_NAME AS field,
       REFERENCED_TABLE_SCHEMA AS ref_schema, REFERENCED_TABLE_NAME AS ref_container,
       REFERENCED_COLUMN_NAME AS ref_field
  FROM information_schema.KEY_COLUMN_USAGE
 WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL AND (? IS NULL OR TABLE_NAME = ?)
 ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`;

/** MariaDB: JSON columns are LONGTEXT with a `json_valid(\`col\`)` check. */
export const MARIADB_CHECKS_SQL = `
SELECT TABLE_NAME AS container, CHECK_CLAUSE AS clause
  FROM information_schema.CHECK_CONSTRAINTS
 WHERE CONSTRAINT_SCHEMA = ? AND (? IS NULL OR TABLE_NAME = ?)`;

type Row = Record<string, unknown>;

const str = (value: unknown) => toText(value) ?? '';

function group<T>(rows: readonly Row[], key: (row: Row) => string, make: (rows: Row[]) => T): Map<string, T> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return new Map([...groups.entries()].map(([k, v]) => [k, make(v)]));
}

/** Builds containers from the catalog result sets (pure; unit tested). */
export function assembleMysqlCatalog(
  database: string,
  columns: readonly Row[],
  uniqueRows: readonly Row[],
  foreignRows: readonly Row[],
  checkRows: readonly Row[] = [],
): CatalogContainer[] {
  const jsonColumns = new Set(
    checkRows.flatMap((row) => {
      const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(str(row['clause']).trim());
      return match?.[1] ? [`${str(row['container'])}\u0000${match[1].replace(/``/g, '`')}`] : [];
    }),
  );

  const indexes = group(
    uniqueRows,
    (row) => `${str(row['container'])}\u0000${str(row['name'])}`,
    (rows) => ({
      container: str(rows[0]?.['container']),
      name: str(rows[0]?.['name']),
      // A prefix or functional part does not make the column itself unique.
      usable: rows.every((row) => row['field'] !== null && row['sub_part'] === null),
      fields: rows.map((row) => str(row['field'])),
    }),
  );
  const primary = new Map<string, string[]>();
  const unique = new Map<string, UniqueKey[]>();
  for (const index of indexes.values()) {
    if (!index.usable) continue;
    if (index.name === 'PRIMARY') primary.set(index.container, index.fields);
    else unique.set(index.container, [...(unique.get(index.container) ?? []), { name: index.name, fields: index.fields }]);
  }
  const foreign = new Map<string, ForeignKey[]>();
  const keys = group(
    foreignRows,
    (row) => `${str(row['container'])}\u0000${str(row['name'])}`,
    (rows): [string, ForeignKey] => [
      str(rows[0]?.['container']),
      {
        name: str(rows[0]?.['name']),
        fields: rows.map((row) => str(row['field'])),
        references: {
          container: containerId(str(rows[0]?.['ref_schema']), str(rows[0]?.['ref_container'])),
          fields: rows.map((row) => str(row['ref_field'])),
        },
      },
    ],
  );
  for (const [container, key] of keys.values()) foreign.set(container, [...(foreign.get(container) ?? []), key]);

  const tables = group(
    columns,
    (row) => str(row['container']),
    (rows) => rows,
  );
  return [...tables.entries()]
    .map(([name, rows]): CatalogContainer => {
      const primaryKey = primary.get(name) ?? [];
      const uniqueKeys = unique.get(name) ?? [];
      const foreignKeys = foreign.get(name) ?? [];
      const inUnique = new Set(uniqueKeys.flatMap((k) => k.fields));
      const inForeign = new Set(foreignKeys.flatMap((k) => k.fields));
      const fields: CatalogField[] = rows
        .filter((row) => row['field'] !== null && row['field'] !== undefined)
        .map((row) => {
          const field = str(row['field']);
          const columnType = str(row['column_type']);
          return {
            name: field,
            ordinal: toCount(row['ordinal']),
            declaredType: columnType,
            type: normalizeMysqlType(str(row['data_type']), columnType, jsonColumns.has(`${name}\u0000${field}`)),
            nullable: str(row['is_nullable']) === 'YES',
            primaryKey: primaryKey.includes(field),
            unique: inUnique.has(field),
            foreignKey: inForeign.has(field),
          };
        });
      return {
        id: containerId(database, name),
        schema: database,
        name,
        kind: KINDS[str(rows[0]?.['table_type'])] ?? 'table',
        fields,
        primaryKey,
        uniqueKeys,
        foreignKeys,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function readMysqlCatalog(session: MysqlSession, only?: string): Promise<CatalogContainer[]> {
  const { database } = session.config;
  const params = [database, only ?? null, only ?? null];
  const columns: RowDataPacket[] = await session.query(MYSQL_COLUMNS_SQL, params);
  const unique = await session.query(MYSQL_UNIQUE_KEYS_SQL, params);
  const foreign = await session.query(MYSQL_FOREIGN_KEYS_SQL, params);
  const checks = session.server.mariadb ? await session.query(MARIADB_CHECKS_SQL, params) : [];
  return assembleMysqlCatalog(database, columns, unique, foreign, checks);
}

export async function describeMysqlContainer(session: MysqlSession, name: string): Promise<CatalogContainer> {
  const [container] = await readMysqlCatalog(session, name);
  if (!container) {
    throw new OperationError(
      OperationErrorCode.NOT_FOUND,
      `no table or view '${name}' in database '${session.config.database}'`,
      'sync the datastore: it may have been dropped or renamed',
    );
  }
  return container;
}

export async function syncMysql(session: MysqlSession): Promise<SyncResult> {
  const { run, config } = session;
  run.report('catalog', 0, 1, `reading the catalog of database '${config.database}'`);
  const [exists] = await session.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [config.database]);
  if (toCount(exists?.['n']) === 0) {
    throw new OperationError(OperationErrorCode.NOT_FOUND, `database '${config.database}' does not exist or is not visible to ${config.username}`);
  }
  const containers = await readMysqlCatalog(session);
  run.report('catalog', 1, 1, `${containers.length} tables and views`);
  return { containers, syncedAt: new Date().toISOString() };
}

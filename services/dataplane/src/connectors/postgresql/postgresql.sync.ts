import { containerId } from '../operations/identity';
import { OperationError, OperationErrorCode } from '../operations/errors';
import {
  type CatalogContainer,
  type CatalogField,
  type ContainerKind,
  type ForeignKey,
  type SyncResult,
  type UniqueKey,
} from '../operations/types';
import { type PostgresqlSession } from './postgresql.session';
import { normalizePostgresqlType } from './postgresql.types';

const KINDS: Readonly<Record<string, ContainerKind>> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
};

/**
 * Relations and their columns in one schema (`$2` narrows to one relation).
 * Partitions are left out: their parent stands for them. Ordinals count the
 * current columns, so a dropped column leaves no gap.
 */
export const POSTGRESQL_COLUMNS_SQL = `
SELECT c.relname AS container, c.relkind::text AS relkind, a.attname AS field,
       (row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum))::int AS ordinal,
       format_type(a.atttypid, a.atttypmod) AS declared_type,
       bt.typname AS base_type, bt.typtype::text AS base_typtype,
       NOT a.attnotnull AS nullable
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
   AND ($2::text IS NULL OR c.relname = $2)
 ORDER BY c.relname, a.attnum`;

/** Primary keys and unique indexes (constraint-backed or not) on plain columns, key columns in order. */
export const POSTGRESQL_UNIQUE_KEYS_SQL = `
SELECT c.relname AS container, ic.relname AS name, i.indisprimary AS is_primary,
       array_agg(a.attname::text ORDER BY k.pos) AS fields
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class ic ON ic.oid = i.indexrelid
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
 WHERE n.nspname = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
   AND k.pos <= i.indnkeyatts
   AND ($2::text IS NULL OR c.relname = $2)
 GROUP BY c.relname, ic.relname, i.indisprimary
 ORDER BY c.relname, ic.relname`;

/** Foreign keys with the referenced relation and columns, position by position. */
export const POSTGRESQL_FOREIGN_KEYS_SQL = `
SELECT c.relname AS container, con.conname AS name,
       array_agg(a.attname::text ORDER BY k.pos) AS fields,
       rn.nspname AS ref_schema, rc.relname AS ref_container,
       array_agg(ra.attname::text ORDER BY k.pos) AS ref_fields
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class rc ON rc.oid = con.confrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refattnum, pos)
  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
  JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refattnum
 WHERE con.contype = 'f' AND n.nspname = $1
   AND ($2::text IS NULL OR c.relname = $2)
 GROUP BY c.relname, con.conname, rn.nspname, rc.relname
 ORDER BY c.relname, con.conname`;

interface ColumnRow {
  container: string;
  relkind: string;
  field: string | null;
  ordinal: number | null;
  declared_type: string | null;
  base_type: string | null;
  base_typtype: string | null;
  nullable: boolean | null;
}

interface UniqueKeyRow {
  container: string;
  name: string;
  is_primary: boolean;
  fields: string[];
}

interface ForeignKeyRow {
  container: string;
  name: string;
  fields: string[];
  ref_schema: string;
  ref_container: string;
  ref_fields: string[];
}

/** Builds containers from the three catalog result sets (pure; unit tested). */
export function assemblePostgresqlCatalog(
  schema: string,
  columns: readonly ColumnRow[],
  uniqueKeys: readonly UniqueKeyRow[],
  foreignKeys: readonly ForeignKeyRow[],
): CatalogContainer[] {
  const primary = new Map<string, string[]>();
  const unique = new Map<string, UniqueKey[]>();
  for (const row of uniqueKeys) {
    if (row.is_primary) primary.set(row.container, row.fields);
    else unique.set(row.container, [...(unique.get(row.container) ?? []), { name: row.name, fields: row.fields }]);
  }
  const foreign = new Map<string, ForeignKey[]>();
  for (const row of foreignKeys) {
    const key: ForeignKey = {
      name: row.name,
      fields: row.fields,
      references: { container: containerId(row.ref_schema, row.ref_container), fields: row.ref_fields },
    };
    foreign.set(row.container, [...(foreign.get(row.container) ?? []), key]);
  }

  const byName = new Map<string, { kind: ContainerKind; columns: ColumnRow[] }>();
  for (const row of columns) {
    const entry = byName.get(row.container) ?? { kind: KINDS[row.relkind] ?? 'table', columns: [] };
    if (row.field !== null) entry.columns.push(row);
    byName.set(row.container, entry);
  }

  return [...byName.entries()].map(([name, { kind, columns: rows }]) => {
    const primaryKey = primary.get(name) ?? [];
    const uniqueKeyList = unique.get(name) ?? [];
    const foreignKeyList = foreign.get(name) ?? [];
    const inUnique = new Set(uniqueKeyList.flatMap((k) => k.fields));
    const inForeign = new Set(foreignKeyList.flatMap((k) => k.fields));
    const fields: CatalogField[] = rows.map((row) => {
      const field = row.field ?? '';
      return {
        name: field,
        ordinal: row.ordinal ?? 0,
        declaredType: row.declared_type ?? '',
        type: normalizePostgresqlType(row.base_type ?? '', row.base_typtype ?? ''),
        nullable: row.nullable ?? true,
        primaryKey: primaryKey.includes(field),
        unique: inUnique.has(field),
        foreignKey: inForeign.has(field),
      };
    });
    return {
      id: containerId(schema, name),
      schema,
      name,
      kind,
      fields,
      primaryKey,
      uniqueKeys: uniqueKeyList,
      foreignKeys: foreignKeyList,
    };
  }).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reads the scope's catalog (or one relation of it) in three statements. */
export async function readPostgresqlCatalog(session: PostgresqlSession, only?: string): Promise<CatalogContainer[]> {
  const { schema } = session.config;
  const params = [schema, only ?? null];
  const columns = await session.query<ColumnRow>(POSTGRESQL_COLUMNS_SQL, params);
  const uniqueKeys = await session.query<UniqueKeyRow>(POSTGRESQL_UNIQUE_KEYS_SQL, params);
  const foreignKeys = await session.query<ForeignKeyRow>(POSTGRESQL_FOREIGN_KEYS_SQL, params);
  return assemblePostgresqlCatalog(schema, columns, uniqueKeys, foreignKeys);
}

/** One relation of the scope, or NOT_FOUND. */
export async function describePostgresqlContainer(session: PostgresqlSession, name: string): Promise<CatalogContainer> {
  const [container] = await readPostgresqlCatalog(session, name);
  if (!container) {
    throw new OperationError(
      OperationErrorCode.NOT_FOUND,
      `no table or view '${name}' in schema '${session.config.schema}'`,
      'sync the datastore: it may have been dropped or renamed',
    );
  }
  return container;
}

export async function syncPostgresql(session: PostgresqlSession): Promise<SyncResult> {
  const { run } = session;
  const { schema, database } = session.config;
  run.report('catalog', 0, 1, `reading the catalog of schema '${schema}'`);
  const found = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found[0]?.n !== 1) {
    throw new OperationError(OperationErrorCode.NOT_FOUND, `schema '${schema}' does not exist in database '${database}'`, "check the datastore's schema name (case-sensitive)");
  }
  const containers = await readPostgresqlCatalog(session);
  run.report('catalog', 1, 1, `${containers.length} tables and views`);
  return { containers, syncedAt: new Date().toISOString() };
}

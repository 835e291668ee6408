import { type NormalizedType } from '../operations/types';

const BY_NAME: Readonly<Record<string, NormalizedType>> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'decimal',
  float4: 'float',
  float8: 'float',
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  char: 'string',
  name: 'string',
  citext: 'string',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamp',
  time: 'time',
  timetz: 'time',
  json: 'json',
  jsonb: 'json',
  bytea: 'binary',
  uuid: 'uuid',
};

/**
 * A PostgreSQL type (the base type's `pg_type.typname` for domains, and its
 * `typtype`) as a normalized type. Enums are strings; arrays, ranges,
 * geometric, network, interval, money and the rest are `other`.
 */
export function normalizePostgresqlType(typname: string, typtype: string): NormalizedType {
  if (typtype === 'e') return 'string';
  return BY_NAME[typname] ?? 'other';
}

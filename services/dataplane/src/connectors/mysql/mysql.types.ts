import { type NormalizedType } from '../operations/types';

const BY_DATA_TYPE: Readonly<Record<string, NormalizedType>> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  year: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  char: 'string',
  varchar: 'string',
  tinytext: 'string',
  text: 'string',
  mediumtext: 'string',
  longtext: 'string',
  enum: 'string',
  set: 'string',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  time: 'time',
  json: 'json',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  uuid: 'uuid',
};

/**
 * A MySQL / MariaDB column (`DATA_TYPE`, `COLUMN_TYPE`) as a normalized type.
 * `tinyint(1)` (BOOL / BOOLEAN) is boolean; MariaDB's JSON is a LONGTEXT
 * with a `json_valid` check, which the caller reports as `isJson`.
 */
export function normalizeMysqlType(dataType: string, columnType: string, isJson = false): NormalizedType {
  if (isJson) return 'json';
  const data = dataType.toLowerCase();
  if (data === 'tinyint' && /^tinyint\(1\)/i.test(columnType)) return 'boolean';
  return BY_DATA_TYPE[data] ?? 'other';
}

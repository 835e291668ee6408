/**
 * Domain types of the data-source side of Sync, Profile and Scan. Plain
 * TypeScript: the gRPC layer maps them to protobuf messages later.
 *
 * Values that live in a field's own domain (min, max, sum, quantiles, check
 * bounds, sample values, high-water marks) travel as the database's own text
 * form, so nothing is lost to JavaScript numbers or time zones. Measures
 * derived from them (mean, standard deviation, moments, lengths) are numbers.
 */

/** A database type reduced to what profiling and checks care about. */
export type NormalizedType =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'string'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'json'
  | 'binary'
  | 'uuid'
  | 'other';

export const NUMERIC_TYPES: readonly NormalizedType[] = ['integer', 'decimal', 'float'];
/** Types whose values are points in time (quantiles by value, Not Future, Between Times). */
export const TEMPORAL_TYPES: readonly NormalizedType[] = ['date', 'timestamp'];

export const isNumeric = (type: NormalizedType): boolean => NUMERIC_TYPES.includes(type);
export const isTemporal = (type: NormalizedType): boolean => TEMPORAL_TYPES.includes(type);

/** Progress of a running operation, reported between statements. */
export interface Progress {
  /** What is being done, e.g. `catalog`, `aggregate`, `check`. */
  readonly phase: string;
  readonly completed: number;
  readonly total: number;
  readonly message: string;
}

// ---------------------------------------------------------------- Sync

export type ContainerKind = 'table' | 'view' | 'materialized_view' | 'foreign_table';

export interface CatalogField {
  readonly name: string;
  /** 1-based position among the container's current fields. */
  readonly ordinal: number;
  /** The type as the database declares it, e.g. `character varying(40)`, `decimal(10,2)`. */
  readonly declaredType: string;
  readonly type: NormalizedType;
  readonly nullable: boolean;
  /** Member of the primary key. */
  readonly primaryKey: boolean;
  /** Member of a unique constraint or unique index (alone or with other fields). */
  readonly unique: boolean;
  /** Member of a foreign key. */
  readonly foreignKey: boolean;
}

export interface UniqueKey {
  readonly name: string;
  readonly fields: readonly string[];
}

export interface ForeignKey {
  readonly name: string;
  readonly fields: readonly string[];
  /** The referenced container's id and fields, position by position. */
  readonly references: { readonly container: string; readonly fields: readonly string[] };
}

export interface CatalogContainer {
  /** Stable identity: the schema-qualified name (see `containerId`). */
  readonly id: string;
  /** PostgreSQL schema, or MySQL database. */
  readonly schema: string;
  readonly name: string;
  readonly kind: ContainerKind;
  /** In ordinal order. */
  readonly fields: readonly CatalogField[];
  /** Empty when there is none. */
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: readonly UniqueKey[];
  readonly foreignKeys: readonly ForeignKey[];
}

export interface SyncResult {
  /** Sorted by id. */
  readonly containers: readonly CatalogContainer[];
  /** ISO time the catalog was read. */
  readonly syncedAt: string;
}

/** A field property that differs between two syncs. */
export interface PropertyChange {
  readonly property: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface FieldChange {
  readonly field: string;
  readonly changes: readonly PropertyChange[];
}

export interface ContainerChange {
  readonly id: string;
  /** Container-level differences: kind, primary key, unique and foreign keys. */
  readonly changes: readonly PropertyChange[];
  readonly fieldsAdded: readonly CatalogField[];
  readonly fieldsRemoved: readonly CatalogField[];
  readonly fieldsChanged: readonly FieldChange[];
}

export interface CatalogDiff {
  readonly added: readonly CatalogContainer[];
  readonly removed: readonly CatalogContainer[];
  readonly changed: readonly ContainerChange[];
  /** Ids of containers found in both syncs without a difference. */
  readonly unchanged: readonly string[];
}

// ---------------------------------------------------------------- Profile

export type InferenceLevel = 0 | 1 | 2;

export interface ProfileInput {
  /** The container's name inside the datastore scope (`CatalogContainer.name`). */
  readonly container: string;
  /**
   * Profile a random fraction of the rows, 0 < f ≤ 1. PostgreSQL: `TABLESAMPLE
   * BERNOULLI` (row-level) on tables and materialized views, `random() < f` on
   * views. MySQL / MariaDB: `RAND(seed) < f`.
   */
  readonly sampleFraction?: number;
  /** Profile at most this many rows (the first the database returns; after sampling). */
  readonly recordLimit?: number;
  /** Which checks to infer; default 1. */
  readonly inferenceLevel?: InferenceLevel;
}

/** Value shapes recognised by a regular-expression count in the aggregate pass. */
export type PatternShape = 'integer' | 'decimal' | 'boolean' | 'iso_date' | 'iso_timestamp' | 'uuid' | 'email';

export interface FieldProfile {
  readonly field: string;
  readonly declaredType: string;
  /** The declared type, normalized. */
  readonly type: NormalizedType;
  /**
   * What the values look like: for string fields whose every non-null value has
   * one shape (integer, decimal, boolean, ISO date / timestamp, UUID), that
   * type; otherwise the declared type.
   */
  readonly inferredType: NormalizedType;
  /** Rows profiled (the whole table, or the sample). */
  readonly rowCount: number;
  readonly nullCount: number;
  readonly nonNullCount: number;
  /** nonNullCount / rowCount; 1 for an empty table. */
  readonly completeness: number;
  readonly distinctCount: number;
  /** True when distinctCount is an estimate, false when it is `count(DISTINCT)`. */
  readonly distinctIsEstimate: boolean;
  /** Smallest and largest value (orderable types; booleans as `false` / `true`). */
  readonly min: string | null;
  readonly max: string | null;
  /** Numbers only: exact sum in the database's text form. */
  readonly sum: string | null;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1). */
  readonly stddev: number | null;
  /** Adjusted Fisher–Pearson sample skewness G1 (as pandas `skew`, Excel SKEW); needs n ≥ 3. */
  readonly skewness: number | null;
  /** Sample excess kurtosis G2 (as pandas `kurt`, Excel KURT); needs n ≥ 4. */
  readonly kurtosis: number | null;
  /**
   * Quartiles. Numbers: continuous, linear interpolation (percentile_cont).
   * Dates and timestamps: discrete, the first value whose cumulative share
   * reaches p (percentile_disc), in the database's text form.
   */
  readonly q1: string | null;
  readonly median: string | null;
  readonly q3: string | null;
  /** Strings only, in characters. */
  readonly minLength: number | null;
  readonly maxLength: number | null;
  readonly meanLength: number | null;
  /** Dates and timestamps only: whether the latest value is after the database's current date / time. */
  readonly hasFuture: boolean | null;
  /**
   * Strings only: how many non-null values have each shape, for the shapes
   * that every value of a first-rows probe has; a shape left out has a
   * counterexample among the profiled rows.
   */
  readonly patternCounts: Readonly<Partial<Record<PatternShape, number>>> | null;
}

export interface ProfileResult {
  /** The container's id (schema-qualified). */
  readonly container: string;
  /** Rows the statistics describe. */
  readonly profiledRows: number;
  readonly sampleFraction: number | null;
  readonly recordLimit: number | null;
  readonly fields: readonly FieldProfile[];
  readonly inferenceLevel: InferenceLevel;
  readonly checks: readonly InferredCheck[];
  /**
   * SQL statements run against the table: 1 aggregate pass, plus expected
   * values / quantiles when needed, plus the shape probe (first rows only)
   * when there are string fields.
   */
  readonly statements: number;
  readonly profiledAt: string;
}

// ---------------------------------------------------------------- Checks

export type CheckType =
  | 'not_null'
  | 'any_not_null'
  | 'expected_values'
  | 'not_negative'
  | 'not_future'
  | 'between'
  | 'between_times'
  | 'matches_pattern'
  | 'unique';

export type Check =
  | { readonly type: 'not_null'; readonly field: string }
  /** At least one (scanned) value is not null. */
  | { readonly type: 'any_not_null'; readonly field: string }
  /** Every non-null value is one of `values` (database text form, compared with the field's equality). */
  | { readonly type: 'expected_values'; readonly field: string; readonly values: readonly string[] }
  | { readonly type: 'not_negative'; readonly field: string }
  /** No value after the database's current date (dates) or time (timestamps). */
  | { readonly type: 'not_future'; readonly field: string }
  /** min ≤ value ≤ max, bounds as decimal text. */
  | { readonly type: 'between'; readonly field: string; readonly min: string; readonly max: string }
  /** min ≤ value ≤ max, bounds as date / timestamp text the database parses. */
  | { readonly type: 'between_times'; readonly field: string; readonly min: string; readonly max: string }
  /**
   * Every non-null value matches `pattern`, a POSIX-style regular expression
   * run by the database (PostgreSQL `~`, MySQL `REGEXP`, which follows the
   * column's collation for case). `shape` names a built-in one.
   */
  | { readonly type: 'matches_pattern'; readonly field: string; readonly pattern: string; readonly shape?: PatternShape }
  /** No non-null value occurs twice. */
  | { readonly type: 'unique'; readonly field: string };

/** A check inferred by Profile: its key is stable, so re-profiling updates it. */
export type InferredCheck = Check & { readonly key: string; readonly description: string };

// ---------------------------------------------------------------- Scan

export interface ScanInput {
  readonly container: string;
  readonly checks: readonly Check[];
  /** Only rows with `column > after`; the result carries the new high-water mark. */
  readonly incremental?: { readonly column: string; readonly after: string };
  /** Violating rows returned per check; default 10, at most 1000. */
  readonly sampleLimit?: number;
}

export interface ViolatingRow {
  /** The row's identity: primary key (or a non-null unique key) field → value; empty when the table has neither. */
  readonly key: Readonly<Record<string, string | null>>;
  /** The checked field's value. */
  readonly value: string | null;
}

export interface CheckOutcome {
  readonly key: string;
  readonly check: Check;
  /** Violating rows among the scanned rows. */
  readonly violations: number;
  /** Up to `sampleLimit` of them, ordered by the row key (Unique: by value, then key). */
  readonly sample: readonly ViolatingRow[];
}

export interface ScanResult {
  readonly container: string;
  /** Rows the checks looked at (all, or those after the incremental mark). */
  readonly scannedRows: number;
  readonly outcomes: readonly CheckOutcome[];
  /** Incremental scans: max of the column over the scanned rows, or `after` when none were new. */
  readonly highWaterMark: string | null;
  readonly scannedAt: string;
}

import { type NormalizedType, type PatternShape } from './types';

/**
 * Regular expressions for common value shapes, written in the subset that
 * PostgreSQL (`~`), MariaDB (PCRE) and MySQL 8 (ICU) `REGEXP` and JavaScript
 * all read alike: bracket classes only, letters listed in both cases so a
 * case-insensitive collation changes nothing. They run inside the database.
 */
export const PATTERNS: Readonly<Record<PatternShape, string>> = {
  integer: '^[+-]?[0-9]+$',
  decimal: '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$',
  boolean: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$',
  iso_date: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  iso_timestamp: '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$',
  uuid: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
  email: '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}$',
};

export const PATTERN_SHAPES = Object.keys(PATTERNS) as PatternShape[];

const COMPILED = PATTERN_SHAPES.map((shape) => [shape, new RegExp(PATTERNS[shape])] as const);

/** How many of the profiled rows the shape probe reads (the first ones, from the same source). */
export const SHAPE_PROBE_ROWS = 200;

/**
 * The shapes that every non-null value of a probe sample has. A shape one
 * sampled value lacks cannot be had by every profiled value, so the aggregate
 * pass only counts the shapes left; usually none (free text) or one. With no
 * non-null value in the sample, every shape is left.
 */
export function possibleShapes(sample: readonly (string | null)[]): PatternShape[] {
  const present = sample.filter((value): value is string => value !== null);
  return COMPILED.filter(([, regex]) => present.every((value) => regex.test(value))).map(([shape]) => shape);
}

/**
 * Inferred type of a string field from its shape counts: the first shape that
 * every non-null value has, in this order (integer before decimal: every
 * integer is a decimal too). Shapes without a count were ruled out.
 */
const INFERRED_FROM_SHAPE: readonly [PatternShape, NormalizedType][] = [
  ['integer', 'integer'],
  ['decimal', 'decimal'],
  ['boolean', 'boolean'],
  ['iso_date', 'date'],
  ['iso_timestamp', 'timestamp'],
  ['uuid', 'uuid'],
];

export function inferTypeFromShapes(
  declared: NormalizedType,
  nonNullCount: number,
  counts: Readonly<Partial<Record<PatternShape, number>>> | null,
): NormalizedType {
  if (!counts || nonNullCount === 0) return declared;
  for (const [shape, type] of INFERRED_FROM_SHAPE) {
    if (counts[shape] === nonNullCount) return type;
  }
  return declared;
}

/** Shapes that Matches Pattern is inferred for (level 2), in order of preference. */
export const CHECKABLE_SHAPES: readonly PatternShape[] = ['email', 'uuid', 'iso_date'];

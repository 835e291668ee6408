import { OperationError, OperationErrorCode } from './errors';
import { checkKey } from './identity';
import { PATTERNS } from './patterns';
import {
  isNumeric,
  isTemporal,
  type CatalogContainer,
  type CatalogField,
  type Check,
  type InferenceLevel,
  type NormalizedType,
  type ProfileInput,
  type ScanInput,
} from './types';

const invalid = (message: string, hint = '') => new OperationError(OperationErrorCode.INVALID_ARGUMENT, message, hint);

export interface ProfileSettings {
  readonly container: string;
  readonly sampleFraction: number | null;
  readonly recordLimit: number | null;
  readonly inferenceLevel: InferenceLevel;
}

/** Checks a Profile's input; throws INVALID_ARGUMENT naming the bad field. */
export function readProfileInput(input: ProfileInput): ProfileSettings {
  if (typeof input.container !== 'string' || input.container === '') throw invalid("'container' is required");
  const { sampleFraction, recordLimit, inferenceLevel = 1 } = input;
  if (sampleFraction !== undefined && !(Number.isFinite(sampleFraction) && sampleFraction > 0 && sampleFraction <= 1)) {
    throw invalid(`'sampleFraction' must be a number with 0 < f ≤ 1, got ${String(sampleFraction)}`);
  }
  if (recordLimit !== undefined && !(Number.isSafeInteger(recordLimit) && recordLimit > 0)) {
    throw invalid(`'recordLimit' must be a positive integer, got ${String(recordLimit)}`);
  }
  if (![0, 1, 2].includes(inferenceLevel)) throw invalid(`'inferenceLevel' must be 0, 1 or 2, got ${String(inferenceLevel)}`);
  return {
    container: input.container,
    // A fraction of 1 is the whole table: no sampling clause.
    sampleFraction: sampleFraction === undefined || sampleFraction === 1 ? null : sampleFraction,
    recordLimit: recordLimit ?? null,
    inferenceLevel,
  };
}

export const DEFAULT_SAMPLE_LIMIT = 10;
export const MAX_SAMPLE_LIMIT = 1000;

export interface PlannedCheck {
  readonly key: string;
  readonly check: Check;
  readonly field: CatalogField;
}

export interface ScanPlan {
  readonly checks: readonly PlannedCheck[];
  readonly incremental: { readonly field: CatalogField; readonly after: string } | null;
  readonly sampleLimit: number;
  /** Fields that identify a violating row: the primary key, else a unique key of non-null fields, else none. */
  readonly rowKey: readonly CatalogField[];
}

const NO_EQUALITY: readonly NormalizedType[] = ['json', 'other'];
const ORDERABLE: readonly NormalizedType[] = ['integer', 'decimal', 'float', 'string', 'date', 'timestamp', 'time', 'uuid'];
const DECIMAL = new RegExp(PATTERNS.decimal);

/** Why `check` cannot run on `field`, or undefined when it can. */
function inapplicable(check: Check, field: CatalogField): string | undefined {
  const type = field.type;
  switch (check.type) {
    case 'not_null':
    case 'any_not_null':
      return undefined;
    case 'expected_values':
      if (NO_EQUALITY.includes(type) || type === 'binary') return `Expected Values needs a comparable field, '${field.name}' is ${type}`;
      if (!Array.isArray(check.values) || check.values.some((v) => typeof v !== 'string')) return "'values' must be a list of strings";
      return undefined;
    case 'not_negative':
      return isNumeric(type) ? undefined : `Not Negative needs a numeric field, '${field.name}' is ${type}`;
    case 'between':
      if (!isNumeric(type)) return `Between needs a numeric field, '${field.name}' is ${type}`;
      if (!DECIMAL.test(String(check.min)) || !DECIMAL.test(String(check.max))) return "'min' and 'max' must be decimal numbers";
      return undefined;
    case 'not_future':
      return isTemporal(type) ? undefined : `Not Future needs a date or timestamp field, '${field.name}' is ${type}`;
    case 'between_times':
      if (!isTemporal(type)) return `Between Times needs a date or timestamp field, '${field.name}' is ${type}`;
      if (typeof check.min !== 'string' || typeof check.max !== 'string' || !check.min || !check.max) {
        return "'min' and 'max' must be date / timestamp text";
      }
      return undefined;
    case 'matches_pattern':
      if (type === 'binary') return `Matches Pattern needs a text-like field, '${field.name}' is binary`;
      return typeof check.pattern === 'string' && check.pattern !== '' ? undefined : "'pattern' must be a non-empty regular expression";
    case 'unique':
      return NO_EQUALITY.includes(type) ? `Unique needs a comparable field, '${field.name}' is ${type}` : undefined;
    default:
      return `unknown check type '${(check as { type: unknown }).type as string}'`;
  }
}

export function fieldOf(container: CatalogContainer, name: string): CatalogField {
  const field = container.fields.find((f) => f.name === name);
  if (!field) {
    throw new OperationError(
      OperationErrorCode.NOT_FOUND,
      `field '${name}' does not exist in ${container.id}`,
      'sync the datastore and update the check',
    );
  }
  return field;
}

/** The fields that identify rows in samples. */
export function rowKeyOf(container: CatalogContainer): CatalogField[] {
  const keyFields = (names: readonly string[]) => names.map((name) => fieldOf(container, name));
  if (container.primaryKey.length > 0) return keyFields(container.primaryKey);
  const unique = container.uniqueKeys.find((key) => keyFields(key.fields).every((field) => !field.nullable));
  return unique ? keyFields(unique.fields) : [];
}

/** Resolves a Scan's checks against the container; throws INVALID_ARGUMENT / NOT_FOUND naming the check. */
export function planScan(input: ScanInput, container: CatalogContainer): ScanPlan {
  if (!Array.isArray(input.checks)) throw invalid("'checks' must be a list");
  const sampleLimit = input.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
  if (!Number.isSafeInteger(sampleLimit) || sampleLimit < 0 || sampleLimit > MAX_SAMPLE_LIMIT) {
    throw invalid(`'sampleLimit' must be an integer from 0 to ${MAX_SAMPLE_LIMIT}, got ${String(sampleLimit)}`);
  }
  const checks = input.checks.map((check) => {
    const key = checkKey(check);
    const field = fieldOf(container, check.field);
    const problem = inapplicable(check, field);
    if (problem) throw invalid(`check ${key}: ${problem}`);
    return { key, check, field };
  });
  let incremental: ScanPlan['incremental'] = null;
  if (input.incremental) {
    const field = fieldOf(container, input.incremental.column);
    if (!ORDERABLE.includes(field.type)) {
      throw invalid(`incremental column '${field.name}' is ${field.type}; it must be a number, text, date or timestamp`);
    }
    if (typeof input.incremental.after !== 'string') throw invalid("incremental 'after' must be text");
    incremental = { field, after: input.incremental.after };
  }
  return { checks, incremental, sampleLimit, rowKey: rowKeyOf(container) };
}

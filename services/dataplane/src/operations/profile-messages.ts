import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { controlplane } from '@plumbline/proto';
import type { Check, FieldProfile, InferredCheck } from '../connectors/operations/types';

const CHECK_TYPES: Record<InferredCheck['type'], controlplane.CheckType> = {
  not_null: controlplane.CheckType.NOT_NULL,
  any_not_null: controlplane.CheckType.ANY_NOT_NULL,
  expected_values: controlplane.CheckType.EXPECTED_VALUES,
  not_negative: controlplane.CheckType.NOT_NEGATIVE,
  not_future: controlplane.CheckType.NOT_FUTURE,
  between: controlplane.CheckType.BETWEEN,
  between_times: controlplane.CheckType.BETWEEN_TIMES,
  matches_pattern: controlplane.CheckType.MATCHES_PATTERN,
  unique: controlplane.CheckType.UNIQUE,
};

const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** A connector's field profile as the broker contract carries it. */
export function toFieldProfile(container: string, field: FieldProfile, sampled: boolean): controlplane.FieldProfile {
  const init: MessageInitShape<typeof controlplane.FieldProfileSchema> = {
    container,
    field: field.field,
    declaredType: field.declaredType,
    inferredType: field.inferredType,
    rowCount: BigInt(field.rowCount),
    nullCount: BigInt(field.nullCount),
    distinctCount: BigInt(field.distinctCount),
    distinctIsEstimate: field.distinctIsEstimate,
    min: optional(field.min),
    max: optional(field.max),
    sum: field.sum === null ? undefined : Number(field.sum),
    mean: optional(field.mean),
    median: optional(field.median),
    stddev: optional(field.stddev),
    skewness: optional(field.skewness),
    kurtosis: optional(field.kurtosis),
    q1: optional(field.q1),
    q3: optional(field.q3),
    minLength: optional(field.minLength),
    maxLength: optional(field.maxLength),
    meanLength: optional(field.meanLength),
    sampled,
  };
  return create(controlplane.FieldProfileSchema, init);
}

/** An inferred check with its type-specific parameters as strings. */
export function toCheck(container: string, check: InferredCheck): controlplane.Check {
  const parameters: Record<string, string> = {};
  switch (check.type) {
    case 'expected_values':
      parameters.values = JSON.stringify(check.values);
      break;
    case 'between':
    case 'between_times':
      parameters.min = check.min;
      parameters.max = check.max;
      break;
    case 'matches_pattern':
      parameters.pattern = check.pattern;
      if (check.shape) parameters.shape = check.shape;
      break;
    default:
      break;
  }
  return create(controlplane.CheckSchema, {
    key: check.key,
    container,
    field: check.field,
    type: CHECK_TYPES[check.type],
    parameters,
    inferred: true,
  });
}

const CHECK_NAMES = Object.fromEntries(Object.entries(CHECK_TYPES).map(([name, type]) => [type, name])) as Record<
  controlplane.CheckType,
  InferredCheck['type']
>;

/** A stored check as the connector's scan takes it; undefined for a type this dataplane does not know. */
export function fromCheck(check: controlplane.Check): Check | undefined {
  const type = CHECK_NAMES[check.type];
  const { field, parameters } = check;
  switch (type) {
    case 'expected_values':
      return { type, field, values: JSON.parse(parameters.values ?? '[]') as string[] };
    case 'between':
    case 'between_times':
      return { type, field, min: parameters.min ?? '', max: parameters.max ?? '' };
    case 'matches_pattern':
      return { type, field, pattern: parameters.pattern ?? '' };
    case undefined:
      return undefined;
    default:
      return { type, field };
  }
}

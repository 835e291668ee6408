import { containerId } from '../identity';
import { type CatalogContainer, type CatalogField, type FieldProfile } from '../types';

/** Factories for unit specs: a field, a container, a field profile, each with overrides. */
export function aField(overrides: Partial<CatalogField> & Pick<CatalogField, 'name'>): CatalogField {
  return {
    ordinal: 1,
    declaredType: 'integer',
    type: 'integer',
    nullable: true,
    primaryKey: false,
    unique: false,
    foreignKey: false,
    ...overrides,
  };
}

export function aContainer(overrides: Partial<CatalogContainer> & Pick<CatalogContainer, 'name'>): CatalogContainer {
  const schema = overrides.schema ?? 'shop';
  return {
    id: containerId(schema, overrides.name),
    schema,
    kind: 'table',
    fields: [],
    primaryKey: [],
    uniqueKeys: [],
    foreignKeys: [],
    ...overrides,
  };
}

export function aProfile(overrides: Partial<FieldProfile> & Pick<FieldProfile, 'field'>): FieldProfile {
  return {
    declaredType: 'integer',
    type: 'integer',
    inferredType: overrides.type ?? 'integer',
    rowCount: 100,
    nullCount: 0,
    nonNullCount: 100,
    completeness: 1,
    distinctCount: 100,
    distinctIsEstimate: false,
    min: null,
    max: null,
    sum: null,
    mean: null,
    stddev: null,
    skewness: null,
    kurtosis: null,
    q1: null,
    median: null,
    q3: null,
    minLength: null,
    maxLength: null,
    meanLength: null,
    hasFuture: null,
    patternCounts: null,
    ...overrides,
  };
}

import {
  type CatalogContainer,
  type CatalogDiff,
  type CatalogField,
  type ContainerChange,
  type FieldChange,
  type PropertyChange,
} from './types';

/** Field properties whose change is a schema change. Ordinal is not: dropping a column renumbers the later ones. */
const FIELD_PROPERTIES = ['declaredType', 'type', 'nullable', 'primaryKey', 'unique', 'foreignKey'] as const;

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

/** Order-insensitive comparison form of a key list (unique / foreign keys by name). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return `[${items.join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const sortedByName = <T extends { name: string }>(keys: readonly T[]): T[] =>
  [...keys].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function containerChanges(previous: CatalogContainer, current: CatalogContainer): PropertyChange[] {
  const changes: PropertyChange[] = [];
  if (previous.kind !== current.kind) changes.push({ property: 'kind', from: previous.kind, to: current.kind });
  const keyed: [string, unknown, unknown][] = [
    ['primaryKey', previous.primaryKey, current.primaryKey],
    ['uniqueKeys', sortedByName(previous.uniqueKeys), sortedByName(current.uniqueKeys)],
    ['foreignKeys', sortedByName(previous.foreignKeys), sortedByName(current.foreignKeys)],
  ];
  for (const [property, from, to] of keyed) {
    if (canonical(from) !== canonical(to)) changes.push({ property, from, to });
  }
  return changes;
}

function fieldChange(previous: CatalogField, current: CatalogField): FieldChange | undefined {
  const changes = FIELD_PROPERTIES.filter((property) => previous[property] !== current[property]).map((property) => ({
    property,
    from: previous[property],
    to: current[property],
  }));
  return changes.length > 0 ? { field: current.name, changes } : undefined;
}

/**
 * What changed between two syncs of one datastore, by stable identity
 * (container id, then field name): containers added / removed, and per kept
 * container the fields added, removed and changed (type, nullability, key
 * membership) plus container-level changes (kind, keys). A pure function: the
 * controlplane calls it with the stored catalog and a new SyncResult.
 */
export function diffCatalog(
  previous: readonly CatalogContainer[],
  current: readonly CatalogContainer[],
): CatalogDiff {
  const before = byKey(previous, (c) => c.id);
  const after = byKey(current, (c) => c.id);
  const added = current.filter((c) => !before.has(c.id));
  const removed = previous.filter((c) => !after.has(c.id));
  const changed: ContainerChange[] = [];
  const unchanged: string[] = [];

  for (const next of current) {
    const prior = before.get(next.id);
    if (!prior) continue;
    const priorFields = byKey(prior.fields, (f) => f.name);
    const nextFields = byKey(next.fields, (f) => f.name);
    const fieldsAdded = next.fields.filter((f) => !priorFields.has(f.name));
    const fieldsRemoved = prior.fields.filter((f) => !nextFields.has(f.name));
    const fieldsChanged = next.fields.flatMap((f) => {
      const old = priorFields.get(f.name);
      const change = old ? fieldChange(old, f) : undefined;
      return change ? [change] : [];
    });
    const changes = containerChanges(prior, next);
    if (changes.length + fieldsAdded.length + fieldsRemoved.length + fieldsChanged.length === 0) {
      unchanged.push(next.id);
    } else {
      changed.push({ id: next.id, changes, fieldsAdded, fieldsRemoved, fieldsChanged });
    }
  }
  return { added, removed, changed, unchanged };
}

import { usageError } from '../errors/cli-error';

/** Commander argument collector for repeatable flags. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Splits `key=value` at the first `=` (the value may hold more). Error messages
 * name the flag and the key, never the value: it may be a secret.
 */
export function parseKeyValue(raw: string, flag: string): KeyValue {
  const at = raw.indexOf('=');
  if (at < 0) throw usageError(`${flag} expects key=value, and one argument has no "="`);
  const key = raw.slice(0, at).trim();
  if (!KEY.test(key)) {
    throw usageError(
      key === ''
        ? `${flag} expects key=value, and one argument has an empty key`
        : `${flag}: "${key}" is not a property name (letters, digits, _ . -)`,
    );
  }
  return { key, value: raw.slice(at + 1) };
}

/** Parses repeated `key=value` arguments into a map; a key given twice is a usage error. */
export function parseKeyValues(raws: readonly string[], flag: string): Record<string, string> {
  return mergeDistinct([raws.map((raw) => parseKeyValue(raw, flag))], flag);
}

/** Merges pairs from several flags; the same key from two places is refused, naming the key. */
export function mergeDistinct(groups: ReadonlyArray<readonly KeyValue[]>, what: string): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const pairs of groups) {
    for (const { key, value } of pairs) {
      if (Object.prototype.hasOwnProperty.call(merged, key)) throw usageError(`${what}: "${key}" is given more than once`);
      merged[key] = value;
    }
  }
  return merged;
}

/** Commander parser for `--timeout`, `--batch-size`, …: a positive integer. */
export function positiveInteger(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value <= 0) {
      throw usageError(`${flag} expects a positive integer, got "${raw}"`);
    }
    return value;
  };
}

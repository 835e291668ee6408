import { SecretReferenceError, SecretReferenceErrorCode } from './errors';

/**
 * `${key}` references inside connection properties.
 *
 * Grammar, scanned left to right in one pass:
 * - `$${` is an escape and stands for a literal `${`;
 * - `${key}` is a reference, `key` matching {@link REFERENCE_KEY_PATTERN};
 * - any other `${` (empty key, bad character, no closing `}`) is malformed;
 * - every other character, including a lone `$`, is literal.
 *
 * Substituted values are not scanned again, so a secret that itself contains
 * `${` is inserted as is.
 */

/** The characters a referenced key may use. */
export const REFERENCE_KEY_PATTERN = /^[A-Za-z0-9_.\-/]+$/;
const KEY_CHAR = /[A-Za-z0-9_.\-/]/;

type Segment = { readonly literal: string } | { readonly key: string };

function fieldOf(property: string | undefined): string {
  return property === undefined ? 'value' : `properties.${property}`;
}

function describe(property: string | undefined): string {
  return property === undefined ? 'the value' : `property ${property}`;
}

function parse(value: string, property: string | undefined): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!value.startsWith('${', i)) {
      literal += value[i];
      i += 1;
      continue;
    }
    let end = i + 2;
    while (end < value.length && KEY_CHAR.test(value[end] as string)) end++;
    if (end === i + 2 || value[end] !== '}') {
      // Position only: the text around it may be secret.
      throw new SecretReferenceError(
        SecretReferenceErrorCode.MALFORMED_REFERENCE,
        fieldOf(property),
        `malformed reference in ${describe(property)} at character ${i + 1}: ` +
          'expected ${key} with a key of letters, digits, ".", "_", "-" or "/" (write $${ for a literal ${)',
      );
    }
    if (literal) segments.push({ literal });
    literal = '';
    segments.push({ key: value.slice(i + 2, end) });
    i = end + 1;
  }
  if (literal) segments.push({ literal });
  return segments;
}

/**
 * The keys referenced by `value`, once each, in order of first appearance.
 * Throws {@link SecretReferenceError} (MALFORMED_REFERENCE) naming `property`
 * when given.
 */
export function findReferences(value: string, property?: string): string[] {
  const keys = new Set<string>();
  for (const segment of parse(value, property)) {
    if ('key' in segment) keys.add(segment.key);
  }
  return [...keys];
}

/** True when any property holds at least one `${key}` reference (malformed ones throw). */
export function hasReferences(properties: Readonly<Record<string, string>>): boolean {
  return Object.entries(properties).some(([name, value]) => findReferences(value, name).length > 0);
}

/**
 * A copy of `properties` with every `${key}` replaced by `data[key]` and every
 * `$${` by `${`. Properties without references are copied unchanged except for
 * the escape. Throws {@link SecretReferenceError} for the first malformed or
 * unknown reference, in property order; the error lists the available key
 * names, never values.
 */
export function substituteReferences(
  properties: Readonly<Record<string, string>>,
  data: Readonly<Record<string, string>>,
): Record<string, string> {
  const entries = Object.entries(properties).map(([name, value]): [string, string] => {
    const resolved = parse(value, name).map((segment) => {
      if ('literal' in segment) return segment.literal;
      if (!Object.hasOwn(data, segment.key)) {
        const availableKeys = Object.keys(data).sort();
        throw new SecretReferenceError(
          SecretReferenceErrorCode.REFERENCE_NOT_FOUND,
          fieldOf(name),
          `reference \${${segment.key}} in property ${name} not found among the keys returned: ` +
            (availableKeys.length > 0 ? availableKeys.join(', ') : '(none)'),
          { key: segment.key, availableKeys },
        );
      }
      return data[segment.key] as string;
    });
    return [name, resolved.join('')];
  });
  // fromEntries defines own properties, so a property named "__proto__" stays data.
  return Object.fromEntries(entries);
}

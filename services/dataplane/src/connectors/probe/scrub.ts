/** What a removed secret is replaced with. */
export const SCRUBBED = '***';

/**
 * Property names whose values are secret. The controlplane's catalog marks
 * secrets per connector; the dataplane errs on the side of scrubbing more.
 */
const SECRET_PROPERTY = /(password|passphrase|secret|token|credential|private_key|(^|_)key$)/i;

export function isSecretPropertyName(name: string): boolean {
  return SECRET_PROPERTY.test(name);
}

/** The values of every secret-looking property, for `scrub`. */
export function secretValuesOf(properties: Readonly<Record<string, string>>): string[] {
  return Object.entries(properties)
    .filter(([name, value]) => value !== '' && isSecretPropertyName(name))
    .map(([, value]) => value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes every secret value from `text`, also in the encodings a driver might
 * echo it in (URL-encoded, JSON-escaped). One pass with the longest variants
 * first, so a secret that contains another is removed whole and the
 * replacement marker is never scanned again.
 */
export function scrub(text: string, secretValues: readonly string[]): string {
  const variants = new Set<string>();
  for (const secret of secretValues) {
    if (!secret) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  if (variants.size === 0 || !text) return text;
  const pattern = [...variants]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  return text.replace(new RegExp(pattern, 'g'), SCRUBBED);
}

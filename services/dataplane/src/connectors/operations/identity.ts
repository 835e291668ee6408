import { type Check } from './types';

/** `sales.orders`; a part that holds `.` or `"` is double-quoted (quotes doubled) so ids never collide. */
export function containerId(schema: string, name: string): string {
  const part = (text: string) => (/[."]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return `${part(schema)}.${part(name)}`;
}

/** A check's stable key, `type:field`: re-profiling replaces the check with the same key. */
export function checkKey(check: Pick<Check, 'type' | 'field'>): string {
  return `${check.type}:${check.field}`;
}

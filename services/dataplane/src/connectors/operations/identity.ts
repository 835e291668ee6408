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

/** The inverse of `containerId`: `sales.orders` → { schema: 'sales', name: 'orders' }, quoted parts unquoted. */
export function parseContainerId(id: string): { schema: string; name: string } {
  const parts: string[] = [];
  let i = 0;
  while (i <= id.length) {
    if (id[i] === '"') {
      let part = '';
      i++;
      while (i < id.length) {
        if (id[i] === '"' && id[i + 1] === '"') {
          part += '"';
          i += 2;
        } else if (id[i] === '"') {
          i++;
          break;
        } else part += id[i++];
      }
      parts.push(part);
      i++; // the dot after the closing quote
    } else {
      const dot = id.indexOf('.', i);
      const end = parts.length === 0 && dot >= 0 ? dot : id.length;
      parts.push(id.slice(i, end));
      i = end + 1;
    }
    if (parts.length === 2) break;
  }
  if (parts.length !== 2) throw new Error(`not a container id: ${JSON.stringify(id)}`);
  return { schema: parts[0]!, name: parts[1]! };
}

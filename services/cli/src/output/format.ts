import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';

/** ISO-8601 to the second, or `-` when the server sent none. */
export function formatTime(timestamp: Timestamp | undefined): string {
  return timestamp ? timestampDate(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

export function orDash(value: string): string {
  return value === '' ? '-' : value;
}

/** `a=1, b=2`, keys sorted. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${value}`).join(', ');
}

/** The name of a protobuf enum value (`CONNECTION_REFUSED`), or the number for an unknown one. */
export function enumName(enumObject: Record<number, string>, value: number): string {
  return enumObject[value] ?? String(value);
}

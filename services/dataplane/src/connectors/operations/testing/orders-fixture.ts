/**
 * Deterministic rows for the connector integration specs: nulls, duplicates,
 * negative and out-of-range numbers, unicode text, invalid emails and dates
 * in the future, small enough to check every figure row by row.
 */

export interface OrderRow {
  readonly id: number;
  readonly customer_id: number;
  /** Integer-looking text; 5, 10 and 20 share '1005' (Unique violations). */
  readonly ref: string;
  /** Negative when (7g mod 50) < 5; null every 37th. */
  readonly quantity: number | null;
  /** 0.00 – 599.99 (out of a 0..500 range sometimes); null every 41st. */
  readonly amount: string | null;
  /** Quarter steps from −1 to 3. */
  readonly ratio: number;
  readonly status: 'paid' | 'shipped' | 'cancelled';
  /** Null every 4th; unicode. */
  readonly note: string | null;
  /** An email, except every 50th. */
  readonly contact: string;
  /** `YYYY-MM-DD HH:MM:SS`; every 60th in year 2999. */
  readonly ordered_at: string;
  /** Every 45th in 2030; null every 23rd. */
  readonly ship_date: string | null;
  readonly code: string;
  readonly flag: boolean | null;
  readonly payload: string;
  /** Always null. */
  readonly legacy: null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function timestampText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export function orderRow(g: number): OrderRow {
  const notes = [null, 'Zürich – naïve café', `東京 🚀 ${g}`, `note ${g}`] as const;
  return {
    id: g,
    customer_id: 1 + (g % 20),
    ref: g === 10 || g === 20 ? '1005' : String(1000 + g),
    quantity: g % 37 === 0 ? null : ((g * 7) % 50) - 5,
    amount: g % 41 === 0 ? null : (((g * 1337) % 60_000) / 100).toFixed(2),
    ratio: (g % 17) * 0.25 - 1,
    status: (['paid', 'shipped', 'cancelled'] as const)[g % 3] ?? 'paid',
    note: notes[g % 4] ?? null,
    contact: g % 50 === 0 ? `not-an-email-${g}` : `buyer${g}@shop.example`,
    ordered_at:
      g % 60 === 0 ? timestampText(Date.UTC(2999, 0, 1) + g * HOUR) : timestampText(Date.UTC(2022, 0, 1) + g * (DAY + HOUR)),
    ship_date: g % 23 === 0 ? null : g % 45 === 0 ? '2030-06-01' : timestampText(Date.UTC(2021, 0, 1) + g * 3 * DAY).slice(0, 10),
    code: `00000000-0000-4000-8000-${g.toString(16).padStart(12, '0')}`,
    flag: g % 11 === 0 ? null : g % 5 === 0,
    payload: JSON.stringify({ g }),
    legacy: null,
  };
}

export function orderRows(from: number, to: number): OrderRow[] {
  return Array.from({ length: to - from + 1 }, (_, i) => orderRow(from + i));
}

export const ORDER_COLUMNS = [
  'id',
  'customer_id',
  'ref',
  'quantity',
  'amount',
  'ratio',
  'status',
  'note',
  'contact',
  'ordered_at',
  'ship_date',
  'code',
  'flag',
  'payload',
  'legacy',
] as const satisfies readonly (keyof OrderRow)[];

export interface CustomerRow {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly nickname: string | null;
}

export const CUSTOMERS: readonly CustomerRow[] = Array.from({ length: 20 }, (_, i) => {
  const id = i + 1;
  const names: Record<number, string> = { 1: 'Zoë', 2: '東京', 3: 'Ωmega 🚀' };
  return { id, email: `user${id}@example.com`, name: names[id] ?? `Customer ${id}`, nickname: null };
});

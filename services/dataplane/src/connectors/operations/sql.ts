/** Collects statement parameters; `add` returns the placeholder (`$n` for PostgreSQL, `?` for MySQL). */
export class Params {
  readonly values: unknown[] = [];
  private readonly known = new Map<unknown, string>();

  constructor(private readonly style: 'postgresql' | 'mysql') {}

  add(value: unknown): string {
    this.values.push(value);
    return this.style === 'postgresql' ? `$${this.values.length}` : '?';
  }

  /**
   * The placeholder of a value used many times (PostgreSQL reuses `$n`; MySQL's
   * `?` is positional, so it adds the value again).
   */
  shared(value: string): string {
    if (this.style === 'mysql') return this.add(value);
    const existing = this.known.get(value);
    if (existing) return existing;
    const placeholder = this.add(value);
    this.known.set(value, placeholder);
    return placeholder;
  }
}

/** A statement and its parameters. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

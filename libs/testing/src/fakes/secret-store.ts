import { randomBytes } from 'node:crypto';

/** A secret's JSON object as a fake serves it (values may be any JSON, to test rejection of nested ones). */
export type SecretsFakeData = Record<string, unknown>;

interface StoredSecret {
  data: SecretsFakeData;
  version: number;
  createdTime: string;
}

/** The versioned secrets and issued tokens behind one fake. */
export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly tokens = new Set<string>();
  private readonly issued: string[] = [];

  constructor(initial: Readonly<Record<string, SecretsFakeData>> = {}) {
    for (const [name, data] of Object.entries(initial)) this.set(name, data);
  }

  /** Creates or rotates a secret; each call is a new version. */
  set(name: string, data: SecretsFakeData): void {
    const previous = this.secrets.get(name);
    this.secrets.set(name, {
      data: structuredClone(data),
      version: (previous?.version ?? 0) + 1,
      createdTime: new Date().toISOString(),
    });
  }

  get(name: string): StoredSecret | undefined {
    const stored = this.secrets.get(name);
    return stored && { ...stored, data: structuredClone(stored.data) };
  }

  issueToken(prefix: string): string {
    const token = `${prefix}${randomBytes(18).toString('base64url')}`;
    this.tokens.add(token);
    this.issued.push(token);
    return token;
  }

  /** Every token issued so far, revoked ones included. */
  issuedTokens(): string[] {
    return [...this.issued];
  }

  isValidToken(token: string | undefined): boolean {
    return token !== undefined && this.tokens.has(token);
  }

  /** Every issued token stops working (tests of expiry). */
  revokeTokens(): void {
    this.tokens.clear();
  }
}

/** A header's single value (the first when repeated). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

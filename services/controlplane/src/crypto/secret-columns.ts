/**
 * Every secret-bearing column, with the primary key its AAD binds to. Key
 * rotation re-encrypts exactly these; a new secret column must be added here
 * (the leak test reads the same tables' raw bytes).
 */
export interface SecretColumn {
  table: string;
  column: string;
  /** Nullable columns hold no ciphertext when NULL. */
  nullable: boolean;
}

export const SECRET_COLUMNS: readonly SecretColumn[] = [
  { table: 'connection', column: 'secret_properties', nullable: true },
  { table: 'secrets_manager', column: 'credentials_payload', nullable: false },
];

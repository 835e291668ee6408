import { Injectable } from '@nestjs/common';
import { SecretCipher } from '../crypto';

const TABLE = 'connection';
const COLUMN = 'secret_properties';

/**
 * Seals a connection's secret properties into one AES-256-GCM ciphertext bound
 * to its row, and opens it again. The only code that sees them decrypted is the
 * caller that is about to hand them to the dataplane.
 */
@Injectable()
export class ConnectionSecrets {
  constructor(private readonly cipher: SecretCipher) {}

  seal(connectionId: string, secrets: Record<string, string>): string | null {
    if (Object.keys(secrets).length === 0) return null;
    return this.cipher.encrypt(JSON.stringify(secrets), { table: TABLE, rowId: connectionId, column: COLUMN });
  }

  open(connectionId: string, sealed: string | null): Record<string, string> {
    if (sealed === null) return {};
    return JSON.parse(this.cipher.decrypt(sealed, { table: TABLE, rowId: connectionId, column: COLUMN })) as Record<
      string,
      string
    >;
  }
}

export enum CryptoErrorCode {
  /** Neither PLUMBLINE_KEYRING nor PLUMBLINE_KEYRING_FILE is set. */
  KEYRING_MISSING = 'KEYRING_MISSING',
  /** PLUMBLINE_KEYRING_FILE is set but cannot be read. */
  KEYRING_FILE_UNREADABLE = 'KEYRING_FILE_UNREADABLE',
  /** The key ring text is malformed (entry syntax, version id, key length, duplicates). */
  KEYRING_INVALID = 'KEYRING_INVALID',
  /** PLUMBLINE_PRIMARY_KEY names a version that is not in the ring. */
  PRIMARY_KEY_UNKNOWN = 'PRIMARY_KEY_UNKNOWN',
  /** A ciphertext was sealed with a key version the ring does not hold. */
  UNKNOWN_KEY_VERSION = 'UNKNOWN_KEY_VERSION',
  /** The value is not a `plb1.<version>.<base64>` ciphertext at all. */
  MALFORMED_CIPHERTEXT = 'MALFORMED_CIPHERTEXT',
  /** Authentication failed: tampered, truncated, or bound to another table/row/column. */
  DECRYPTION_FAILED = 'DECRYPTION_FAILED',
  /** The table/rowId/column binding is empty or not well-formed text. */
  INVALID_CONTEXT = 'INVALID_CONTEXT',
  /** The ring came from PLUMBLINE_KEYRING: there is no file to add, promote or remove versions in. */
  KEYRING_NOT_FILE = 'KEYRING_NOT_FILE',
  /** The key ring file could not be rewritten (permissions, disk full, ...). */
  KEYRING_FILE_UNWRITABLE = 'KEYRING_FILE_UNWRITABLE',
  /** A version to add is already in the ring (versions compare case-insensitively). */
  KEY_VERSION_EXISTS = 'KEY_VERSION_EXISTS',
  /** The primary version cannot be removed from the ring. */
  KEY_VERSION_IS_PRIMARY = 'KEY_VERSION_IS_PRIMARY',
}

/**
 * The crypto feature's only error. Messages name the configuration variable,
 * the entry position, the key version or the table/row/column binding, and
 * never a key, a plaintext or a ciphertext.
 */
export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = CryptoError.name;
  }
}

export enum KeyErrorCode {
  /** The ring comes from PLUMBLINE_KEYRING: there is no file to add, promote or retire versions in. */
  KEYRING_NOT_FILE = 'KEYRING_NOT_FILE',
  /** The key ring file cannot be read, parsed or rewritten. */
  KEYRING_UNAVAILABLE = 'KEYRING_UNAVAILABLE',
  /** The version to add is already in the ring. */
  VERSION_EXISTS = 'KEY_VERSION_EXISTS',
  /** The version is not in the ring. */
  VERSION_UNKNOWN = 'KEY_VERSION_NOT_FOUND',
  /** Ciphertexts still use the version to retire. */
  VERSION_IN_USE = 'KEY_VERSION_IN_USE',
  /** The version to retire is the primary. */
  VERSION_IS_PRIMARY = 'KEY_VERSION_IS_PRIMARY',
  /** Another rotation or retirement holds the key administration lock (this or another controlplane). */
  ROTATION_IN_PROGRESS = 'KEY_ROTATION_IN_PROGRESS',
  /** Rows stayed on an old version (locked by other transactions, or the primary changed underneath); re-run. */
  ROTATION_INCOMPLETE = 'KEY_ROTATION_INCOMPLETE',
  /** A stored ciphertext cannot be decrypted with the ring (malformed, unknown version, or tampered). */
  CIPHERTEXT_UNREADABLE = 'CIPHERTEXT_UNREADABLE',
  /** A request field is malformed. */
  INVALID_REQUEST = 'INVALID_REQUEST',
}

/**
 * The keys feature's only error. Messages name versions, counts, tables,
 * columns and row ids, never a key, a ciphertext or a plaintext.
 */
export class KeyError extends Error {
  constructor(
    readonly code: KeyErrorCode,
    message: string,
    readonly extras: {
      /** The offending request field, or `table.column` for a stored value. */
      field?: string;
      /** Rows that block the call (an unreadable ciphertext's row). */
      blockingIds?: string[];
    } = {},
  ) {
    super(message);
    this.name = KeyError.name;
  }
}

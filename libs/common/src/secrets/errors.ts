export enum SecretReferenceErrorCode {
  /** A `${` that does not open a well-formed `${key}` reference. */
  MALFORMED_REFERENCE = 'MALFORMED_REFERENCE',
  /** A `${key}` whose key is not in the data the secrets manager returned. */
  REFERENCE_NOT_FOUND = 'REFERENCE_NOT_FOUND',
}

/**
 * A `${key}` reference that cannot be resolved. The message names the property
 * (and, for a missing key, the key and the key names that were returned); it
 * never quotes a property value or a secret value, since either may be secret.
 */
export class SecretReferenceError extends Error {
  constructor(
    readonly code: SecretReferenceErrorCode,
    /** `properties.<name>`, or `value` when no property name was given. */
    readonly field: string,
    message: string,
    readonly details: {
      /** The referenced key (REFERENCE_NOT_FOUND only). */
      readonly key?: string;
      /** The key names the secrets manager returned (REFERENCE_NOT_FOUND only); never values. */
      readonly availableKeys?: readonly string[];
    } = {},
  ) {
    super(message);
    this.name = SecretReferenceError.name;
  }
}

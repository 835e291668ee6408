export enum ValidationErrorCode {
  UNKNOWN_CONNECTOR = 'UNKNOWN_CONNECTOR',
  UNSUPPORTED_AUTH_METHOD = 'UNSUPPORTED_AUTH_METHOD',
  MISSING_PROPERTY = 'MISSING_PROPERTY',
  INVALID_PROPERTY = 'INVALID_PROPERTY',
  UNKNOWN_PROPERTY = 'UNKNOWN_PROPERTY',
}

export interface ValidationIssue {
  readonly code: ValidationErrorCode;
  /** The offending input field: `connector`, `auth_method`, `properties.<name>` or `scope.<name>`. */
  readonly field: string;
  /** Names the field and the cause; quotes the value only when it is not secret. */
  readonly message: string;
}

/**
 * Connector input that does not fit the catalog. `code` and `field` are the
 * first issue's (for a single gRPC ErrorDetail); `issues` lists every problem
 * found, in catalog order, for forms that show them all at once.
 */
export class ValidationError extends Error {
  readonly code: ValidationErrorCode;
  readonly field: string;

  constructor(readonly issues: readonly [ValidationIssue, ...ValidationIssue[]]) {
    super(issues.map((issue) => issue.message).join('; '));
    this.name = ValidationError.name;
    this.code = issues[0].code;
    this.field = issues[0].field;
  }

  static of(code: ValidationErrorCode, field: string, message: string): ValidationError {
    return new ValidationError([{ code, field, message }]);
  }
}

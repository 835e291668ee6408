/**
 * Error classification helpers shared by connectors. Drivers report failures
 * as errors with a string `code` (Node's socket errors, SQLSTATE, ...) and a
 * message that may quote the server or, in the worst case, the connection
 * string: classify by code, build our own message, and scrub anything quoted.
 */

/** The `code` property of an error, if it is a string (`ECONNREFUSED`, `28P01`, ...). */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A numeric `errno` (MySQL server errors), if present. */
export function errnoOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errno' in error)) return undefined;
  const errno = (error as { errno: unknown }).errno;
  return typeof errno === 'number' ? errno : undefined;
}

/**
 * The message of anything thrown. Not `instanceof Error`: errors made by Node
 * internals can come from another realm (vm contexts, test runners).
 */
export function errorMessageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return 'unknown error';
}

/** What went wrong on the network path, independent of the protocol on top. */
export type NetworkFailure = 'refused' | 'unreachable' | 'timeout' | 'reset' | 'dns';

const NETWORK_FAILURES: Readonly<Record<string, NetworkFailure>> = {
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
};

export function classifyNetworkError(error: unknown): NetworkFailure | undefined {
  const code = errorCodeOf(error);
  return code === undefined ? undefined : NETWORK_FAILURES[code];
}

/** Node's (OpenSSL's) certificate verification failures, by `code`. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** The kind of certificate problem, for a precise hint. */
export type CertificateProblem = 'untrusted' | 'hostname' | 'expired';

/**
 * Classifies a certificate verification failure by code or, when a driver
 * re-labelled the error (mysql2 sets HANDSHAKE_SSL_ERROR), by Node's message.
 */
export function certificateProblemOf(error: unknown): CertificateProblem | undefined {
  const code = errorCodeOf(error);
  const message = errorMessageOf(error).toLowerCase();
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH' || message.includes('altnames')) {
    return 'hostname';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || /certificate (has expired|is not yet valid)/.test(message)) {
    return 'expired';
  }
  if (
    (code !== undefined && CERTIFICATE_CODES.has(code)) ||
    /self[- ]signed certificate|unable to (verify|get) .*certificate|certificate (chain|signature)/.test(message)
  ) {
    return 'untrusted';
  }
  return undefined;
}

/** TLS failures other than certificate checks (protocol, cipher, handshake aborted). */
export function isTlsProtocolError(error: unknown): boolean {
  const code = errorCodeOf(error) ?? '';
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'HANDSHAKE_SSL_ERROR';
}

export enum NetworkPolicyErrorCode {
  /** The host is, or resolves to, an address the policy denies. */
  DENIED_ADDRESS = 'DENIED_ADDRESS',
  /** The URL or host name cannot be parsed. */
  INVALID_URL = 'INVALID_URL',
  /** The host name does not resolve, so the policy cannot vouch for it. */
  UNRESOLVABLE_HOST = 'UNRESOLVABLE_HOST',
  /** PLUMBLINE_NETWORK_ALLOW / PLUMBLINE_NETWORK_DENY holds an entry that is not a CIDR, an address or a host name. */
  INVALID_POLICY = 'INVALID_POLICY',
}

/**
 * The network policy's only error. `field` is the caller's input field (for
 * example `login_url` or `properties.host`) or, for INVALID_POLICY, the
 * environment variable. Messages name the host and the address, never a path
 * or query string (a URL may carry a token there).
 */
export class NetworkPolicyError extends Error {
  constructor(
    readonly code: NetworkPolicyErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = NetworkPolicyError.name;
  }
}

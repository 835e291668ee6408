import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/** Trust domain of the SPIFFE-style URI SAN every Plumbline certificate carries. */
export const SPIFFE_PREFIX = 'spiffe://plumbline/';

/** A SPIFFE path segment: letters, digits, dot, dash, underscore. */
const IDENTITY_PATTERN = /^[A-Za-z0-9._-]+$/;

/** What grpc-js reports about a call's transport (`call.getAuthContext()`). */
export interface PeerAuthContext {
  transportSecurityType?: string;
  sslPeerCertificate?: PeerCertificate;
}

/** Any grpc-js server call or intercepting call: they all expose the auth context. */
export interface CallWithAuthContext {
  getAuthContext(): PeerAuthContext;
}

export type PeerIdentityResult =
  /** No verified client certificate on this call (plain text, or TLS without one). */
  | { readonly kind: 'unauthenticated' }
  /** A verified certificate without exactly one well-formed Plumbline identity. */
  | { readonly kind: 'no-identity'; readonly reason: string }
  | { readonly kind: 'identity'; readonly identity: string };

/**
 * Reads the caller's identity from its verified client certificate. grpc-js
 * only reports a certificate once TLS has verified it against the CA
 * (`socket.authorized`), so the chain is already checked here.
 */
export function resolvePeerIdentity(auth: PeerAuthContext | null | undefined): PeerIdentityResult {
  const raw = auth?.transportSecurityType === 'ssl' ? auth.sslPeerCertificate?.raw : undefined;
  if (!raw || raw.length === 0) {
    return { kind: 'unauthenticated' };
  }
  // Parsing a certificate costs more than a whole small call; peers reuse a few certificates.
  const key = raw.toString('base64');
  const known = parsed.get(key);
  if (known) return known;
  const result = identityOf(raw);
  if (parsed.size >= PARSED_CERTIFICATES_KEPT) parsed.clear();
  parsed.set(key, result);
  return result;
}

/** Identities of the certificates seen lately, by their DER bytes: the result depends on nothing else. */
const parsed = new Map<string, PeerIdentityResult>();
const PARSED_CERTIFICATES_KEPT = 256;

function identityOf(raw: Buffer): PeerIdentityResult {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(raw);
  } catch {
    return { kind: 'no-identity', reason: 'client certificate cannot be parsed' };
  }
  const identities = subjectAltNames(certificate)
    .filter((name) => name.type === 'URI' && name.value.startsWith(SPIFFE_PREFIX))
    .map((name) => name.value.slice(SPIFFE_PREFIX.length));
  const unique = [...new Set(identities)];
  if (unique.length !== 1) {
    return {
      kind: 'no-identity',
      reason: unique.length === 0 ? `client certificate has no ${SPIFFE_PREFIX}<identity> URI SAN` : 'client certificate has several Plumbline identities',
    };
  }
  const [identity] = unique as [string];
  if (!IDENTITY_PATTERN.test(identity) || identity === '.' || identity === '..') {
    return { kind: 'no-identity', reason: 'client certificate identity is malformed' };
  }
  return { kind: 'identity', identity };
}

/**
 * The identity (`controlplane`, `dataplane`, ...) of whoever made this call,
 * or undefined on an insecure development server. For handlers that need to
 * know who is calling beyond what the identity interceptor already enforced.
 */
export function peerIdentity(call: CallWithAuthContext): string | undefined {
  const result = resolvePeerIdentity(call.getAuthContext());
  return result.kind === 'identity' ? result.identity : undefined;
}

interface SubjectAltName {
  readonly type: string;
  readonly value: string;
}

/**
 * Splits node's `subjectAltName` text ("DNS:a, URI:b, IP Address:c"). Node
 * escapes any value containing a delimiter as a JSON string (`DNS:"a\u002c b"`,
 * CVE-2021-44532), so splitting on ", " cannot cut inside a value, and quoted
 * values are decoded rather than matched as text.
 */
function subjectAltNames(certificate: X509Certificate): SubjectAltName[] {
  const text = certificate.subjectAltName;
  if (!text) {
    return [];
  }
  return text.split(', ').flatMap((entry): SubjectAltName[] => {
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      return [];
    }
    const type = entry.slice(0, colon);
    const rawValue = entry.slice(colon + 1);
    if (!rawValue.startsWith('"')) {
      return [{ type, value: rawValue }];
    }
    try {
      const value: unknown = JSON.parse(rawValue);
      return typeof value === 'string' ? [{ type, value }] : [];
    } catch {
      return [];
    }
  });
}

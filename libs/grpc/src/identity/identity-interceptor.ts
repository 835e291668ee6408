import * as grpc from '@grpc/grpc-js';
import { resolvePeerIdentity, type PeerAuthContext, type PeerIdentityResult } from './peer-identity';

/** In an allowed-identities list: any caller with a verified Plumbline certificate. */
export const ANY_IDENTITY = '*';

/**
 * Who may call what. Keys are a fully qualified service
 * (`plumbline.dataplane.v1.DataplaneService`) or one method
 * (`plumbline.dataplane.v1.DataplaneService/TestConnection`, leading slash
 * optional); a method rule wins over its service's rule. Values are allowed
 * identities, or `ANY_IDENTITY`. A path no rule covers is refused.
 */
export type IdentityRules = Readonly<Record<string, readonly string[]>>;

export interface IdentityInterceptorOptions {
  /**
   * The server runs without TLS (`PLUMBLINE_INSECURE_DEV=true`): there is no
   * certificate to check, so every call is let through. Pass
   * `tls.mode === 'insecure'`, never a literal `true`.
   */
  readonly insecure: boolean;
}

/** Services any authenticated peer may use, so stock tooling works. Rules may override them. */
export const OPEN_SERVICES: readonly string[] = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

export type AccessDecision =
  | { readonly allowed: true; readonly identity: string | undefined }
  | { readonly allowed: false; readonly code: grpc.status; readonly details: string };

/** Pure decision for one call, exposed for tests and for logging. */
export function decideAccess(
  rules: IdentityRules,
  path: string,
  auth: PeerAuthContext | null | undefined,
): AccessDecision {
  return compileRules(rules).decide(path, resolvePeerIdentity(auth));
}

/**
 * Identities of the live HTTP/2 sessions. `getAuthContext()` describes the
 * peer's certificate afresh on every call (three fingerprints included), which
 * costs more than a small call itself; a session's peer cannot change, as
 * Node's HTTP/2 disables TLS renegotiation on its sockets. A session that
 * closes is dropped with it.
 */
const identityBySession = new WeakMap<object, PeerIdentityResult>();

/**
 * The caller's identity, worked out once per session. grpc-js passes the first
 * interceptor its base call, whose `stream` is not public API: where it is
 * missing (another grpc-js, or an interceptor before this one) every call is
 * resolved on its own, which is slower and just as correct.
 */
function callerOf(call: grpc.ServerInterceptingCallInterface): PeerIdentityResult {
  const session: unknown = (call as { stream?: { session?: unknown } }).stream?.session;
  if (typeof session !== 'object' || session === null) return resolvePeerIdentity(call.getAuthContext());
  let known = identityBySession.get(session);
  if (!known) {
    known = resolvePeerIdentity(call.getAuthContext());
    identityBySession.set(session, known);
  }
  return known;
}

/**
 * A grpc-js server interceptor (`new grpc.Server({ interceptors: [...] })`)
 * that refuses a call before its handler runs: UNAUTHENTICATED without a
 * verified client certificate, PERMISSION_DENIED when the certificate's
 * identity is not allowed for the method.
 */
export function identityInterceptor(rules: IdentityRules, options: IdentityInterceptorOptions): grpc.ServerInterceptor {
  const compiled = compileRules(rules);
  return (methodDescriptor, call) => {
    if (options.insecure) {
      return new grpc.ServerInterceptingCall(call);
    }
    const decision = compiled.decide(methodDescriptor.path, callerOf(call));
    if (decision.allowed) {
      return new grpc.ServerInterceptingCall(call);
    }
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        // Never pass the metadata on: the handler does not run.
        next({ onReceiveMetadata: () => call.sendStatus({ code: decision.code, details: decision.details }) });
      },
    });
  };
}

interface CompiledRules {
  decide(path: string, peer: PeerIdentityResult): AccessDecision;
}

function compileRules(rules: IdentityRules): CompiledRules {
  const services = new Map<string, readonly string[]>(OPEN_SERVICES.map((service) => [service, [ANY_IDENTITY]]));
  const methods = new Map<string, readonly string[]>();
  for (const [key, allowed] of Object.entries(rules)) {
    const normalized = key.replace(/^\//, '');
    const parts = normalized.split('/');
    if (parts.some((part) => part === '') || parts.length > 2) {
      throw new Error(`identity rule "${key}" must be "package.Service" or "package.Service/Method"`);
    }
    (parts.length === 1 ? services : methods).set(normalized, [...allowed]);
  }

  return {
    decide(path, peer) {
      const [, service = '', method = ''] = path.split('/');
      const allowed = methods.get(`${service}/${method}`) ?? services.get(service);
      if (peer.kind === 'unauthenticated') {
        return { allowed: false, code: grpc.status.UNAUTHENTICATED, details: 'a client certificate from the Plumbline CA is required' };
      }
      if (peer.kind === 'no-identity') {
        return { allowed: false, code: grpc.status.PERMISSION_DENIED, details: peer.reason };
      }
      if (allowed === undefined) {
        return { allowed: false, code: grpc.status.PERMISSION_DENIED, details: `no identity rule covers ${path}` };
      }
      if (!allowed.includes(ANY_IDENTITY) && !allowed.includes(peer.identity)) {
        return {
          allowed: false,
          code: grpc.status.PERMISSION_DENIED,
          details: `identity "${peer.identity}" may not call ${path}`,
        };
      }
      return { allowed: true, identity: peer.identity };
    },
  };
}

import * as grpc from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { addService, type ErrorMapper, type ServiceImplementation } from '../adapter';
import { addHealthAndReflection, type HealthAndReflection } from '../health-reflection';
import { identityInterceptor, type IdentityRules } from '../identity';
import { serverCredentials, type TlsConfig } from '../tls';

export interface GrpcServerHostOptions {
  /** Names the service in its logs: "<name> gRPC server listening". */
  readonly name: string;
  readonly tls: TlsConfig;
  readonly mapError: ErrorMapper;
  readonly logger: { info(fields: object, message: string): void };
  /** How long a graceful shutdown may wait for calls in flight. */
  readonly shutdownGraceMs?: number;
}

interface Registration {
  readonly service: DescService;
  readonly register: (server: grpc.Server) => void;
}

/**
 * One gRPC server as both planes run it: mTLS (client certificate required),
 * per-service identity rules checked before any handler, health and
 * reflection, graceful shutdown. Services are registered with who may call
 * them, so a service without a rule cannot be added by mistake.
 */
export class GrpcServerHost {
  private readonly registrations: Registration[] = [];
  private readonly rules: Record<string, readonly string[]> = {};
  private server?: grpc.Server;
  private health?: HealthAndReflection;

  constructor(private readonly options: GrpcServerHostOptions) {}

  register<S extends GenServiceMethods>(
    service: GenService<S>,
    implementation: ServiceImplementation<S>,
    allowedIdentities: readonly string[],
  ): this {
    this.rules[service.typeName] = allowedIdentities;
    this.registrations.push({
      service,
      register: (server) => addService(server, service, implementation, this.options.mapError),
    });
    return this;
  }

  /** Binds `address` (port 0 picks one) and resolves with the bound port. */
  async listen(address: string): Promise<number> {
    const rules: IdentityRules = { ...this.rules };
    const server = new grpc.Server({
      interceptors: [identityInterceptor(rules, { insecure: this.options.tls.mode === 'insecure' })],
    });
    this.registrations.forEach((registration) => registration.register(server));
    this.health = addHealthAndReflection(server, { services: this.registrations.map((r) => r.service) });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, serverCredentials(this.options.tls), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.server = server;
    this.options.logger.info({ port, tls: this.options.tls.mode }, `${this.options.name} gRPC server listening`);
    return port;
  }

  /** Reports NOT_SERVING, lets calls in flight finish, then forces the rest. */
  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.health?.setNotServing();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs ?? 5_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

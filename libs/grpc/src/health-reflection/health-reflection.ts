import type * as grpc from '@grpc/grpc-js';
import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, service as healthService, type ServingStatus } from 'grpc-health-check';

/** What @grpc/reflection analyses: a proto-loader PackageDefinition. */
export type ReflectionPackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

export interface HealthAndReflectionOptions {
  /** The application services this server serves; reflected with every file they import. */
  readonly services: readonly DescService[];
  /** Extra files to reflect (and their imports), beyond the services' own files. */
  readonly files?: readonly DescFile[];
  /** Health check names; defaults to the services' fully qualified names. '' (the whole server) is always added. */
  readonly serviceNames?: readonly string[];
}

export interface HealthAndReflection {
  /** Every name this server reports health for, '' first. */
  readonly serviceNames: readonly string[];
  /** Sets one name's status; watchers are notified. */
  setStatus(serviceName: string, status: ServingStatus): void;
  /** Marks '' and every service NOT_SERVING: call first on shutdown so load balancers drain. */
  setNotServing(): void;
  /** Marks '' and every service SERVING again. */
  setServing(): void;
}

/**
 * Adds `grpc.health.v1.Health` (every name SERVING) and server reflection
 * (v1 and v1alpha) so stock gRPC tools work against the server.
 */
export function addHealthAndReflection(server: grpc.Server, options: HealthAndReflectionOptions): HealthAndReflection {
  const serviceNames = [...new Set(['', ...(options.serviceNames ?? options.services.map((service) => service.typeName))])];
  const statuses = (status: ServingStatus) => Object.fromEntries(serviceNames.map((name) => [name, status]));

  const health = new HealthImplementation(statuses('SERVING'));
  health.addToServer(server);

  const reflection = new ReflectionService(reflectionPackageDefinition(options.services, options.files ?? []), {
    services: [...options.services.map((service) => service.typeName), HEALTH_SERVICE_NAME],
  });
  reflection.addToServer(server);

  const setAll = (status: ServingStatus) => serviceNames.forEach((name) => health.setStatus(name, status));
  return {
    serviceNames,
    setStatus: (serviceName, status) => health.setStatus(serviceName, status),
    setNotServing: () => setAll('NOT_SERVING'),
    setServing: () => setAll('SERVING'),
  };
}

/**
 * Builds the PackageDefinition @grpc/reflection reads. It only looks at the
 * `fileDescriptorProtos` (serialized FileDescriptorProto) of each entry, so
 * each protobuf-es file, with its imports collected transitively, becomes one
 * entry; the health service's own descriptor comes from grpc-health-check.
 */
export function reflectionPackageDefinition(
  services: readonly DescService[],
  files: readonly DescFile[] = [],
): ReflectionPackageDefinition {
  const definition: ReflectionPackageDefinition = {};
  for (const file of withDependencies([...services.map((service) => service.file), ...files])) {
    definition[`file:${file.proto.name}`] = {
      format: 'Protocol Buffer 3 DescriptorProto',
      type: {},
      fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto))],
    };
  }
  const healthCheck = healthService['Check'];
  if (healthCheck) {
    definition[`service:${HEALTH_SERVICE_NAME}`] = healthCheck.requestType;
  }
  return definition;
}

/** The files and everything they import, each once. */
function withDependencies(roots: readonly DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.proto.name)) {
      return;
    }
    seen.set(file.proto.name, file);
    file.dependencies.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen.values()];
}

import { Injectable } from '@nestjs/common';
import type { ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { SecretsManagerError, SecretsManagerErrorCode } from './secrets-manager.errors';
import { toSecretsManagerMessage } from './secrets-manager.mapper';
import { SecretsManagersService, type SecretsManagerSpecInput } from './secrets-managers.service';

function specInput(spec: controlplane.SecretsManagerSpec | undefined): SecretsManagerSpecInput {
  if (!spec) {
    throw new SecretsManagerError(SecretsManagerErrorCode.INVALID_CONFIGURATION, 'spec', 'spec is required');
  }
  return {
    name: spec.name,
    loginUrl: spec.loginUrl,
    credentialsPayload: spec.credentialsPayload,
    tokenPath: spec.tokenPath,
    secretUrl: spec.secretUrl,
    tokenHeader: spec.tokenHeader,
    tokenPrefix: spec.tokenPrefix,
    dataPath: spec.dataPath,
    caBundle: spec.caBundle,
  };
}

/** gRPC face of the secrets-managers feature. */
@Injectable()
export class SecretsManagersGrpcHandler implements ImplementationOf<typeof controlplane.SecretsManagerService> {
  constructor(private readonly secretsManagers: SecretsManagersService) {}

  async createSecretsManager(request: controlplane.CreateSecretsManagerRequest) {
    const entity = await this.secretsManagers.create(specInput(request.spec));
    return { secretsManager: toSecretsManagerMessage(entity, 0) };
  }

  async getSecretsManager(request: controlplane.GetSecretsManagerRequest) {
    const { entity, connectionCount } = await this.secretsManagers.get(request.id);
    return { secretsManager: toSecretsManagerMessage(entity, connectionCount) };
  }

  async listSecretsManagers() {
    const rows = await this.secretsManagers.list();
    return { secretsManagers: rows.map((row) => toSecretsManagerMessage(row.entity, row.connectionCount)) };
  }

  async updateSecretsManager(request: controlplane.UpdateSecretsManagerRequest) {
    await this.secretsManagers.update(request.id, specInput(request.spec));
    const { entity, connectionCount } = await this.secretsManagers.get(request.id);
    return { secretsManager: toSecretsManagerMessage(entity, connectionCount) };
  }

  async deleteSecretsManager(request: controlplane.DeleteSecretsManagerRequest) {
    await this.secretsManagers.delete(request.id);
    return {};
  }

  async testSecretsManager(request: controlplane.TestSecretsManagerRequest) {
    const started = performance.now();
    const target =
      request.secretsManager.case === 'spec'
        ? { spec: specInput(request.secretsManager.value) }
        : { id: request.secretsManager.value ?? '' };
    const { keys } = await this.secretsManagers.test(target);
    return { keys, durationMs: Math.round(performance.now() - started) };
  }
}

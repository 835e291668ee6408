import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { SECRET_MASK } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';
import type { SecretsManagerEntity } from './secrets-manager.entity';

/** The one place an integration becomes a wire message: the credentials payload is always masked. */
export function toSecretsManagerMessage(entity: SecretsManagerEntity, connectionCount: number): controlplane.SecretsManager {
  return create(controlplane.SecretsManagerSchema, {
    id: entity.id,
    name: entity.name,
    loginUrl: entity.loginUrl,
    credentialsPayload: SECRET_MASK,
    tokenPath: entity.tokenPath,
    secretUrl: entity.secretUrl,
    tokenHeader: entity.tokenHeader,
    tokenPrefix: entity.tokenPrefix,
    dataPath: entity.dataPath,
    caBundle: entity.caBundle,
    connectionCount,
    createTime: timestampFromDate(entity.createdAt),
    updateTime: timestampFromDate(entity.updatedAt),
  });
}

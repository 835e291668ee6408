import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { SECRET_MASK, connectorKind } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';
import type { ConnectionEntity } from './connection.entity';


/** The one place a connection becomes a wire message, and so where secrets are masked. */
export function toConnectionMessage(entity: ConnectionEntity, datastoreCount: number): controlplane.Connection {
  const masked = Object.fromEntries(entity.secretPropertyNames.map((name) => [name, SECRET_MASK]));
  return create(controlplane.ConnectionSchema, {
    id: entity.id,
    name: entity.name,
    connector: entity.connector,
    kind: controlplane.ConnectionKind[connectorKind(entity.connector)],
    authMethod: entity.authMethod,
    properties: { ...entity.properties, ...masked },
    secretPropertiesSet: entity.secretPropertyNames,
    datastoreCount,
    createTime: timestampFromDate(entity.createdAt),
    updateTime: timestampFromDate(entity.updatedAt),
    secretsManagerId: entity.secretsManagerId ?? '',
  });
}

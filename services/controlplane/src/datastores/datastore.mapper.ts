import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { controlplane } from '@plumbline/proto';
import type { DatastoreEntity } from './datastore.entity';

/** The one place a datastore becomes a wire message. A scope holds no secrets. */
export function toDatastoreMessage(entity: DatastoreEntity): controlplane.Datastore {
  return create(controlplane.DatastoreSchema, {
    id: entity.id,
    name: entity.name,
    connectionId: entity.connectionId,
    scope: entity.scope,
    createTime: timestampFromDate(entity.createdAt),
    updateTime: timestampFromDate(entity.updatedAt),
  });
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { toJson } from '@bufbuild/protobuf';
import { controlplane } from '@plumbline/proto';

/** Field profiles (latest per field) and quality checks, written inside the caller's transaction. */
@Injectable()
export class ProfilesRepository {
  async apply(manager: EntityManager, datastoreId: string, operationId: string, batch: controlplane.ProfileBatch): Promise<void> {
    for (const profile of batch.profiles) {
      const statistics = toJson(controlplane.FieldProfileSchema, profile) as Record<string, unknown>;
      await manager.query(
        `INSERT INTO field_profile (datastore_id, container, field, operation_id, statistics, sampled)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (datastore_id, container, field) DO UPDATE SET operation_id = EXCLUDED.operation_id,
           statistics = EXCLUDED.statistics, sampled = EXCLUDED.sampled, updated_at = now()`,
        [datastoreId, profile.container, profile.field, operationId, JSON.stringify(statistics), profile.sampled],
      );
    }
    for (const check of batch.inferredChecks) {
      await manager.query(
        `INSERT INTO quality_check (datastore_id, container, key, field, type, parameters, inferred)
         VALUES ($1, $2, $3, $4, $5, $6, true)
         ON CONFLICT (datastore_id, container, key) DO UPDATE SET parameters = EXCLUDED.parameters, updated_at = now()`,
        [
          datastoreId,
          check.container,
          check.key,
          check.field,
          controlplane.CheckType[check.type],
          JSON.stringify(check.parameters),
        ],
      );
    }
  }

  /** Names of the containers the last sync found, to profile when an operation names none. */
  async syncedContainers(manager: EntityManager, datastoreId: string): Promise<string[]> {
    const rows: Array<{ name: string }> = await manager.query(
      `SELECT name FROM container WHERE datastore_id = $1 AND removed_at IS NULL ORDER BY name`,
      [datastoreId],
    );
    return rows.map((row) => row.name);
  }
}

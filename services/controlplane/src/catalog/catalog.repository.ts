import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { controlplane } from '@plumbline/proto';

interface StoredField {
  container: string;
  name: string;
  ordinal: number;
  declared_type: string;
  normalized_type: string;
  nullable: boolean;
  primary_key: boolean;
  unique: boolean;
  foreign_key: boolean;
}

export interface CatalogChange {
  container: string;
  field: string | null;
  change: 'added' | 'removed' | 'changed';
  detail: string;
}

const FIELD_TRAITS = ['declared_type', 'normalized_type', 'nullable', 'primary_key', 'unique', 'foreign_key'] as const;

/**
 * The synced catalog of each datastore (containers and fields) and the log of
 * what each sync found added, removed or changed. Runs inside the caller's
 * transaction: a sync's catalog lands whole or not at all.
 */
@Injectable()
export class CatalogRepository {
  async apply(
    manager: EntityManager,
    datastoreId: string,
    operationId: string,
    containers: readonly controlplane.Container[],
  ): Promise<CatalogChange[]> {
    const stored: StoredField[] = await manager.query(
      `SELECT c.name AS container, f.name, f.ordinal, f.declared_type, f.normalized_type, f.nullable,
              f.primary_key, f."unique", f.foreign_key
         FROM container c JOIN field f ON f.container_id = c.id
        WHERE c.datastore_id = $1 AND c.removed_at IS NULL AND f.removed_at IS NULL`,
      [datastoreId],
    );
    const storedContainers: Array<{ name: string }> = await manager.query(
      `SELECT name FROM container WHERE datastore_id = $1 AND removed_at IS NULL`,
      [datastoreId],
    );
    const changes = diff(storedContainers.map((c) => c.name), stored, containers);

    for (const container of containers) {
      const [{ id }] = (await manager.query(
        `INSERT INTO container (datastore_id, name, kind) VALUES ($1, $2, $3)
         ON CONFLICT (datastore_id, name) DO UPDATE SET kind = EXCLUDED.kind, removed_at = NULL, updated_at = now()
         RETURNING id`,
        [datastoreId, container.name, container.kind],
      )) as [{ id: string }];
      for (const field of container.fields) {
        await manager.query(
          `INSERT INTO field (container_id, name, ordinal, declared_type, normalized_type, nullable, primary_key, "unique", foreign_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (container_id, name) DO UPDATE SET ordinal = EXCLUDED.ordinal, declared_type = EXCLUDED.declared_type,
             normalized_type = EXCLUDED.normalized_type, nullable = EXCLUDED.nullable, primary_key = EXCLUDED.primary_key,
             "unique" = EXCLUDED."unique", foreign_key = EXCLUDED.foreign_key, removed_at = NULL, updated_at = now()`,
          [id, field.name, field.ordinal, field.declaredType, field.normalizedType, field.nullable, field.primaryKey, field.unique, field.foreignKey],
        );
      }
      await manager.query(
        `UPDATE field SET removed_at = now(), updated_at = now()
          WHERE container_id = $1 AND removed_at IS NULL AND NOT (name = ANY($2))`,
        [id, container.fields.map((f) => f.name)],
      );
    }
    await manager.query(
      `UPDATE container SET removed_at = now(), updated_at = now()
        WHERE datastore_id = $1 AND removed_at IS NULL AND NOT (name = ANY($2))`,
      [datastoreId, containers.map((c) => c.name)],
    );
    for (const change of changes) {
      await manager.query(
        `INSERT INTO catalog_change (operation_id, container, field, change, detail) VALUES ($1, $2, $3, $4, $5)`,
        [operationId, change.container, change.field, change.change, change.detail],
      );
    }
    return changes;
  }

  changesOf(manager: EntityManager, operationId: string): Promise<CatalogChange[]> {
    return manager.query(
      `SELECT container, field, change, detail FROM catalog_change WHERE operation_id = $1 ORDER BY id`,
      [operationId],
    );
  }
}

/** What a sync finds against the stored catalog. The first sync of a datastore records no changes. */
function diff(storedContainers: string[], stored: StoredField[], incoming: readonly controlplane.Container[]): CatalogChange[] {
  if (storedContainers.length === 0) return [];
  const changes: CatalogChange[] = [];
  const incomingNames = new Set(incoming.map((c) => c.name));
  for (const name of storedContainers) {
    if (!incomingNames.has(name)) changes.push({ container: name, field: null, change: 'removed', detail: '' });
  }
  for (const container of incoming) {
    if (!storedContainers.includes(container.name)) {
      changes.push({ container: container.name, field: null, change: 'added', detail: container.kind });
      continue;
    }
    const before = new Map(stored.filter((f) => f.container === container.name).map((f) => [f.name, f]));
    for (const field of container.fields) {
      const old = before.get(field.name);
      before.delete(field.name);
      if (!old) {
        changes.push({ container: container.name, field: field.name, change: 'added', detail: field.declaredType });
        continue;
      }
      const now: Record<(typeof FIELD_TRAITS)[number], string | boolean> = {
        declared_type: field.declaredType,
        normalized_type: field.normalizedType,
        nullable: field.nullable,
        primary_key: field.primaryKey,
        unique: field.unique,
        foreign_key: field.foreignKey,
      };
      const differing = FIELD_TRAITS.filter((trait) => now[trait] !== old[trait]);
      if (differing.length > 0) {
        const detail = differing.map((trait) => `${trait}: ${String(old[trait])} → ${String(now[trait])}`).join(', ');
        changes.push({ container: container.name, field: field.name, change: 'changed', detail });
      }
    }
    for (const name of before.keys()) changes.push({ container: container.name, field: name, change: 'removed', detail: '' });
  }
  return changes;
}

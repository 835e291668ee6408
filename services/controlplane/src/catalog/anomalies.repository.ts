import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { create } from '@bufbuild/protobuf';
import { controlplane } from '@plumbline/proto';

const CHECK_TYPE_BY_NAME = controlplane.CheckType as unknown as Record<string, controlplane.CheckType>;

/** Scan inputs (checks, high-water marks) and outputs (anomalies), inside the caller's transaction. */
@Injectable()
export class AnomaliesRepository {
  async checksOf(manager: EntityManager, datastoreId: string, containers: readonly string[]): Promise<controlplane.Check[]> {
    const rows: Array<{ key: string; container: string; field: string; type: string; parameters: Record<string, string>; inferred: boolean }> =
      await manager.query(
        `SELECT key, container, field, type, parameters, inferred FROM quality_check
          WHERE datastore_id = $1 AND container = ANY($2) ORDER BY container, key`,
        [datastoreId, containers],
      );
    return rows.map((row) =>
      create(controlplane.CheckSchema, {
        key: row.key,
        container: row.container,
        field: row.field,
        type: CHECK_TYPE_BY_NAME[row.type] ?? controlplane.CheckType.UNSPECIFIED,
        parameters: row.parameters,
        inferred: row.inferred,
      }),
    );
  }

  async watermarks(manager: EntityManager, datastoreId: string, column: string): Promise<Record<string, string>> {
    const rows: Array<{ container: string; value: string }> = await manager.query(
      `SELECT container, value FROM scan_watermark WHERE datastore_id = $1 AND column_name = $2`,
      [datastoreId, column],
    );
    return Object.fromEntries(rows.map((row) => [row.container, row.value]));
  }

  async apply(
    manager: EntityManager,
    datastoreId: string,
    operationId: string,
    column: string,
    batch: controlplane.AnomalyBatch,
  ): Promise<void> {
    for (const anomaly of batch.anomalies) {
      await manager.query(
        `INSERT INTO anomaly (operation_id, datastore_id, container, check_key, violating_count, sample)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (operation_id, container, check_key) DO UPDATE SET violating_count = EXCLUDED.violating_count, sample = EXCLUDED.sample`,
        [operationId, datastoreId, anomaly.container, anomaly.checkKey, String(anomaly.violatingCount), JSON.stringify(anomaly.sample.map((row) => row.values))],
      );
    }
    if (!column) return;
    for (const [container, value] of Object.entries(batch.highWaterMarks)) {
      await manager.query(
        `INSERT INTO scan_watermark (datastore_id, container, column_name, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (datastore_id, container, column_name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [datastoreId, container, column, value],
      );
    }
  }
}

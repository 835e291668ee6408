import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Anomalies1764500000000 implements MigrationInterface {
  name = 'Anomalies1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "anomaly" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "operation_id" uuid NOT NULL,
        "datastore_id" uuid NOT NULL,
        "container" text NOT NULL,
        "check_key" text NOT NULL,
        "violating_count" bigint NOT NULL,
        "sample" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_anomaly" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_anomaly_operation_check" UNIQUE ("operation_id", "container", "check_key"),
        CONSTRAINT "FK_anomaly_operation" FOREIGN KEY ("operation_id") REFERENCES "operation" ("id") ON DELETE CASCADE,
        CONSTRAINT "FK_anomaly_datastore" FOREIGN KEY ("datastore_id") REFERENCES "datastore" ("id") ON DELETE CASCADE
      )`);
    // Incremental scans: the highest value of the incremental column seen so far.
    await queryRunner.query(`
      CREATE TABLE "scan_watermark" (
        "datastore_id" uuid NOT NULL,
        "container" text NOT NULL,
        "column_name" text NOT NULL,
        "value" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_scan_watermark" PRIMARY KEY ("datastore_id", "container", "column_name"),
        CONSTRAINT "FK_scan_watermark_datastore" FOREIGN KEY ("datastore_id") REFERENCES "datastore" ("id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scan_watermark"`);
    await queryRunner.query(`DROP TABLE "anomaly"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Operations1764200000000 implements MigrationInterface {
  name = 'Operations1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "operation" (
        "id" uuid NOT NULL,
        "datastore_id" uuid NOT NULL,
        "type" text NOT NULL,
        "status" text NOT NULL,
        "options" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "attempt" integer NOT NULL DEFAULT 0,
        "abort_requested" boolean NOT NULL DEFAULT false,
        "progress_done" bigint NOT NULL DEFAULT 0,
        "progress_total" bigint NOT NULL DEFAULT 0,
        "progress_message" text NOT NULL DEFAULT '',
        "counts" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "error_code" text,
        "error_message" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "finished_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_operation" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_operation_status" CHECK ("status" IN ('queued', 'running', 'success', 'failure', 'aborted')),
        CONSTRAINT "FK_operation_datastore" FOREIGN KEY ("datastore_id")
          REFERENCES "datastore" ("id") ON DELETE CASCADE ON UPDATE RESTRICT
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_operation_datastore_created" ON "operation" ("datastore_id", "created_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_operation_status" ON "operation" ("status")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "operation"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProfilesAndChecks1764400000000 implements MigrationInterface {
  name = 'ProfilesAndChecks1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The latest profile of each field; the operation that computed it.
    await queryRunner.query(`
      CREATE TABLE "field_profile" (
        "datastore_id" uuid NOT NULL,
        "container" text NOT NULL,
        "field" text NOT NULL,
        "operation_id" uuid NOT NULL,
        "statistics" jsonb NOT NULL,
        "sampled" boolean NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_field_profile" PRIMARY KEY ("datastore_id", "container", "field"),
        CONSTRAINT "FK_field_profile_datastore" FOREIGN KEY ("datastore_id") REFERENCES "datastore" ("id") ON DELETE CASCADE
      )`);
    // Quality checks; an inferred one is keyed by field and type, so re-profiling updates it.
    await queryRunner.query(`
      CREATE TABLE "quality_check" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "datastore_id" uuid NOT NULL,
        "container" text NOT NULL,
        "key" text NOT NULL,
        "field" text NOT NULL,
        "type" text NOT NULL,
        "parameters" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "inferred" boolean NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_quality_check" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_quality_check_key" UNIQUE ("datastore_id", "container", "key"),
        CONSTRAINT "FK_quality_check_datastore" FOREIGN KEY ("datastore_id") REFERENCES "datastore" ("id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "quality_check"`);
    await queryRunner.query(`DROP TABLE "field_profile"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Catalog1764300000000 implements MigrationInterface {
  name = 'Catalog1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "container" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "datastore_id" uuid NOT NULL,
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "removed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_container" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_container_datastore_name" UNIQUE ("datastore_id", "name"),
        CONSTRAINT "FK_container_datastore" FOREIGN KEY ("datastore_id") REFERENCES "datastore" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE "field" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "container_id" uuid NOT NULL,
        "name" text NOT NULL,
        "ordinal" integer NOT NULL,
        "declared_type" text NOT NULL,
        "normalized_type" text NOT NULL,
        "nullable" boolean NOT NULL,
        "primary_key" boolean NOT NULL,
        "unique" boolean NOT NULL,
        "foreign_key" boolean NOT NULL,
        "removed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_field" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_field_container_name" UNIQUE ("container_id", "name"),
        CONSTRAINT "FK_field_container" FOREIGN KEY ("container_id") REFERENCES "container" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE "catalog_change" (
        "id" bigserial NOT NULL,
        "operation_id" uuid NOT NULL,
        "container" text NOT NULL,
        "field" text,
        "change" text NOT NULL,
        "detail" text NOT NULL DEFAULT '',
        CONSTRAINT "PK_catalog_change" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_catalog_change" CHECK ("change" IN ('added', 'removed', 'changed')),
        CONSTRAINT "FK_catalog_change_operation" FOREIGN KEY ("operation_id") REFERENCES "operation" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_catalog_change_operation" ON "catalog_change" ("operation_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "catalog_change"`);
    await queryRunner.query(`DROP TABLE "field"`);
    await queryRunner.query(`DROP TABLE "container"`);
  }
}

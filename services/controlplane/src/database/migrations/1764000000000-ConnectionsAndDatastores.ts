import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConnectionsAndDatastores1764000000000 implements MigrationInterface {
  name = 'ConnectionsAndDatastores1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "connection" (
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "connector" text NOT NULL,
        "auth_method" text NOT NULL,
        "properties" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "secret_properties" text,
        "secret_property_names" text[] NOT NULL DEFAULT '{}',
        "version" integer NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_connection" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_connection_name" UNIQUE ("name")
      )`);
    await queryRunner.query(`
      CREATE TABLE "datastore" (
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "connection_id" uuid NOT NULL,
        "scope" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_datastore" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_datastore_name" UNIQUE ("name"),
        CONSTRAINT "FK_datastore_connection" FOREIGN KEY ("connection_id")
          REFERENCES "connection" ("id") ON DELETE RESTRICT ON UPDATE RESTRICT
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_datastore_connection_id" ON "datastore" ("connection_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_datastore_connection_id"`);
    await queryRunner.query(`DROP TABLE "datastore"`);
    await queryRunner.query(`DROP TABLE "connection"`);
  }
}

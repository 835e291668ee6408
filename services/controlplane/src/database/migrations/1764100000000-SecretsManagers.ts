import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecretsManagers1764100000000 implements MigrationInterface {
  name = 'SecretsManagers1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "secrets_manager" (
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "login_url" text NOT NULL,
        "credentials_payload" text NOT NULL,
        "token_path" text NOT NULL,
        "secret_url" text NOT NULL,
        "token_header" text NOT NULL,
        "token_prefix" text NOT NULL DEFAULT '',
        "data_path" text NOT NULL,
        "ca_bundle" text NOT NULL DEFAULT '',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_secrets_manager" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_secrets_manager_name" UNIQUE ("name")
      )`);
    await queryRunner.query(`ALTER TABLE "connection" ADD "secrets_manager_id" uuid`);
    await queryRunner.query(`
      ALTER TABLE "connection" ADD CONSTRAINT "FK_connection_secrets_manager"
        FOREIGN KEY ("secrets_manager_id") REFERENCES "secrets_manager" ("id") ON DELETE RESTRICT ON UPDATE RESTRICT`);
    await queryRunner.query(`CREATE INDEX "IDX_connection_secrets_manager_id" ON "connection" ("secrets_manager_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_connection_secrets_manager_id"`);
    await queryRunner.query(`ALTER TABLE "connection" DROP CONSTRAINT "FK_connection_secrets_manager"`);
    await queryRunner.query(`ALTER TABLE "connection" DROP COLUMN "secrets_manager_id"`);
    await queryRunner.query(`DROP TABLE "secrets_manager"`);
  }
}

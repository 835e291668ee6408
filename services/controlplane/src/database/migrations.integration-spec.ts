import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createPostgresDatabase, type TestDatabase } from '@plumbline/testing';
import { dataSourceOptions } from './data-source';

describe('controlplane migrations', () => {
  let database: TestDatabase;
  let sut: DataSource;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_migrations');
    sut = await new DataSource(dataSourceOptions(database.url)).initialize();
  });

  afterAll(async () => {
    await sut?.destroy();
    await database?.drop();
  });

  const tables = async () =>
    (
      await sut.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
      )
    ).map((row: { table_name: string }) => row.table_name);

  it('applies every migration', async () => {
    await sut.runMigrations();
    expect(await tables()).toEqual(['anomaly', 'catalog_change', 'connection', 'container', 'datastore', 'field', 'field_profile', 'operation', 'quality_check', 'scan_watermark', 'secrets_manager']);
  });

  it('lets the database itself refuse to orphan a datastore (ON DELETE RESTRICT)', async () => {
    const connectionId = randomUUID();
    await sut.query(
      `INSERT INTO connection (id, name, connector, auth_method, properties, version) VALUES ($1, 'c', 'postgresql', 'basic', '{}', 1)`,
      [connectionId],
    );
    await sut.query(`INSERT INTO datastore (id, name, connection_id, scope) VALUES ($1, 'd', $2, '{}')`, [
      randomUUID(),
      connectionId,
    ]);
    await expect(sut.query(`DELETE FROM connection WHERE id = $1`, [connectionId])).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23503', constraint: 'FK_datastore_connection' }),
    });
    await expect(
      sut.query(`INSERT INTO datastore (id, name, connection_id, scope) VALUES ($1, 'e', $2, '{}')`, [
        randomUUID(),
        randomUUID(),
      ]),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23503' }) });
    await sut.query(`DELETE FROM datastore`);
    await sut.query(`DELETE FROM connection`);
  });

  it('reverts cleanly and applies again', async () => {
    while ((await sut.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0) {
      await sut.undoLastMigration();
    }
    expect(await tables()).toEqual([]);
    await sut.runMigrations();
    expect(await tables()).toEqual(['anomaly', 'catalog_change', 'connection', 'container', 'datastore', 'field', 'field_profile', 'operation', 'quality_check', 'scan_watermark', 'secrets_manager']);
  });
});

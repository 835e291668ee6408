import { postgresAdmin } from '@plumbline/testing';

/**
 * The bytes of the heap and TOAST files of `tables` as PostgreSQL wrote them
 * to disk (after a CHECKPOINT): what an attacker with a copy of the data
 * directory or a backup would see.
 */
export function rawTableBytes(database: string, tables: string[]): Promise<Buffer> {
  return postgresAdmin(async (client) => {
    await client.query('CHECKPOINT');
    const { rows } = await client.query<{ file: Buffer }>(
      `SELECT pg_read_binary_file(pg_relation_filepath(c.oid)) AS file
         FROM pg_class c
        WHERE c.oid = ANY($1::regclass[])
           OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE oid = ANY($1::regclass[]))`,
      [tables],
    );
    return Buffer.concat(rows.map((row) => row.file));
  }, database);
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PG_UNIQUE_VIOLATION, UnitOfWork, pgErrorCode } from '../database/unit-of-work';
import { ConnectionEntity } from '../connections/connection.entity';
import { SecretsManagerEntity } from '../secrets-managers/secrets-manager.entity';
import { DatastoreEntity } from './datastore.entity';
import { DatastoreError, DatastoreErrorCode } from './datastore.errors';

/** A datastore with what it takes to reach its data source. */
export interface DatastoreWithConnection {
  datastore: DatastoreEntity;
  connection: ConnectionEntity;
  secretsManager: SecretsManagerEntity | null;
}

/**
 * Entity columns as `alias."column" AS "alias_column"`, and a reader of such
 * rows back into the entity. pg already gives the column types used here
 * (uuid, text, text[], jsonb, integer, timestamptz) their JS form; a column
 * with a TypeORM transformer would need it applied, so one is refused.
 */
function entityColumns<T extends object>(manager: EntityManager, entity: new () => T, alias: string) {
  const columns = manager.connection.getMetadata(entity).columns.map((column) => {
    if (column.transformer) throw new Error(`${alias}.${column.databaseName} has a transformer, which the plain-SQL join does not apply`);
    return {
      property: column.propertyName,
      key: `${alias}_${column.databaseName}`,
      select: `${alias}."${column.databaseName}" AS "${alias}_${column.databaseName}"`,
    };
  });
  return {
    select: columns.map((column) => column.select).join(', '),
    read(row: Record<string, unknown>): T {
      const entityValue = new entity();
      for (const column of columns) (entityValue as Record<string, unknown>)[column.property] = row[column.key];
      return entityValue;
    },
  };
}

/** Datastores `d` joined to their connection `c` and its secrets manager `s`. */
export interface WithConnectionSql {
  /** The select list for all three tables. */
  readonly columns: string;
  /** `datastore d JOIN connection c … LEFT JOIN secrets_manager s …` */
  readonly from: string;
  read(row: Record<string, unknown>): DatastoreWithConnection;
}

const withConnectionSql = new WeakMap<object, WithConnectionSql>();

/**
 * The join as plain SQL: the hot path of every operation and Test Connection,
 * where TypeORM's query builder cost more CPU than the query. Built once per
 * data source from the entity metadata, so a new column is read without
 * touching this.
 */
export function datastoreWithConnectionSql(manager: EntityManager): WithConnectionSql {
  const known = withConnectionSql.get(manager.connection);
  if (known) return known;
  const datastore = entityColumns(manager, DatastoreEntity, 'd');
  const connection = entityColumns(manager, ConnectionEntity, 'c');
  const secretsManager = entityColumns(manager, SecretsManagerEntity, 's');
  const sql: WithConnectionSql = {
    columns: [datastore.select, connection.select, secretsManager.select].join(', '),
    from: 'datastore d JOIN connection c ON c.id = d.connection_id LEFT JOIN secrets_manager s ON s.id = c.secrets_manager_id',
    read: (row) => ({
      datastore: datastore.read(row),
      connection: connection.read(row),
      secretsManager: row.s_id === null || row.s_id === undefined ? null : secretsManager.read(row),
    }),
  };
  withConnectionSql.set(manager.connection, sql);
  return sql;
}

@Injectable()
export class DatastoresRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.unitOfWork.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<DatastoreEntity | null> {
    return this.manager(manager).findOneBy(DatastoreEntity, { id });
  }

  /**
   * A datastore, its connection and the connection's secrets manager (if any)
   * in one round trip: the hot path of Test Connection and of every operation.
   */
  async findWithConnection(id: string): Promise<DatastoreWithConnection | null> {
    const manager = this.manager();
    const sql = datastoreWithConnectionSql(manager);
    const [row] = await manager.query<Record<string, unknown>[]>(`SELECT ${sql.columns} FROM ${sql.from} WHERE d.id = $1`, [id]);
    return row ? sql.read(row) : null;
  }

  list(filter: { connectionId?: string }): Promise<DatastoreEntity[]> {
    return this.manager().find(DatastoreEntity, {
      where: filter.connectionId ? { connectionId: filter.connectionId } : {},
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async insert(entity: DatastoreEntity, manager: EntityManager): Promise<DatastoreEntity> {
    try {
      await manager.insert(DatastoreEntity, entity);
    } catch (error) {
      throw this.translate(error, entity.name);
    }
    return manager.findOneByOrFail(DatastoreEntity, { id: entity.id });
  }

  /** Writes only the fields in `changes`; null when the datastore is gone. */
  async update(id: string, changes: Partial<Pick<DatastoreEntity, 'name' | 'scope'>>): Promise<DatastoreEntity | null> {
    if (Object.keys(changes).length > 0) {
      try {
        await this.manager().update(DatastoreEntity, { id }, changes);
      } catch (error) {
        throw this.translate(error, changes.name ?? '');
      }
    }
    return this.manager().findOneBy(DatastoreEntity, { id });
  }

  async delete(id: string): Promise<number> {
    const result = await this.manager().delete(DatastoreEntity, { id });
    return result.affected ?? 0;
  }

  private translate(error: unknown, name: string): unknown {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      return new DatastoreError(DatastoreErrorCode.NAME_TAKEN, `a datastore named '${name}' already exists`, 'name');
    }
    return error;
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, UnitOfWork, pgConstraint, pgErrorCode } from '../database/unit-of-work';
import { ConnectionEntity } from './connection.entity';
import { ConnectionError, ConnectionErrorCode } from './connection.errors';

export interface DatastoreUsage {
  id: string;
  name: string;
  scope: Record<string, string>;
}

@Injectable()
export class ConnectionsRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.unitOfWork.manager;
  }

  async findById(id: string, manager?: EntityManager): Promise<ConnectionEntity | null> {
    return this.manager(manager).findOneBy(ConnectionEntity, { id });
  }

  /** Takes a row lock until the surrounding transaction ends. */
  async lockById(id: string, manager: EntityManager): Promise<ConnectionEntity | null> {
    return manager.findOne(ConnectionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async usageCounts(ids: string[], manager?: EntityManager): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ connection_id: string; count: string }> = await this.manager(manager).query(
      `SELECT connection_id, count(*) AS count FROM datastore WHERE connection_id = ANY($1) GROUP BY connection_id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.connection_id, Number(row.count)]));
  }

  /** The datastores that use a connection: what an edit must re-verify and a delete must respect. */
  async datastoresUsing(connectionId: string, manager?: EntityManager): Promise<DatastoreUsage[]> {
    const rows: Array<{ id: string; name: string; scope: Record<string, string> }> = await this.manager(manager).query(
      `SELECT id, name, scope FROM datastore WHERE connection_id = $1 ORDER BY name`,
      [connectionId],
    );
    return rows;
  }

  async list(manager?: EntityManager): Promise<ConnectionEntity[]> {
    return this.manager(manager).find(ConnectionEntity, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async insert(entity: ConnectionEntity, manager: EntityManager): Promise<ConnectionEntity> {
    try {
      await manager.insert(ConnectionEntity, entity);
    } catch (error) {
      throw this.translate(error, entity.name);
    }
    return manager.findOneByOrFail(ConnectionEntity, { id: entity.id });
  }

  /** Saves `entity` only if its version is still `expectedVersion`. */
  async updateIfVersion(entity: ConnectionEntity, expectedVersion: number, manager: EntityManager): Promise<boolean> {
    try {
      const result = await manager
        .createQueryBuilder()
        .update(ConnectionEntity)
        .set({
          name: entity.name,
          authMethod: entity.authMethod,
          properties: entity.properties,
          secretProperties: entity.secretProperties,
          secretPropertyNames: entity.secretPropertyNames,
          secretsManagerId: entity.secretsManagerId,
        })
        .where('id = :id AND version = :expectedVersion', { id: entity.id, expectedVersion })
        .execute();
      return (result.affected ?? 0) === 1;
    } catch (error) {
      throw this.translate(error, entity.name);
    }
  }

  async delete(id: string, manager: EntityManager): Promise<number> {
    const result = await manager.delete(ConnectionEntity, { id });
    return result.affected ?? 0;
  }

  private translate(error: unknown, name: string): unknown {
    if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION && pgConstraint(error) === 'FK_connection_secrets_manager') {
      return new ConnectionError(ConnectionErrorCode.INVALID_REQUEST, 'the secrets manager was deleted meanwhile', {
        field: 'secrets_manager_id',
      });
    }
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      return new ConnectionError(ConnectionErrorCode.NAME_TAKEN, `a connection named '${name}' already exists`, {
        field: 'name',
      });
    }
    return error;
  }
}

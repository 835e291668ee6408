import { Injectable } from '@nestjs/common';
import { EntityManager, type SelectQueryBuilder } from 'typeorm';
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

/** Datastores `d` joined to their connection `c` and its secrets manager `s`; read with {@link splitWithConnection}. */
export function selectWithConnection(manager: EntityManager): SelectQueryBuilder<DatastoreEntity> {
  return manager
    .createQueryBuilder(DatastoreEntity, 'd')
    .innerJoinAndMapOne('d.connection', ConnectionEntity, 'c', 'c.id = d.connection_id')
    .leftJoinAndMapOne('d.secretsManager', SecretsManagerEntity, 's', 's.id = c.secrets_manager_id');
}

export function splitWithConnection(joined: DatastoreEntity): DatastoreWithConnection {
  const { connection, secretsManager, ...rest } = joined as DatastoreEntity & {
    connection: ConnectionEntity;
    secretsManager?: SecretsManagerEntity;
  };
  return { datastore: Object.assign(new DatastoreEntity(), rest), connection, secretsManager: secretsManager ?? null };
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
    const datastore = await selectWithConnection(this.manager()).where('d.id = :id', { id }).getOne();
    return datastore ? splitWithConnection(datastore) : null;
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

  async update(entity: DatastoreEntity): Promise<DatastoreEntity> {
    try {
      await this.manager().update(DatastoreEntity, { id: entity.id }, { name: entity.name, scope: entity.scope });
    } catch (error) {
      throw this.translate(error, entity.name);
    }
    return this.manager().findOneByOrFail(DatastoreEntity, { id: entity.id });
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

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PG_UNIQUE_VIOLATION, UnitOfWork, pgErrorCode } from '../database/unit-of-work';
import { SecretsManagerEntity } from './secrets-manager.entity';
import { SecretsManagerError, SecretsManagerErrorCode } from './secrets-manager.errors';

@Injectable()
export class SecretsManagersRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.unitOfWork.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<SecretsManagerEntity | null> {
    return this.manager(manager).findOneBy(SecretsManagerEntity, { id });
  }

  lockById(id: string, manager: EntityManager): Promise<SecretsManagerEntity | null> {
    return manager.findOne(SecretsManagerEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  list(): Promise<SecretsManagerEntity[]> {
    return this.manager().find(SecretsManagerEntity, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** How many connections name each integration. */
  async usageCounts(ids: string[], manager?: EntityManager): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; count: string }> = await this.manager(manager).query(
      `SELECT secrets_manager_id AS id, count(*) AS count FROM connection
        WHERE secrets_manager_id = ANY($1) GROUP BY secrets_manager_id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, Number(row.count)]));
  }

  async connectionsUsing(id: string, manager: EntityManager): Promise<Array<{ id: string; name: string }>> {
    return manager.query(`SELECT id, name FROM connection WHERE secrets_manager_id = $1 ORDER BY name`, [id]);
  }

  async insert(entity: SecretsManagerEntity): Promise<SecretsManagerEntity> {
    try {
      await this.manager().insert(SecretsManagerEntity, entity);
    } catch (error) {
      throw this.translate(error, entity.name);
    }
    return this.manager().findOneByOrFail(SecretsManagerEntity, { id: entity.id });
  }

  /** Writes every field of `entity`, but the sealed payload when `keepPayload`. */
  async update(entity: SecretsManagerEntity, options: { keepPayload: boolean }): Promise<SecretsManagerEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, credentialsPayload, ...fields } = entity;
    const changes = options.keepPayload ? fields : { ...fields, credentialsPayload };
    try {
      await this.manager().update(SecretsManagerEntity, { id }, changes);
    } catch (error) {
      throw this.translate(error, entity.name);
    }
    return this.manager().findOneByOrFail(SecretsManagerEntity, { id });
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.delete(SecretsManagerEntity, { id });
  }

  private translate(error: unknown, name: string): unknown {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      return new SecretsManagerError(
        SecretsManagerErrorCode.NAME_TAKEN,
        'name',
        `a secrets manager named '${name}' already exists`,
      );
    }
    return error;
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { OperationEntity, type OperationStatusName, type OperationTypeName } from './operation.entity';

export interface OperationFilter {
  datastoreId?: string;
  type?: OperationTypeName;
  status?: OperationStatusName;
  limit: number;
}

@Injectable()
export class OperationsRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.unitOfWork.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<OperationEntity | null> {
    return this.manager(manager).findOneBy(OperationEntity, { id });
  }

  lockById(id: string, manager: EntityManager): Promise<OperationEntity | null> {
    return manager.findOne(OperationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  list(filter: OperationFilter): Promise<OperationEntity[]> {
    return this.manager().find(OperationEntity, {
      where: {
        ...(filter.datastoreId ? { datastoreId: filter.datastoreId } : {}),
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
    });
  }

  /** Every operation waiting for a worker (not yet leased, not aborted). */
  async queuedIds(): Promise<string[]> {
    const rows = await this.manager().find(OperationEntity, {
      select: { id: true },
      where: { status: 'queued', abortRequested: false },
      order: { createdAt: 'ASC' },
    });
    return rows.map((row) => row.id);
  }

  async insert(entity: OperationEntity): Promise<OperationEntity> {
    await this.manager().insert(OperationEntity, entity);
    return this.manager().findOneByOrFail(OperationEntity, { id: entity.id });
  }

  async delete(id: string): Promise<void> {
    await this.manager().delete(OperationEntity, { id });
  }

  async save(entity: OperationEntity, manager?: EntityManager): Promise<OperationEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...changes } = entity;
    await this.manager(manager).update(OperationEntity, { id }, changes);
    return this.manager(manager).findOneByOrFail(OperationEntity, { id });
  }
}

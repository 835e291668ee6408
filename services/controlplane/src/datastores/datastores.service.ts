import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { dataplane } from '@plumbline/proto';
import { ConnectionTester, type ResolvedTarget } from '../connection-testing/connection-tester';
import { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionsRepository } from '../connections/connections.repository';
import { ConnectionsService, validateName, type ConnectionSpecInput } from '../connections/connections.service';
import { isUuid } from '../database/ids';
import { UnitOfWork } from '../database/unit-of-work';
import { DatastoreEntity } from './datastore.entity';
import { DatastoreError, DatastoreErrorCode } from './datastore.errors';
import { DatastoresRepository, type DatastoreWithConnection } from './datastores.repository';

export interface CreateDatastoreInput {
  name: string;
  connection: { spec: ConnectionSpecInput } | { connectionId: string };
  scope: Record<string, string>;
}

export interface CreatedDatastore {
  datastore: DatastoreEntity;
  connection: ConnectionEntity;
  connectionDatastoreCount: number;
  testResult: dataplane.ConnectionTestResult;
}

function notFound(id: string): DatastoreError {
  return new DatastoreError(DatastoreErrorCode.NOT_FOUND, `datastore '${id}' does not exist`, 'id');
}

@Injectable()
export class DatastoresService {
  constructor(
    private readonly repository: DatastoresRepository,
    private readonly connections: ConnectionsService,
    private readonly connectionsRepository: ConnectionsRepository,
    private readonly tester: ConnectionTester,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Tests first; only a passing test persists anything. With a new connection,
   * both rows go in one transaction. An existing connection is never changed.
   */
  async create(input: CreateDatastoreInput): Promise<CreatedDatastore> {
    const name = validateName(input.name);
    if ('spec' in input.connection) {
      const draft = await this.connections.draft(input.connection.spec, 'new_connection');
      const scope = this.connections.scopeFor(draft.entity.connector, input.scope);
      const testResult = await this.tester.verify({
        connector: draft.entity.connector,
        authMethod: draft.entity.authMethod,
        properties: draft.properties,
        scope,
      });
      const datastore = this.newEntity(name, draft.entity.id, scope);
      return this.unitOfWork.run(async (manager) => {
        const connection = await this.connectionsRepository.insert(draft.entity, manager);
        return {
          datastore: await this.repository.insert(datastore, manager),
          connection,
          connectionDatastoreCount: 1,
          testResult,
        };
      });
    }

    const connection = await this.connections.mustFind(input.connection.connectionId, undefined, 'connection_id');
    const scope = this.connections.scopeFor(connection.connector, input.scope);
    const testResult = await this.tester.verify(await this.connections.resolve(connection, scope));
    return this.unitOfWork.run(async (manager) => {
      // The connection may have been deleted while we tested; the FK would refuse too.
      const locked = await this.connectionsRepository.lockById(connection.id, manager);
      if (!locked) await this.connections.mustFind(connection.id, manager);
      const datastore = await this.repository.insert(this.newEntity(name, connection.id, scope), manager);
      const counts = await this.connectionsRepository.usageCounts([connection.id], manager);
      return { datastore, connection, connectionDatastoreCount: counts.get(connection.id) ?? 1, testResult };
    });
  }

  async get(id: string): Promise<DatastoreEntity> {
    this.assertId(id);
    const datastore = await this.repository.findById(id);
    if (!datastore) {
      throw notFound(id);
    }
    return datastore;
  }

  list(filter: { connectionId?: string }): Promise<DatastoreEntity[]> {
    if (filter.connectionId !== undefined && !isUuid(filter.connectionId)) {
      throw new DatastoreError(
        DatastoreErrorCode.INVALID_REQUEST,
        'connection_id must be a connection id (a UUID)',
        'connection_id',
      );
    }
    return this.repository.list(filter);
  }

  /**
   * A new scope is verified with the connection's credentials before it is
   * saved. Only the fields given are written, so two edits of different
   * fields made at once both stick.
   */
  async update(input: { id: string; name: string; scope: Record<string, string> }): Promise<DatastoreEntity> {
    const current = await this.get(input.id);
    const changes: { name?: string; scope?: Record<string, string> } = {};
    if (input.name) changes.name = validateName(input.name);
    if (Object.keys(input.scope).length > 0) {
      const connection = await this.connections.mustFind(current.connectionId);
      changes.scope = this.connections.scopeFor(connection.connector, input.scope);
      await this.tester.verify(await this.connections.resolve(connection, changes.scope));
    }
    const updated = await this.repository.update(current.id, changes);
    if (!updated) {
      throw notFound(input.id);
    }
    return updated;
  }

  /** The connection stays, possibly orphaned, listed and reusable. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    if ((await this.repository.delete(id)) === 0) {
      throw notFound(id);
    }
  }

  /** Test Connection of a saved datastore. Writes nothing. */
  async test(id: string): Promise<dataplane.ConnectionTestResult> {
    return this.tester.test(await this.resolveTarget(id));
  }

  /** The datastore's connection, decrypted and resolved, with its scope: what the dataplane works on. */
  async resolveTarget(id: string): Promise<ResolvedTarget> {
    this.assertId(id);
    const found = await this.repository.findWithConnection(id);
    if (!found) throw notFound(id);
    return this.resolveLoaded(found);
  }

  /** As resolveTarget, for a datastore already loaded with its connection. */
  resolveLoaded(found: DatastoreWithConnection): Promise<ResolvedTarget> {
    return this.connections.resolve(found.connection, found.datastore.scope, found.secretsManager ?? undefined);
  }

  private assertId(id: string): void {
    if (!isUuid(id)) {
      throw new DatastoreError(DatastoreErrorCode.INVALID_REQUEST, 'id must be a datastore id (a UUID)', 'id');
    }
  }

  private newEntity(name: string, connectionId: string, scope: Record<string, string>): DatastoreEntity {
    return Object.assign(new DatastoreEntity(), { id: randomUUID(), name, connectionId, scope });
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  SECRET_MASK,
  mapSettledWithConcurrency,
  secretPropertyNames,
  validateConnectionProperties,
  validateScope,
} from '@plumbline/common';
import type { dataplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConnectionTester, type ResolvedTarget } from '../connection-testing/connection-tester';
import { isUuid } from '../database/ids';
import { UnitOfWork } from '../database/unit-of-work';
import { ConnectionSecrets } from './connection-secrets';
import { ConnectionEntity } from './connection.entity';
import { ConnectionError, ConnectionErrorCode, type DatastoreVerificationFailure } from './connection.errors';
import { ConnectionsRepository } from './connections.repository';

/** What a caller supplies to make a connection. */
export interface ConnectionSpecInput {
  name: string;
  connector: string;
  authMethod: string;
  properties: Record<string, string>;
}

export interface ConnectionUpdateInput {
  id: string;
  name: string;
  authMethod: string;
  properties: Record<string, string>;
  clearSecretProperties: string[];
}

/** A validated, not yet persisted connection together with its plaintext properties. */
export interface ConnectionDraft {
  entity: ConnectionEntity;
  properties: Record<string, string>;
}

const MAX_NAME_LENGTH = 200;

export function validateName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
    throw new ConnectionError(
      ConnectionErrorCode.INVALID_REQUEST,
      `${field} must be 1 to ${MAX_NAME_LENGTH} characters`,
      { field },
    );
  }
  return trimmed;
}

function splitSecrets(properties: Record<string, string>, secretNames: ReadonlySet<string>) {
  const plain: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    (secretNames.has(key) ? secrets : plain)[key] = value;
  }
  return { plain, secrets };
}

@Injectable()
export class ConnectionsService {
  constructor(
    private readonly repository: ConnectionsRepository,
    private readonly secrets: ConnectionSecrets,
    private readonly tester: ConnectionTester,
    private readonly unitOfWork: UnitOfWork,
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
  ) {}

  /** Validates a spec and builds the row to insert; nothing is written. */
  draft(spec: ConnectionSpecInput, fieldPrefix = 'connection'): ConnectionDraft {
    const name = validateName(spec.name, `${fieldPrefix}.name`);
    const valid = validateConnectionProperties(
      { connector: spec.connector, authMethod: spec.authMethod || undefined, properties: spec.properties },
      'create',
    );
    const secretNames = new Set(secretPropertyNames(valid.connector, valid.authMethod));
    const { plain, secrets } = splitSecrets(valid.properties, secretNames);
    const entity = new ConnectionEntity();
    entity.id = randomUUID();
    entity.name = name;
    entity.connector = valid.connector;
    entity.authMethod = valid.authMethod;
    entity.properties = plain;
    entity.secretProperties = this.secrets.seal(entity.id, secrets);
    entity.secretPropertyNames = Object.keys(secrets).sort();
    return { entity, properties: valid.properties };
  }

  /** Decrypted properties of a saved connection, ready for the dataplane. */
  resolve(entity: ConnectionEntity, scope: Record<string, string>): ResolvedTarget {
    return {
      connector: entity.connector,
      authMethod: entity.authMethod,
      properties: { ...entity.properties, ...this.secrets.open(entity.id, entity.secretProperties) },
      scope,
    };
  }

  scopeFor(connector: string, scope: Record<string, string>): Record<string, string> {
    return validateScope(connector, scope);
  }

  async get(id: string): Promise<{ connection: ConnectionEntity; datastoreCount: number }> {
    const connection = await this.mustFind(id);
    const counts = await this.repository.usageCounts([id]);
    return { connection, datastoreCount: counts.get(id) ?? 0 };
  }

  async mustFind(id: string, manager?: EntityManager, field = 'id'): Promise<ConnectionEntity> {
    if (!isUuid(id)) {
      throw new ConnectionError(ConnectionErrorCode.INVALID_REQUEST, `${field} must be a connection id (a UUID)`, {
        field,
      });
    }
    const connection = await this.repository.findById(id, manager);
    if (!connection) {
      throw new ConnectionError(ConnectionErrorCode.NOT_FOUND, `connection '${id}' does not exist`, {
        field,
      });
    }
    return connection;
  }

  /** Every connection, orphans included, with how many datastores use each. */
  async list(): Promise<Array<{ connection: ConnectionEntity; datastoreCount: number }>> {
    const connections = await this.repository.list();
    const counts = await this.repository.usageCounts(connections.map((c) => c.id));
    return connections.map((connection) => ({ connection, datastoreCount: counts.get(connection.id) ?? 0 }));
  }

  /** Test Connection for unsaved input, or a saved connection against a new scope. Writes nothing. */
  async testUnsaved(
    connection: { spec: ConnectionSpecInput } | { connectionId: string },
    scope: Record<string, string>,
  ): Promise<dataplane.ConnectionTestResult> {
    if ('spec' in connection) {
      const { entity, properties } = this.draft(connection.spec);
      return this.tester.test({
        connector: entity.connector,
        authMethod: entity.authMethod,
        properties,
        scope: this.scopeFor(entity.connector, scope),
      });
    }
    const entity = await this.mustFind(connection.connectionId, undefined, 'connection_id');
    return this.tester.test(this.resolve(entity, this.scopeFor(entity.connector, scope)));
  }

  /**
   * Re-verifies the edited connection against every datastore that uses it and
   * saves only if all pass. A secret sent back as the mask keeps its stored value.
   */
  async update(input: ConnectionUpdateInput): Promise<{ connection: ConnectionEntity; verified: number }> {
    const current = await this.mustFind(input.id);
    const authMethod = input.authMethod || current.authMethod;
    const stored = this.secrets.open(current.id, current.secretProperties);
    const merged = this.mergeProperties(current, authMethod, input, stored);
    // Masks are already replaced by stored values, so the merged set must be complete.
    const valid = validateConnectionProperties(
      { connector: current.connector, authMethod, properties: merged },
      'create',
    );
    const secretNames = new Set(secretPropertyNames(valid.connector, valid.authMethod));
    const { plain, secrets } = splitSecrets(valid.properties, secretNames);

    const datastores = await this.repository.datastoresUsing(current.id);
    const target = (scope: Record<string, string>): ResolvedTarget => ({
      connector: current.connector,
      authMethod: valid.authMethod,
      properties: valid.properties,
      scope,
    });
    // An orphan still gets its credentials checked, at connection level.
    const checks = datastores.length > 0 ? datastores : [];
    if (checks.length === 0) await this.tester.verify(target({}));
    const results = await mapSettledWithConcurrency(checks, this.config.PLUMBLINE_VERIFY_CONCURRENCY, (datastore) =>
      this.tester.test(target(datastore.scope)),
    );
    const failures: DatastoreVerificationFailure[] = [];
    results.forEach((result, index) => {
      const datastore = checks[index]!;
      if (result.status === 'rejected') throw result.reason;
      if (!result.value.ok) {
        failures.push({ datastoreId: datastore.id, datastoreName: datastore.name, testResult: result.value });
      }
    });
    if (failures.length > 0) {
      const list = failures.map((f) => `'${f.datastoreName}': ${f.testResult.summary}`).join('; ');
      throw new ConnectionError(
        ConnectionErrorCode.VERIFICATION_FAILED,
        `the edit was not saved: ${failures.length} of ${checks.length} datastore(s) failed verification: ${list}`,
        { datastoreFailures: failures, field: 'properties' },
      );
    }

    const next = Object.assign(new ConnectionEntity(), current, {
      name: input.name ? validateName(input.name) : current.name,
      authMethod: valid.authMethod,
      properties: plain,
      secretProperties: this.secrets.seal(current.id, secrets),
      secretPropertyNames: Object.keys(secrets).sort(),
    });
    const saved = await this.unitOfWork.run(async (manager) => {
      const locked = await this.repository.lockById(current.id, manager);
      if (!locked) {
        throw new ConnectionError(ConnectionErrorCode.NOT_FOUND, `connection '${current.id}' does not exist`, {
          field: 'id',
        });
      }
      const now = await this.repository.datastoresUsing(current.id, manager);
      const verifiedIds = new Set(checks.map((d) => d.id));
      const unverified = now.filter((d) => !verifiedIds.has(d.id));
      if (locked.version !== current.version || unverified.length > 0) {
        throw new ConnectionError(
          ConnectionErrorCode.CHANGED_CONCURRENTLY,
          `connection '${current.name}' or its datastores changed while the edit was verified; nothing was saved, retry`,
        );
      }
      await this.repository.updateIfVersion(next, current.version, manager);
      return this.mustFind(current.id, manager);
    });
    return { connection: saved, verified: checks.length };
  }

  private mergeProperties(
    current: ConnectionEntity,
    authMethod: string,
    input: ConnectionUpdateInput,
    stored: Record<string, string>,
  ): Record<string, string> {
    const secretNames = new Set(secretPropertyNames(current.connector, authMethod));
    for (const name of input.clearSecretProperties) {
      if (!secretNames.has(name)) {
        throw new ConnectionError(
          ConnectionErrorCode.INVALID_REQUEST,
          `'${name}' is not a secret property of ${current.connector}/${authMethod}`,
          { field: 'clear_secret_properties' },
        );
      }
      if (name in input.properties && input.properties[name] !== SECRET_MASK) {
        throw new ConnectionError(
          ConnectionErrorCode.INVALID_REQUEST,
          `'${name}' is both set and cleared`,
          { field: `properties.${name}` },
        );
      }
    }
    const cleared = new Set(input.clearSecretProperties);
    const merged: Record<string, string> = {};
    // Stored secrets carry over unless cleared or no longer part of the auth method.
    for (const [name, value] of Object.entries(stored)) {
      if (secretNames.has(name) && !cleared.has(name)) merged[name] = value;
    }
    for (const [name, value] of Object.entries(input.properties)) {
      if (secretNames.has(name) && value === SECRET_MASK) {
        if (!(name in stored) || cleared.has(name)) {
          throw new ConnectionError(
            ConnectionErrorCode.INVALID_REQUEST,
            `'${name}' was sent as the mask but no value is stored; send the real value`,
            { field: `properties.${name}` },
          );
        }
        continue;
      }
      merged[name] = value;
    }
    return merged;
  }

  /** Refused while any datastore uses the connection. */
  async delete(id: string): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const connection = await this.repository.lockById(id, manager);
      if (!connection) {
        throw new ConnectionError(ConnectionErrorCode.NOT_FOUND, `connection '${id}' does not exist`, { field: 'id' });
      }
      const users = await this.repository.datastoresUsing(id, manager);
      if (users.length > 0) {
        throw new ConnectionError(
          ConnectionErrorCode.IN_USE,
          `connection '${connection.name}' is used by ${users.length} datastore(s): ${users
            .map((d) => d.name)
            .join(', ')}; delete or move them first`,
          { field: 'id', blockingIds: users.map((d) => d.id) },
        );
      }
      await this.repository.delete(id, manager);
    });
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  SECRET_MASK,
  findReferences,
  mapSettledWithConcurrency,
  secretPropertyNames,
  substituteReferences,
  validateConnectionProperties,
  validateScope,
  type ValidatedConnection,
} from '@plumbline/common';
import type { dataplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConnectionTester, type ResolvedTarget } from '../connection-testing/connection-tester';
import { isUuid } from '../database/ids';
import { UnitOfWork } from '../database/unit-of-work';
import { SecretsManagerEntity } from '../secrets-managers/secrets-manager.entity';
import { SecretsManagersService } from '../secrets-managers/secrets-managers.service';
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
  /** Empty for none. */
  secretsManagerId: string;
}

export interface ConnectionUpdateInput {
  id: string;
  name: string;
  authMethod: string;
  properties: Record<string, string>;
  clearSecretProperties: string[];
  /** Unchanged when undefined, detached when empty. */
  secretsManagerId: string | undefined;
}

/** A validated, not yet persisted connection together with its resolved plaintext properties. */
export interface ConnectionDraft {
  entity: ConnectionEntity;
  properties: Record<string, string>;
}

/** Raw (as stored, `${key}` references intact) connection properties and where they resolve. */
interface RawConnection {
  connector: string;
  authMethod: string;
  properties: Record<string, string>;
  secretsManagerId: string | null;
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
    private readonly secretsManagers: SecretsManagersService,
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
  ) {}

  /** Validates a spec, resolving its references, and builds the row to insert; nothing is written. */
  async draft(spec: ConnectionSpecInput, fieldPrefix = 'connection'): Promise<ConnectionDraft> {
    const name = validateName(spec.name, `${fieldPrefix}.name`);
    const raw: RawConnection = {
      connector: spec.connector,
      authMethod: spec.authMethod,
      properties: spec.properties,
      secretsManagerId: spec.secretsManagerId || null,
    };
    const valid = await this.resolveProperties(raw, true);
    const entity = Object.assign(new ConnectionEntity(), { id: randomUUID(), name });
    this.store(entity, raw, valid);
    return { entity, properties: valid.properties };
  }

  /** Decrypted, reference-resolved properties of a saved connection, ready for the dataplane. */
  async resolve(
    entity: ConnectionEntity,
    scope: Record<string, string>,
    /** The connection's integration when the caller already loaded it (saves a lookup). */
    secretsManager?: SecretsManagerEntity,
  ): Promise<ResolvedTarget> {
    const valid = await this.resolveProperties(
      {
        connector: entity.connector,
        authMethod: entity.authMethod,
        properties: { ...entity.properties, ...this.secrets.open(entity.id, entity.secretProperties) },
        secretsManagerId: entity.secretsManagerId,
      },
      false,
      secretsManager,
    );
    return { connector: valid.connector, authMethod: valid.authMethod, properties: valid.properties, scope };
  }

  /**
   * Replaces `${key}` references with the secrets manager's data, fetched now
   * (never cached, so a rotated secret is used at once), then validates the
   * result: a value that only exists after resolution is checked like any other.
   */
  private async resolveProperties(
    raw: RawConnection,
    checkAttachment: boolean,
    preloaded?: SecretsManagerEntity,
  ): Promise<ValidatedConnection> {
    const referencing = Object.entries(raw.properties)
      .filter(([name, value]) => findReferences(value, name).length > 0)
      .map(([name]) => name);
    if (referencing.length > 0 && !raw.secretsManagerId) {
      throw new ConnectionError(
        ConnectionErrorCode.INVALID_REQUEST,
        `property '${referencing[0]}' holds a \${…} reference, but the connection names no secrets manager`,
        { field: `properties.${referencing[0]}` },
      );
    }
    if (referencing.length === 0 && checkAttachment && raw.secretsManagerId) {
      // Nothing to fetch, but a new or edited attachment must name an integration that exists.
      await this.secretsManagers.mustFind(raw.secretsManagerId, 'secrets_manager_id');
    }
    // fetchData looks the integration up itself: one lookup per use.
    const data = referencing.length > 0 ? await this.secretsManagers.fetchData(raw.secretsManagerId!, preloaded) : {};
    return validateConnectionProperties(
      {
        connector: raw.connector,
        authMethod: raw.authMethod || undefined,
        properties: substituteReferences(raw.properties, data),
      },
      'create',
    );
  }

  /**
   * Writes validated properties onto the row. A property that holds references
   * is stored as written (the references, not the resolved value); the others
   * as normalized by validation. Secret ones are sealed.
   */
  private store(entity: ConnectionEntity, raw: RawConnection, valid: ValidatedConnection): void {
    const stored: Record<string, string> = {};
    for (const [name, value] of Object.entries(valid.properties)) {
      const written = raw.properties[name];
      stored[name] = written !== undefined && findReferences(written).length > 0 ? written : value;
    }
    const { plain, secrets } = splitSecrets(stored, new Set(secretPropertyNames(valid.connector, valid.authMethod)));
    Object.assign(entity, {
      connector: valid.connector,
      authMethod: valid.authMethod,
      properties: plain,
      secretProperties: this.secrets.seal(entity.id, secrets),
      secretPropertyNames: Object.keys(secrets).sort(),
      secretsManagerId: raw.secretsManagerId,
    });
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
      const { entity, properties } = await this.draft(connection.spec);
      return this.tester.test({
        connector: entity.connector,
        authMethod: entity.authMethod,
        properties,
        scope: this.scopeFor(entity.connector, scope),
      });
    }
    const entity = await this.mustFind(connection.connectionId, undefined, 'connection_id');
    return this.tester.test(await this.resolve(entity, this.scopeFor(entity.connector, scope)));
  }

  /**
   * Re-verifies the edited connection against every datastore that uses it and
   * saves only if all pass. A secret sent back as the mask keeps its stored value.
   */
  async update(input: ConnectionUpdateInput): Promise<{ connection: ConnectionEntity; verified: number }> {
    const current = await this.mustFind(input.id);
    const authMethod = input.authMethod || current.authMethod;
    const stored = this.secrets.open(current.id, current.secretProperties);
    const raw: RawConnection = {
      connector: current.connector,
      authMethod,
      // Masks are replaced by stored values here, so the merged set must be complete.
      properties: this.mergeProperties(current, authMethod, input, stored),
      secretsManagerId: input.secretsManagerId === undefined ? current.secretsManagerId : input.secretsManagerId || null,
    };
    const valid = await this.resolveProperties(raw, true);

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
    });
    this.store(next, raw, valid);
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

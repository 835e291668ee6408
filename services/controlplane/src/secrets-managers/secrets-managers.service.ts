import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SECRET_MASK } from '@plumbline/common';
import { SecretCipher } from '../crypto';
import { isUuid } from '../database/ids';
import { PG_FOREIGN_KEY_VIOLATION, UnitOfWork, pgErrorCode } from '../database/unit-of-work';
import { HttpSecretsClient, validateSecretsManagerConfig, type SecretsManagerConfig } from './http-secrets-client';
import { SecretsManagerEntity } from './secrets-manager.entity';
import { SecretsManagerError, SecretsManagerErrorCode } from './secrets-manager.errors';
import { SecretsManagersRepository } from './secrets-managers.repository';

export interface SecretsManagerSpecInput extends SecretsManagerConfig {
  name: string;
}

const PAYLOAD = { table: 'secrets_manager', column: 'credentials_payload' } as const;
const MAX_NAME_LENGTH = 200;

function invalid(field: string, message: string): SecretsManagerError {
  return new SecretsManagerError(SecretsManagerErrorCode.INVALID_CONFIGURATION, field, message);
}

/**
 * Secrets-manager integrations: records, their encrypted credentials payload,
 * and fetching their data on every use (no cache, so a rotated secret is
 * picked up at once). Only the controlplane ever talks to a secrets manager.
 */
@Injectable()
export class SecretsManagersService {
  constructor(
    private readonly repository: SecretsManagersRepository,
    private readonly cipher: SecretCipher,
    private readonly client: HttpSecretsClient,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(spec: SecretsManagerSpecInput): Promise<SecretsManagerEntity> {
    if (spec.credentialsPayload === SECRET_MASK) {
      throw invalid('spec.credentials_payload', 'the mask cannot be a credentials payload; send the real JSON document');
    }
    const entity = Object.assign(new SecretsManagerEntity(), { id: randomUUID() });
    this.apply(entity, spec, spec.credentialsPayload);
    return this.repository.insert(entity);
  }

  async get(id: string): Promise<{ entity: SecretsManagerEntity; connectionCount: number }> {
    const entity = await this.mustFind(id);
    const counts = await this.repository.usageCounts([id]);
    return { entity, connectionCount: counts.get(id) ?? 0 };
  }

  async list(): Promise<Array<{ entity: SecretsManagerEntity; connectionCount: number }>> {
    const entities = await this.repository.list();
    const counts = await this.repository.usageCounts(entities.map((e) => e.id));
    return entities.map((entity) => ({ entity, connectionCount: counts.get(entity.id) ?? 0 }));
  }

  /**
   * Replaces the definition; a payload sent back as the mask keeps the stored
   * one, and is then not written at all, so it cannot undo a new payload
   * saved by another edit meanwhile.
   */
  async update(id: string, spec: SecretsManagerSpecInput): Promise<SecretsManagerEntity> {
    const current = await this.mustFind(id);
    const keepPayload = spec.credentialsPayload === SECRET_MASK;
    const payload = keepPayload ? this.openPayload(current) : spec.credentialsPayload;
    const next = Object.assign(new SecretsManagerEntity(), current);
    this.apply(next, spec, payload);
    return this.repository.update(next, { keepPayload });
  }

  /** Refused while a connection names the integration. */
  async delete(id: string): Promise<void> {
    await this.mustFind(id);
    try {
      await this.unitOfWork.run(async (manager) => {
        const locked = await this.repository.lockById(id, manager);
        if (!locked) return;
        const users = await this.repository.connectionsUsing(id, manager);
        if (users.length > 0) throw this.inUse(locked.name, users);
        await this.repository.delete(id, manager);
      });
    } catch (error) {
      // A connection attached between the check and the delete: the foreign key refuses.
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw this.inUse(id, []);
      throw error;
    }
  }

  /** Logs in and fetches, reporting only the key names found. */
  async test(target: { spec: SecretsManagerSpecInput } | { id: string }): Promise<{ keys: string[] }> {
    if ('spec' in target) {
      this.apply(new SecretsManagerEntity(), target.spec, target.spec.credentialsPayload);
      return this.client.testIntegration(target.spec);
    }
    return this.client.testIntegration(this.config(await this.mustFind(target.id)));
  }

  /** The integration's current data: fetched now, never cached. `loaded` spares the lookup. */
  async fetchData(id: string, loaded?: SecretsManagerEntity): Promise<Record<string, string>> {
    const entity = loaded?.id === id ? loaded : await this.mustFind(id, 'secrets_manager_id');
    return this.client.fetchData(this.config(entity));
  }

  async mustFind(id: string, field = 'id'): Promise<SecretsManagerEntity> {
    if (!isUuid(id)) throw invalid(field, `${field} must be a secrets manager id (a UUID)`);
    const entity = await this.repository.findById(id);
    if (!entity) {
      throw new SecretsManagerError(SecretsManagerErrorCode.NOT_FOUND, field, `secrets manager '${id}' does not exist`);
    }
    return entity;
  }

  private config(entity: SecretsManagerEntity): SecretsManagerConfig {
    return {
      loginUrl: entity.loginUrl,
      credentialsPayload: this.openPayload(entity),
      tokenPath: entity.tokenPath,
      secretUrl: entity.secretUrl,
      tokenHeader: entity.tokenHeader,
      tokenPrefix: entity.tokenPrefix,
      dataPath: entity.dataPath,
      caBundle: entity.caBundle || undefined,
    };
  }

  private openPayload(entity: SecretsManagerEntity): string {
    return this.cipher.decrypt(entity.credentialsPayload, { ...PAYLOAD, rowId: entity.id });
  }

  /** Validates `spec` (no network) and writes it onto `entity`, sealing the payload. */
  private apply(entity: SecretsManagerEntity, spec: SecretsManagerSpecInput, payload: string): void {
    const name = spec.name.trim();
    if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw invalid('spec.name', `spec.name must be 1 to ${MAX_NAME_LENGTH} characters`);
    }
    validateSecretsManagerConfig({ ...spec, credentialsPayload: payload, caBundle: spec.caBundle || undefined });
    Object.assign(entity, {
      name,
      loginUrl: spec.loginUrl.trim(),
      credentialsPayload: entity.id ? this.cipher.encrypt(payload, { ...PAYLOAD, rowId: entity.id }) : '',
      tokenPath: spec.tokenPath.trim(),
      secretUrl: spec.secretUrl.trim(),
      tokenHeader: spec.tokenHeader.trim(),
      tokenPrefix: spec.tokenPrefix ?? '',
      dataPath: spec.dataPath.trim(),
      caBundle: spec.caBundle ?? '',
    });
  }

  private inUse(name: string, users: Array<{ id: string; name: string }>): SecretsManagerError {
    const names = users.map((u) => u.name).join(', ');
    return new SecretsManagerError(
      SecretsManagerErrorCode.IN_USE,
      'id',
      `secrets manager '${name}' is used by ${users.length || 'at least one'} connection(s)${names ? `: ${names}` : ''}; detach them first`,
    );
  }
}

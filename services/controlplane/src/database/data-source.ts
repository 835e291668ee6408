import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ConnectionEntity } from '../connections/connection.entity';
import { DatastoreEntity } from '../datastores/datastore.entity';
import { SecretsManagerEntity } from '../secrets-managers/secrets-manager.entity';
import { ConnectionsAndDatastores1764000000000 } from './migrations/1764000000000-ConnectionsAndDatastores';
import { SecretsManagers1764100000000 } from './migrations/1764100000000-SecretsManagers';
import { Operations1764200000000 } from './migrations/1764200000000-Operations';
import { Catalog1764300000000 } from './migrations/1764300000000-Catalog';
import { ProfilesAndChecks1764400000000 } from './migrations/1764400000000-ProfilesAndChecks';
import { Anomalies1764500000000 } from './migrations/1764500000000-Anomalies';
import { OperationEntity } from '../operations/operation.entity';

export const ENTITIES = [ConnectionEntity, DatastoreEntity, SecretsManagerEntity, OperationEntity];
export const MIGRATIONS = [ConnectionsAndDatastores1764000000000, SecretsManagers1764100000000, Operations1764200000000, Catalog1764300000000, ProfilesAndChecks1764400000000, Anomalies1764500000000];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsTransactionMode: 'each',
    applicationName: 'plumbline-controlplane',
  };
}

/** Used by the typeorm CLI (`pnpm migration:run` / `migration:revert` / `migration:generate`). */
export default new DataSource(
  dataSourceOptions(process.env.PLUMBLINE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plumbline'),
);

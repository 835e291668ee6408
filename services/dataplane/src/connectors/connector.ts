import { type dataplane } from '@plumbline/proto';
import {
  type Progress,
  type ProfileInput,
  type ProfileResult,
  type ScanInput,
  type ScanResult,
  type SyncResult,
} from './operations/types';

/** A decrypted, secret-resolved connection plus the scope to work in. Lives for one call. */
export interface ConnectorTarget {
  /** Catalog connector id, e.g. `postgresql`. */
  connector: string;
  /** Catalog auth method id, e.g. `basic`; empty means the connector's default. */
  authMethod: string;
  /** Connection properties (host, port, username, password, ...), secrets included. */
  properties: Readonly<Record<string, string>>;
  /** Datastore scope (database, schema, root_path, ...). */
  scope: Readonly<Record<string, string>>;
}

/** What every operation gets besides its target: a time limit and a way to stop early. */
export interface OperationOptions {
  /** Epoch ms by which the whole operation must end. */
  deadline: number;
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
}

export type TestOptions = OperationOptions;

/** Sync, Profile and Scan also report progress between statements. */
export interface RunOptions extends OperationOptions {
  progress?: (progress: Progress) => void;
}

/**
 * One data source's driver. Each connector lives in its own folder under
 * `connectors/` and is listed once in `registry.ts`.
 *
 * Operations share one shape, `(target, options)`, so sync / profile / scan
 * join `test` here as methods with their own inputs and results.
 */
export interface Connector {
  /** The catalog connector id this implements. */
  readonly id: string;
  /**
   * "Can I reach and read this scope?" as a list of steps. Never throws and
   * never returns a secret in any text: failures are steps with an error code.
   */
  test(target: ConnectorTarget, options: TestOptions): Promise<dataplane.ConnectionTestResult>;
  /**
   * Sync: the scope's containers (tables, views) and fields with types,
   * nullability and key membership. Compare two with `diffCatalog`.
   * Operations throw an `OperationError` (never with a secret in its text).
   */
  sync(target: ConnectorTarget, options: RunOptions): Promise<SyncResult>;
  /** Profile one container inside the database (one aggregate pass) and infer checks. */
  profile(target: ConnectorTarget, input: ProfileInput, options: RunOptions): Promise<ProfileResult>;
  /** Scan: evaluate checks as queries; violating counts and capped samples of rows. */
  scan(target: ConnectorTarget, input: ScanInput, options: RunOptions): Promise<ScanResult>;
}

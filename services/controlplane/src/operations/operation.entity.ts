import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type OperationTypeName = 'sync' | 'profile' | 'scan' | 'test_connection';
export type OperationStatusName = 'queued' | 'running' | 'success' | 'failure' | 'aborted';
export const TERMINAL_STATUSES: readonly OperationStatusName[] = ['success', 'failure', 'aborted'];

/** Options as stored (jsonb): plain numbers, no bigint. */
export interface StoredOptions {
  containers?: string[];
  sampleFraction?: number;
  recordLimit?: number;
  inferenceLevel?: number;
  incrementalColumn?: string;
  anomalySampleLimit?: number;
}

/** bigint columns come back from pg as strings; counts here stay well below 2^53. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | number) => Number(value) };

@Entity({ name: 'operation' })
export class OperationEntity {
  /** Also the BullMQ job id: enqueueing twice cannot make two jobs. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'datastore_id' })
  datastoreId!: string;

  @Column('text')
  type!: OperationTypeName;

  @Column('text')
  status!: OperationStatusName;

  @Column('jsonb')
  options!: StoredOptions;

  /** Attempts started; the current one's number is its fencing token. */
  @Column('integer')
  attempt!: number;

  @Column('boolean', { name: 'abort_requested' })
  abortRequested!: boolean;

  @Column('bigint', { name: 'progress_done', transformer: bigintAsNumber })
  progressDone!: number;

  @Column('bigint', { name: 'progress_total', transformer: bigintAsNumber })
  progressTotal!: number;

  @Column('text', { name: 'progress_message' })
  progressMessage!: string;

  @Column('jsonb')
  counts!: Record<string, number>;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { controlplane } from '@plumbline/proto';
import type { OperationEntity, OperationStatusName, OperationTypeName, StoredOptions } from './operation.entity';

const TYPES: Record<OperationTypeName, controlplane.OperationType> = {
  sync: controlplane.OperationType.SYNC,
  profile: controlplane.OperationType.PROFILE,
  scan: controlplane.OperationType.SCAN,
  test_connection: controlplane.OperationType.TEST_CONNECTION,
};

const STATUSES: Record<OperationStatusName, controlplane.OperationStatus> = {
  queued: controlplane.OperationStatus.QUEUED,
  running: controlplane.OperationStatus.RUNNING,
  success: controlplane.OperationStatus.SUCCESS,
  failure: controlplane.OperationStatus.FAILURE,
  aborted: controlplane.OperationStatus.ABORTED,
};

export function storedOptions(options: controlplane.OperationOptions | undefined): StoredOptions {
  if (!options) return {};
  return {
    containers: [...options.containers],
    sampleFraction: options.sampleFraction,
    recordLimit: Number(options.recordLimit),
    inferenceLevel: options.inferenceLevel,
    incrementalColumn: options.incrementalColumn,
    anomalySampleLimit: options.anomalySampleLimit,
  };
}

export function typeName(type: controlplane.OperationType): OperationTypeName | undefined {
  return (Object.keys(TYPES) as OperationTypeName[]).find((name) => TYPES[name] === type);
}

export function statusName(status: controlplane.OperationStatus): OperationStatusName | undefined {
  return (Object.keys(STATUSES) as OperationStatusName[]).find((name) => STATUSES[name] === status);
}

export function typeEnum(type: OperationTypeName): controlplane.OperationType {
  return TYPES[type];
}

export function optionsMessage(options: StoredOptions): controlplane.OperationOptions {
  return create(controlplane.OperationOptionsSchema, { ...options, recordLimit: BigInt(options.recordLimit ?? 0) });
}

export function toOperationMessage(entity: OperationEntity): controlplane.Operation {
  return create(controlplane.OperationSchema, {
    id: entity.id,
    datastoreId: entity.datastoreId,
    type: TYPES[entity.type],
    status: STATUSES[entity.status],
    options: optionsMessage(entity.options),
    attempt: entity.attempt,
    progressDone: BigInt(entity.progressDone),
    progressTotal: BigInt(entity.progressTotal),
    progressMessage: entity.progressMessage,
    counts: {
      containers: entity.counts.containers ?? 0,
      fields: entity.counts.fields ?? 0,
      checks: entity.counts.checks ?? 0,
      anomalies: entity.counts.anomalies ?? 0,
      rows: BigInt(entity.counts.rows ?? 0),
    },
    ...(entity.errorCode ? { error: { code: entity.errorCode, message: entity.errorMessage ?? '' } } : {}),
    createTime: timestampFromDate(entity.createdAt),
    ...(entity.startedAt ? { startTime: timestampFromDate(entity.startedAt) } : {}),
    ...(entity.finishedAt ? { finishTime: timestampFromDate(entity.finishedAt) } : {}),
  });
}

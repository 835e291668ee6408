import { controlplane } from '@plumbline/proto';
import { enumName, formatTime, orDash, renderTable } from '../../output';

export const OPERATION_TYPES: Record<string, controlplane.OperationType> = {
  sync: controlplane.OperationType.SYNC,
  profile: controlplane.OperationType.PROFILE,
  scan: controlplane.OperationType.SCAN,
  test_connection: controlplane.OperationType.TEST_CONNECTION,
};

export const OPERATION_STATUSES: Record<string, controlplane.OperationStatus> = {
  queued: controlplane.OperationStatus.QUEUED,
  running: controlplane.OperationStatus.RUNNING,
  success: controlplane.OperationStatus.SUCCESS,
  failure: controlplane.OperationStatus.FAILURE,
  aborted: controlplane.OperationStatus.ABORTED,
};

export const typeLabel = (type: controlplane.OperationType) => enumName(controlplane.OperationType, type).toLowerCase();
export const statusLabel = (status: controlplane.OperationStatus) =>
  enumName(controlplane.OperationStatus, status).toLowerCase();

export function operationsTable(operations: readonly controlplane.Operation[]): string {
  return renderTable(
    ['id', 'type', 'status', 'attempt', 'progress', 'created', 'error'],
    operations.map((o) => [
      o.id,
      typeLabel(o.type),
      statusLabel(o.status),
      String(o.attempt),
      o.progressTotal > 0n ? `${o.progressDone}/${o.progressTotal}` : '-',
      formatTime(o.createTime),
      orDash(o.error ? `${o.error.code}: ${o.error.message}` : ''),
    ]),
    '(no operations)',
  );
}

export function operationDetails(o: controlplane.Operation): string {
  const lines = [
    `id:        ${o.id}`,
    `datastore: ${o.datastoreId}`,
    `type:      ${typeLabel(o.type)}`,
    `status:    ${statusLabel(o.status)} (attempt ${o.attempt})`,
    `progress:  ${o.progressDone}/${o.progressTotal} ${o.progressMessage}`.trimEnd(),
    `created:   ${formatTime(o.createTime)}`,
    `started:   ${formatTime(o.startTime)}`,
    `finished:  ${formatTime(o.finishTime)}`,
  ];
  if (o.error) lines.push(`error:     ${o.error.code}: ${o.error.message}`);
  return lines.join('\n');
}

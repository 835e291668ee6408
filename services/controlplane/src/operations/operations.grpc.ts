import { Injectable } from '@nestjs/common';
import type { CallContext, ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { statusName, storedOptions, toOperationMessage, typeName } from './operation.mapper';
import { OperationsService } from './operations.service';

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1_000;

/** gRPC face of operations. */
@Injectable()
export class OperationsGrpcHandler implements ImplementationOf<typeof controlplane.OperationService> {
  constructor(private readonly operations: OperationsService) {}

  async enqueueOperation(request: controlplane.EnqueueOperationRequest) {
    const entity = await this.operations.enqueue(request.datastoreId, typeName(request.type), storedOptions(request.options));
    return { operation: toOperationMessage(entity) };
  }

  async getOperation(request: controlplane.GetOperationRequest) {
    return { operation: toOperationMessage(await this.operations.get(request.id)) };
  }

  async listOperations(request: controlplane.ListOperationsRequest) {
    const rows = await this.operations.list({
      datastoreId: request.datastoreId || undefined,
      type: typeName(request.type),
      status: statusName(request.status),
      limit: Math.min(request.limit || DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT),
    });
    return { operations: rows.map(toOperationMessage) };
  }

  async *watchOperation(request: controlplane.WatchOperationRequest, context: CallContext) {
    for await (const entity of this.operations.watch(request.id, context.signal)) {
      yield { operation: toOperationMessage(entity) };
    }
  }

  async abortOperation(request: controlplane.AbortOperationRequest) {
    return { operation: toOperationMessage(await this.operations.abort(request.id)) };
  }
}

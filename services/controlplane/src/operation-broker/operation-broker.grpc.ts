import { Injectable } from '@nestjs/common';
import type { ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { OperationError, OperationErrorCode } from '../operations/operation.errors';
import { optionsMessage, statusName, typeEnum } from '../operations/operation.mapper';
import { OperationBrokerService } from './operation-broker.service';

/** Served to the dataplane identity only: the worker's side of an operation. */
@Injectable()
export class OperationBrokerGrpcHandler implements ImplementationOf<typeof controlplane.OperationBrokerService> {
  constructor(private readonly broker: OperationBrokerService) {}

  async startOperation(request: controlplane.StartOperationRequest) {
    const { operation, target, checks, highWaterMarks } = await this.broker.start(request.operationId);
    return {
      operationId: operation.id,
      fencingToken: operation.attempt,
      type: typeEnum(operation.type),
      options: optionsMessage(operation.options),
      target,
      checks,
      highWaterMarks,
    };
  }

  async reportProgress(request: controlplane.ReportProgressRequest) {
    const abort = await this.broker.progress(
      request.operationId,
      request.fencingToken,
      Number(request.done),
      Number(request.total),
      request.message,
    );
    return { abort };
  }

  async submitResults(request: controlplane.SubmitResultsRequest): Promise<Record<string, never>> {
    await this.broker.acceptResults(request.operationId, request.fencingToken, request.batch);
    return {};
  }

  async finishOperation(request: controlplane.FinishOperationRequest) {
    const status = statusName(request.status);
    if (status !== 'success' && status !== 'failure' && status !== 'aborted') {
      throw new OperationError(OperationErrorCode.INVALID_REQUEST, 'status must be SUCCESS, FAILURE or ABORTED', 'status');
    }
    await this.broker.finish(request.operationId, request.fencingToken, {
      status,
      errorCode: request.error?.code ?? '',
      errorMessage: request.error?.message ?? '',
      counts: {
        containers: request.counts?.containers ?? 0,
        fields: request.counts?.fields ?? 0,
        checks: request.counts?.checks ?? 0,
        anomalies: request.counts?.anomalies ?? 0,
        rows: Number(request.counts?.rows ?? 0),
      },
    });
    return {};
  }
}

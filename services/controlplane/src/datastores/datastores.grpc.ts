import { Injectable } from '@nestjs/common';
import type { ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { toConnectionMessage } from '../connections/connection.mapper';
import { specInput } from '../connections/connections.grpc';
import { DatastoreError, DatastoreErrorCode } from './datastore.errors';
import { toDatastoreMessage } from './datastore.mapper';
import { DatastoresService } from './datastores.service';

/** gRPC face of the datastores feature. */
@Injectable()
export class DatastoresGrpcHandler implements ImplementationOf<typeof controlplane.DatastoreService> {
  constructor(private readonly datastores: DatastoresService) {}

  async createDatastore(request: controlplane.CreateDatastoreRequest) {
    const connection =
      request.connection.case === 'newConnection'
        ? { spec: specInput(request.connection.value, 'new_connection') }
        : request.connection.case === 'connectionId'
          ? { connectionId: request.connection.value }
          : undefined;
    if (!connection) {
      throw new DatastoreError(
        DatastoreErrorCode.INVALID_REQUEST,
        'new_connection or connection_id is required',
        'connection',
      );
    }
    const created = await this.datastores.create({ name: request.name, connection, scope: request.scope });
    return {
      datastore: toDatastoreMessage(created.datastore),
      connection: toConnectionMessage(created.connection, created.connectionDatastoreCount),
      testResult: created.testResult,
    };
  }

  async getDatastore(request: controlplane.GetDatastoreRequest) {
    return { datastore: toDatastoreMessage(await this.datastores.get(request.id)) };
  }

  async listDatastores(request: controlplane.ListDatastoresRequest) {
    const rows = await this.datastores.list({ connectionId: request.connectionId || undefined });
    return { datastores: rows.map(toDatastoreMessage) };
  }

  async updateDatastore(request: controlplane.UpdateDatastoreRequest) {
    const datastore = await this.datastores.update({ id: request.id, name: request.name, scope: request.scope });
    return { datastore: toDatastoreMessage(datastore) };
  }

  async deleteDatastore(request: controlplane.DeleteDatastoreRequest) {
    await this.datastores.delete(request.id);
    return {};
  }

  async testDatastore(request: controlplane.TestDatastoreRequest) {
    return { result: await this.datastores.test(request.id) };
  }
}

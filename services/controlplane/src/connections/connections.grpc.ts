import { Injectable } from '@nestjs/common';
import { listConnectorTypes } from '@plumbline/common';
import type { ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { ConnectionError, ConnectionErrorCode } from './connection.errors';
import { toConnectionMessage } from './connection.mapper';
import { toConnectorTypeMessage } from './connector-type.mapper';
import { ConnectionsService, type ConnectionSpecInput } from './connections.service';

export function specInput(spec: controlplane.ConnectionSpec | undefined, field: string): ConnectionSpecInput {
  if (!spec) {
    throw new ConnectionError(ConnectionErrorCode.INVALID_REQUEST, `${field} is required`, { field });
  }
  return {
    name: spec.name,
    connector: spec.connector,
    authMethod: spec.authMethod,
    properties: spec.properties,
    secretsManagerId: spec.secretsManagerId,
  };
}

/** gRPC face of the connections feature: unpacks requests, packs responses, nothing else. */
@Injectable()
export class ConnectionsGrpcHandler implements ImplementationOf<typeof controlplane.ConnectionService> {
  constructor(private readonly connections: ConnectionsService) {}

  async listConnectorTypes() {
    return { connectorTypes: listConnectorTypes().map(toConnectorTypeMessage) };
  }

  async testConnection(request: controlplane.TestConnectionRequest) {
    const target =
      request.connection.case === 'spec'
        ? { spec: specInput(request.connection.value, 'spec') }
        : request.connection.case === 'connectionId'
          ? { connectionId: request.connection.value }
          : undefined;
    if (!target) {
      throw new ConnectionError(ConnectionErrorCode.INVALID_REQUEST, 'spec or connection_id is required', {
        field: 'connection',
      });
    }
    return { result: await this.connections.testUnsaved(target, request.scope) };
  }

  async getConnection(request: controlplane.GetConnectionRequest) {
    const { connection, datastoreCount } = await this.connections.get(request.id);
    return { connection: toConnectionMessage(connection, datastoreCount) };
  }

  async listConnections() {
    const rows = await this.connections.list();
    return { connections: rows.map((row) => toConnectionMessage(row.connection, row.datastoreCount)) };
  }

  async updateConnection(request: controlplane.UpdateConnectionRequest) {
    const { connection, verified } = await this.connections.update({
      id: request.id,
      name: request.name,
      authMethod: request.authMethod,
      properties: request.properties,
      clearSecretProperties: request.clearSecretProperties,
      secretsManagerId: request.secretsManagerId,
    });
    return { connection: toConnectionMessage(connection, verified), verifiedDatastores: verified };
  }

  async deleteConnection(request: controlplane.DeleteConnectionRequest) {
    await this.connections.delete(request.id);
    return {};
  }
}

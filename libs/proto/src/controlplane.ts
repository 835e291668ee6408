export * from './gen/plumbline/controlplane/v1/connection_pb';
export * from './gen/plumbline/controlplane/v1/datastore_pb';
export * from './gen/plumbline/controlplane/v1/errors_pb';
export * from './gen/plumbline/controlplane/v1/secrets_manager_pb';
export * from './gen/plumbline/controlplane/v1/key_service_pb';
export * from './gen/plumbline/controlplane/v1/operation_pb';
export * from './gen/plumbline/controlplane/v1/operation_broker_pb';

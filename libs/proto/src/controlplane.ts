export * from './gen/plumbline/controlplane/v1/connection_pb';
export * from './gen/plumbline/controlplane/v1/datastore_pb';
export * from './gen/plumbline/controlplane/v1/errors_pb';

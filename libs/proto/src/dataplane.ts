export * from './gen/plumbline/dataplane/v1/connection_test_pb';
export * from './gen/plumbline/dataplane/v1/dataplane_service_pb';

export * from './grpc-server-host';

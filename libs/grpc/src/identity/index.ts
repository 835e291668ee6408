export * from './peer-identity';
export * from './identity-interceptor';

export * from './adapter';
export * from './tls';
export * from './identity';
export * from './health-reflection';
export * from './server';

export * from './service-urls';
export * from './test-services';
export * from './databases';
export * from './scratch-postgres';
export * from './scratch-redis';

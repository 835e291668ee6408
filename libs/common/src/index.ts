export * from './connectors';
export * from './secrets';
export * from './concurrency/map-with-concurrency';
export * from './logging/logger';
export * from './operations/queue';
export * from './operations/redis-options';

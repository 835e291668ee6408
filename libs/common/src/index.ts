export * from './connectors';
export * from './concurrency/map-with-concurrency';
export * from './logging/logger';

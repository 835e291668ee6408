export * from './errors';
export * from './references';

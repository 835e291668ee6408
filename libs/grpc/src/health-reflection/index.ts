export * from './health-reflection';

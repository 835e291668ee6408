export * from './format';
export * from './json';
export * from './progress';
export * from './table';
export * from './test-result';
export * from './operation-progress';

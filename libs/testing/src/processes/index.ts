export * from './service-process';
export * from './plumbline-stack';

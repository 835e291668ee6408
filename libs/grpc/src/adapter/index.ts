export * from './service-adapter';
export * from './client';
export * from './status-error';

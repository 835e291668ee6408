export * from './services';
export * from './processes';
export * from './pki';

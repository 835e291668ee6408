export * from './services';
export * from './processes';
export * from './pki';
export * from './network';
export * from './fakes';

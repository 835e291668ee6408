export * from './pki';
export * from './pki-directory';

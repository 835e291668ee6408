export * from './tls';
export * from './controlplane-client';

export * from './tls-config';

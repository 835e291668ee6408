// Shared machinery of connectivity checks: every connector's `test` is a list
// of recorded steps built from these pieces.
export * from './config';
export * from './dns';
export * from './endpoint';
export * from './errors';
export * from './scrub';
export * from './socket-reader';
export * from './step-recorder';
export * from './tcp';
export * from './tls';
export * from './reach';

// Contracts are namespaced by proto package: both packages declare a
// TestConnectionRequest, and callers should say which one they mean.
export * as controlplane from './controlplane';
export * as dataplane from './dataplane';

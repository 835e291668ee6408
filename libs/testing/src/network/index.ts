// Loopback-only network fakes for connector tests: DNS, dropped packets, closed
// and silent ports, and protocol fakes of PostgreSQL and MySQL servers.
export * from './blackhole';
export * from './dns-server';
export * from './fake-servers';
export * from './ports';

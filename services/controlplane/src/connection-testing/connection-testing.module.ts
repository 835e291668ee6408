import { Module } from '@nestjs/common';
import { DataplaneClient } from '../dataplane-client/dataplane.client';
import { tlsProvider } from '../grpc/tls.provider';
import { ConnectionTester } from './connection-tester';

@Module({
  providers: [ConnectionTester, DataplaneClient, tlsProvider],
  exports: [ConnectionTester, tlsProvider],
})
export class ConnectionTestingModule {}

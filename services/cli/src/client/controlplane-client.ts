import type * as grpc from '@grpc/grpc-js';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { createClient, type ServiceClient, type ServiceDesc } from '@plumbline/grpc';

/**
 * The CLI's line to the controlplane: clients are made on first use (a command
 * that fails its flag checks never dials), one per service, and closed together.
 */
export class ControlplaneClient {
  private credentials: grpc.ChannelCredentials | undefined;
  private readonly open: Array<{ close(): void }> = [];

  constructor(
    readonly address: string,
    private readonly makeCredentials: () => grpc.ChannelCredentials,
  ) {}

  service<S extends GenServiceMethods>(descriptor: ServiceDesc<S>): ServiceClient<S> {
    this.credentials ??= this.makeCredentials();
    const client = createClient(descriptor, this.address, this.credentials);
    this.open.push(client);
    return client;
  }

  close(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}

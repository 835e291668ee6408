import { type Socket } from 'node:net';
import { dataplane } from '@plumbline/proto';
import { resolveHost } from './dns';
import { Endpoint } from './endpoint';
import { notApplicable, type RunStep } from './step-recorder';
import { connectTcp, timeoutError } from './tcp';

const { StepName } = dataplane;

/** DNS_RESOLVE then TCP_CONNECT, how every SQL check begins: the endpoint and an open socket (the caller owns it). */
export async function reachEndpoint(step: RunStep, host: string, port: number): Promise<{ endpoint: Endpoint; socket: Socket }> {
  const resolved = await step(StepName.DNS_RESOLVE, (context) => resolveHost(host, context));
  const endpoint = await Endpoint.resolved(host, port, resolved.ip);
  const socket = await step(StepName.TCP_CONNECT, (context) => connectTcp(endpoint, context), {
    onTimeout: () => timeoutError(endpoint, 'opening a TCP connection'),
  });
  return { endpoint, socket };
}

/** SCOPE_PROBE and PRIVILEGE_PROBE when a connection is checked without a datastore (an orphan's edit). */
export async function skipScopeSteps(step: RunStep): Promise<void> {
  const reason = 'no datastore scope given: a connection-level check (reach and log in)';
  await step(StepName.SCOPE_PROBE, async () => notApplicable(reason));
  await step(StepName.PRIVILEGE_PROBE, async () => notApplicable(reason));
}

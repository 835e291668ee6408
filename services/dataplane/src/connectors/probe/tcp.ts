import { connect, type Socket } from 'node:net';
import { dataplane } from '@plumbline/proto';
import { type Endpoint } from './endpoint';
import { classifyNetworkError, errorCodeOf } from './errors';
import { passed, StepError, type StepContext, type StepOutcome } from './step-recorder';

const { TestErrorCode } = dataplane;

/** No answer from the server in time: the usual sign of a firewall silently dropping packets. */
export function timeoutError(endpoint: Endpoint, doing: string): StepError {
  return new StepError(
    TestErrorCode.TIMEOUT,
    `no answer from ${endpoint.described} before the deadline while ${doing}`,
    `packets are probably dropped on the way: ${endpoint.allowRule}; check the host and port`,
  );
}

/**
 * A network failure while talking to the server (at connect or later), as a
 * StepError; undefined when `error` is not a network error.
 */
export function networkError(endpoint: Endpoint, error: unknown, doing: string): StepError | undefined {
  switch (classifyNetworkError(error)) {
    case 'refused':
      return new StepError(
        TestErrorCode.CONNECTION_REFUSED,
        `${endpoint.described} refused the connection`,
        `nothing listens on port ${endpoint.port} there, or a firewall rejects it: check the port; ${endpoint.allowRule}`,
      );
    case 'unreachable':
      return new StepError(
        TestErrorCode.HOST_UNREACHABLE,
        `no route to ${endpoint.described} (${errorCodeOf(error)})`,
        `check that the host is up and routable from the dataplane's network; ${endpoint.allowRule}`,
      );
    case 'timeout':
      return timeoutError(endpoint, doing);
    case 'reset':
      return new StepError(
        TestErrorCode.CONNECTION_REFUSED,
        `${endpoint.described} closed the connection while ${doing} (${errorCodeOf(error)})`,
        `a firewall, proxy or the server dropped the connection: ${endpoint.allowRule}; check that port ${endpoint.port} serves this database`,
      );
    case 'dns':
    case undefined:
      return undefined;
  }
}

/**
 * TCP_CONNECT: a raw connection to the resolved IP. Resolves with the open
 * socket (the caller owns it and must destroy it); on the step's abort the
 * socket is destroyed here.
 */
export function connectTcp(endpoint: Endpoint, context: StepContext): Promise<StepOutcome<Socket>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: endpoint.ip, port: endpoint.port });
    const onAbort = () => {
      socket.destroy();
      reject(timeoutError(endpoint, 'opening a TCP connection'));
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error) => {
      context.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(
        networkError(endpoint, error, 'opening a TCP connection') ??
          new StepError(
            TestErrorCode.HOST_UNREACHABLE,
            `cannot connect to ${endpoint.described}: ${errorCodeOf(error) ?? error.message}`,
            `check the host and port; ${endpoint.allowRule}`,
          ),
      );
    });
    socket.once('connect', () => {
      context.signal.removeEventListener('abort', onAbort);
      // Later steps read from it; keep an error listener so a reset never goes unhandled.
      socket.on('error', () => undefined);
      const ms = Math.ceil(performance.now() - started);
      resolve(passed(`connected to ${endpoint.described} in ${ms} ms`, undefined, socket));
    });
  });
}

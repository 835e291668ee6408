import { type Socket } from 'node:net';
import { type Client } from 'pg';
import { dataplane } from '@plumbline/proto';
import {
  decideTls,
  describeTlsSession,
  Endpoint,
  networkError,
  notApplicable,
  passed,
  SocketClosedError,
  StepError,
  upgradeToTls,
  type StepContext,
  type StepOutcome,
} from '../probe';
import { type PostgresqlConfig } from './postgresql.config';
import { requestSsl } from './postgresql.protocol';

/*
 * The driver's connection, shared by the connection test (postgresql.connector)
 * and the operations (postgresql.session): TLS negotiation on the TCP probe,
 * handing that socket to `pg`, and closing the client.
 */

const { TestErrorCode } = dataplane;

/** How long closing a client may delay the verdict. */
const CLOSE_GRACE_MS = 1_000;

export interface TlsOutcome {
  /** The server's answer to SSLRequest; undefined when not asked (ssl_mode disable). */
  readonly offered: boolean | undefined;
  readonly useTls: boolean;
  /** The connection the login continues on: the TCP probe itself, or TLS over it. */
  readonly socket: Socket;
}

/**
 * pg always calls `stream.connect()`. The socket handed over is already
 * connected (and maybe already TLS), so connecting only needs its event; it
 * was left paused by the TLS negotiation, so it flows again once pg listens.
 */
export function alreadyConnected(socket: Socket): Socket {
  socket.connect = (() => {
    process.nextTick(() => {
      socket.emit('connect');
      socket.resume();
    });
    return socket;
  }) as Socket['connect'];
  return socket;
}

export async function negotiateTls(
  probe: Socket,
  config: PostgresqlConfig,
  endpoint: Endpoint,
  context: StepContext,
): Promise<StepOutcome<TlsOutcome>> {
  if (config.tls.mode === 'disable') {
    return notApplicable<TlsOutcome>('ssl_mode is disable; TLS not attempted', {
      offered: undefined,
      useTls: false,
      socket: probe,
    });
  }
  let answer;
  try {
    answer = await requestSsl(probe, context.signal);
  } catch (error) {
    if (error instanceof SocketClosedError) {
      throw new StepError(
        TestErrorCode.TLS_FAILED,
        `${endpoint.described} closed the connection when asked for TLS`,
        `check that port ${config.port} serves PostgreSQL`,
      );
    }
    throw networkError(endpoint, error, 'negotiating TLS') ?? error;
  }
  switch (answer.kind) {
    case 'unexpected':
      throw new StepError(
        TestErrorCode.TLS_FAILED,
        `${endpoint.described} gave an answer to the TLS request that is not PostgreSQL's (first byte 0x${answer.firstByte.toString(16)})`,
        `check that port ${config.port} serves PostgreSQL (7.0 or later)`,
      );
    case 'data-after-accept':
      throw new StepError(
        TestErrorCode.TLS_FAILED,
        `${endpoint.described} sent unexpected data after accepting TLS`,
        'something between the dataplane and the server tampers with the connection; do not connect until it is explained',
      );
    case 'refused': {
      const decision = decideTls(config.tls, false, endpoint);
      return { ...decision, value: { offered: false, useTls: decision.value, socket: probe } satisfies TlsOutcome };
    }
    case 'accepted': {
      const secure = await upgradeToTls(probe, config.tls, endpoint, context);
      return passed<TlsOutcome>(describeTlsSession(secure, config.tls, endpoint), undefined, {
        offered: true,
        useTls: true,
        socket: secure,
      });
    }
  }
}

export async function closeQuietly(client: Client | undefined): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
  ]);
  clearTimeout(timer);
}

import { type Socket } from 'node:net';

/** The server closed the connection (or it broke) before sending what we waited for. */
export class SocketClosedError extends Error {
  constructor(readonly received: number) {
    super(`connection closed after ${received} bytes`);
    this.name = SocketClosedError.name;
  }
}

/**
 * Reads from `socket` until `complete(buffered)` is true and resolves with
 * everything read. The socket is left paused; pass `putBack` to return the
 * bytes to it (`unshift`) so a driver given the socket afterwards reads them
 * as if nobody had looked.
 */
export function readUntil(
  socket: Socket,
  complete: (buffered: Buffer) => boolean,
  signal: AbortSignal,
  options: { putBack?: boolean } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('end', onClose);
      signal.removeEventListener('abort', onAbort);
      socket.pause();
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!complete(buffered)) return;
      cleanup();
      if (options.putBack) socket.unshift(buffered);
      resolve(buffered);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new SocketClosedError(buffered.length));
    };
    const onAbort = () => {
      cleanup();
      reject(new Error('aborted'));
    };
    if (signal.aborted) return onAbort();
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('end', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

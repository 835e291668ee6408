import { promises as dns } from 'node:dns';
import { connect } from 'node:net';
import { startBlackhole } from './blackhole';
import { startDnsServer } from './dns-server';
import { closedLoopbackPort, startSilentServer } from './ports';

type Outcome = 'connected' | 'hung' | string;

/** Connects to 127.0.0.1:port and reports what happened within `waitMs`. */
function tryConnect(port: number, waitMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('hung'), waitMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

describe('network test helpers', () => {
  describe(startBlackhole.name, () => {
    it('makes connection attempts hang without an answer', async () => {
      const sut = await startBlackhole();
      try {
        expect(await tryConnect(sut.port, 1_500)).toBe('hung');
      } finally {
        await sut.close();
      }
    });
  });

  describe(closedLoopbackPort.name, () => {
    it('returns a port that refuses connections', async () => {
      const sut = await closedLoopbackPort();
      expect(await tryConnect(sut, 1_000)).toBe('ECONNREFUSED');
    });
  });

  describe(startSilentServer.name, () => {
    it('accepts connections and never writes', async () => {
      const sut = await startSilentServer();
      try {
        expect(await tryConnect(sut.port, 1_000)).toBe('connected');
        expect(sut.connections()).toBe(1);
      } finally {
        await sut.close();
      }
    });
  });

  describe(startDnsServer.name, () => {
    it('answers A records from its map and NXDOMAIN otherwise', async () => {
      const sut = await startDnsServer({ 'db.plumbline.test': '127.0.0.1', 'v6.plumbline.test': '::1' });
      const resolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
      resolver.setServers([sut.address]);
      try {
        await expect(resolver.resolve4('db.plumbline.test')).resolves.toEqual(['127.0.0.1']);
        await expect(resolver.resolve6('v6.plumbline.test')).resolves.toEqual(['::1']);
        await expect(resolver.resolve4('v6.plumbline.test')).rejects.toMatchObject({ code: 'ENODATA' });
        await expect(resolver.resolve4('missing.plumbline.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
        expect(sut.queries).toContain('A missing.plumbline.test');
      } finally {
        await sut.close();
      }
    });
  });
});

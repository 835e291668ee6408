import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createClient, type ClientOf } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import { createCa, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '../pki';
import { freePort } from '../services/scratch-postgres';
import { serviceUrl } from '../services/test-services';
import { startServiceProcess, type ServiceProcess } from './service-process';

/** A CA and certificates written to a temp dir, as the services read them. */
export interface TestPki {
  readonly dir: string;
  readonly ca: CertificateAuthority;
  readonly caPath: string;
  readonly certificates: Record<string, IssuedCertificate & { certPath: string; keyPath: string }>;
  /** Channel credentials presenting `identity`'s certificate. */
  credentials(identity: string): grpc.ChannelCredentials;
  remove(): void;
}

export async function createTestPki(identities: string[] = ['controlplane', 'dataplane', 'cli']): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-pki-'));
  const ca = await createCa({ commonName: 'Plumbline test CA', validDays: 2 });
  const caPath = join(dir, 'ca.crt');
  writeFileSync(caPath, ca.certPem);
  const certificates: TestPki['certificates'] = {};
  for (const identity of identities) {
    const issued = await issueCertificate(ca, { identity, validDays: 2 });
    const certPath = join(dir, `${identity}.crt`);
    const keyPath = join(dir, `${identity}.key`);
    writeFileSync(certPath, issued.certPem);
    writeFileSync(keyPath, issued.keyPem, { mode: 0o600 });
    certificates[identity] = { ...issued, certPath, keyPath };
  }
  return {
    dir,
    ca,
    caPath,
    certificates,
    credentials(identity) {
      const certificate = certificates[identity];
      if (!certificate) throw new Error(`no test certificate for identity '${identity}'`);
      return grpc.credentials.createSsl(
        Buffer.from(ca.certPem),
        Buffer.from(certificate.keyPem),
        Buffer.from(certificate.certPem),
      );
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function tlsEnv(pki: TestPki, identity: string): NodeJS.ProcessEnv {
  const certificate = pki.certificates[identity];
  if (!certificate) throw new Error(`no test certificate for identity '${identity}'`);
  return { PLUMBLINE_TLS_CA: pki.caPath, PLUMBLINE_TLS_CERT: certificate.certPath, PLUMBLINE_TLS_KEY: certificate.keyPath };
}

export function randomKeyRing(version = 'v1'): string {
  return `${version}:${randomBytes(32).toString('base64')}`;
}

export interface ControlplaneClients {
  connections: ClientOf<typeof controlplane.ConnectionService>;
  datastores: ClientOf<typeof controlplane.DatastoreService>;
  secretsManagers: ClientOf<typeof controlplane.SecretsManagerService>;
  operations: ClientOf<typeof controlplane.OperationService>;
  close(): void;
}

export interface PlumblineStack {
  /** The current controlplane process (a new one after `restartControlplane`). */
  readonly controlplane: ServiceProcess;
  readonly dataplane: ServiceProcess;
  readonly pki: TestPki;
  readonly controlplaneAddress: string;
  readonly dataplaneAddress: string;
  /** Clients of the controlplane API presenting `identity`'s certificate (default `cli`). */
  clients(identity?: string): ControlplaneClients;
  /** A client of the dataplane presenting `identity`'s certificate. */
  dataplaneClient(identity: string): ClientOf<typeof dataplane.DataplaneService>;
  /** A client of the controlplane's internal broker presenting `identity`'s certificate. */
  brokerClient(identity: string): ClientOf<typeof controlplane.OperationBrokerService>;
  /** The BullMQ queue both services use. */
  readonly queueName: string;
  /** Every line both services wrote so far (every controlplane process included). */
  output(): string[];
  /**
   * Starts a new controlplane with the same environment on the same port (the
   * current one is stopped first if it still runs), e.g. after killing it.
   */
  restartControlplane(): Promise<ServiceProcess>;
  /** Another dataplane process on the same queue (more workers), stopped with the stack. */
  addDataplane(env?: NodeJS.ProcessEnv): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Redis for the operations queue; the test services' Redis by default. */
  redisUrl?: string;
  /** A queue name of its own by default. */
  queueName?: string;
  databaseUrl: string;
  keyRing?: string;
  /** A key ring file (PLUMBLINE_KEYRING_FILE) instead of an inline key ring. */
  keyRingFile?: string;
  controlplaneEnv?: NodeJS.ProcessEnv;
  dataplaneEnv?: NodeJS.ProcessEnv;
  pki?: TestPki;
}

/** Both services as real processes, talking mTLS to each other, the controlplane on `databaseUrl`. */
export async function startPlumblineStack(options: StackOptions): Promise<PlumblineStack> {
  const pki = options.pki ?? (await createTestPki());
  // The dataplane's workers call the controlplane's broker, and the controlplane
  // calls the dataplane: pick the controlplane's port first to break the cycle.
  const controlplanePort = await freePort();
  const queueEnv: NodeJS.ProcessEnv = {
    PLUMBLINE_REDIS_URL: options.redisUrl ?? (await serviceUrl('redis')),
    // One queue per stack: test files sharing one Redis never take each other's jobs.
    PLUMBLINE_QUEUE_NAME: options.queueName ?? `plumbline-test-${randomBytes(6).toString('hex')}`,
  };
  const dataplaneEnv: NodeJS.ProcessEnv = {
    PLUMBLINE_GRPC_ADDRESS: '127.0.0.1:0',
    PLUMBLINE_CONTROLPLANE_ADDRESS: `localhost:${controlplanePort}`,
    ...queueEnv,
    ...tlsEnv(pki, 'dataplane'),
    ...options.dataplaneEnv,
  };
  const dataplaneProcess = await startServiceProcess({ name: 'dataplane', env: dataplaneEnv });
  const extraDataplanes: ServiceProcess[] = [];
  // By name, not IP: the certificates name localhost, and TLS forbids an IP as server name (DEP0123).
  const dataplaneAddress = `localhost:${dataplaneProcess.port}`;
  const controlplaneEnv: NodeJS.ProcessEnv = {
    PLUMBLINE_GRPC_ADDRESS: `127.0.0.1:${controlplanePort}`,
    ...queueEnv,
    PLUMBLINE_DATAPLANE_ADDRESS: dataplaneAddress,
    PLUMBLINE_DATABASE_URL: options.databaseUrl,
    ...(options.keyRingFile !== undefined
      ? { PLUMBLINE_KEYRING_FILE: options.keyRingFile }
      : { PLUMBLINE_KEYRING: options.keyRing ?? randomKeyRing() }),
    ...tlsEnv(pki, 'controlplane'),
    ...options.controlplaneEnv,
  };
  let controlplaneProcess: ServiceProcess;
  try {
    controlplaneProcess = await startServiceProcess({ name: 'controlplane', env: controlplaneEnv });
  } catch (error) {
    await dataplaneProcess.stop();
    throw error;
  }
  const controlplaneAddress = `localhost:${controlplaneProcess.port}`;
  const openClients: Array<{ close(): void }> = [];
  const earlierOutput: string[] = [];
  return {
    get controlplane() {
      return controlplaneProcess;
    },
    dataplane: dataplaneProcess,
    pki,
    controlplaneAddress,
    dataplaneAddress,
    clients(identity = 'cli') {
      const credentials = pki.credentials(identity);
      const connections = createClient(controlplane.ConnectionService, controlplaneAddress, credentials);
      const datastores = createClient(controlplane.DatastoreService, controlplaneAddress, credentials);
      const secretsManagers = createClient(controlplane.SecretsManagerService, controlplaneAddress, credentials);
      const operations = createClient(controlplane.OperationService, controlplaneAddress, credentials);
      const clients = {
        connections,
        datastores,
        secretsManagers,
        operations,
        close: () => {
          connections.close();
          datastores.close();
          secretsManagers.close();
          operations.close();
        },
      };
      openClients.push(clients);
      return clients;
    },
    dataplaneClient(identity) {
      const client = createClient(dataplane.DataplaneService, dataplaneAddress, pki.credentials(identity));
      openClients.push(client);
      return client;
    },
    brokerClient(identity) {
      const client = createClient(controlplane.OperationBrokerService, controlplaneAddress, pki.credentials(identity));
      openClients.push(client);
      return client;
    },
    queueName: queueEnv.PLUMBLINE_QUEUE_NAME!,
    async addDataplane(env = {}) {
      const extra = await startServiceProcess({ name: 'dataplane', env: { ...dataplaneEnv, ...env } });
      extraDataplanes.push(extra);
      return extra;
    },
    output: () => [...earlierOutput, ...controlplaneProcess.output, ...dataplaneProcess.output],
    async restartControlplane() {
      const port = controlplaneProcess.port;
      await controlplaneProcess.stop();
      earlierOutput.push(...controlplaneProcess.output);
      controlplaneProcess = await startServiceProcess({
        name: 'controlplane',
        env: { ...controlplaneEnv, PLUMBLINE_GRPC_ADDRESS: `127.0.0.1:${port}` },
      });
      return controlplaneProcess;
    },
    async stop() {
      openClients.forEach((client) => client.close());
      await controlplaneProcess.stop();
      await Promise.all([dataplaneProcess, ...extraDataplanes].map((process) => process.stop()));
      if (!options.pki) pki.remove();
    },
  };
}

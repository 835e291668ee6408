import type { controlplane } from '@plumbline/proto';
import { formatTime, renderFields, renderTable } from '../../output';

export function secretsManagersTable(managers: readonly controlplane.SecretsManager[]): string {
  return renderTable(
    ['id', 'name', 'login url', 'secret url', 'connections', 'updated'],
    managers.map((m) => [m.id, m.name, m.loginUrl, m.secretUrl, String(m.connectionCount), formatTime(m.updateTime)]),
    '(no secrets managers)',
  );
}

/** The credentials payload is shown as the API sends it: the mask. */
export function secretsManagerDetails(m: controlplane.SecretsManager): string {
  return renderFields([
    ['id', m.id],
    ['name', m.name],
    ['login url', m.loginUrl],
    ['credentials payload', m.credentialsPayload],
    ['token path', m.tokenPath],
    ['secret url', m.secretUrl],
    ['token header', m.tokenHeader],
    ['token prefix', m.tokenPrefix === '' ? '-' : JSON.stringify(m.tokenPrefix)],
    ['data path', m.dataPath],
    ['ca bundle', m.caBundle === '' ? '- (system CAs)' : `${m.caBundle.split('-----BEGIN CERTIFICATE-----').length - 1} certificate(s)`],
    ['connections', String(m.connectionCount)],
    ['created', formatTime(m.createTime)],
    ['updated', formatTime(m.updateTime)],
  ]);
}

export function secretKeysLines(response: controlplane.TestSecretsManagerResponse): string[] {
  const head = `✔ logged in and fetched ${response.keys.length} key(s) in ${response.durationMs} ms`;
  return [head, ...(response.keys.length === 0 ? ['  (no keys)'] : response.keys.map((key) => `  ${key}`))];
}

import { controlplane } from '@plumbline/proto';
import { enumName, formatTime, orDash, renderFields, renderTable } from '../../output';

export function connectionKind(kind: controlplane.ConnectionKind): string {
  return enumName(controlplane.ConnectionKind, kind);
}

export function connectionsTable(connections: readonly controlplane.Connection[]): string {
  return renderTable(
    ['id', 'name', 'connector', 'auth', 'datastores', 'secrets manager', 'updated'],
    connections.map((c) => [
      c.id,
      c.name,
      c.connector,
      c.authMethod,
      String(c.datastoreCount),
      orDash(c.secretsManagerId),
      formatTime(c.updateTime),
    ]),
    '(no connections)',
  );
}

/** The connection and its properties; secret ones are shown as the API sends them, masked. */
export function connectionDetails(c: controlplane.Connection): string {
  const fields = renderFields([
    ['id', c.id],
    ['name', c.name],
    ['connector', `${c.connector} (${connectionKind(c.kind)})`],
    ['auth method', c.authMethod],
    ['secrets manager', orDash(c.secretsManagerId)],
    ['datastores', String(c.datastoreCount)],
    ['secrets set', orDash([...c.secretPropertiesSet].sort().join(', '))],
    ['created', formatTime(c.createTime)],
    ['updated', formatTime(c.updateTime)],
  ]);
  const properties = renderTable(
    ['property', 'value'],
    Object.entries(c.properties)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [name, value]),
    '(no properties)',
  );
  return `${fields}\n\n${properties}`;
}

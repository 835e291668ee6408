import type { controlplane } from '@plumbline/proto';
import { formatMap, formatTime, renderFields, renderTable } from '../../output';

export function datastoresTable(datastores: readonly controlplane.Datastore[]): string {
  return renderTable(
    ['id', 'name', 'connection', 'scope', 'updated'],
    datastores.map((d) => [d.id, d.name, d.connectionId, formatMap(d.scope), formatTime(d.updateTime)]),
    '(no datastores)',
  );
}

export function datastoreDetails(d: controlplane.Datastore): string {
  return renderFields([
    ['id', d.id],
    ['name', d.name],
    ['connection', d.connectionId],
    ['scope', formatMap(d.scope)],
    ['created', formatTime(d.createTime)],
    ['updated', formatTime(d.updateTime)],
  ]);
}

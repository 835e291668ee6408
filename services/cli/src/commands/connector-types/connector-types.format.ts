import type { controlplane } from '@plumbline/proto';
import { orDash, renderFields, renderTable, yesNo } from '../../output';
import { connectionKind } from '../connections/connections.format';

export function connectorTypesTable(types: readonly controlplane.ConnectorType[]): string {
  const table = renderTable(
    ['id', 'label', 'kind', 'auth methods', 'driver'],
    types.map((t) => [
      t.id,
      t.label,
      connectionKind(t.kind),
      t.authMethods.map((m) => (m.id === t.defaultAuthMethod ? `${m.id}*` : m.id)).join(', '),
      yesNo(t.driverAvailable),
    ]),
    '(no connector types)',
  );
  return `${table}\n* default auth method; driver "no": tests answer UNIMPLEMENTED until the dataplane has one`;
}

function propertiesTable(properties: readonly controlplane.PropertySchema[]): string {
  return renderTable(
    ['property', 'type', 'required', 'secret', 'default', 'allowed values', 'description'],
    properties.map((p) => [
      p.name,
      p.type,
      yesNo(p.required),
      yesNo(p.secret),
      orDash(p.defaultValue),
      orDash(p.allowedValues.join(', ')),
      p.description || p.label,
    ]),
  );
}

/** The property schema: shared properties, then per auth method, then the datastore scope. */
export function connectorTypeDetails(t: controlplane.ConnectorType): string {
  const sections = [
    renderFields([
      ['id', t.id],
      ['label', t.label],
      ['kind', connectionKind(t.kind)],
      ['default auth method', t.defaultAuthMethod],
      ['dataplane driver', yesNo(t.driverAvailable)],
    ]),
    '',
    'Connection properties (every auth method):',
    propertiesTable(t.properties),
    ...t.authMethods.flatMap((m) => [
      '',
      `Auth method ${m.id} (${m.label})${m.id === t.defaultAuthMethod ? ', the default' : ''}:`,
      propertiesTable(m.properties),
    ]),
    '',
    'Datastore scope (--scope):',
    propertiesTable(t.scopeProperties),
  ];
  return sections.join('\n');
}

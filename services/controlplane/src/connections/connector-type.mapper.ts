import { create } from '@bufbuild/protobuf';
import type { ConnectorType, PropertySchema } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';

function toPropertySchema(property: PropertySchema): controlplane.PropertySchema {
  return create(controlplane.PropertySchemaSchema, {
    name: property.name,
    label: property.label,
    required: property.required,
    secret: property.secret,
    type: property.type,
    allowedValues: [...property.allowedValues],
    defaultValue: property.defaultValue ?? '',
    description: property.description,
  });
}

/** The catalog entry as the wire shows it; validation-only fields stay behind. */
export function toConnectorTypeMessage(type: ConnectorType): controlplane.ConnectorType {
  return create(controlplane.ConnectorTypeSchema, {
    id: type.id,
    label: type.label,
    kind: controlplane.ConnectionKind[type.kind],
    properties: type.properties.map(toPropertySchema),
    authMethods: type.authMethods.map((method) => ({
      id: method.id,
      label: method.label,
      properties: method.properties.map(toPropertySchema),
    })),
    defaultAuthMethod: type.defaultAuthMethod,
    scopeProperties: type.scopeProperties.map(toPropertySchema),
    driverAvailable: type.driverAvailable,
  });
}

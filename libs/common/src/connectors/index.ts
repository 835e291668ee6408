export {
  AUTH_METHOD_IDS,
  CONNECTOR_IDS,
  ConnectorKind,
  findConnectorType,
  isConnectorId,
  listConnectorTypes,
  type AuthMethodId,
  type AuthMethodSchema,
  type ConnectorId,
  type ConnectorType,
  type PropertySchema,
  type PropertyType,
  type StringFormat,
} from './catalog';
export { ValidationError, ValidationErrorCode, type ValidationIssue } from './errors';
export {
  SECRET_MASK,
  connectionPropertySchemas,
  connectorKind,
  secretPropertyNames,
  validateConnectionProperties,
  validateScope,
  type ConnectionPropertiesInput,
  type ValidatedConnection,
  type ValidationMode,
} from './validate';

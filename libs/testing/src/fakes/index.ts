// Secrets-manager fakes for tests: HTTP(S) servers on 127.0.0.1 with failure injection.
export type {
  SecretsFakeCannedReply,
  SecretsFakeOptions,
  SecretsFakeRequestKind,
  SecretsFakeRequestRecord,
  SecretsFakeTls,
  SecretsManagerFake,
} from './http-fake';
export type { SecretsFakeData } from './secret-store';
export { startVaultFake, type VaultFake, type VaultFakeOptions } from './vault-fake';
export {
  API_GATEWAY_TOKEN_HEADER,
  startApiGatewayFake,
  type ApiGatewayFake,
  type ApiGatewayFakeOptions,
} from './api-gateway-fake';
export { startAzureKeyVaultFake, type AzureKeyVaultFake, type AzureKeyVaultFakeOptions } from './azure-key-vault-fake';

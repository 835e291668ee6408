export { CryptoError, CryptoErrorCode } from './errors';
export {
  KEY_BYTES,
  KEY_VERSION_PATTERN,
  KeyRing,
  keyRingFromEnv,
  keyRingOriginFromEnv,
  parseKeyRing,
  type KeyRingOrigin,
} from './key-ring';
export { KeyRingStore, type KeyRingStoreOptions } from './key-ring-store';
export { CIPHERTEXT_FORMAT, SecretCipher, type CipherContext, type KeyRingSource } from './secret-cipher';
export * from './secret-columns';

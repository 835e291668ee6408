export { CryptoError, CryptoErrorCode } from './errors';
export { KEY_BYTES, KEY_VERSION_PATTERN, KeyRing, keyRingFromEnv, parseKeyRing } from './key-ring';
export { CIPHERTEXT_FORMAT, SecretCipher, type CipherContext } from './secret-cipher';
export * from './secret-columns';

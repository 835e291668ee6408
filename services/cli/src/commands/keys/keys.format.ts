import type { controlplane } from '@plumbline/proto';
import { renderTable } from '../../output';

export function keysTable(keys: readonly controlplane.KeyVersion[]): string {
  return renderTable(
    ['version', 'primary', 'ciphertexts'],
    keys.map((k) => [k.version, k.primary ? '*' : '', String(k.ciphertexts)]),
    '(no key versions)',
  );
}

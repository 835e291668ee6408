// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Services import libraries, never each other. */
const crossServiceImports = (...others) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: others.flatMap((other) => [
        { group: [`@plumbline/${other}`, `@plumbline/${other}/*`], message: `Services must not import the ${other}; move shared code to libs/.` },
        {
          group: [`**/services/${other}/**`, `../../${other}/**`, `../../../${other}/**`, `../../../../${other}/**`, `../../../../../${other}/**`],
          message: `Services must not import the ${other}; move shared code to libs/.`,
        },
      ]),
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/proto/src/gen/**', 'coverage/**', '.pki/**', '.run/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', disallowTypeAnnotations: false, fixStyle: 'inline-type-imports' }],
    },
  },
  // Nest resolves constructor parameters from emitted decorator metadata, so a
  // type-only import of an injected class would silently break injection.
  { files: ['services/**/*.ts'], rules: { '@typescript-eslint/consistent-type-imports': 'off' } },
  // CommonJS launchers of built code.
  { files: ['**/bin/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['services/dataplane/**/*.ts'], rules: crossServiceImports('controlplane', 'cli') },
  { files: ['services/controlplane/**/*.ts'], rules: crossServiceImports('dataplane', 'cli') },
  { files: ['services/cli/**/*.ts'], rules: crossServiceImports('controlplane', 'dataplane') },
);

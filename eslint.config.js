// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Lint keeps the layers honest: core/ is pure and imports nothing from the
 * other folders; net/ and storage/ import only core; ui/ never reaches into net/.
 */
const noImport = (patterns, message) => ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'demo-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': noImport(['**/net/**', '**/storage/**', '**/worker/**', '**/ui/**', '**/identity/**', '**/app', 'react', 'simple-peer*', 'idb'], 'core/ is pure: it imports nothing from the other layers'),
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'window', 'document', 'indexedDB', 'localStorage', 'sessionStorage', 'fetch', 'WebSocket'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'core/ takes randomness from its components' }, { object: 'Date', property: 'now', message: 'core/ takes time from its clock component' }],
    },
  },
  {
    files: ['src/net/**/*.ts', 'src/storage/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': noImport(['**/ui/**', '**/worker/**', '**/app', 'react'], 'net/ and storage/ import only core/'),
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': noImport(['**/net/**', '**/storage/**', '**/worker/**'], 'ui/ reads state from its store; it holds no protocol logic'),
    },
  },
);

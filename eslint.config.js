// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Lint keeps the layers honest (docs/ARCHITECTURE.md, "Layers"). Every folder
 * of production code has a zone saying which folders it may import from,
 * and no production file imports test support (test/, *.test.ts).
 */
const noImport = (patterns, message) => ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }];

/** Every folder a zone can name; a zone forbids all but the ones it allows. */
const FOLDERS = ['core', 'crypto', 'identity', 'runtime', 'net', 'storage', 'worker', 'peer', 'sim', 'app', 'ui', 'signaling', 'fullnode', 'test', 'e2e', 'bench'];
/** Test support lives in test/ and *.test.ts files, never in a production folder's imports. */
const TEST_SUPPORT = ['**/*.test.ts', '**/*.test'];
const zone = (files, allowed, message, extra = []) => ({
  files,
  ignores: ['**/*.test.ts', '**/*.contract.ts'],
  rules: {
    'no-restricted-imports': noImport([...FOLDERS.filter((folder) => !allowed.includes(folder)).map((folder) => `**/${folder}/**`), ...TEST_SUPPORT, ...extra], message),
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-previous/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'demo-output/**'] },
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
  zone(['src/crypto/**/*.ts'], ['core'], 'crypto/ checks signatures; it imports only core/'),
  zone(['src/runtime/**/*.ts'], ['core'], 'runtime/ schedules tasks on a real host; it imports only core/'),
  zone(['src/net/**/*.ts'], ['core'], 'net/ imports only core/'),
  zone(['src/storage/**/*.ts'], ['core'], 'storage/ imports only core/'),
  zone(['src/identity/**/*.ts'], ['core', 'crypto', 'storage'], 'identity/ imports core/, crypto/ and storage/'),
  zone(['src/worker/**/*.ts'], ['core', 'crypto', 'runtime'], 'worker/ imports core/, crypto/ and runtime/'),
  zone(['src/peer/**/*.ts'], ['core', 'net', 'runtime', 'worker'], 'peer/ assembles a peer from core/ and net/; it knows no host (no storage, ui or app)'),
  zone(['src/sim/**/*.ts'], ['core', 'crypto', 'net', 'peer'], 'sim/ runs the real core and the peer assembly over simulated links', ['**/sim-test.ts']),
  zone(['src/app/**/*.ts', 'src/app.ts', 'src/main.tsx'], ['core', 'crypto', 'identity', 'runtime', 'net', 'storage', 'worker', 'peer', 'app', 'ui'], 'app/ wires a tab; it does not reach the simulator or the Node hosts'),
  zone(['src/ui/**/*.{ts,tsx}'], ['core', 'ui'], 'ui/ reads state from its store; it holds no protocol logic'),
  zone(['signaling/**/*.ts'], ['core', 'signaling'], 'signaling/ is the relay: it imports only src/core/'),
  zone(['fullnode/**/*.ts'], ['core', 'crypto', 'identity', 'runtime', 'net', 'storage', 'worker', 'peer', 'signaling', 'fullnode'], 'fullnode/ hosts a peer in Node; it does not reach the page (app/, ui/) or the simulator'),
);

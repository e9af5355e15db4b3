// ESLint flat config. tls-core and session must run in any JS engine: no node:* imports, no
// Buffer/process/timers. Only packages/tls-core/src/crypto/noble.ts may import @noble/*.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeOnly = ['fs', 'net', 'tls', 'crypto', 'os', 'path', 'stream', 'events', 'child_process', 'buffer', 'util', 'process', 'timers', 'http', 'https', 'dns', 'worker_threads'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', 'conformance/out/**', 'conformance/.pki/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/tls-core/src/**/*.ts', 'packages/session/src/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'tls-core and session run outside Node: use Uint8Array.' },
        { name: 'process', message: 'tls-core and session run outside Node: take settings from the config.' },
        { name: 'setTimeout', message: 'sans-IO: no timers in the core.' },
        { name: 'setInterval', message: 'sans-IO: no timers in the core.' },
        { name: 'setImmediate', message: 'sans-IO: no timers in the core.' },
        { name: 'require', message: 'ESM only.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'tls-core and session must not import Node modules.' })),
          patterns: [
            { group: ['node:*'], message: 'tls-core and session must not import Node modules.' },
            { group: ['@noble/*'], message: 'Only crypto/noble.ts imports @noble/*.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/tls-core/src/crypto/noble.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'no Node modules in tls-core' })),
          patterns: [{ group: ['node:*'], message: 'no Node modules in tls-core' }],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'packages/*/bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

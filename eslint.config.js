// ESLint flat config. tls-core and session must run in any JS engine: no node:* imports, no
// Buffer/process/timers, no implicit crypto/TextEncoder/TextDecoder globals; transport-web likewise has no node:*,
// Buffer or process. Only packages/tls-core/src/crypto/noble.ts (and noble-pq.ts, ML-KEM for the opt-in hybrid) may import @noble/*.
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
        { name: 'crypto', message: 'no implicit globals: randomness comes from the config (config.randomBytes); see docs/embedding.md.' },
        { name: 'TextEncoder', message: 'QuickJS and other engines have none: use utf8() from codec/bytes.ts.' },
        { name: 'TextDecoder', message: 'QuickJS and other engines have none: use fromUtf8() from codec/bytes.ts.' },
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
    // `EARLY_DATA:` and `SCT:` labels mark the 0-RTT and signed_certificate_timestamp statements that the default embedding bundle drops
    // (esbuild dropLabels, packages/bundle/build.js; tls-core client/early-data.ts): never jumped to.
    files: ['packages/tls-core/src/client/**/*.ts', 'packages/session/src/connection.ts'],
    rules: { 'no-unused-labels': 'off' },
  },
  {
    // The Web Streams transport runs in browsers and Workers: no Node modules or globals (the
    // WebSocket adapter may poll bufferedAmount with setTimeout, which every such host has).
    files: ['packages/transport-web/src/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'transport-web runs outside Node: use Uint8Array.' },
        { name: 'process', message: 'transport-web runs outside Node: take settings from the options.' },
        { name: 'crypto', message: 'randomness comes from the randomBytes option or hostRandomBytes() (looked up per connection).' },
        { name: 'require', message: 'ESM only.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({ name, message: 'transport-web must not import Node modules.' })),
          patterns: [
            { group: ['node:*'], message: 'transport-web must not import Node modules.' },
            { group: ['@noble/*'], message: 'crypto comes through tls-core.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/tls-core/src/crypto/noble.ts', 'packages/tls-core/src/crypto/noble-pq.ts'],
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
    // `puretls probe` (issue 17) uses only puretls's public entries: the main entry, /wire, /pq,
    // /ocsp and @puretls/session, never tls-core's internals.
    files: ['packages/transport-node/src/probe/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@puretls/tls-core/internal', '@puretls/*/src/*'], message: 'the probe uses only the public API (docs/probe.md): the main entry or @puretls/tls-core/wire.' }] },
      ],
    },
  },
  {
    // Plain-JS Node scripts (bins, build scripts, examples such as docs/examples/*.mjs).
    files: ['**/*.js', '**/*.mjs', 'packages/*/bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    files: ['docs/examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
);

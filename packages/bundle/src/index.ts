/**
 * The whole puretls API for hosts without Node (QuickJS, browsers, Workers, sandboxes): the
 * sans-IO engine of `@puretls/tls-core` and the resumption layer of `@puretls/session`, which
 * `build.js` bundles with `@noble/*` into `dist/puretls.min.mjs` (ESM) and
 * `dist/puretls.iife.min.js` (a script that sets `globalThis.puretls`). The only things the host
 * gives are bytes in each direction and, where it has no `globalThis.crypto.getRandomValues`, a
 * `randomBytes` function in the config (docs/embedding.md).
 * @module
 */
export * from '@puretls/tls-core';
export * from '@puretls/session';

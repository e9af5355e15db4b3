/**
 * The `puretls s_client` command end to end: spawned from bin/puretls.js (which runs the
 * compiled dist/, so `tsc -b` must have run) against `openssl s_server -rev`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineReady, makePki, opensslAvailable, startOpensslServer, type TestPki } from './helpers/servers.ts';

const bin = fileURLToPath(new URL('../bin/puretls.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)));

function run(args: string[], stdin: string, ms = 15000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin, 's_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`s_client timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, ms);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    proc.stdin.end(stdin);
  });
}

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

describe.skipIf(!engineReady || !opensslAvailable() || !built)('puretls s_client', () => {
  it('prints the OpenSSL-style summary and echoes through -rev', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, '-rev', '-alpn', 'h2'], naccept: 0 });
    try {
      const { code, stdout } = await run(['-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.caFile, '-alpn', 'h2', '-groups', 'X25519'], 'hello\nCLOSE\n');
      expect(stdout).toContain('New, TLSv1.3, Cipher is TLS_');
      expect(stdout).toContain('Protocol version: TLSv1.3');
      expect(stdout).toMatch(/^Ciphersuite: TLS_/m);
      expect(stdout).toContain('Peer certificate: CN = localhost, O = puretls rsa');
      expect(stdout).toContain('Server Temp Key: X25519, 253 bits');
      expect(stdout).toContain('Peer signature type: RSA-PSS');
      expect(stdout).toContain('ALPN protocol: h2');
      expect(stdout).toContain('Verification: OK');
      expect(stdout).toContain('olleh');
      expect(code).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('-cert/-key authenticate to s_server -Verify 1, which verifies and prints the client certificate', async () => {
    pki.builder.certificate('client', { keyType: 'P-256', subject: '/CN=cli-client', days: 30, extensions: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth'], issuer: 'ca' });
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile, '-rev', '-Verify', '1', '-CAfile', pki.caFile, '-verify_return_error'], naccept: 0 });
    try {
      const { code, stdout } = await run(['-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.caFile, '-cert', join(pki.dir, 'client.pem'), '-key', join(pki.dir, 'client.key')], 'hello\nCLOSE\n');
      expect(stdout).toContain('olleh');
      expect(code).toBe(0);
      expect(server.output()).toContain('Peer certificate: CN = cli-client');
      expect(server.output()).toContain('Verification: OK');
    } finally {
      await server.stop();
    }
  });

  it('-psk/-psk_identity authenticate to s_server -nocert -psk with an external PSK (TLS 1.3)', async () => {
    const key = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    const server = await startOpensslServer({ args: ['-nocert', '-psk', key, '-psk_identity', 'dev-7', '-tls1_3', '-rev'], naccept: 0 });
    try {
      const { code, stdout } = await run(['-connect', `127.0.0.1:${server.port}`, '-psk', key, '-psk_identity', 'dev-7'], 'hello\nCLOSE\n');
      expect(stdout).toContain('olleh');
      expect(code).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('-brief prints the short summary on stderr, with TLS 1.2 and P-256', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile, '-rev'], naccept: 0 });
    try {
      const { stderr } = await run(['-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.caFile, '-tls1_2', '-groups', 'P-256', '-brief'], 'CLOSE\n');
      expect(stderr).toContain('CONNECTION ESTABLISHED');
      expect(stderr).toContain('Protocol version: TLSv1.2');
      expect(stderr).toMatch(/^Ciphersuite: ECDHE-ECDSA-/m);
      expect(stderr).toContain('Server Temp Key: ECDH, prime256v1, 256 bits');
      expect(stderr).toContain('Signature type: ECDSA');
      expect(stderr).toContain('Verification: OK');
    } finally {
      await server.stop();
    }
  });

  it('fails with exit code 1 and names the certificate error when the CA is wrong', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, '-rev'], naccept: 0 });
    try {
      const { code, stderr } = await run(['-connect', `127.0.0.1:${server.port}`], '');
      expect(code).toBe(1);
      // s_server sends the lone leaf: Node's UNABLE_TO_VERIFY_LEAF_SIGNATURE, OpenSSL's num 21
      expect(stderr).toMatch(/^verify error:num=21:unable to verify the first certificate$/m);
      expect(stderr).toMatch(/^puretls: handshake failed: certificate verify failed: unable to verify the first certificate \(UnknownIssuer\)/m);
    } finally {
      await server.stop();
    }
  });

  it('fails with exit code 1 and names the alert the server sent', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, '-rev', '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'], naccept: 0 });
    try {
      const { code, stderr } = await run(['-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.caFile, '-ciphersuites', 'TLS_AES_256_GCM_SHA384'], '');
      expect(code).toBe(1);
      expect(stderr).toContain('puretls: handshake failed: received fatal alert handshake_failure (40)');
    } finally {
      await server.stop();
    }
  });
});

/**
 * The shared test PKI: test-pki/gen-pki.sh (OpenSSL CLI) run into a fresh temporary directory,
 * with loaders for its files, and the one OpenSSL-CLI builder of the smaller per-test PKIs
 * ({@link opensslPki}). Nothing is committed; each test file makes its own and removes it.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (test-pki/ lives there). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** A generated fixture PKI. */
export interface FixturePki {
  /** The directory holding the generated files. */
  readonly dir: string;
  /** Absolute path of a file in the PKI directory. */
  path(file: string): string;
  /** A file's text (PEM certificates and keys). */
  text(file: string): string;
  /** DER certificates of a PEM file (`name` without `.pem`), in file order. */
  ders(name: string): Uint8Array[];
  /** The first certificate of a PEM file. */
  der(name: string): Uint8Array;
  cleanup(): void;
}

/**
 * Run test-pki/gen-pki.sh into a fresh temporary directory named `puretls-<prefix>-…`.
 * @throws Error with the script output when gen-pki.sh fails (the directory is removed)
 */
export function generateFixturePki(prefix = 'pki'): FixturePki {
  const tmp = mkdtempSync(join(tmpdir(), `puretls-${prefix}-`));
  const dir = join(tmp, 'pki');
  try {
    execFileSync('bash', [join(REPO_ROOT, 'test-pki/gen-pki.sh'), dir], { stdio: 'pipe', maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const detail = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`gen-pki.sh failed: ${detail.message}\n${detail.stdout?.toString() ?? ''}${detail.stderr?.toString() ?? ''}`);
  }
  const text = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const ders = (name: string): Uint8Array[] => pemCertificates(text(`${name}.pem`));
  return {
    dir,
    path: (file) => join(dir, file),
    text,
    ders,
    der: (name) => ders(name)[0]!,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** The DER bytes of every CERTIFICATE block of a PEM text (RFC 7468 §2), in order. */
export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

/** A key type for {@link OpensslPki.key}: `openssl genpkey` arguments. */
export type KeyType = 'P-256' | 'P-384' | 'RSA-2048' | 'Ed25519';

const GENPKEY_ARGS: Readonly<Record<KeyType, readonly string[]>> = {
  'P-256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'P-384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'RSA-2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  Ed25519: ['-algorithm', 'ED25519'],
};

/** One certificate of an {@link OpensslPki}: `<name>.key` and `<name>.pem` in its directory. */
export interface CertificateSpec {
  /** The key type of a new key `<name>.key` (omit to use a key made by {@link OpensslPki.key}). */
  readonly keyType?: KeyType;
  /** Certify the key of another certificate of this PKI (`<reuseKeyOf>.key`) instead. */
  readonly reuseKeyOf?: string;
  /** The subject, in `openssl -subj` form (`/CN=localhost/O=…`). */
  readonly subject: string;
  /** Validity in days from now. */
  readonly days: number;
  /** X.509 v3 extension lines (`basicConstraints = critical,CA:TRUE`, …), in openssl config syntax. */
  readonly extensions: readonly string[];
  /** The issuing certificate's name; omitted: self-signed. */
  readonly issuer?: string;
}

/** A throw-away PKI made by the OpenSSL CLI (genpkey, req, x509) in a fresh temporary directory. */
export interface OpensslPki {
  readonly dir: string;
  /** Makes `<name>.key` (PKCS#8 PEM). */
  key(name: string, type: KeyType): void;
  /**
   * Makes `<name>.pem` (SHA-256 signed), and `<name>.key` when the spec names a key type; an issued
   * one leaves its request `<name>.csr`, and its extensions stay in section `ext` of `<name>.cnf`.
   */
  certificate(name: string, spec: CertificateSpec): void;
  /** Absolute path of a file in the PKI directory. */
  path(file: string): string;
  /** A file's text (PEM certificates and keys). */
  text(file: string): string;
  /** The first certificate of `<name>.pem`, DER. */
  der(name: string): Uint8Array;
  cleanup(): void;
}

/** CA extensions most test PKIs use (RFC 5280 §4.2.1.9, §4.2.1.3). */
export const CA_EXTENSIONS: readonly string[] = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash'];

/**
 * The one way the tests make certificates with the OpenSSL CLI: an empty directory named
 * `puretls-<prefix>-…`, keys by `genpkey`, self-signed certificates by `req -x509`, issued ones
 * by `req -new` + `x509 -req`; every certificate's extensions are exactly the spec's lines
 * (no openssl.cnf defaults).
 */
export function opensslPki(prefix: string): OpensslPki {
  const dir = mkdtempSync(join(tmpdir(), `puretls-${prefix}-`));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string, type: KeyType): void => run('genpkey', ...GENPKEY_ARGS[type], '-out', `${name}.key`);
  const text = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    key,
    certificate(name, spec) {
      if (spec.keyType !== undefined) key(name, spec.keyType);
      const keyFile = `${spec.reuseKeyOf ?? name}.key`;
      writeFileSync(join(dir, `${name}.cnf`), ['[req]', 'distinguished_name = dn', 'string_mask = utf8only', '[dn]', '[ext]', ...spec.extensions, ''].join('\n'));
      const common = ['-days', String(spec.days), '-sha256', '-out', `${name}.pem`];
      if (spec.issuer === undefined) {
        run('req', '-x509', '-new', '-key', keyFile, '-subj', spec.subject, '-config', `${name}.cnf`, '-extensions', 'ext', ...common);
        return;
      }
      run('req', '-new', '-key', keyFile, '-subj', spec.subject, '-config', `${name}.cnf`, '-out', `${name}.csr`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', `${spec.issuer}.pem`, '-CAkey', `${spec.issuer}.key`, '-CAcreateserial', '-extfile', `${name}.cnf`, '-extensions', 'ext', ...common);
    },
    path: (file) => join(dir, file),
    text,
    der: (name) => pemCertificates(text(`${name}.pem`))[0]!,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The X.509 tests' fixture PKI: test-pki/gen-pki.sh in a fresh temporary directory, from
 * @puretls/test-support (the one copy of the generator shared by every package's tests).
 */
import { generateFixturePki, type FixturePki } from '@puretls/test-support/pki';

export { REPO_ROOT } from '@puretls/test-support/pki';
export type Pki = FixturePki;

export function generatePki(): Pki {
  return generateFixturePki('x509');
}

/**
 * The typed-error reason a test expects: puretls's error classes (tls-core errors.ts) carry a
 * `reason`; a test names the classes it accepts and gets the reason thrown, or 'ok'. Imports no
 * puretls package: the classes are passed in.
 */

/** An error class whose instances carry a string `reason`. */
export type ReasonedError<R extends string> = abstract new (...args: never[]) => { readonly reason: R };

/**
 * Run `fn`: the `reason` of the error it throws when that is an instance of one of `types`,
 * 'ok' when it returns. Any other error is rethrown, so the test fails on it.
 */
export function thrownReason<R extends string>(fn: () => unknown, ...types: ReasonedError<R>[]): R | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    for (const type of types) if (e instanceof type) return e.reason;
    throw e;
  }
}

/**
 * The few Web-platform globals tls-core relies on, declared by hand so that the package is
 * type-checked without DOM or Node typings (it must run in any engine with BigInt, Uint8Array,
 * TextEncoder/TextDecoder and crypto.getRandomValues).
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

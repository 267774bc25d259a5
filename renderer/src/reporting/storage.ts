/** The subset of Web Storage the reports keep things in (drafts, the split); tests pass a Map-backed one. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/**
 * The window's localStorage, or null where it cannot be used (a browser that refuses it): then
 * nothing is remembered, and nothing breaks.
 */
export function windowStorage(): KeyValueStorage | null {
  try {
    const storage = globalThis.localStorage as Storage | undefined;
    return storage ?? null;
  } catch {
    return null;
  }
}

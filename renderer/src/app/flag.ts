import { useSyncExternalStore } from 'react';

/** A boolean any part of the app can flip, e.g. "the New ticket modal is open" (from a button or the palette). */
export function createFlag(initial = false) {
  let value = initial;
  const listeners = new Set<() => void>();
  const set = (next: boolean) => {
    if (next === value) return;
    value = next;
    listeners.forEach((l) => l());
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };
  const get = () => value;
  return {
    open: () => set(true),
    close: () => set(false),
    get,
    useValue: () => useSyncExternalStore(subscribe, get),
  };
}

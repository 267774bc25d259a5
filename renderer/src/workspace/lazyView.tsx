import { Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentType } from 'react';

/**
 * A view whose code is loaded when it is first shown (or preloaded before), so the screen that does not
 * show it neither fetches nor runs it. Once loaded it renders directly: React.lazy alone would suspend
 * once more, and React holds a revealed fallback back for a while (300 ms) before the content replaces it.
 */
export interface LazyView<P extends object> {
  View: ComponentType<P>;
  /** Fetches the code now (idempotent); a failure is left for the view to report when it is shown. */
  preload: () => Promise<unknown>;
}

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const fetchCode = () => {
    loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        // A failed fetch (the shell restarted, a new build) may succeed when asked again.
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  const Lazy = lazy(() => fetchCode().then((component) => ({ default: component })));
  function View(props: P) {
    const Loaded = loaded;
    if (Loaded) return <Loaded {...props} />;
    return (
      <Suspense fallback={<Loader size="sm" aria-label="Loading" />}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  return { View, preload: () => fetchCode().catch(() => undefined) };
}

/** Runs `task` when the browser is next idle (at the latest after `timeoutMs`); returns a cancel. */
export function whenIdle(task: () => void, timeoutMs = 2_000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(task, { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const timer = setTimeout(task, 500);
  return () => clearTimeout(timer);
}

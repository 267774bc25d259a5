import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { formatRoute, parseHash, type Route } from './route.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = (): string => window.location.hash;

/** The route lives in location.hash so reloads, back/forward and links all work without a router library. */
export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  return useMemo(() => parseHash(hash), [hash]);
}

export function navigate(route: Route): void {
  const next = formatRoute(route);
  if (window.location.hash !== next) window.location.hash = next;
}

export function useNavigate(): (route: Route) => void {
  return useCallback((route: Route) => navigate(route), []);
}

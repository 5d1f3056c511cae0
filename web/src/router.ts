// A small client-side router on the History API. The server answers every path that is not
// /api/*, /assets/*, /healthz, /readyz or /metrics with index.html, so any route here can be
// loaded directly or reloaded.
import { useEffect, useState } from 'preact/hooks';

export type Params = Record<string, string>;

export interface Route<Name extends string = string> {
  name: Name;
  /** Segments separated by '/'; ':name' captures one non-empty segment. */
  pattern: string;
}

export interface Match<Name extends string = string> {
  name: Name;
  params: Params;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/** The captured parameters when `path` (no query string) matches `pattern`, else null. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = segments(pattern);
  const have = segments(path);
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const h = have[i];
    if (w.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(h);
      } catch {
        return null; // a malformed escape is not a route
      }
      params[w.slice(1)] = value;
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

/** The first route whose pattern matches, so list literal routes before ':param' ones. */
export function resolve<Name extends string>(routes: readonly Route<Name>[], path: string): Match<Name> | null {
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params) return { name: route.name, params };
  }
  return null;
}

/** Fills ':name' segments from `params`, escaping each value. */
export function href(pattern: string, params: Params = {}): string {
  const path = segments(pattern)
    .map((s) => (s.startsWith(':') ? encodeURIComponent(params[s.slice(1)] ?? '') : s))
    .join('/');
  return '/' + path;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

/** Goes to `to` (a same-origin path with an optional query) without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}) {
  const target = new URL(to, window.location.origin);
  const url = target.pathname + target.search + target.hash;
  if (url === window.location.pathname + window.location.search + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  if (!options.replace) window.scrollTo?.(0, 0);
  notify();
}

/** The current location; the component renders again whenever it changes. */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

/** True for a plain left click that the router should handle instead of the browser. */
export function isPlainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}

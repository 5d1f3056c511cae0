import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { newIdempotencyKey } from './questionnaire';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null = nothing to load), again when the path changes or on reload(). */
export function useGet<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const lastPath = useRef(path);

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const mine = ++latest.current;
    if (lastPath.current !== path) {
      // another record: do not show the previous one while this loads
      lastPath.current = path;
      setData(null);
      setError(null);
    }
    setLoading(true);
    api
      .get<T>(path)
      .then((d) => {
        if (mine !== latest.current) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (mine !== latest.current) return;
        setError(e instanceof ApiError ? e : new ApiError({ status: 0 }));
      })
      .finally(() => {
        if (mine === latest.current) setLoading(false);
      });
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/**
 * POSTs that may be retried safely. The Idempotency-Key is made once, when the form opens,
 * and kept across retries after a network failure or a server error: if the first attempt was
 * recorded but its answer lost, the retry gets that same result instead of a second record. A
 * refusal of the content (400, 422) recorded nothing, and the corrected answers that follow
 * are a new request, so they get a new key.
 */
export function useIdempotentPost() {
  const key = useRef<string>('');
  if (!key.current) key.current = newIdempotencyKey();
  const post = useCallback(async <T>(path: string, body: unknown): Promise<T> => {
    try {
      return await api.post<T>(path, body, { 'Idempotency-Key': key.current });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 400 || e.status === 422)) key.current = newIdempotencyKey();
      throw e;
    }
  }, []);
  return post;
}

/** True while the viewport is narrower than `px` (640: phones); follows rotation and resizing. */
export function useNarrow(px = 640): boolean {
  const q = `(max-width: ${px - 0.02}px)`;
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(q).matches);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const m = window.matchMedia(q);
    const update = () => setNarrow(m.matches);
    update();
    m.addEventListener?.('change', update);
    return () => m.removeEventListener?.('change', update);
  }, [q]);
  return narrow;
}

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api';

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
